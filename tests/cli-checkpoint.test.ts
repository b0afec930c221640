/**
 * Checkpoints through the real command: `langevin run SPEC --checkpoint FILE
 * --checkpoint-every N` writes an .npz (checkpoint.json and the particle
 * arrays) every N steps and at SIGINT/SIGTERM; `--resume FILE` continues so
 * that the final result is bit-identical to the uninterrupted run's, except
 * where and when it ran (IGNORED).
 *
 * For em, baoab and hmc on the CPU backend, each with a 2-D histogram (from,
 * every), a trace and a target ball, sized so one run takes a few seconds
 * here: (a) SIGTERM mid-run: exit 143, the partial result, a checkpoint at the
 * step it stopped, then --resume; (b) SIGKILL between periodic checkpoints (no
 * chance to write at the signal: the last periodic checkpoint is what is
 * left), then --resume. Both resumed results must equal the uninterrupted
 * one's JSON text field by field.
 *
 * Then the refusals (exit 2, one line, no stack): another spec, another
 * backend, a file that is no checkpoint, a damaged, tampered or malformed one
 * (arrays of another dtype, shape or order, checkpoint.json not JSON, too
 * deep or not of the header's shape), a --checkpoint file that exists and is
 * no checkpoint, bad --checkpoint-every; a checkpoint whose particles were
 * changed resumes to another result; and the .npz read by NumPy (/usr/bin/python3: CI installs
 * python3-numpy; the test fails rather than skips without it).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkCheckpointSize } from '../src/node/checkpoint.ts';
import type { NpyDtype } from '../src/node/npy.ts';
import { MAX_NPZ_BYTES, npyArray, npyEntry, npzBytes, readNpz, type NpzEntry } from '../src/node/npz.ts';
import { cli, expectRefusal, STACK_FRAME, start, temps, type Running } from './cli-support.ts';

/** Where and when a run ran: the only fields a resumed result may differ in. */
const IGNORED = ['createdAt', 'host', 'device', 'elapsedMs', 'particleStepsPerSecond'] as const;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-checkpoint-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The runs a test started: a failed test must not leave one going. */
const running: Running[] = [];
afterEach(() => {
  for (const run of running.splice(0)) run.stop();
});

/** JSON text of `x` that tells −0 from 0 (JSON.stringify writes both as 0); NaN and infinities are in the text as the command wrote them. */
const exactText = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (Object.is(v, -0) ? '-0 (negative zero)' : v));

/** A result file without the where-and-when fields. */
function comparable(path: string, ignored: readonly string[] = IGNORED): Record<string, unknown> {
  const r = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  for (const k of ignored) {
    expect(r, `${path} has ${k}`).toHaveProperty(k);
    delete r[k];
  }
  return r;
}

/** Two results, bit for bit: each field's JSON text, then the whole. */
function expectSameResult(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const k of Object.keys(expected)) expect(exactText(actual[k]), `field ${k}`).toBe(exactText(expected[k]));
  expect(exactText(actual)).toBe(exactText(expected));
}

/** The header of a checkpoint file, read as the command reads it. */
function checkpointHeader(path: string): { format: string; step: number; backend: string; spec: { steps: number } } {
  const json = readNpz(readFileSync(path)).get('checkpoint.json');
  if (!json) throw new Error(`${path} holds no checkpoint.json`);
  return JSON.parse(json.toString('utf8'));
}

/** The steps of the "checkpoint at step S written to FILE" lines so far. */
function announced(stderr: string, ck: string): number[] {
  const re = new RegExp(`^langevin: checkpoint at step (\\d+) written to ${ck.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(`, 'gm');
  return [...stderr.matchAll(re)].map((m) => Number(m[1]));
}

/**
 * A double well with everything a checkpoint must carry: a 2-D histogram summed from step 400 every 100 steps, a trace
 * every 100 steps with a target ball. 20 000 particles (5 tiles) × 2000 steps: 2–3 s a run here (hmc: 1500 steps of
 * 3 leapfrog steps, ~3 s).
 */
