/**
 * Data sets of data-driven potentials (`potential.data` in the run spec):
 * validation of `{columns, rows}` and parsing of CSV text as pandas, R and
 * NumPy write it (RFC 4180 quoting, CRLF, a BOM, `#` comment lines, an index
 * column, a header row or a `# a,b` header comment, a chosen delimiter).
 * Pure functions: reading a file is the caller's business (the CLI resolves
 * `{file}` relative to the spec file, src/node/data.ts).
 *
 * Every refusal names the row and the column: `potential.data.rows[4][1]
 * (column "y")` in a spec, `potential.data.file (points.csv line 6, column
 * "y")` in a CSV.
 */
import { describeValue, SpecError } from './errors.ts';
import { F32_MAX, MAX_DATA_CELLS, MAX_IDENTIFIER_LENGTH } from './limits.ts';
import { isIdentifier, isObject, keyPath, nameList } from './values.ts';

/** A validated data set: N rows of C finite numbers, row-major. */
export interface DataSet {
  /** column names, identifiers used in `potential.example` */
  columns: string[];
  /** N rows of C cells */
  rows: number[][];
}

export { MAX_DATA_CELLS } from './limits.ts';

/** What a column name may be, for messages. */
const COLUMN_NAME = `an identifier: letters, digits and _, not starting with a digit, at most ${MAX_IDENTIFIER_LENGTH} characters`;

/** A decimal number as a CSV cell holds it (no hexadecimal, no Infinity). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** What a cell may be, for messages: the GPU holds the data as f32. */
const CELL = `must be a finite number within the 32-bit float range the GPU holds data in (|x| ≤ ${F32_MAX})`;

/** Whether a cell's value is a number the GPU can hold. */
function isCell(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= F32_MAX;
}

/** Check a column list: non-empty, identifiers, no duplicates. */
function checkColumns(columns: unknown, field: string): string[] {
  if (!Array.isArray(columns) || columns.length === 0)
    throw new SpecError(field, columns, 'must be a non-empty array of column names (identifiers such as "d" or "y_obs")');
  columns.forEach((c, j) => {
    if (!isIdentifier(c)) throw new SpecError(`${field}[${j}]`, c, `must be ${COLUMN_NAME}`);
  });
  const seen = new Set<string>();
  columns.forEach((c: string, j) => {
    if (seen.has(c)) throw new SpecError(`${field}[${j}]`, c, `is a duplicate column name (columns: ${nameList(columns)})`);
    seen.add(c);
  });
  return columns as string[];
}

function checkSize(rows: number, cols: number, field: string): void {
  if (rows * cols > MAX_DATA_CELLS) throw new SpecError(field, `${rows} rows × ${cols} columns`, `at most ${MAX_DATA_CELLS} cells in all`);
}

/**
 * Validate `potential.data` as written in a spec: `{columns: [...], rows: [[...], ...]}`.
 * (`{file}` must have been resolved by the caller, see `parseCsv`.)
 * @throws SpecError naming the row and column of a ragged row or a non-numeric cell
 * @example validateData({columns: ['d'], rows: [[0.3], [-1.2]]}, 'potential.data')
 */
export function validateData(v: unknown, field: string): DataSet {
  if (!isObject(v)) throw new SpecError(field, v, 'must be {"columns": [...], "rows": [[...], ...]} or {"file": "points.csv"}');
  if (Object.hasOwn(v, 'file')) {
    throw new SpecError(
      `${field}.file`,
      v.file,
      'is read by the command line (relative to the spec file) or by resolveDataFile from "langevin/node"; through the API give {"columns", "rows"} (parseCsv turns CSV text into them)',
    );
  }
  for (const k of Object.keys(v)) {
    if (k !== 'columns' && k !== 'rows')
      throw new SpecError(keyPath(field, k), v[k], `unknown field; allowed fields of ${field}: columns, rows (or file)`);
  }
  const columns = checkColumns(v.columns, `${field}.columns`);
  const rows = v.rows;
  if (!Array.isArray(rows) || rows.length === 0)
    throw new SpecError(
      `${field}.rows`,
      rows,
      `must be a non-empty array of rows, each an array of ${columns.length} numbers (columns: ${nameList(columns)})`,
    );
  checkSize(rows.length, columns.length, `${field}.rows`);
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) {
      throw new SpecError(
        `${field}.rows[${i}]`,
        row,
        `every row must be an array of ${columns.length} numbers, one per column (${nameList(columns)})${Array.isArray(row) ? `; this row has ${row.length}` : ''}`,
      );
    }
    row.forEach((x, j) => {
      if (!isCell(x)) throw new SpecError(`${field}.rows[${i}][${j}] (column "${columns[j]}")`, x, CELL);
    });
  });
  return { columns, rows: rows as number[][] };
}

