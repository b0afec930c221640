/**
 * Shards through the real command: `langevin run SPEC --shard I/N` and
 * `--shard auto [--shards N]` (the index from SLURM_ARRAY_TASK_ID/MIN/STEP/
 * COUNT, JOB_COMPLETION_INDEX or PARALLEL_SEQ), and `langevin merge PARTS…
 * [--out FILE]`: the stderr line naming the shard and where its numbers came
 * from, the refusals (exit 2, one line), a round trip of 3 parts merged in
 * shuffled order that equals the whole run bit for bit except where and when
 * it ran, the merge's refusals, and the parts and the merged result valid
 * against schema/result.schema.json.
 *
 * The outer environment's scheduler variables (a test run inside a Slurm job,
 * a Kubernetes Job or GNU parallel) are stripped: each test sets its own.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_SCHEMA } from '../src/provenance.ts';
import { cli, DIRECT_ENV, expectRefusal, ROOT } from './cli-support.ts';

/** The variables `--shard auto` reads. */
const SCHEDULER = /^(SLURM_.*|PARALLEL_SEQ|JOB_COMPLETION_INDEX)$/;
/** DIRECT_ENV without any scheduler's variables. */
const CLEAN_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(DIRECT_ENV).filter(([k]) => !SCHEDULER.test(k)));
const env = (vars: Record<string, string> = {}) => ({ ...CLEAN_ENV, ...vars });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-shards-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** JSON text of `x` that tells −0 from 0 (JSON.stringify writes both as 0). */
const exactText = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (Object.is(v, -0) ? '-0 (negative zero)' : v));

/** 20 000 particles: 5 tiles of 4096, so up to 5 shards. */
const TINY = {
  dims: 2,
  particles: 20_000,
  potential: { name: 'harmonic', params: { k: [1, 4] } },
  integrator: 'lm',
  dt: 0.05,
  temperature: 0.5,
  steps: 4,
  seed: 7,
};