const base = {
  dims: 2,
  particles: 20_000,
  potential: { name: 'double-well', params: { h: 1, k: 1 } },
  temperature: 0.5,
  seed: 42,
  init: { kind: 'normal', mean: [0, 0], std: 0.5 },
  histogram: { dims: [0, 1], bins: [24, 16], low: [-2.4, -3.2], high: [2.4, 3.2], from: 400, every: 100 },
  observe: { every: 100, target: [1, 0], radius: 0.5 },
};
const SPECS = {
  em: { ...base, integrator: 'em', dt: 0.02, steps: 2000 },
  baoab: { ...base, integrator: 'baoab', dt: 0.02, friction: 1, steps: 2000 },
  hmc: { ...base, integrator: 'hmc', dt: 0.1, leapfrogSteps: 3, steps: 1500 },
  /** the kinetics a checkpoint must also carry: first hit steps (with the bridge) and work under a schedule, after an equilibration */
  kinetics: {
    ...base,
    potential: { name: 'double-well', params: { h: { schedule: 'linear', from: 1, to: 1.5 }, k: 1 } },
    init: { kind: 'equilibrium', steps: 100, from: base.init },
    passage: { region: { low: [1.6, null], high: [null, null] } },
    integrator: 'em',
    dt: 0.02,
    steps: 2000,
  },
};

/** Periodic checkpoints every this many steps. */
const EVERY = 200;
/** Signal once a periodic checkpoint at this step or later is on disk: well into the run, well before its end. */
const MIDWAY = 2 * EVERY;

/** The step of the checkpoint at `path`, or −1 while there is none (written by rename: never half a file). */
function stepOnDisk(path: string): number {
  return existsSync(path) ? checkpointHeader(path).step : -1;
}

/**
 * Start `langevin run` with periodic checkpoints to `ck` (every EVERY steps); resolves once the file holds one at step
 * `from` or later (polled), with that step.
 */
async function startCheckpointed(args: string[], ck: string, from: number): Promise<{ run: Running; seen: number }> {
  const run = start(['run', ...args, '--checkpoint', ck, '--checkpoint-every', String(EVERY)]);
  running.push(run);
  let seen = -1;
  await run.until(() => (seen = stepOnDisk(ck)) >= from, `a checkpoint at step ≥ ${from} in ${ck}`);
  return { run, seen };
}

