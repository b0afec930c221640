/**
 * The command line with potentials from data: a CSV beside the spec is read
 * relative to the spec file, as NumPy, pandas and R write it (with
 * `delimiter`, `index`, `columns` next to `file`); a bad CSV is refused
 * (exit 2) naming the line and column, before anything runs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/node/cli.ts';
import { runAndRead } from '../support.ts';
import { cli } from '../cli-support.ts';

function setup(csv: string, options: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'langevin-data-cli-'));
  writeFileSync(join(dir, 'points.csv'), csv);
  const spec = {
    dims: 2,
    particles: 50,
    dt: 0.01,
    steps: 20,
    temperature: 0,
    batch: 2,
    potential: { data: { file: 'points.csv', ...options }, example: '(v - x - y*u)^2/2', prior: '(x^2 + y^2)/2' },
  };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  return dir;
}

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  try {
    return { code: await main(args), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('langevin run with a CSV data file', () => {
  it('runs, with the file relative to the spec, and reports the covariance and T_eff', async () => {
    const dir = setup('u,v\n-1,0.2\n0,0.9\n1,1.1\n0.5,1.4\n');
    const { code } = await run(['run', join(dir, 'spec.json'), '--backend', 'cpu', '--out', join(dir, 'out.json')]);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    // the same spec with the file's rows written inline, through the API: the same numbers, so the file was read right
    const spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8'));
    spec.potential.data = {
      columns: ['u', 'v'],
      rows: [
        [-1, 0.2],
        [0, 0.9],
        [1, 1.1],
        [0.5, 1.4],
      ],
    };
    const inline = (await runAndRead(spec, 'cpu')).result;
    expect(r.final.mean).toEqual(inline.final.mean);
    expect(r.final.covariance).toEqual(inline.final.covariance);
    expect(r.final.effectiveTemperature).toBe(inline.final.effectiveTemperature);
    // and they were reported (the equalities above would hold between two absent values): a 2 × 2 covariance, T_eff > 0 at T = 0 from the batch noise
    expect(r.final.covariance.map((row: number[]) => row.length)).toEqual([2, 2]);
    expect(r.final.covariance[0][0]).toBeGreaterThan(0);
    expect(r.final.effectiveTemperature).toBeGreaterThan(0);
  });

  it.each([
    ['a non-numeric cell', 'u,v\n-1,0.2\n0,x9\n', ['line 3, column "v"', 'got "x9"', 'finite number']],
    ['a ragged row', 'u,v\n-1,0.2\n0\n', ['line 3', 'needs 2', 'has 1']],
    ['an empty file', '', ['potential.data.file', 'is empty']],
  ])('refuses %s with exit 2', async (_label, csv, words) => {
    const dir = setup(csv);
    const { code, stderr } = await run(['run', join(dir, 'spec.json'), '--backend', 'cpu']);
    expect(code).toBe(2);
    expect(stderr).toContain('invalid input');
    for (const w of words) expect(stderr).toContain(w);
  });
});

describe('langevin run (dist/cli.js) with CSV files as people write them', () => {
  const ROWS = [
    [-1, 0.2],
    [0, 0.9],
    [1, 1.1],
    [0.5, 1.4],
  ];
  const runOn = (dir: string) => cli(['run', join(dir, 'spec.json'), '--backend', 'cpu']);

  it("reads NumPy's savetxt (spaces, %.18e) and R's write.csv (quoted, row names, CRLF): the same result as the rows inline", async () => {
    const spec = JSON.parse(readFileSync(join(setup(''), 'spec.json'), 'utf8'));
    spec.potential.data = { columns: ['u', 'v'], rows: ROWS };
    const inline = (await runAndRead(spec, 'cpu')).result;
    const numpy = ROWS.map((r) => r.map((x) => x.toExponential(18)).join(' ')).join('\n') + '\n';
    const r = '"","u","v"\r\n' + ROWS.map((row, i) => `"${i + 1}",${row.join(',')}`).join('\r\n') + '\r\n';
    for (const dir of [setup(numpy, { delimiter: ' ', columns: ['u', 'v'] }), setup(r)]) {
      const out = runOn(dir);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const result = JSON.parse(out.stdout);
      expect(result.final.mean).toEqual(inline.final.mean);
      expect(result.final.covariance).toEqual(inline.final.covariance);
    }
  });

  // (a ragged row and an empty file: in process, above)
  it.each([
    ['an unclosed quote', 'u,v\n-1,0.2\n"0,0.9\n', {}, 'line 3, column 1', 'never closed'],
    ['a quoted non-number', 'u,v\n-1,"abc"\n', {}, 'line 2, column "v"', 'got "abc"'],
    ['NaN', 'u v\n-1 nan\n', { delimiter: ' ' }, 'line 2, column "v"', 'got "nan"'],
    ['a header only', '# from numpy\nu,v\n', {}, 'potential.data.file: got "points.csv"', 'no data rows'],
    ['a delimiter not allowed', 'u:v\n1:2\n', { delimiter: ':' }, 'potential.data.delimiter: got ":"', '"|"'],
  ])('refuses %s with exit 2, naming where', (_label, csv, options, where, why) => {
    const out = runOn(setup(csv, options));
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    const line = out.stderr.trimEnd();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('langevin: invalid input: ');
    expect(line).toContain(where);
    expect(line).toContain(why);
  });
});