describe('--shard auto: the index from the scheduler', () => {
  let spec: string;
  beforeAll(() => {
    spec = join(dir, 'tiny.json');
    writeFileSync(spec, JSON.stringify(TINY));
  });

  /** Run shard auto with `vars`; the shard the command says it runs and the one its result records. */
  function auto(vars: Record<string, string>, ...args: string[]): { line: string; shard: { index: number; count: number; first: number } } {
    const r = cli(['run', spec, '--backend', 'cpu', '--shard', 'auto', ...args], { env: env(vars) });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    return { line: lines[0], shard: JSON.parse(r.stdout).shard };
  }

  it('Slurm: SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT', () => {
    const { line, shard } = auto({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_COUNT: '4' });
    expect(line).toBe(
      'langevin: shard 2 of 4: particles [8192, 12288) (from SLURM_ARRAY_TASK_ID=5 − SLURM_ARRAY_TASK_MIN=3, SLURM_ARRAY_TASK_COUNT=4)',
    );
    expect(shard).toMatchObject({ index: 2, count: 4, first: 8192, particles: 4096 });
  });

  it('Slurm with SLURM_ARRAY_TASK_STEP=2: IDs 3, 5, 7 are shards 0, 1, 2 of 3; ID 4 is refused', () => {
    const vars = { SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '3' };
    [3, 5, 7].forEach((id, i) => {
      const { line, shard } = auto({ ...vars, SLURM_ARRAY_TASK_ID: String(id) });
      expect(line).toMatch(new RegExp(`^langevin: shard ${i} of 3: particles \\[\\d+, \\d+\\) \\(from SLURM_ARRAY_TASK_ID=${id} `));
      expect(line).toContain('SLURM_ARRAY_TASK_MIN=3 (step 2), SLURM_ARRAY_TASK_COUNT=3)');
      expect(shard).toMatchObject({ index: i, count: 3 });
    });
    const r = cli(['run', spec, '--backend', 'cpu', '--shard', 'auto'], { env: env({ ...vars, SLURM_ARRAY_TASK_ID: '4' }) });
    expectRefusal(r, /SLURM_ARRAY_TASK_ID=4 .*: not an array index/);
  });

  it('Slurm: --shards disagreeing with SLURM_ARRAY_TASK_COUNT is refused', () => {
    const vars = { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' };
    expectRefusal(
      cli(['run', spec, '--backend', 'cpu', '--shard', 'auto', '--shards', '3'], { env: env(vars) }),
      /--shards 3 disagrees with/,
    );
  });

  it('a Kubernetes Indexed Job: JOB_COMPLETION_INDEX with --shards', () => {
    const { line, shard } = auto({ JOB_COMPLETION_INDEX: '1' }, '--shards', '3');
    expect(line).toBe('langevin: shard 1 of 3: particles [4096, 12288) (from JOB_COMPLETION_INDEX=1, --shards 3)');
    expect(shard).toMatchObject({ index: 1, count: 3 });
    const r = cli(['run', spec, '--backend', 'cpu', '--shard', 'auto'], { env: env({ JOB_COMPLETION_INDEX: '1' }) });
    expectRefusal(r, /--shard auto with JOB_COMPLETION_INDEX: give the number of shards with --shards N/);
  });

  it('GNU parallel: PARALLEL_SEQ (1-based) with --shards', () => {
    const { line, shard } = auto({ PARALLEL_SEQ: '1' }, '--shards', '2');
    expect(line).toBe('langevin: shard 0 of 2: particles [0, 8192) (from PARALLEL_SEQ=1 (1-based), --shards 2)');
    expect(shard).toMatchObject({ index: 0, count: 2 });
    const r = cli(['run', spec, '--backend', 'cpu', '--shard', 'auto', '--shards', '2'], { env: env({ PARALLEL_SEQ: '3' }) });
    expectRefusal(r, /shard index 2 outside 0 … 1/);
  });

  it('auto with none of the variables set: exit 2 naming the three', () => {
    const r = cli(['run', spec, '--backend', 'cpu', '--shard', 'auto'], { env: env() });
    expectRefusal(r, /--shard auto: none of SLURM_ARRAY_TASK_ID .*JOB_COMPLETION_INDEX .*PARALLEL_SEQ .*is set/);
  });

  it.each([
    [['--shard', '3/3'], /shard index 3 outside 0 … 2/],
    [['--shard', '1/0'], /the shard count must be a whole number from 1 to 999999999/],
    [['--shard', 'x'], /--shard: got "x"/],
    [['--shard=-1/2'], /--shard: got "-1\/2"/],
    [['--shard', '0/2/3'], /--shard: got "0\/2\/3"/],
    [['--shards', '2'], /--shards N goes with --shard auto/],
    [['--shard', '0/2', '--shards', '2'], /--shard: got "0\/2" with --shards/],
    [['--shard', '0/6'], /at most 5 shards/],
  ])('%j: exit 2, one line', (args, pattern) => {
    expectRefusal(cli(['run', spec, '--backend', 'cpu', ...args], { env: env() }), pattern);
  });
});

/** What a merged result may differ in from the whole run: where and when it ran, and the merge's account of its parts. */
const IGNORED = ['createdAt', 'host', 'device', 'elapsedMs', 'particleStepsPerSecond', 'shards'] as const;
/** The note a merged result adds on its timing. */
const MERGE_NOTE = /^merged from \d+ shards?: elapsedMs /;

/** A double well with a histogram, a trace and a target ball. */
const SPEC = {
  dims: 2,
  particles: 20_000,
  potential: { name: 'double-well', params: { h: 1, k: 1 } },
  integrator: 'baoab',
  dt: 0.02,
  temperature: 0.5,
  steps: 300,
  seed: 42,
  init: { kind: 'normal', mean: [0, 0], std: 0.5 },
  histogram: { dims: [0, 1], bins: [24, 16], low: [-2.4, -3.2], high: [2.4, 3.2], from: 100, every: 50 },
  observe: { every: 50, target: [1, 0], radius: 0.5 },
};

// as tests/unit/schema-outputs.test.ts
const readJson = (path: string) => JSON.parse(readFileSync(resolve(ROOT, path), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema(readJson('schema/spec.schema.json'));
ajv.addSchema(readJson('schema/result.schema.json'));
const resultValid = ajv.getSchema(RESULT_SCHEMA)!;

function expectValid(path: string): void {
  const ok = resultValid(JSON.parse(readFileSync(path, 'utf8')));
  if (!ok) throw new Error(`${path}: ${ajv.errorsText(resultValid.errors, { separator: '\n' })}`);
}

describe('a shard whose log would be too large', () => {
  it('is refused before any work, naming histogram.bins and the numbers', () => {
    const folder = mkdtempSync(join(dir, 'log-size-'));
    const spec = join(folder, 'spec.json');
    writeFileSync(spec, JSON.stringify(SPEC));
    const big = ['--set', 'histogram.bins=[1024,1024]', '--set', 'histogram.every=1', '--set', 'histogram.from=0', '--set', 'steps=100'];
    const r = cli(['run', spec, '--backend', 'cpu', ...big, '--shard', '0/1', '--out', join(folder, 'p.json')], { env: env() });
    expectRefusal(
      r,
      /histogram\.bins: got \[1024,1024\]; a shard's log would hold 101 histograms of 1048576 bins \(about 2424 MiB\), over 192 MiB/,
    );
    expect(readdirSync(folder)).toEqual(['spec.json']);
  });
});

describe('3 shards through --shard auto, then langevin merge', () => {
  let folder: string;
  let spec: string;
  let whole: string;
  let parts: string[];
  const merge = (...args: string[]) => cli(['merge', ...args], { env: env() });

  beforeAll(() => {
    folder = mkdtempSync(join(dir, 'round-trip-'));
    spec = join(folder, 'spec.json');
    writeFileSync(spec, JSON.stringify(SPEC));
    whole = join(folder, 'whole.json');
    const r = cli(['run', spec, '--backend', 'cpu', '--out', whole], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    parts = [1, 2, 3].map((seq) => {
      const part = join(folder, `part-${seq}.json`);
      const p = cli(['run', spec, '--backend', 'cpu', '--shard', 'auto', '--shards', '3', '--out', part], {
        env: env({ PARALLEL_SEQ: String(seq) }),
      });
      expect(p.code, p.stderr).toBe(0);
      expect(p.stderr).toContain(`langevin: shard ${seq - 1} of 3: particles [`);
      return part;
    });
  });

  it('each part is its tile range, and valid against the result schema', () => {
    const ranges = parts.map((p) => JSON.parse(readFileSync(p, 'utf8')).shard).map((s) => [s.index, s.count, s.first, s.particles]);
    expect(ranges).toEqual([
      [0, 3, 0, 4096],
      [1, 3, 4096, 8192],
      [2, 3, 12288, 7712],
    ]);
    for (const p of parts) expectValid(p);
  });

  it('merged in shuffled order, equals the whole run bit for bit (but where and when), and is valid against the result schema', () => {
    const out = join(folder, 'merged.json');
    const r = merge(parts[2], parts[0], parts[1], '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`langevin: merged 3 parts: 20000 particles × 300 steps, written to ${out}\n`);
    expectValid(out);
    const merged = JSON.parse(readFileSync(out, 'utf8'));
    const single = JSON.parse(readFileSync(whole, 'utf8'));
    expect(merged.shards.count).toBe(3);
    expect(merged.shards.parts.map((p: { index: number; first: number }) => [p.index, p.first])).toEqual([
      [0, 0],
      [1, 4096],
      [2, 12288],
    ]);
    expect(merged.notes.filter((n: string) => MERGE_NOTE.test(n))).toHaveLength(1);
    merged.notes = merged.notes.filter((n: string) => !MERGE_NOTE.test(n));
    for (const k of IGNORED) {
      expect(merged).toHaveProperty(k);
      delete merged[k];
      delete single[k];
    }
    expect(Object.keys(merged).sort()).toEqual(Object.keys(single).sort());
    for (const k of Object.keys(single)) expect(exactText(merged[k]), `field ${k}`).toBe(exactText(single[k]));
    expect(exactText(merged)).toBe(exactText(single));
    // to stdout: the same JSON, but the merge's own createdAt
    const toStdout = merge(parts[1], parts[2], parts[0]);
    expect(toStdout.code, toStdout.stderr).toBe(0);
    const a = JSON.parse(toStdout.stdout);
    const b = JSON.parse(readFileSync(out, 'utf8'));
    for (const x of [a, b]) for (const k of ['createdAt', 'elapsedMs', 'particleStepsPerSecond']) delete x[k];
    expect(exactText(a)).toBe(exactText(b));
  });

  it('a missing part: exit 2, one line naming the missing particles', () => {
    expectRefusal(
      merge(parts[0], parts[2]),
      /^langevin: .*particles \[4096, 12288\) are missing between .*part-1\.json and .*part-3\.json$/m,
    );
    expectRefusal(merge(parts[1], parts[2]), /particles \[0, 4096\) are missing before .*part-2\.json$/m);
    expectRefusal(merge(parts[0], parts[1]), /particles \[12288, 20000\) are missing after .*part-2\.json$/m);
  });

  it('a part given twice: exit 2, one line', () => {
    expectRefusal(merge(parts[0], parts[1], parts[0], parts[2]), /part-1\.json is given twice/);
    // the same file by another name: the same shard twice
    const again = `${folder}/./part-1.json`;
    expectRefusal(merge(parts[0], parts[1], again, parts[2]), /are both shard 0 of 3/);
  });

  it('a result without a shard section: exit 2, one line', () => {
    expectRefusal(merge(whole, ...parts), /whole\.json: not a shard result \(no `shard` section\)/);
  });

  it('a partial part (its run was cancelled): exit 2, one line naming the part and the steps it reached', () => {
    const partial = join(folder, 'partial.json');
    const p = JSON.parse(readFileSync(parts[1], 'utf8'));
    writeFileSync(partial, JSON.stringify({ ...p, steps: 150, partial: { reason: 'cancelled', stepsPlanned: 300 } }));
    expectRefusal(merge(parts[0], partial, parts[2]), /partial\.json: a partial result \(cancelled at step 150 of 300\); finish the shard/);
  });

  it('parts of another spec, or a part whose spec was edited: exit 2, one line naming the field', () => {
    const other = join(folder, 'other-seed.json');
    const r = cli(['run', spec, '--backend', 'cpu', '--shard', '0/3', '--set', 'seed=43', '--out', other], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expectRefusal(merge(other, parts[1], parts[2]), /come from different specs \(they differ in seed\)/);
    const edited = join(folder, 'edited.json');
    const p = JSON.parse(readFileSync(parts[0], 'utf8'));
    p.spec.temperature = 0.6;
    writeFileSync(edited, JSON.stringify(p));
    expectRefusal(merge(edited, parts[1], parts[2]), /edited\.json: its spec does not match its shard\.specHash/);
  });

  it('--out naming a part: refused before anything is written, the part untouched', () => {
    const before = readFileSync(parts[1]);
    expectRefusal(merge(...parts, '--out', parts[1]), /--out: got ".*part-2\.json"; that is the part itself/);
    expect(readFileSync(parts[1]).equals(before)).toBe(true);
  });

  it('no parts: exit 2, one line', () => {
    expectRefusal(merge(), /merge: give the parts/);
    expectRefusal(merge('--out', join(folder, 'nothing.json')), /merge: give the parts/);
  });
});