describe.each(Object.keys(SPECS) as (keyof typeof SPECS)[])('%s: interrupted, then resumed', (integrator) => {
  const spec = SPECS[integrator];
  let folder: string;
  let specFile: string;
  let full: Record<string, unknown>;

  beforeAll(() => {
    folder = mkdtempSync(join(dir, `${integrator}-`));
    specFile = join(folder, 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const out = join(folder, 'full.json');
    const r = cli(['run', specFile, '--backend', 'cpu', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    full = comparable(out);
    // the run has what the checkpoint must carry
    expect(full.steps).toBe(spec.steps);
    expect((full.trace as unknown[]).length).toBeGreaterThan(10);
    expect(full.histogram).toBeTruthy();
    expect(full.target).toBeTruthy();
    if (integrator === 'kinetics') {
      // a passage that is under way at the checkpoint, and work
      expect((full.passage as { fraction: number }).fraction).toBeGreaterThan(0.05);
      expect((full.passage as { fraction: number }).fraction).toBeLessThan(0.95);
      expect((full.work as { particles: number }).particles).toBe(spec.particles);
    }
  });

  /** Resume from `ck`; the result must be the uninterrupted run's. */
  function resumeAndCompare(ck: string, step: number): void {
    const out = join(folder, `resumed-${step}.json`);
    const r = cli(['run', specFile, '--backend', 'cpu', '--resume', ck, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`langevin: resuming from ${ck} at step ${step}`);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expectSameResult(comparable(out), full);
  }

  it('SIGTERM mid-run: exit 143, the partial result and a checkpoint at its step; --resume gives the uninterrupted result bit for bit', async () => {
    const ck = join(folder, 'term.npz');
    const part = join(folder, 'part.json');
    const { run, seen } = await startCheckpointed([specFile, '--backend', 'cpu', '--out', part], ck, MIDWAY);
    run.child.kill('SIGTERM');
    const r = await run.ended;
    expect(r.code, r.stderr).toBe(143);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    const partial = JSON.parse(readFileSync(part, 'utf8'));
    expect(partial.partial).toEqual({ reason: 'cancelled', stepsPlanned: spec.steps });
    const S = partial.steps as number;
    expect(S).toBeGreaterThanOrEqual(seen);
    expect(S).toBeLessThan(spec.steps);
    // the checkpoint written at the signal, at the step the partial result stopped
    expect(announced(r.stderr, ck).at(-1)).toBe(S);
    expect(r.stderr).toContain(`langevin: checkpoint at step ${S} written to ${ck}`);
    expect(r.stderr).toContain(`langevin: partial result (${S} of ${spec.steps} steps) written to ${part}`);
    const header = checkpointHeader(ck);
    expect(header.step).toBe(S);
    expect(header.format).toBe('langevin-checkpoint-1');
    expect(temps(folder)).toEqual([]);
    resumeAndCompare(ck, S);
  });

  it('SIGKILL between periodic checkpoints: the last one is left, and --resume gives the uninterrupted result bit for bit', async () => {
    const ck = join(folder, 'kill.npz');
    const out = join(folder, 'killed.json');
    const { run, seen } = await startCheckpointed([specFile, '--backend', 'cpu', '--out', out], ck, MIDWAY);
    run.child.kill('SIGKILL');
    const r = await run.ended;
    expect(r.signal).toBe('SIGKILL');
    // killed mid-run: no result, no notice of a signal, so no checkpoint at it
    expect(existsSync(out)).toBe(false);
    expect(r.stderr).not.toContain('interrupted');
    const S = checkpointHeader(ck).step;
    expect(S).toBeGreaterThan(0);
    expect(S).toBeGreaterThanOrEqual(seen);
    expect(S).toBeLessThan(spec.steps);
    // a periodic one (the kill may land between the rename and the line that says so: then it is a later one)
    const steps = announced(r.stderr, ck);
    expect(steps.includes(S) || S > Math.max(...steps), `checkpoint at ${S}; announced ${steps.join(', ')}`).toBe(true);
    resumeAndCompare(ck, S);
  });
});

describe('on WebGPU (SwiftShader here): hmc interrupted by SIGTERM, then resumed', () => {
  it('the checkpoint holds float32 positions and velocities and the accepted moves per particle; --resume gives the uninterrupted result bit for bit', async () => {
    const folder = mkdtempSync(join(dir, 'webgpu-'));
    const specFile = join(folder, 'spec.json');
    const spec = { ...SPECS.hmc, particles: 4096, steps: 1200 };
    writeFileSync(specFile, JSON.stringify(spec));
    const fullOut = join(folder, 'full.json');
    const r0 = cli(['run', specFile, '--backend', 'webgpu', '--out', fullOut]);
    expect(r0.code, r0.stderr).toBe(0);
    const full = comparable(fullOut);
    const ck = join(folder, 'ck.npz');
    const { run } = await startCheckpointed([specFile, '--backend', 'webgpu', '--out', join(folder, 'part.json')], ck, MIDWAY);
    run.child.kill('SIGTERM');
    const r = await run.ended;
    expect(r.code, r.stderr).toBe(143);
    const S = checkpointHeader(ck).step;
    expect(S).toBeGreaterThan(0);
    expect(S).toBeLessThan(spec.steps);
    const entries = readNpz(readFileSync(ck));
    const positions = npyArray(entries.get('positions.npy')!);
    expect([positions.dtype, positions.shape]).toEqual(['<f4', [4096, 2]]);
    expect(npyArray(entries.get('velocities.npy')!).dtype).toBe('<f4');
    const accepts = npyArray(entries.get('accepts.npy')!);
    expect([accepts.dtype, accepts.shape]).toEqual(['<f4', [4096]]);
    // the moves accepted since the last observation (at a multiple of observe.every, taken after the checkpoint of
    // its step): whole numbers, at most the steps since then, and most moves of HMC here are accepted
    // (a stop during the observation of step S saves after it: the counters are then empty)
    const header = JSON.parse(entries.get('checkpoint.json')!.toString('utf8')) as { observations: { observedAt?: number } };
    const since = header.observations.observedAt === S ? 0 : S % spec.observe.every || spec.observe.every;
    expect(accepts.values.every((a) => Number.isInteger(a) && a >= 0 && a <= since)).toBe(true);
    const accepted = Array.from(accepts.values).reduce((a, b) => a + b, 0);
    if (since > 0) expect(accepted).toBeGreaterThan(0.5 * 4096 * since);
    const out = join(folder, 'resumed.json');
    const resumed = cli(['run', specFile, '--backend', 'webgpu', '--resume', ck, '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${ck} at step ${S}`);
    expectSameResult(comparable(out), full);
  });
});

describe('a shard, interrupted twice (SIGTERM, then SIGINT while checkpointing to the file it resumed from)', () => {
  it('resumes to the uninterrupted shard result, its shard section (the exact sums for merge) included; another --shard is refused', async () => {
    const folder = mkdtempSync(join(dir, 'shard-'));
    const specFile = join(folder, 'spec.json');
    writeFileSync(specFile, JSON.stringify(SPECS.em));
    const shard = ['--backend', 'cpu', '--shard', '1/3']; // particles [4096, 12288)
    const whole = join(folder, 'whole-part.json');
    const r0 = cli(['run', specFile, ...shard, '--out', whole]);
    expect(r0.code, r0.stderr).toBe(0);
    const expected = comparable(whole);
    expect(expected.shard).toMatchObject({ index: 1, count: 3, first: 4096, particles: 8192 });

    const ck = join(folder, 'ck.npz');
    const first = await startCheckpointed([specFile, ...shard, '--out', join(folder, 'p1.json')], ck, MIDWAY);
    first.run.child.kill('SIGTERM');
    const r1 = await first.run.ended;
    expect(r1.code, r1.stderr).toBe(143);
    const S1 = checkpointHeader(ck).step;
    expect(announced(r1.stderr, ck).at(-1)).toBe(S1);
    expect(S1).toBeLessThan(SPECS.em.steps - 2 * EVERY);

    expectRefusal(
      cli(['run', specFile, '--backend', 'cpu', '--resume', ck]),
      /holds particles \[4096, 12288\); this run is of the whole ensemble/,
    );
    expectRefusal(cli(['run', specFile, '--backend', 'cpu', '--shard', '0/3', '--resume', ck]), /give the same --shard$/m, [
      /^langevin: shard 0 of 3: particles \[0, 4096\) \(from --shard 0\/3\)$/,
    ]);

    const second = await startCheckpointed([specFile, ...shard, '--resume', ck, '--out', join(folder, 'p2.json')], ck, S1 + EVERY);
    second.run.child.kill('SIGINT');
    const r2 = await second.run.ended;
    expect(r2.code, r2.stderr).toBe(130);
    expect(r2.stderr).toContain(`langevin: resuming from ${ck} at step ${S1}`);
    const S2 = checkpointHeader(ck).step;
    expect(S2).toBeGreaterThan(S1);
    expect(S2).toBeLessThan(SPECS.em.steps);
    expect(announced(r2.stderr, ck).at(-1)).toBe(S2);
    expect(JSON.parse(readFileSync(join(folder, 'p2.json'), 'utf8')).steps).toBe(S2);

    const out = join(folder, 'resumed.json');
    const r3 = cli(['run', specFile, ...shard, '--resume', ck, '--out', out]);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stderr).toContain(`langevin: resuming from ${ck} at step ${S2}`);
    expectSameResult(comparable(out), expected);
  });
});

describe('checkpoint refusals and the file format', () => {
  /** baoab (velocities), 500 particles × 100 steps: the last periodic checkpoint is at step 90. */
  const SMALL_SPEC = {
    ...base,
    particles: 500,
    integrator: 'baoab',
    dt: 0.02,
    steps: 100,
    histogram: { ...base.histogram, from: 20, every: 10 },
    observe: { ...base.observe, every: 10 },
  };
  let folder: string;
  let specFile: string;
  let ck: string;
  let full: Record<string, unknown>;
  const run = (...args: string[]) => cli(['run', specFile, ...args]);

  beforeAll(() => {
    folder = mkdtempSync(join(dir, 'refusals-'));
    specFile = join(folder, 'spec.json');
    writeFileSync(specFile, JSON.stringify(SMALL_SPEC));
    ck = join(folder, 'ck.npz');
    const out = join(folder, 'full.json');
    const r = run('--backend', 'cpu', '--checkpoint', ck, '--checkpoint-every', '30', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(announced(r.stderr, ck)).toEqual([30, 60, 90]);
    full = comparable(out);
  });

  it('the periodic checkpoint a finished run leaves resumes to its result', () => {
    const out = join(folder, 'resumed.json');
    const r = run('--backend', 'cpu', '--resume', ck, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resuming from ${ck} at step 90`);
    expectSameResult(comparable(out), full);
  });

  it('--checkpoint and --resume files are checked before any work: the spec, the data, --out, a folder, a missing folder', () => {
    const before = readFileSync(specFile);
    expectRefusal(
      run('--backend', 'cpu', '--checkpoint', specFile),
      /^langevin: invalid input: --checkpoint: got ".*spec\.json"; that is the spec file itself/,
    );
    expect(readFileSync(specFile).equals(before)).toBe(true);
    const out = join(folder, 'same.json');
    expectRefusal(run('--backend', 'cpu', '--checkpoint', out, '--out', out), /--checkpoint and --out: both name .*same\.json/);
    expect(existsSync(out)).toBe(false);
    expectRefusal(run('--backend', 'cpu', '--checkpoint', folder), /--checkpoint: got ".*"; that is a folder, give a file name/);
    expectRefusal(
      run('--backend', 'cpu', '--checkpoint', join(folder, 'no-such-folder', 'ck.npz')),
      /--checkpoint: got ".*"; its folder .* does not exist/,
    );
    const ckBytes = readFileSync(ck);
    expectRefusal(run('--backend', 'cpu', '--resume', ck, '--out', ck), /--out: got ".*ck\.npz"; that is the checkpoint to resume itself/);
    expect(readFileSync(ck).equals(ckBytes)).toBe(true);
  });

  it('a checkpoint temporary left by a process killed mid-write is removed by the next run checkpointing there; a user file of that name is not', () => {
    const target = join(folder, 'stale.npz');
    const dead = join(folder, '.stale.npz.ckpt-999999');
    const mine = join(folder, '.stale.npz.ckpt-999998');
    writeFileSync(dead, Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]));
    writeFileSync(mine, 'my notes');
    const r = run('--backend', 'cpu', '--checkpoint', target, '--checkpoint-every', '50', '--out', join(folder, 'stale.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(dead)).toBe(false);
    expect(readFileSync(mine, 'utf8')).toBe('my notes');
  });

  it('a checkpoint of another spec: exit 2 naming the differing field', () => {
    expectRefusal(run('--backend', 'cpu', '--resume', ck, '--set', 'seed=2'), /differs in seed\b/);
    expectRefusal(run('--backend', 'cpu', '--resume', ck, '--set', 'dt=0.01'), /differs in dt\b/);
  });

  it('a checkpoint of another backend: exit 2 naming it', () => {
    expectRefusal(run('--backend', 'webgpu', '--resume', ck), /made on the cpu backend; resume it with --backend cpu$/m);
  });

  it('a file that is no checkpoint: exit 2, one line', () => {
    expectRefusal(run('--backend', 'cpu', '--resume', specFile), /^langevin: .*--resume: .*spec\.json: /);
    const empty = join(folder, 'empty.npz');
    writeFileSync(empty, '');
    expectRefusal(run('--backend', 'cpu', '--resume', empty), /^langevin: .*--resume: .*empty\.npz: /);
    expectRefusal(run('--backend', 'cpu', '--resume', join(folder, 'missing.npz')), /^langevin: .*--resume: .*missing\.npz/);
    expectRefusal(run('--backend', 'cpu', '--resume', folder), /^langevin: .*--resume: /);
    // an .npz, but not a checkpoint
    const other = join(folder, 'other.npz');
    writeFileSync(other, npzBytes([{ name: 'positions.npy', bytes: readNpz(readFileSync(ck)).get('positions.npy')! }]));
    expectRefusal(run('--backend', 'cpu', '--resume', other), /holds no checkpoint\.json/);
  });

  it('a damaged or tampered checkpoint: exit 2, one line', () => {
    const bytes = readFileSync(ck);
    const damaged = join(folder, 'damaged.npz');
    const velocities = readNpz(bytes).get('velocities.npy')!;
    const flipped = Buffer.from(bytes);
    flipped[bytes.indexOf(velocities) + velocities.length - 8] ^= 1; // the lowest bit of the last velocity
    writeFileSync(damaged, flipped);
    expectRefusal(run('--backend', 'cpu', '--resume', damaged), /CRC-32 mismatch/);
    const truncated = join(folder, 'truncated.npz');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
    expectRefusal(run('--backend', 'cpu', '--resume', truncated), /^langevin: .*--resume: /);
    // another version's checkpoint
    const entries = readNpz(bytes);
    const header = JSON.parse(entries.get('checkpoint.json')!.toString('utf8'));
    const older = join(folder, 'older.npz');
    const repack = (h: unknown) =>
      npzBytes([...entries].map(([name, b]) => ({ name, bytes: name === 'checkpoint.json' ? Buffer.from(JSON.stringify(h)) : b })));
    writeFileSync(older, repack({ ...header, langevin: '0.0.1' }));
    expectRefusal(run('--backend', 'cpu', '--resume', older), /written by langevin 0\.0\.1/);
    const format = join(folder, 'format.npz');
    writeFileSync(format, repack({ ...header, format: 'langevin-checkpoint-0' }));
    expectRefusal(run('--backend', 'cpu', '--resume', format), /format langevin-checkpoint-0/);
  });

  /** `ck`'s entries with some replaced (bytes) or left out (null), then `extra`, written to `name` in the folder. */
  function variant(name: string, changes: Record<string, Uint8Array | null>, extra: NpzEntry[] = []): string {
    const entries = [...readNpz(readFileSync(ck))]
      .filter(([n]) => changes[n] !== null)
      .map(([n, bytes]) => ({ name: n, bytes: changes[n] ?? bytes }));
    const path = join(folder, name);
    writeFileSync(path, npzBytes([...entries, ...extra]));
    return path;
  }
  /** `ck`'s checkpoint.json, parsed. */
  const headerOfCk = () => JSON.parse(readNpz(readFileSync(ck)).get('checkpoint.json')!.toString('utf8'));
  /** `ck`'s positions, float64 (N, 2). */
  const positionsOfCk = () => npyArray(readNpz(readFileSync(ck)).get('positions.npy')!).values as Float64Array;
  const positionsEntry = (dtype: NpyDtype, shape: number[], values: Float32Array | Float64Array) =>
    npyEntry('positions.npy', dtype, shape, values).bytes;

  it('malformed arrays (float32 on the CPU, (N−1, 2), (N, 3), no velocities for baoab, big-endian, int64): exit 2 naming the file and the entry', () => {
    const N = SMALL_SPEC.particles;
    const P = positionsOfCk();
    const cases: [string, Record<string, Uint8Array | null>, RegExp][] = [
      [
        'f32.npz',
        { 'positions.npy': positionsEntry('<f4', [N, 2], Float32Array.from(P)) },
        /positions\.npy holds '<f4' \(500, 2\); this run's cpu checkpoint holds '<f8' \(500, 2\)$/m,
      ],
      [
        'short.npz',
        { 'positions.npy': positionsEntry('<f8', [N - 1, 2], P.subarray(0, 2 * (N - 1))) },
        /positions\.npy holds '<f8' \(499, 2\)/,
      ],
      ['wide.npz', { 'positions.npy': positionsEntry('<f8', [N, 3], new Float64Array(3 * N)) }, /positions\.npy holds '<f8' \(500, 3\)/],
      ['no-velocities.npz', { 'velocities.npy': null }, /holds no velocities\.npy; a baoab checkpoint holds the velocities \(500, 2\)$/m],
      [
        'big-endian.npz',
        { 'positions.npy': positionsEntry('>f8' as NpyDtype, [N, 2], P) },
        /positions\.npy: an \.npy entry of dtype '>f8'; langevin reads '<f4' \(float32\) or '<f8' \(float64\)/,
      ],
      ['int64.npz', { 'positions.npy': positionsEntry('<i8', [N, 2], P) }, /positions\.npy: an \.npy entry of dtype '<i8'/],
    ];
    for (const [name, changes, pattern] of cases) {
      const path = variant(name, changes);
      const r = run('--backend', 'cpu', '--resume', path);
      expectRefusal(r, pattern);
      expect(r.stderr).toContain(`langevin: invalid input: --resume: ${path}`);
    }
  });

  it('a Fortran-order positions.npy (np.save of np.asfortranarray): refused, not read as C order', () => {
    const npy = join(folder, 'fortran.npy');
    const py = 'import sys, numpy as np; np.save(sys.argv[2], np.asfortranarray(np.load(sys.argv[1])["positions"]))';
    const r = spawnSync('/usr/bin/python3', ['-c', py, ck, npy], { encoding: 'utf8' });
    expect(r.error, 'needs /usr/bin/python3 with NumPy (apt-get install python3-numpy)').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(npy).toString('latin1', 0, 128)).toContain("'fortran_order': True");
    const path = variant('fortran.npz', { 'positions.npy': readFileSync(npy) });
    expectRefusal(
      run('--backend', 'cpu', '--resume', path),
      /fortran\.npz: positions\.npy: an \.npy entry in Fortran order \(fortran_order True\)/,
    );
  });

  it('a malformed checkpoint.json (not JSON, nested 100 000 deep, observations not an object, empty or missing, a bad step, backend, specHash): exit 2 naming the field', () => {
    const h = headerOfCk();
    const { observations: _, ...noObservations } = h;
    const json = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));
    const cases: [string, unknown, RegExp][] = [
      ['hello', 'hello', /checkpoint\.json:1:1: invalid JSON: /],
      [
        'deep',
        '['.repeat(100_000) + ']'.repeat(100_000),
        /checkpoint\.json:1:257: JSON nested too deeply: more than 256 levels of arrays and objects$/m,
      ],
      ['array', [1, 2], /checkpoint\.json: got \[1,2\]; expected an object$/m],
      ['obs-string', { ...h, observations: 'x' }, /checkpoint\.json: observations: got "x"; expected an object$/m],
      ['obs-empty', { ...h, observations: {} }, /checkpoint\.json: observations\.backend: got nothing; expected "cpu" or "webgpu"$/m],
      ['obs-missing', noObservations, /checkpoint\.json: observations: got nothing; expected an object$/m],
      ['trace', { ...h, observations: { ...h.observations, trace: 'x' } }, /observations\.trace: got "x"; expected a list of trace rows/],
      [
        'best',
        { ...h, observations: { ...h.observations, best: { energy: 1, x: [0, 'a'], step: 0 } } },
        /observations\.best\.x: got \[0,"a"\]; expected a list of numbers$/m,
      ],
      [
        'histogram',
        { ...h, observations: { ...h.observations, histogram: { ...h.observations.histogram, counts: [1, 2] } } },
        /observations\.histogram\.counts: got 2 bins; the spec's histogram has 384$/m,
      ],
      [
        'step-past',
        { ...h, step: 1000, observations: { ...h.observations, step: 1000 } },
        /checkpoint\.json: step: got 1000; the spec runs 100 steps$/m,
      ],
      ['step-other', { ...h, step: 60 }, /checkpoint\.json: step: got 60, but observations\.step is 90$/m],
      ['step-fraction', { ...h, step: 1.5 }, /checkpoint\.json: step: got 1\.5; expected an integer ≥ 0$/m],
      ['backend', { ...h, backend: 'gpu' }, /checkpoint\.json: backend: got "gpu"; expected "cpu" or "webgpu"$/m],
      [
        'obs-backend',
        { ...h, observations: { ...h.observations, backend: 'webgpu' } },
        /observations\.backend: got "webgpu", but backend is "cpu"$/m,
      ],
      ['hash', { ...h, specHash: 'abc' }, /checkpoint\.json: specHash: got "abc"; expected 64 hexadecimal digits$/m],
    ];
    for (const [name, header, pattern] of cases) {
      const path = variant(`${name}.npz`, { 'checkpoint.json': json(header) });
      const r = run('--backend', 'cpu', '--resume', path);
      expectRefusal(r, pattern);
      expect(r.stderr).toContain(`langevin: invalid input: --resume: ${path}: `);
    }
  });

  it('an edited checkpoint: a spec its specHash is not of, two checkpoint.json entries: exit 2 saying so', () => {
    const h = headerOfCk();
    const edited = variant('edited.npz', { 'checkpoint.json': Buffer.from(JSON.stringify({ ...h, spec: { ...h.spec, seed: 7 } })) });
    expectRefusal(
      run('--backend', 'cpu', '--resume', edited),
      /edited\.npz: its spec does not match its specHash \(the file was edited\)$/m,
    );
    const json = readNpz(readFileSync(ck)).get('checkpoint.json')!;
    const twice = variant('twice.npz', {}, [{ name: 'checkpoint.json', bytes: json }]);
    expectRefusal(run('--backend', 'cpu', '--resume', twice), /twice\.npz: two entries named checkpoint\.json/);
  });

  it('--resume of a missing file, a folder or an unreadable file: exit 2, one line saying which', () => {
    const missing = join(folder, 'nope.npz');
    expectRefusal(run('--backend', 'cpu', '--resume', missing), /^langevin: invalid input: --resume: .*nope\.npz: no such file$/m);
    expectRefusal(
      run('--backend', 'cpu', '--resume', folder),
      /^langevin: invalid input: --resume: .*: is a folder; give a checkpoint file$/m,
    );
    if (process.getuid?.() === 0) return; // root reads any file
    const locked = join(folder, 'locked.npz');
    writeFileSync(locked, readFileSync(ck));
    chmodSync(locked, 0);
    expectRefusal(run('--backend', 'cpu', '--resume', locked), /locked\.npz: cannot be read \(EACCES\)$/m);
  });

  it('--checkpoint naming a file that exists and is no checkpoint (another JSON file, an .npz not starting with checkpoint.json): refused before any work, the file untouched; an empty file is taken', () => {
    const otherSpec = join(folder, 'other-spec.json');
    writeFileSync(otherSpec, JSON.stringify({ ...SMALL_SPEC, seed: 3 }));
    const arrays = variant('arrays-first.npz', { 'checkpoint.json': null }, [
      { name: 'checkpoint.json', bytes: readNpz(readFileSync(ck)).get('checkpoint.json')! },
    ]);
    for (const file of [otherSpec, arrays]) {
      const before = readFileSync(file);
      expectRefusal(
        run('--backend', 'cpu', '--checkpoint', file),
        new RegExp(
          `^langevin: invalid input: --checkpoint: got "${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"; that file exists and is not a langevin checkpoint; give a new file name or a checkpoint to replace$`,
          'm',
        ),
      );
      expect(readFileSync(file).equals(before)).toBe(true);
    }
    const empty = join(folder, 'empty-target.npz');
    writeFileSync(empty, '');
    const r = run('--backend', 'cpu', '--checkpoint', empty, '--checkpoint-every', '50', '--out', join(folder, 'empty-target.json'));
    expect(r.code, r.stderr).toBe(0);
    expect(checkpointHeader(empty).step).toBe(50);
  });

  it('a checkpoint holds at most 2 GiB, so that every one written can be read back (readFileSync reads less than 2 GiB)', () => {
    expect(MAX_NPZ_BYTES).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(() => checkCheckpointSize(2 ** 26, 2, 'cpu', true, false)).toThrow(
      /is 2\.00 GiB; a checkpoint holds at most 2 GiB: cut the run into shards/,
    );
    expect(() => checkCheckpointSize(2 ** 25, 2, 'cpu', true, false)).not.toThrow();
    const huge = { name: 'positions.npy', bytes: { length: 2 ** 31 } as Uint8Array };
    expect(() => npzBytes([huge])).toThrow(/an \.npz holds at most 2 GiB/);
  });

  it("resuming uses the checkpoint's particles: one position changed (a valid archive) resumes to another result", () => {
    const P = Float64Array.from(positionsOfCk());
    P[0] += 0.25;
    const moved = variant('moved.npz', { 'positions.npy': positionsEntry('<f8', [SMALL_SPEC.particles, 2], P) });
    const out = join(folder, 'moved.json');
    const r = run('--backend', 'cpu', '--resume', moved, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`resuming from ${moved} at step 90`);
    const result = comparable(out);
    expect(exactText(result.final)).not.toBe(exactText(full.final));
    expect(exactText(result)).not.toBe(exactText(full));
  });

  it('--checkpoint-every without --checkpoint, 0, abc, 0s: exit 2, one line', () => {
    expectRefusal(run('--backend', 'cpu', '--checkpoint-every', '200'), /--checkpoint-every goes with --checkpoint FILE/);
    for (const bad of ['0', 'abc', '0s', '-5', '1.5'])
      expectRefusal(run('--backend', 'cpu', '--checkpoint', join(folder, 'x.npz'), '--checkpoint-every', bad), /--checkpoint-every: got/);
    expect(existsSync(join(folder, 'x.npz'))).toBe(false);
  });

  it('NumPy reads the .npz: positions and velocities (N, 2) float64, checkpoint.json of format langevin-checkpoint-1 at its step', () => {
    const py = [
      'import json, sys, zipfile',
      'import numpy as np',
      'z = np.load(sys.argv[1])',
      'h = json.loads(zipfile.ZipFile(sys.argv[1]).read("checkpoint.json"))',
      'p, v = z["positions"], z["velocities"]',
      'print(json.dumps({"positions": [list(p.shape), str(p.dtype)], "velocities": [list(v.shape), str(v.dtype)],',
      '  "first": p[0].tolist(), "format": h["format"], "step": h["step"], "backend": h["backend"]}))',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', py, ck], { encoding: 'utf8' });
    expect(r.error, 'needs /usr/bin/python3 with NumPy (apt-get install python3-numpy)').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout);
    const N = SMALL_SPEC.particles;
    expect(got).toEqual({
      positions: [[N, 2], 'float64'],
      velocities: [[N, 2], 'float64'],
      first: Array.from(npyArray(readNpz(readFileSync(ck)).get('positions.npy')!).values.subarray(0, 2)),
      format: 'langevin-checkpoint-1',
      step: 90,
      backend: 'cpu',
    });
  });
});
