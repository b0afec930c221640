/**
 * `langevin sweep`, end to end on the built command (CPU backend, tiny specs):
 * the points of a temperature × seed product in order, `--jobs 2 --collect`
 * against the individual `--task I` results number for number, the variance
 * against T/k, and the refusals (zip of unequal axes, a bad point, a missing
 * point file, hostile paths).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, STACK_FRAME, start } from './cli-support.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-sweep-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// 2-D harmonic, k = (1, 4), LM from (1, −1), t = 10 ≫ 1/k: the Boltzmann variances are T/k
const N = 1000;
const K = [1, 4];
const BASE = {
  dims: 2,
  particles: N,
  potential: { name: 'harmonic', params: { k: K } },
  integrator: 'lm',
  dt: 0.05,
  temperature: 1,
  steps: 200,
  seed: 1,
  init: { kind: 'point', x: [1, -1] },
};
const TEMPERATURES = [0.25, 1];
const SEEDS = [3, 4];

function sweepFile(name: string, sweep: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(sweep));
  return path;
}

/** A refusal: exit 2, one line on stderr, no stack. */
function refused(args: string[]): string {
  const r = cli(args);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  return r.stderr;
}

/** One CSV line's cells (the test's values hold no quotes or commas). */
const cells = (line: string) => line.split(',');

