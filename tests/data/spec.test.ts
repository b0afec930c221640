/**
 * Potentials from data: the spec refuses bad data naming the row and column;
 * the compiled energy is prior + Σ_i example(row_i) and its symbolic gradient
 * matches finite differences.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';
import { parseCsv } from '../../src/data.ts';
import { PotentialError } from '../../src/potential/index.ts';
import { resolveDataFile } from '../../src/node/data.ts';

const ROWS = [
  [1, 0.5],
  [2, 1.4],
  [-1, -0.7],
];
const BASE = {
  dims: 2,
  particles: 10,
  dt: 0.01,
  steps: 1,
  potential: { data: { columns: ['u', 'v'], rows: ROWS }, example: '(v - x - y*u)^2/(2*s2)', prior: 'x^2/2 + y^2/2', params: { s2: 0.5 } },
};

function refusal(potential: Record<string, unknown>, dims = 2): Error {
  try {
    prepare({ ...BASE, dims, potential: { ...BASE.potential, ...potential } });
  } catch (e) {
    if (e instanceof SpecError || e instanceof PotentialError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('potential from data: refusals name the row and column', () => {
  it.each([
    [
      'a ragged row',
      { data: { columns: ['u', 'v'], rows: [[1, 2], [3]] } },
      'potential.data.rows[1]',
      ['got [3]', '2 numbers', 'u, v', 'has 1'],
    ],
    [
      'a non-numeric cell',
      {
        data: {
          columns: ['u', 'v'],
          rows: [
            [1, 2],
            [3, 'a'],
          ],
        },
      },
      'potential.data.rows[1][1] (column "v")',
      ['got "a"', 'finite number'],
    ],
    ['no rows', { data: { columns: ['u', 'v'], rows: [] } }, 'potential.data.rows', ['non-empty array of rows']],
    ['a duplicate column', { data: { columns: ['u', 'u'], rows: [[1, 2]] } }, 'potential.data.columns[1]', ['duplicate']],
    [
      'a column named like a coordinate',
      { data: { columns: ['u', 'y'], rows: [[1, 2]] } },
      'potential.data.columns[1]',
      ['got "y"', 'clashes with a coordinate'],
    ],
    ['a column named x1', { data: { columns: ['x1', 'v'], rows: [[1, 2]] } }, 'potential.data.columns[0]', ['clashes with a coordinate']],
    ['a column named like a parameter', { data: { columns: ['s2', 'v'], rows: [[1, 2]] } }, 'potential.params.s2', ['also a data column']],
    ['an unknown column in the example', { example: '(w2 - x)^2' }, 'potential.example', ["unknown symbol 'w2'", 'data columns: u, v']],
    ['a column in the prior', { prior: 'u*x^2' }, 'potential.prior', ["unknown symbol 'u'"]],
    ['data without example', { example: undefined }, 'potential', ['exactly one of']],
    ['example without data', { data: undefined }, 'potential.data', ['is required with "example"']],
    ['a file through the API', { data: { file: 'points.csv' } }, 'potential.data.file', ['read by the command line']],
  ])('%s', (_label, patch, field, words) => {
    const e = refusal(patch);
    expect((e as SpecError).field).toBe(field);
    for (const w of words) expect(e.message).toContain(w);
  });

  it('a column may be called y when y is not a coordinate (dims = 1)', () => {
    const p = prepare({ ...BASE, dims: 1, potential: { data: { columns: ['u', 'y'], rows: ROWS }, example: '(y - x*u)^2' } });
    expect(p.potential.data?.columns).toEqual(['u', 'y']);
    // y is the data column: E(0.3) = Σ_i (y_i − 0.3·u_i)²
    expect(p.potential.energy([0.3])).toBeCloseTo(
      ROWS.reduce((a, [u, y]) => a + (y - 0.3 * u) ** 2, 0),
      12,
    );
  });
});

describe('CSV files', () => {
  it('parses a header and rows', () => {
    expect(parseCsv('u, v\n1,2\n\n-3.5e-1, 4\n', 'p.csv')).toEqual({
      columns: ['u', 'v'],
      rows: [
        [1, 2],
        [-0.35, 4],
      ],
    });
  });
  it.each([
    ['an empty file', '', 'potential.data.file', ['is empty']],
    ['a header only', 'u,v\n', 'potential.data.file', ['no data rows']],
    ['a ragged row', 'u,v\n1,2\n3\n', 'potential.data.file (p.csv line 3)', ['got "3"', 'needs 2', 'has 1']],
    ['a non-numeric cell', 'u,v\n1,2\n3,abc\n', 'potential.data.file (p.csv line 3, column "v")', ['got "abc"', 'finite number']],
    ['an empty cell', 'u,v\n1,\n', 'potential.data.file (p.csv line 2, column "v")', ['finite number']],
    ['a bad header', 'u,2v\n1,2\n', 'potential.data.file (p.csv line 1, column 2)', ['identifier']],
  ])('refuses %s', (_label, text, field, words) => {
    let err: SpecError | undefined;
    try {
      parseCsv(text, 'p.csv');
    } catch (e) {
      err = e as SpecError;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect(err!.field).toBe(field);
    for (const w of words) expect(err!.message).toContain(w);
  });

  it('the CLI resolves a file relative to the spec file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'langevin-data-'));
    writeFileSync(join(dir, 'points.csv'), 'u,v\n1,0.5\n2,1.4\n-1,-0.7\n');
    const raw = resolveDataFile({ ...BASE, potential: { ...BASE.potential, data: { file: 'points.csv' } } }, join(dir, 'spec.json'));
    expect(prepare(raw).potential.data?.values).toEqual(Float64Array.from(ROWS.flat()));
    expect(() =>
      resolveDataFile({ ...BASE, potential: { ...BASE.potential, data: { file: 'nope.csv' } } }, join(dir, 'spec.json')),
    ).toThrow(/no such file/);
  });
});

describe('compiled energy and gradient', () => {
  const { potential } = prepare(BASE);
  const s2 = 0.5;
  const direct = (w: number[]) => w[0] ** 2 / 2 + w[1] ** 2 / 2 + ROWS.reduce((a, [u, v]) => a + (v - w[0] - w[1] * u) ** 2 / (2 * s2), 0);

  it('E = prior + Σ example, in float64', () => {
    for (const w of [
      [0, 0],
      [0.3, -1.2],
      [2, 5],
    ])
      expect(potential.energy(w)).toBeCloseTo(direct(w), 12);
    expect(potential.data!.priorEnergy([0.3, -1.2])).toBeCloseTo(0.045 + 0.72, 14);
    expect(potential.data!.exampleEnergy([0.3, -1.2], 2)).toBeCloseTo((-0.7 - 0.3 - 1.2) ** 2 / (2 * s2), 14);
  });

  it('the gradient is the exact derivative (central differences, h = 1e-5)', () => {
    const g = new Float64Array(2);
    for (const w of [
      [0.3, -1.2],
      [2, 5],
    ]) {
      potential.gradient(w, g);
      for (let d = 0; d < 2; d++) {
        const e = 1e-5;
        const up = w.slice();
        const dn = w.slice();
        up[d] += e;
        dn[d] -= e;
        expect(g[d]).toBeCloseTo((direct(up) - direct(dn)) / (2 * e), 5);
      }
    }
  });
});

describe('a constant outside the f32 range in a potential from data', () => {
  it.each(['example', 'prior'])('in %s: a PotentialError naming that field, as for an expression', (field) => {
    const potential = { ...BASE.potential, [field]: field === 'example' ? '1e39*(v - x - y*u)^2' : '1e39*x^2' };
    let error: unknown;
    try {
      prepare({ ...BASE, potential });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PotentialError);
    expect((error as PotentialError).field).toBe(`potential.${field}`);
    expect((error as Error).message).toContain('outside the range of 32-bit floats');
  });
});

describe('a data file name with line terminators', () => {
  it('is quoted escaped in the one-line message', () => {
    let message = '';
    try {
      resolveDataFile({ potential: { example: 'x*u', data: { file: 'no\u2028such\nfile.csv' } } }, join(tmpdir(), 'spec.json'));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^potential\.data\.file: got .*cannot be read/);
    expect(message).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
    expect(message).toContain('no\\u2028such\\nfile.csv');
  });
});