/** The delimiters a CSV file may use; `' '` is any run of spaces and tabs (NumPy's `loadtxt` default). */
export const CSV_DELIMITERS = [',', ';', '\t', ' ', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** How to read a CSV file: the fields next to `file` in `potential.data`. */
export interface CsvOptions {
  /** the cell separator (default `','`); `' '` splits on runs of spaces and tabs */
  delimiter?: CsvDelimiter;
  /**
   * whether the first column is an index (row names) to skip; default: detected
   * when the header row's first cell is empty, as pandas' `to_csv` and R's `write.csv` write it
   */
  index?: boolean;
  /** the column names of a file without a header row (its first row is data) */
  columns?: string[];
}

const DELIMITER_NAMES: Record<CsvDelimiter, string> = { ',': 'commas', ';': 'semicolons', '\t': 'tabs', ' ': 'spaces', '|': '"|"' };
const DELIMITER_LIST = `"," (default), ";", "\\t", " " (any run of spaces and tabs, as NumPy's savetxt writes) or "|"`;

/**
 * Check the CSV options given next to `file` in `potential.data` (`{file, delimiter?, index?, columns?}`).
 * @param field the data's field, e.g. `potential.data`
 * @throws SpecError naming an unknown field, a delimiter outside `CSV_DELIMITERS`, a non-boolean index or bad column names
 * @example csvOptions({file: 'p.txt', delimiter: ' ', columns: ['u', 'v']}, 'potential.data') // {delimiter: ' ', columns: ['u', 'v']}
 */
export function csvOptions(data: Record<string, unknown>, field: string): CsvOptions {
  for (const k of Object.keys(data)) {
    if (k !== 'file' && k !== 'delimiter' && k !== 'index' && k !== 'columns')
      throw new SpecError(
        keyPath(field, k),
        data[k],
        `unknown field next to "file"; allowed: delimiter, index, columns (or give {"columns", "rows"} without "file")`,
      );
  }
  const out: CsvOptions = {};
  if (data.delimiter !== undefined) {
    if (!(CSV_DELIMITERS as readonly unknown[]).includes(data.delimiter))
      throw new SpecError(`${field}.delimiter`, data.delimiter, `must be ${DELIMITER_LIST}`);
    out.delimiter = data.delimiter as CsvDelimiter;
  }
  if (data.index !== undefined) {
    if (typeof data.index !== 'boolean')
      throw new SpecError(
        `${field}.index`,
        data.index,
        'must be true (the first column holds row names, skipped) or false (default: true when the header row starts with an empty cell)',
      );
    out.index = data.index;
  }
  if (data.columns !== undefined) out.columns = checkColumns(data.columns, `${field}.columns`);
  return out;
}

/** A record of the file: its cells and the line it starts on. */
interface CsvRecord {
  line: number;
  cells: string[];
  /** the record's text, for messages */
  text: string;
}

const isBlank = (c: number) => c === 32 || c === 9;

/**
 * Split CSV text into records, skipping blank lines and `#` comment lines
 * (the comment lines are returned too, for a `# a,b` header). Lines without a
 * quote are split directly; a line with one is read character by character
 * (RFC 4180: `""` inside quotes is a quote, a quoted cell may span lines).
 */
/** Trim spaces and tabs only: String.trim would also drop U+FEFF, U+00A0, U+2028, … and read "\uFEFF2" as 2. */
const trimBlanks = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');

/** A byte-order mark anywhere but at the very start is refused, naming where (a cell holding one is not a number). */
function refuseInnerBom(text: string, at: (line: number, column: number) => string): void {
  const i = text.indexOf('\ufeff', 1);
  if (i < 0) return;
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  const column = i - before.lastIndexOf('\n');
  throw new SpecError(at(line, column), 'U+FEFF', 'is a byte-order mark inside the file; only the first character of a file may be one');
}

function csvRecords(text: string, delimiter: CsvDelimiter, at: (line: number, column: number) => string) {
  refuseInnerBom(text, at);
  const records: CsvRecord[] = [];
  const comments: { line: number; text: string; before: number }[] = [];
  const space = delimiter === ' ';
  const split = (s: string) => (space ? trimBlanks(s).split(/[ \t]+/) : s.split(delimiter).map(trimBlanks));
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const raw = text.slice(pos, eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol);
    const start = raw.replace(/^[ \t]+/, '');
    if (start === '' || start[0] === '#') {
      if (start !== '') comments.push({ line, text: start.slice(1), before: records.length });
    } else if (!raw.includes('"')) {
      records.push({ line, cells: split(raw), text: raw });
    } else {
      const r = quotedRecord(text, pos, line, delimiter, at);
      records.push({ line, cells: r.cells, text: text.slice(pos, r.end).replace(/\r?\n$/, '') });
      line += r.lines;
      pos = r.end;
      continue;
    }
    line++;
    pos = eol + 1;
  }
  return { records, comments, split };
}

