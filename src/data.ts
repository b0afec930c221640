/**
 * Data sets of data-driven potentials (`potential.data` in the run spec):
 * validation of `{columns, rows}` and parsing of CSV text (header row = column
 * names). Pure functions: reading a file is the caller's business (the CLI
 * resolves `{file}` relative to the spec file, src/node/data.ts).
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

/**
 * Parse CSV text: a header row of column names, then rows of numbers, comma
 * separated (blank lines and surrounding spaces ignored; no quoting).
 * @param name the file's name, used in messages
 * @param field the spec field, used in messages (default `potential.data.file`)
 * @throws SpecError for an empty file, a bad header, a ragged row or a non-numeric cell, naming the line and column
 * @example parseCsv('d\n0.3\n-1.2\n', 'points.csv') // {columns: ['d'], rows: [[0.3], [-1.2]]}
 */
export function parseCsv(text: string, name: string, field = 'potential.data.file'): DataSet {
  // The file's name comes from the spec: shown as given unless it would break the message's line.
  const where = /^[^\p{Cc}\u0085\u2028\u2029]{1,200}$/u.test(name) ? name : describeValue(name);
  const lines = text
    .split(/\r?\n/)
    .map((l, i) => ({ line: i + 1, text: l.trim() }))
    .filter((l) => l.text !== '');
  if (lines.length === 0)
    throw new SpecError(field, name, 'is empty; a CSV file needs a header row of column names and at least one row of numbers');
  const header = lines[0];
  const columns = header.text.split(',').map((c) => c.trim());
  columns.forEach((c, j) => {
    if (!isIdentifier(c))
      throw new SpecError(
        `${field} (${where} line ${header.line}, column ${j + 1})`,
        c,
        `the header row must name every column with ${COLUMN_NAME}`,
      );
  });
  const seen = new Set<string>();
  columns.forEach((c, j) => {
    if (seen.has(c))
      throw new SpecError(
        `${field} (${where} line ${header.line}, column ${j + 1})`,
        c,
        `is a duplicate column name (columns: ${nameList(columns)})`,
      );
    seen.add(c);
  });
  if (lines.length === 1) throw new SpecError(field, name, `has a header row (${nameList(columns)}) but no data rows`);
  checkSize(lines.length - 1, columns.length, field);
  const rows = lines.slice(1).map(({ line, text: t }) => {
    const cells = t.split(',').map((c) => c.trim());
    if (cells.length !== columns.length) {
      throw new SpecError(
        `${field} (${where} line ${line})`,
        t,
        `every row needs ${columns.length} comma-separated numbers, one per column (${nameList(columns)}); this row has ${cells.length}`,
      );
    }
    return cells.map((c, j) => {
      const x = DECIMAL.test(c) ? Number(c) : NaN;
      if (!isCell(x)) throw new SpecError(`${field} (${where} line ${line}, column "${columns[j]}")`, c, `${CELL}, in decimal notation`);
      return x;
    });
  });
  return { columns, rows };
}
