/**
 * CSV files as people write them: NumPy's savetxt (spaces, %.18e; a `# a,b`
 * header), pandas' to_csv (an index column under an empty header cell), R's
 * write.csv (quoted header and row names), Excel's CRLF with a BOM. The numbers
 * read are the source's exactly; every refusal names its line and column.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvOptions, parseCsv, type CsvOptions } from '../../src/data.ts';
import { SpecError } from '../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'langevin-csv-'));
const has = (module: string) => spawnSync('python3', ['-c', `import ${module}`]).status === 0;
const hasNumpy = has('numpy');
const hasPandas = has('pandas');

/**
 * Run a Python snippet that writes `data.txt` from an array `a` (given as `make`);
 * return the file's text and the array as JSON (Python's repr of a float is exact).
 */
function python(make: string, write: string): { text: string; rows: number[][] } {
  const code = [
    'import json, numpy as np',
    ...(write.includes('pd.') ? ['import pandas as pd'] : []),
    `a = ${make}`,
    write,
    `open('rows.json', 'w').write(json.dumps(a.tolist()))`,
  ].join('\n');
  const r = spawnSync('python3', ['-c', code], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return { text: readFileSync(join(dir, 'data.txt'), 'utf8'), rows: JSON.parse(readFileSync(join(dir, 'rows.json'), 'utf8')) };
}

// 40 rows, 3 columns, magnitudes from 1e-30 to 1e30, both signs
const ARRAY = 'np.random.default_rng(7).normal(size=(40, 3)) * 10.0 ** np.random.default_rng(8).integers(-30, 31, size=(40, 3))';

describe('CSV files written by NumPy, pandas and R', () => {
  it.skipIf(!hasNumpy)('numpy.savetxt by default (spaces, %.18e, no header) with "delimiter": " " and "columns"', () => {
    const { text, rows } = python(ARRAY, "a[0] = 0\nnp.savetxt('data.txt', a)");
    expect(text.split('\n')[1]).toMatch(/^-?\d\.\d{18}e[+-]\d\d -?\d\.\d{18}e[+-]\d\d /);
    expect(parseCsv(text, 'data.txt', { delimiter: ' ', columns: ['a', 'b', 'c'] })).toEqual({ columns: ['a', 'b', 'c'], rows });
    // without the options, the refusal says what to set
    expect(() => parseCsv(text, 'data.txt')).toThrow(/line 1, column 1.*set "delimiter": " "/);
  });

  it.skipIf(!hasNumpy)('numpy.savetxt with delimiter="," and header="a,b,c" (written "# a,b,c")', () => {
    const { text, rows } = python(ARRAY, "np.savetxt('data.txt', a, delimiter=',', header='a,b,c')");
    expect(text.startsWith('# a,b,c\n')).toBe(true);
    expect(parseCsv(text, 'data.txt')).toEqual({ columns: ['a', 'b', 'c'], rows });
  });

  it.skipIf(!hasNumpy)('numpy.savetxt with a footer, a comment line and tabs', () => {
    const { text, rows } = python(ARRAY, "np.savetxt('data.txt', a, delimiter='\\t', header='made by numpy\\na\\tb\\tc', footer='end')");
    expect(parseCsv(text, 'data.txt', { delimiter: '\t' })).toEqual({ columns: ['a', 'b', 'c'], rows });
  });

  it.skipIf(!hasPandas)('pandas DataFrame.to_csv by default (index column under an empty header cell)', () => {
    const { text, rows } = python(ARRAY, "pd.DataFrame(a, columns=['a', 'b', 'c']).to_csv('data.txt')");
    expect(text.startsWith(',a,b,c\n')).toBe(true);
    expect(parseCsv(text, 'data.txt')).toEqual({ columns: ['a', 'b', 'c'], rows });
  });

  it('pandas to_csv as written (its index column under an empty header cell)', () => {
    expect(parseCsv(',u,v\n0,0.5,-1.25\n1,1e-05,3.0\n', 'p.csv')).toEqual({
      columns: ['u', 'v'],
      rows: [
        [0.5, -1.25],
        [1e-5, 3],
      ],
    });
  });

  it("R's write.csv as written (quoted header and row names, CRLF on Windows)", () => {
    const text = '"","x","y"\r\n"1",0.5,-1.25\r\n"2",3e-04,12\r\n"3",-7.1e+30,0\r\n';
    const rows = [
      [0.5, -1.25],
      [3e-4, 12],
      [-7.1e30, 0],
    ];
    expect(parseCsv(text, 'r.csv')).toEqual({ columns: ['x', 'y'], rows });
    // write.csv(row.names = FALSE): no index; quoted row names that are strings
    expect(parseCsv('"x","y"\n0.5,-1.25\n', 'r.csv').rows).toEqual([rows[0]]);
    expect(parseCsv('"","x","y"\n"a, b",0.5,-1.25\n', 'r.csv').rows).toEqual([rows[0]]);
  });

  it('Excel\'s "CSV UTF-8": a byte-order mark and CRLF', () => {
    expect(parseCsv('\ufeffu;v\r\n1.5;2\r\n', 'x.csv', { delimiter: ';' })).toEqual({ columns: ['u', 'v'], rows: [[1.5, 2]] });
    expect(parseCsv('\ufeffu,v\r\n1.5,2\r\n', 'x.csv')).toEqual({ columns: ['u', 'v'], rows: [[1.5, 2]] });
  });

  it('RFC 4180 quoting: quoted numbers, a quoted cell over two lines keeps the line count, "" is a quote', () => {
    const text = 'id,u,v\n"a ""quoted"" name\nover two lines",1,"2"\nb,3,4\n';
    expect(parseCsv(text, 'q.csv', { index: true })).toEqual({
      columns: ['u', 'v'],
      rows: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(() => parseCsv(text + 'c,5,x\n', 'q.csv', { index: true })).toThrow('q.csv line 5, column "v"');
  });

  it('"delimiter": " " is any run of spaces and tabs; "|" and ";" split on themselves', () => {
    expect(parseCsv('  u \t v\n 1   2 \n\t3\t4\n', 'p.txt', { delimiter: ' ' }).rows).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(parseCsv('"u" "v"\n"1"  2\n', 'p.txt', { delimiter: ' ' }).rows).toEqual([[1, 2]]);
    expect(parseCsv('u|v\n1| 2\n', 'p.txt', { delimiter: '|' }).rows).toEqual([[1, 2]]);
  });

  it('"index": false keeps a first column that pandas would call an index', () => {
    expect(() => parseCsv(',u\n0,1\n', 'p.csv', { index: false })).toThrow('p.csv line 1, column 1');
    expect(parseCsv('i,u\n0,1\n', 'p.csv', { index: true })).toEqual({ columns: ['u'], rows: [[1]] });
  });
});

describe('CSV refusals name the line and the column', () => {
  const cases: [string, string, CsvOptions, string, string[]][] = [
    ['an unclosed quote', 'u,v\n1,2\n3,"4\n5,6\n', {}, 'line 3, column 2', ['never closed']],
    ['text after a closing quote', 'u,v\n1,"2"x\n', {}, 'line 2, column 2', ['got "x"', 'may follow a quoted cell']],
    ['a ragged row', 'u,v\n1,2\n3,4,5\n', {}, 'line 3)', ['needs 2 numbers separated by commas', 'has 3']],
    ['a ragged row with an index', ',u,v\n0,1,2\n1,3\n', {}, 'line 3)', ['needs 3 cells', 'the index', 'has 2']],
    ['a quoted non-number', 'u,v\n1,"two"\n', {}, 'line 2, column "v"', ['got "two"', 'finite number']],
    ['NaN', 'u,v\n1,nan\n', {}, 'line 2, column "v"', ['got "nan"', 'finite number']],
    ['Inf', 'u,v\n1,2\n-inf,3\n', {}, 'line 3, column "u"', ['got "-inf"']],
    ['Infinity', 'u,v\nInfinity,3\n', {}, 'line 2, column "u"', ['got "Infinity"']],
    ["R's NA", '"","u"\n"1",NA\n', {}, 'line 2, column "u"', ['got "NA"']],
    ['beyond f32', 'u\n1e39\n', {}, 'line 2, column "u"', ['32-bit float range']],
    ['a header-only file', '# made today\nu,v\n', {}, 'potential.data.file', ['no data rows']],
    ['an empty file', '', {}, 'potential.data.file', ['is empty']],
    ['a BOM and blank lines only', '\ufeff\r\n  \r\n', {}, 'potential.data.file', ['is empty']],
    ['comments only', '# a,b\n', {}, 'potential.data.file', ['only comment lines']],
    ['numbers with no names', '1,2\n3,4\n', {}, 'line 1)', ['not a header row', '# u,v', '"columns"']],
    ['a header with "columns"', 'u,v\n1,2\n', { columns: ['u', 'v'] }, 'line 1, column "u"', ['with "columns" the file has no header row']],
    ['a duplicate quoted name', '"u","u"\n1,2\n', {}, 'line 1, column 2', ['duplicate']],
    ['a decimal comma', 'u;v\n1,5;2\n', { delimiter: ';' }, 'line 2, column "u"', ['decimal comma', '1.5']],
    ['a semicolon file read with commas', 'u;v\n1;2\n', {}, 'line 1, column 1', ['set "delimiter": ";"']],
    ['a byte-order mark inside a row', 'u,v\n1,\ufeff2\n', {}, 'line 2, column 3', ['byte-order mark inside the file']],
    ['a doubled byte-order mark before the header', '\ufeff\ufeffd\n1\n', {}, 'line 1, column 2', ['byte-order mark inside the file']],
    ['a no-break space in a number (String.trim would drop it)', 'u,v\n1,\u00a02\n', {}, 'line 2, column "v"', ['finite number']],
  ];
  it.each(cases)('%s', (_label, text, options, where, words) => {
    let err: unknown;
    try {
      parseCsv(text, 'p.csv', options);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    const { field, message } = err as SpecError;
    expect(field.startsWith('potential.data.file')).toBe(true);
    expect(field).toContain(where);
    for (const w of words) expect(message).toContain(w);
    expect(message).not.toMatch(/[\n\r]/);
  });

  it('the options next to "file": an allowed delimiter, a boolean index, identifier columns, nothing else', () => {
    const refused = (data: Record<string, unknown>) => {
      try {
        csvOptions(data, 'potential.data');
      } catch (e) {
        return e as SpecError;
      }
      throw new Error('not refused');
    };
    expect(csvOptions({ file: 'p.csv', delimiter: '\t', index: true, columns: ['u'] }, 'potential.data')).toEqual({
      delimiter: '\t',
      index: true,
      columns: ['u'],
    });
    for (const d of [':', ',,', '', 'tab', '"', '\n', 1]) {
      expect(refused({ file: 'p.csv', delimiter: d }).field).toBe('potential.data.delimiter');
    }
    expect(refused({ file: 'p.csv', delimiter: ':' }).message).toContain('"," (default), ";", "\\t", " "');
    expect(refused({ file: 'p.csv', index: 'yes' }).field).toBe('potential.data.index');
    expect(refused({ file: 'p.csv', columns: ['u', '2v'] }).field).toBe('potential.data.columns[1]');
    expect(refused({ file: 'p.csv', sep: ';' }).message).toContain('allowed: delimiter, index, columns');
  });
});