/** One record that holds a quote, read from `pos` to its end (past its line break): its cells, where it ends and how many lines it spans. */
function quotedRecord(text: string, pos: number, line: number, delimiter: CsvDelimiter, at: (line: number, column: number) => string) {
  const space = delimiter === ' ';
  const d = delimiter.charCodeAt(0);
  const cells: string[] = [];
  let i = pos;
  let lines = 0;
  const atEnd = () => i >= text.length || text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n');
  for (;;) {
    while (i < text.length && isBlank(text.charCodeAt(i)) && (space || text.charCodeAt(i) !== d)) i++;
    const column = cells.length + 1;
    if (text[i] === '"') {
      const opened = line + lines;
      let cell = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0)
          throw new SpecError(
            at(opened, column),
            text.slice(pos, pos + 60),
            'a quoted cell opened here is never closed (a quote in a cell is written "")',
          );
        const piece = text.slice(i, q);
        lines += piece.split('\n').length - 1;
        cell += piece;
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      cells.push(cell);
      const after = i;
      while (i < text.length && isBlank(text.charCodeAt(i)) && (space || text.charCodeAt(i) !== d)) i++;
      if (!atEnd() && text.charCodeAt(i) !== d && !(space && i > after)) {
        const rest = text.slice(i).split(/\r?\n/, 1)[0];
        throw new SpecError(
          at(line + lines, column),
          rest,
          `only ${space ? 'spaces' : `the delimiter ${describeValue(delimiter)}`} or the end of the line may follow a quoted cell`,
        );
      }
    } else {
      const begin = i;
      while (!atEnd() && text.charCodeAt(i) !== d && !(space && isBlank(text.charCodeAt(i)))) i++;
      cells.push(trimBlanks(text.slice(begin, i)));
      if (space) while (i < text.length && isBlank(text.charCodeAt(i))) i++;
    }
    if (atEnd()) break;
    if (!space) i++; // the delimiter
  }
  if (i < text.length) {
    i += text[i] === '\r' ? 2 : 1;
    lines++;
  }
  return { cells, end: i, lines };
}

/**
 * Parse CSV text into a data set: a header row of column names (or, where the
 * first row is numbers, the `# a,b` comment line above it as NumPy's `savetxt`
 * writes a header, or `options.columns`), then rows of decimal numbers.
 * RFC 4180 quoting, CRLF line ends and a byte-order mark are read; blank lines
 * and lines starting with `#` are skipped; an index column (row names) is
 * skipped when `options.index` is true or, by default, when the header's first
 * cell is empty (pandas' `to_csv`, R's `write.csv`).
 * @param name the file's name, used in messages
 * @param options delimiter, index and column names (see `CsvOptions`)
 * @param field the spec field, used in messages (default `potential.data.file`)
 * @throws SpecError for an empty file, a bad header, an unclosed quote, a ragged row or a non-numeric cell, naming the line and column
 * @example parseCsv('d\n0.3\n-1.2\n', 'points.csv') // {columns: ['d'], rows: [[0.3], [-1.2]]}
 * @example parseCsv('"","d"\n"1",0.3\n', 'points.csv') // {columns: ['d'], rows: [[0.3]]}
 */