describe('langevin sweep: a temperature × seed product', () => {
  let grid: string;
  beforeAll(() => {
    grid = sweepFile('grid.json', { base: BASE, axes: { temperature: TEMPERATURES, seed: SEEDS } });
  });

  it('--list gives the points in order, the last axis fastest; --json as an array', () => {
    const r = cli(['sweep', grid, '--list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('0  temperature=0.25 seed=3\n1  temperature=0.25 seed=4\n2  temperature=1 seed=3\n3  temperature=1 seed=4\n');
    const j = cli(['sweep', grid, '--list', '--json']);
    expect(JSON.parse(j.stdout)).toEqual([
      { index: 0, point: { temperature: 0.25, seed: 3 } },
      { index: 1, point: { temperature: 0.25, seed: 4 } },
      { index: 2, point: { temperature: 1, seed: 3 } },
      { index: 3, point: { temperature: 1, seed: 4 } },
    ]);
  });

  it('--jobs 2 --collect: rows equal the --task results number for number, and the variance is T/k within 5 standard errors', () => {
    const out = join(dir, 'out');
    const r = cli(['sweep', grid, '--jobs', '2', '--collect', out, '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(join(out, 'sweep.csv'), 'utf8').trimEnd().split('\n');
    const columns = cells(lines[0]);
    expect(columns).toEqual([
      'index',
      'temperature',
      'seed',
      'final.meanEnergy',
      'final.variance.0',
      'final.variance.1',
      'best.energy',
      'elapsedMs',
    ]);
    expect(lines).toHaveLength(1 + TEMPERATURES.length * SEEDS.length);
    const table = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { columns: string[]; rows: Record<string, unknown>[] };
    expect(table.columns).toEqual(columns);
    for (let i = 0; i < 4; i++) {
      const task = cli(['sweep', grid, '--task', String(i), '--backend', 'cpu']);
      expect(task.code, task.stderr).toBe(0);
      const result = JSON.parse(task.stdout);
      const T = TEMPERATURES[i >> 1];
      expect(result.sweep).toEqual({ index: i, point: { temperature: T, seed: SEEDS[i & 1] } });
      expect(result.spec.temperature).toBe(T);
      const row = cells(lines[i + 1]);
      const expected = [i, T, SEEDS[i & 1], result.final.meanEnergy, ...result.final.variance, result.best.energy];
      expect(row.slice(0, -1).map(Number)).toEqual(expected); // elapsedMs differs run to run
      expect(Object.values(table.rows[i]).slice(0, -1)).toEqual(expected);
      K.forEach((k, d) => {
        const v = T / k;
        expect(Math.abs(Number(row[4 + d]) - v)).toBeLessThan(5 * v * Math.sqrt(2 / (N - 1)));
      });
    }
  });

  it('--collect alone reads what an array job wrote, and names the missing point files', () => {
    const out = join(dir, 'array');
    expect(refused(['sweep', grid, '--task', '0', '--out', join(out + '-x', 'p.json')])).toMatch(/does not exist/); // as run's --out
    expect(refused(['sweep', grid, '--collect', out])).toMatch(/no such folder/);
    cli(['sweep', grid, '--jobs', '1', '--collect', out, '--backend', 'cpu']);
    rmSync(join(out, 'point-1.json'));
    rmSync(join(out, 'point-3.json'));
    expect(refused(['sweep', grid, '--collect', out])).toMatch(/lacks 2 of the 4 point files: point-1\.json, point-3\.json/);
    const r = cli(['sweep', grid, '--task', '1', '--out', join(out, 'point-1.json'), '--backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    writeFileSync(join(out, 'point-3.json'), readFileSync(join(out, 'point-1.json')));
    expect(refused(['sweep', grid, '--collect', out])).toMatch(/point-3\.json is not point 3 of/);
  });
});

describe('langevin sweep: refusals', () => {
  it('zip with axes of unequal length', () => {
    const s = sweepFile('zip.json', { base: BASE, axes: { temperature: [0.5, 1], seed: [1, 2, 3] }, combine: 'zip' });
    expect(refused(['sweep', s, '--list'])).toMatch(/combine "zip" needs axes of equal length; got "temperature": 2, "seed": 3/);
  });

  it('a bad value at one point, naming the point index and the field', () => {
    const s = sweepFile('bad.json', { base: BASE, axes: { dt: [0.05, -1] }, combine: 'zip' });
    const err = refused(['sweep', s, '--list']);
    expect(err).toMatch(/sweep point 1 \(dt=-1\): dt: got -1/);
    const out = join(dir, 'never');
    expect(refused(['sweep', s, '--jobs', '2', '--collect', out])).toMatch(/sweep point 1/);
    expect(() => readFileSync(join(out, 'point-0.json'))).toThrow(); // nothing ran
  });

  it.each([['__proto__.polluted'], ['constructor'], ['init..mean'], ['potential.prototype.x']])(
    'the hostile path %s, as for --set',
    (path) => {
      const s = sweepFile('hostile.json', JSON.parse(`{"base": ${JSON.stringify(BASE)}, "axes": {${JSON.stringify(path)}: [1]}}`));
      expect(refused(['sweep', s, '--list'])).toMatch(/axes: ".*": (".*" is not allowed in a path|the path has an empty segment)/);
    },
  );

  it('a path through a number, naming the point and axis; --task out of range; modes mixed', () => {
    const s = sweepFile('through.json', { base: BASE, axes: { 'dt.x': [1] } });
    expect(refused(['sweep', s, '--list'])).toMatch(/sweep point 0, axis "dt.x": dt is a number, not an object or array/);
    const grid = sweepFile('small.json', { base: BASE, axes: { seed: [1, 2] } });
    expect(refused(['sweep', grid, '--task', '2'])).toMatch(/--task: got "2"; .* has 2 points, give 0 to 1/);
    expect(refused(['sweep', grid, '--list', '--task', '0'])).toMatch(/--list: give it alone/);
    expect(refused(['sweep', grid, '--jobs', '2'])).toMatch(/--jobs needs --collect DIR/);
    expect(refused(['sweep', grid])).toMatch(/give --list, --task I/);
    expect(refused(['sweep', grid, '--task', '0', '--out', grid])).toMatch(/sweep file itself/);
  });

  it('--jobs: a --collect that is a file, under a missing folder or under /proc is refused before any run, with one line', () => {
    const grid = sweepFile('small2.json', { base: BASE, axes: { seed: [1, 2] } });
    const file = join(dir, 'a-file');
    writeFileSync(file, 'keep');
    expect(refused(['sweep', grid, '--jobs', '1', '--collect', file, '--backend', 'cpu'])).toBe(
      `langevin: invalid input: --collect: got "${file}"; that is a regular file; give a folder or a new folder name\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe('keep');
    const deep = join(dir, 'no', 'such', 'folder');
    expect(refused(['sweep', grid, '--jobs', '2', '--collect', deep, '--backend', 'cpu'])).toBe(
      `langevin: invalid input: --collect: got "${deep}"; its parent folder ${join(dir, 'no', 'such')} does not exist; create it first\n`,
    );
    // a path through a file (ENOTDIR): the user's path, one line, not an internal error
    expect(refused(['sweep', grid, '--jobs', '1', '--collect', join(file, 'sub'), '--backend', 'cpu'])).toMatch(
      /--collect: got ".*a-file\/sub"; /,
    );
    // Node's recursive mkdir never returns under /proc: the folder is made one level only
    expect(refused(['sweep', grid, '--jobs', '2', '--collect', '/proc/langevin-sweep', '--backend', 'cpu'])).toMatch(
      /--collect: got "\/proc\/langevin-sweep"; cannot create it/,
    );
  });
});

describe('interrupting --jobs', () => {
  /** The processes `pid` started (Linux /proc). */
  const children = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('SIGTERM is passed on to the running points: each writes its partial result, no new point starts, exit 143, no process left', async () => {
    // points that would run for hours: 200 000 particles, 10^6 steps
    const long = sweepFile('long.json', { base: { ...BASE, particles: 200_000, steps: 1_000_000 }, axes: { seed: [1, 2, 3] } });
    const out = join(dir, 'long-out');
    const run = start(['sweep', long, '--jobs', '2', '--collect', out, '--backend', 'cpu']);
    try {
      // both running points have created their temporary --out file: their runs have started
      await run.until(() => readdirSafe(out).filter((n) => n.includes('.tmp-')).length === 2, 'two points running');
      const points = children(run.child.pid!);
      expect(points).toHaveLength(2);
      run.child.kill('SIGTERM');
      const end = await run.ended;
      expect(end.code).toBe(143);
      expect(end.stderr).not.toMatch(STACK_FRAME);
      expect(end.stderr).toContain('interrupted (SIGTERM): passed on to the running points');
      for (const p of points) expect(alive(p)).toBe(false);
      // the two running points wrote partial results; the third never started
      expect(readdirSafe(out).sort()).toEqual(['point-0.json', 'point-1.json']);
      for (const f of ['point-0.json', 'point-1.json']) {
        const r = JSON.parse(readFileSync(join(out, f), 'utf8')) as { partial: { reason: string }; steps: number };
        expect(r.partial.reason).toBe('cancelled');
        expect(r.steps).toBeLessThan(1_000_000);
      }
    } finally {
      run.stop();
    }
  });
});

/** The names in a folder, or none where it does not exist yet. */
function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

describe('langevin sweep: the bias preset', () => {
  const BIAS_BASE = {
    dims: 1,
    particles: 2000,
    potential: { name: 'double-well' },
    integrator: 'em',
    dt: 0.02,
    temperature: 0.5,
    steps: 300,
    seed: 5,
    init: { kind: 'normal', mean: [0], std: 0.5 },
    histogram: { dims: [0], bins: 24, low: -2.4, high: 2.4, from: 150, every: 50 },
  };

  it('makes the runs of `langevin bias` as zipped points, and --collect gives the same KL, TV and samples', () => {
    const spec = join(dir, 'bias-base.json');
    writeFileSync(spec, JSON.stringify(BIAS_BASE));
    const file = sweepFile('bias.json', { preset: 'bias', file: 'bias-base.json', dts: [0.01, 0.04], integrators: ['lm', 'baoab'] });
    const list = cli(['sweep', file, '--list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const points = JSON.parse(list.stdout) as { point: Record<string, unknown> }[];
    // the same simulated time 6 for every run: steps = 6 / dt, the histogram's from/every scaled with it
    expect(
      points.map((p) => [p.point.integrator, p.point.dt, p.point.steps, p.point['histogram.from'], p.point['histogram.every']]),
    ).toEqual([
      ['lm', 0.01, 600, 300, 100],
      ['lm', 0.04, 150, 75, 25],
      ['baoab', 0.01, 600, 300, 100],
      ['baoab', 0.04, 150, 75, 25],
    ]);
    const out = join(dir, 'bias-out');
    const swept = cli(['sweep', file, '--jobs', '2', '--collect', out, '--backend', 'cpu']);
    expect(swept.code, swept.stderr).toBe(0);
    const table = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { rows: Record<string, unknown>[] };
    const bias = cli(['bias', spec, '--dt', '0.01,0.04', '--integrators', 'lm,baoab', '--json', '--backend', 'cpu']);
    expect(bias.code, bias.stderr).toBe(0);
    const rows = (JSON.parse(bias.stdout) as { rows: { kl: number; tv: number }[] }).rows;
    expect(rows).toHaveLength(4);
    expect(table.rows.map((r) => [r['divergence.kl'], r['divergence.tv']])).toEqual(rows.map((r) => [r.kl, r.tv]));
    for (const r of rows) expect(r.kl > 0 && r.tv > 0 && Number.isFinite(r.kl) && Number.isFinite(r.tv), JSON.stringify(r)).toBe(true);
    // the same samples: each point's result holds them in histogram.samples
    const samples = readdirSync(out)
      .filter((f) => /^point-\d+\.json$/.test(f))
      .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
      .map((f) => (JSON.parse(readFileSync(join(out, f), 'utf8')) as { histogram: { samples: number } }).histogram.samples);
    expect(samples).toEqual((JSON.parse(bias.stdout) as { rows: { samples: number }[] }).rows.map((r) => r.samples));
  });

  it('says so when maxSteps caps a run, as langevin bias does', () => {
    const spec = join(dir, 'bias-base.json');
    writeFileSync(spec, JSON.stringify(BIAS_BASE));
    const file = sweepFile('bias-capped.json', {
      preset: 'bias',
      file: 'bias-base.json',
      dts: [0.005],
      integrators: ['lm'],
      maxSteps: 400,
    });
    const r = cli(['sweep', file, '--list']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/steps=400\b/);
    expect(r.stderr).toMatch(/^langevin: note: lm at dt = 0\.005: 1200 steps capped at 400 \(time 2 instead of 6\)$/m);
  });

  it('refuses axes beside the preset, an unknown preset, and a base without a histogram', () => {
    expect(refused(['sweep', sweepFile('p1.json', { preset: 'bias', base: BIAS_BASE, axes: { seed: [1] } }), '--list'])).toMatch(
      /leave out axes and combine/,
    );
    expect(refused(['sweep', sweepFile('p2.json', { preset: 'anneal', base: BIAS_BASE }), '--list'])).toMatch(
      /preset: got "anneal"; allowed: "bias"/,
    );
    const { histogram: _, ...noHistogram } = BIAS_BASE;
    expect(refused(['sweep', sweepFile('p3.json', { preset: 'bias', base: noHistogram }), '--list'])).toMatch(
      /"preset": "bias": histogram: .*is required/,
    );
    expect(refused(['sweep', sweepFile('p4.json', { base: BIAS_BASE, axes: { seed: [1] }, dts: [0.1] }), '--list'])).toMatch(
      /dts goes with "preset": "bias"/,
    );
  });
});