export function parseCsv(text: string, name: string, options: CsvOptions = {}, field = 'potential.data.file'): DataSet {
  // The file's name comes from the spec: shown as given unless it would break the message's line.
  const where = /^[^\p{Cc}\u0085\u2028\u2029]{1,200}$/u.test(name) ? name : describeValue(name);
  const at = (line: number, column?: number | string) =>
    `${field} (${where} line ${line}${column === undefined ? '' : `, column ${typeof column === 'number' ? column : `"${column}"`}`})`;
  const delimiter = options.delimiter ?? ',';
  const { records, comments, split } = csvRecords(text, delimiter, at);
  if (records.length === 0)
    throw new SpecError(
      field,
      name,
      comments.length === 0
        ? 'is empty; a CSV file needs a header row of column names and at least one row of numbers'
        : 'has only comment lines (starting with #); a CSV file needs a header row of column names and at least one row of numbers',
    );

  const first = records[0];
  const { header, body } = csvHeader(records, comments, options, split, at);
  const index = options.index ?? header?.cells[0] === '';
  const skip = index ? 1 : 0;
  const columns = options.columns ?? header!.cells.slice(skip);
  if (header) checkHeader(header, columns, skip, delimiter, at);
  if (body.length === 0) throw new SpecError(field, name, `has a header row (${nameList(columns)}) but no data rows`);
  checkSize(body.length, columns.length, field);
  const width = columns.length + skip;
  const cellsNeeded = index
    ? `${width} cells separated by ${DELIMITER_NAMES[delimiter]}: the index (row name) and ${columns.length} numbers, one per column (${nameList(columns)})`
    : `${width} numbers separated by ${DELIMITER_NAMES[delimiter]}, one per column (${nameList(columns)})`;
  const rows = body.map(({ line, cells, text: t }) => {
    if (cells.length !== width)
      throw new SpecError(at(line), t, `every row needs ${cellsNeeded}; this row has ${cells.length}${delimiterHint(cells, delimiter)}`);
    const row = new Array<number>(columns.length);
    for (let j = 0; j < columns.length; j++) {
      const c = cells[j + skip];
      const x = DECIMAL.test(trimBlanks(c)) ? Number(c) : NaN;
      if (!isCell(x)) {
        const hint = line === first.line && options.columns ? '; with "columns" the file has no header row' : delimiterHint([c], delimiter);
        throw new SpecError(at(line, columns[j]), c, `${CELL}, in decimal notation${hint}`);
      }
      row[j] = x;
    }
    return row;
  });
  return { columns, rows };
}

/** Where the column names are: `columns` (no header row), else the first row, else (a first row of numbers) the comment line just above it. */
function csvHeader(
  records: CsvRecord[],
  comments: { line: number; text: string; before: number }[],
  options: CsvOptions,
  split: (s: string) => string[],
  at: (line: number) => string,
): { header?: { line: number; cells: string[] }; body: CsvRecord[] } {
  if (options.columns !== undefined) return { body: records };
  const first = records[0];
  if (!first.cells.every((c, j) => (j === 0 && options.index) || DECIMAL.test(c))) return { header: first, body: records.slice(1) };
  const comment = comments.filter((c) => c.before === 0).at(-1);
  const cells = comment ? split(trimBlanks(comment.text)) : [];
  if (comment && cells.length === first.cells.length) return { header: { line: comment.line, cells }, body: records };
  throw new SpecError(
    at(first.line),
    first.text,
    'is a row of numbers, not a header row: name the columns in a first row ("u,v"), in a comment line just above the numbers ("# u,v", as numpy.savetxt writes header="u,v"), or with "columns" next to "file"',
  );
}

/** The header's column names: identifiers, no duplicates, at least one besides the index. */
function checkHeader(
  header: { line: number; cells: string[] },
  columns: string[],
  skip: number,
  delimiter: CsvDelimiter,
  at: (line: number, column?: number) => string,
): void {
  const hint = delimiterHint(header.cells, delimiter);
  if (columns.length === 0)
    throw new SpecError(
      at(header.line),
      header.cells.join(delimiter),
      `the header row names no data column besides the index column${hint}`,
    );
  columns.forEach((c, j) => {
    if (!isIdentifier(c))
      throw new SpecError(at(header.line, j + 1 + skip), c, `the header row must name every column with ${COLUMN_NAME}${hint}`);
  });
  const seen = new Set<string>();
  columns.forEach((c, j) => {
    if (seen.has(c)) throw new SpecError(at(header.line, j + 1 + skip), c, `is a duplicate column name (columns: ${nameList(columns)})`);
    seen.add(c);
  });
}

/** A hint when cells hold another allowed delimiter (e.g. a space-delimited file read with ","), or a decimal comma. */
function delimiterHint(cells: string[], delimiter: CsvDelimiter): string {
  if (cells.length === 1 && /^[+-]?\d+,\d+$/.test(trimBlanks(cells[0])))
    return '; a decimal comma is not read: write the number with a point (1.5)';
  const other = CSV_DELIMITERS.find((d) => d !== delimiter && cells.some((c) => (d === ' ' ? /\S[ \t]+\S/.test(c) : c.includes(d))));
  return other === undefined
    ? ''
    : `; the cells look separated by ${DELIMITER_NAMES[other]}: set "delimiter": ${JSON.stringify(other)} next to "file"`;
}
