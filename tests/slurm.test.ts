/**
 * The Slurm example end to end on a real cluster: a one-node Slurm
 * (tests/slurm/cluster.ts: munged, slurmctld and slurmd on localhost) runs
 * examples/slurm/array.sbatch as a 3-task array with `sbatch --wait` (3 does
 * not divide the particles), each task a `--shard auto` part on the CPU
 * backend; examples/slurm/merge.sbatch joins them (`sbatch --wait
 * --dependency=afterok`); the merged result must be the one unsharded
 * `langevin run --backend cpu` gives, bit for bit, in every field but the
 * provenance and timing ones (IGNORED). Then a task stopped by SIGTERM (what
 * `--signal=B:TERM@60` sends before the time limit) checkpoints, requeues
 * itself and resumes to the part an uninterrupted task writes.
 *
 * Where Slurm cannot start (not installed: `apt-get install -y slurm-wlm
 * munge`, which .ci/run runs; a daemon that fails) every test here fails with
 * the install command and the daemons' logs. None skips.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, CLI, ROOT } from './cli-support.ts';
import { exec, startSlurm, type Exec, type SlurmCluster } from './slurm/cluster.ts';

/**
 * What may differ between the merged result and one run, the provenance and
 * timing: where and when it was made (createdAt, host), what stepped the
 * particles there (device: the CPU backend names its worker-thread count,
 * which follows the particles a process holds and the CPUs it may use),
 * wall time (elapsedMs, and particleStepsPerSecond computed from it), and the
 * merge's own account of its parts (shards). Every other field must be
 * identical, bit for bit.
 */
const IGNORED = ['createdAt', 'host', 'device', 'elapsedMs', 'particleStepsPerSecond', 'shards'] as const;
/** The note a merged result adds on its timing (elapsedMs summed over the parts); the other notes must be one run's. */
const MERGE_NOTE = /^merged from \d+ shards?: elapsedMs /;

/** 3 shards of 20000 particles, 5 tiles of 4096 (a shard holds whole tiles): 4096, 8192 and 7712 particles. */
const TASKS = 3;
/** A double well with a histogram (snapshots summed over parts), a trace (per-row figures over parts) and a target fraction. */
const SPEC = {
  dims: 2,
  particles: 20000,
  potential: { name: 'double-well', params: { h: 1, k: 1 } },
  integrator: 'lm',
  dt: 0.02,
  temperature: 0.5,
  steps: 300,
  seed: 42,
  init: { kind: 'normal', mean: [0, 0], std: 0.5 },
  histogram: { dims: [0, 1], bins: [24, 16], low: [-2.4, -3.2], high: [2.4, 3.2], from: 100, every: 100 },
  observe: { every: 50, target: [1, 0], radius: 0.5 },
};

const ARRAY = join(ROOT, 'examples/slurm/array.sbatch');
const MERGE = join(ROOT, 'examples/slurm/merge.sbatch');

let dir: string;
let spec: string;
let started: Promise<SlurmCluster | Error>;
let arrayJob: string | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-slurm-test-'));
  spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(SPEC, null, 2));
  // not awaited here: a cluster that cannot start fails each test (a failed beforeAll would only skip them)
  started = startSlurm({ timeoutMs: 90_000 }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
});

afterAll(async () => {
  const c = await started;
  if (!(c instanceof Error)) await c.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function cluster(): Promise<SlurmCluster> {
  const c = await started;
  if (c instanceof Error) throw c;
  return c;
}

/** The environment of the batch scripts: the cluster's, with the built command as LANGEVIN. */
function jobEnv(c: SlurmCluster, vars: { SPEC: string; DIR: string } = { SPEC: spec, DIR: dir }): NodeJS.ProcessEnv {
  return { ...c.env, LANGEVIN: `${process.execPath} ${CLI}`, BACKEND: 'cpu', ...vars };
}

/** The logs the jobs wrote (slurm-*.out in `folder`), each under its name. */
function jobLogs(folder = dir): string {
  return readdirSync(folder)
    .filter((f) => /^slurm-.*\.out$/.test(f))
    .sort()
    .map((f) => `--- ${f} ---\n${readFileSync(join(folder, f), 'utf8').trimEnd()}`)
    .join('\n');
}

/** What went wrong, for an assertion's message: the command's output, the jobs' logs, the daemons' logs. */
function explain(what: string, r: Exec, c: SlurmCluster, folder = dir): string {
  return `${what}: exit ${r.code}${r.error ? ` (${r.error.message})` : ''}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\n${jobLogs(folder)}\n${c.logs(15)}`;
}

/** Poll `check` every 250 ms until it returns a value (not undefined); throw `what` after `timeoutMs`. */
async function poll<T>(what: () => string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what()} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A result without the IGNORED fields. */
function comparable(r: Record<string, unknown>): Record<string, unknown> {
  const c: Record<string, unknown> = { ...r };
  for (const k of IGNORED) delete c[k];
  if (Array.isArray(c.notes)) c.notes = c.notes.filter((n) => !(typeof n === 'string' && MERGE_NOTE.test(n)));
  return c;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

describe('examples/slurm on a one-node Slurm cluster', () => {
  it('starts the cluster (slurm-wlm and munge installed)', async () => {
    const c = await cluster();
    const r = await exec('sinfo', ['-h', '-o', '%P %T'], { env: c.env });
    expect(r.stdout.trim()).toBe('debug* idle');
  }, 120_000);

  it(`runs array.sbatch as ${TASKS} tasks with sbatch --wait, one part each, the shard taken from SLURM_ARRAY_TASK_ID`, async () => {
    const c = await cluster();
    const r = await exec('sbatch', ['--parsable', '--wait', `--array=0-${TASKS - 1}`, `--output=${join(dir, 'slurm-%A_%a.out')}`, ARRAY], {
      env: jobEnv(c),
      cwd: dir,
      timeoutMs: 240_000,
    });
    expect(r.code, explain('sbatch --wait array.sbatch', r, c)).toBe(0);
    arrayJob = r.stdout.trim().split(';')[0];
    expect(arrayJob).toMatch(/^\d+$/);
    for (let i = 0; i < TASKS; i++) {
      const log = readFileSync(join(dir, `slurm-${arrayJob}_${i}.out`), 'utf8');
      // the run says which shard it runs and where that came from (src/node/runCommand.ts, on stderr)
      expect(log, `task ${i}'s log`).toMatch(new RegExp(`\\bshard ${i} of ${TASKS}\\b.*\\bSLURM_ARRAY_TASK_ID=${i}\\b`));
      expect(readJson(join(dir, `part-${i}.json`)).shard, `part-${i}.json: shard`).toMatchObject({ index: i, count: TASKS });
    }
  }, 300_000);

  it('merges the parts with merge.sbatch (afterok) into the result of one unsharded run, bit for bit', async () => {
    const c = await cluster();
    expect(arrayJob, 'the array job ran').toBeDefined();
    const r = await exec(
      'sbatch',
      ['--parsable', '--wait', `--dependency=afterok:${arrayJob}`, `--output=${join(dir, 'slurm-%j.out')}`, MERGE],
      { env: jobEnv(c), cwd: dir, timeoutMs: 180_000 },
    );
    expect(r.code, explain('sbatch --wait merge.sbatch', r, c)).toBe(0);

    const one = join(dir, 'one.json');
    const run = cli(['run', spec, '--backend', 'cpu', '--out', one], { env: c.env, timeoutMs: 120_000 });
    expect(run.code, `langevin run: ${run.stderr}`).toBe(0);

    const result = readJson(join(dir, 'result.json'));
    expect((result.shards as { count?: number } | undefined)?.count, 'result.json: shards.count').toBe(TASKS);
    const merged = comparable(result);
    const single = comparable(readJson(one));
    expect(merged).toEqual(single);
    // the same numbers to the last bit (JSON numbers are the doubles' shortest forms) and the same fields in the same order
    expect(JSON.stringify(merged)).toBe(JSON.stringify(single));
  }, 300_000);

  it('requeues a task stopped by SIGTERM (as --signal=B:TERM@60 sends it) and resumes it from its checkpoint to the same part', async () => {
    const c = await cluster();
    const folder = join(dir, 'requeue');
    mkdirSync(folder);
    const longSpec = join(folder, 'spec.json');
    // one tile, long enough (~10 s here) to be stopped well before its end
    writeFileSync(
      longSpec,
      JSON.stringify({
        ...SPEC,
        particles: 4096,
        steps: 40_000,
        histogram: { ...SPEC.histogram, from: 1000, every: 1000 },
        observe: { every: 1000 },
      }),
    );
    const straight = join(folder, 'straight.json');
    // the part an uninterrupted task writes, run meanwhile
    const uninterrupted = exec(process.execPath, [CLI, 'run', longSpec, '--backend', 'cpu', '--shard', '0/1', '--out', straight], {
      env: c.env,
      timeoutMs: 240_000,
    });

    const env = jobEnv(c, { SPEC: longSpec, DIR: folder });
    const r = await exec('sbatch', ['--parsable', '--array=0-0', `--output=${join(folder, 'slurm-%A_%a.out')}`, ARRAY], {
      env,
      cwd: folder,
    });
    expect(r.code, explain('sbatch array.sbatch', r, c, folder)).toBe(0);
    const task = `${r.stdout.trim().split(';')[0]}_0`;
    const log = join(folder, `slurm-${task}.out`);
    const read = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
    // once the run is under way (it names its shard after its SIGTERM handler is in place; a TERM
    // before that ends Node at once, without a checkpoint), the signal Slurm sends the batch shell
    // (B:) near the time limit
    await poll(
      () => `no "shard 0 of 1" in ${log}\n${jobLogs(folder)}`,
      120_000,
      () => /\bshard 0 of 1\b/.test(read()) || undefined,
    );
    const term = await exec('scancel', ['--batch', '--signal=TERM', task], { env: c.env });
    expect(term.code, explain('scancel --batch --signal=TERM', term, c, folder)).toBe(0);

    // the task requeues itself; Slurm holds a requeued job back (BeginTime) for a while: start it now
    let states = '';
    await poll(
      () => `task ${task} still queued (${states})\n${jobLogs(folder)}\n${c.logs(15)}`,
      240_000,
      async () => {
        const q = await exec('squeue', ['-h', '-j', task, '-o', '%T %r'], { env: c.env });
        states = q.stdout.trim();
        if (/\bBeginTime\b/.test(states)) await exec('scontrol', ['update', `JobId=${task}`, 'StartTime=now'], { env: c.env });
        return q.code === 0 && states === '' ? true : undefined;
      },
    );
    const job = await exec('scontrol', ['show', 'job', task], { env: c.env });
    expect(job.stdout, explain('scontrol show job', job, c, folder)).toMatch(/\bJobState=COMPLETED\b/);
    expect(job.stdout, 'the exit code').toMatch(/\bExitCode=0:0\b/);
    expect(job.stdout, 'the task ran twice').toMatch(/\bRestarts=1\b/);
    const text = read();
    expect(text.match(/\bshard 0 of 1\b/g), `two attempts in the log\n${text}`).toHaveLength(2);
    // the first attempt wrote a checkpoint at the signal; the second resumed from that very step (not from 0)
    const saved = /^langevin: checkpoint at step (\d+) written to \S*part-0\.ckpt/m.exec(text);
    const resumedAt = /^langevin: resuming from \S*part-0\.ckpt at step (\d+) of /m.exec(text);
    expect(saved, `a checkpoint at the signal in the log\n${text}`).not.toBeNull();
    expect(resumedAt, `the second attempt resumed\n${text}`).not.toBeNull();
    expect(Number(resumedAt![1])).toBe(Number(saved![1]));
    expect(Number(saved![1])).toBeGreaterThan(0);

    const u = await uninterrupted;
    expect(u.code, `the uninterrupted run: ${u.stderr}`).toBe(0);
    const resumed = comparable(readJson(join(folder, 'part-0.json')));
    const once = comparable(readJson(straight));
    expect(resumed).toEqual(once);
    expect(JSON.stringify(resumed)).toBe(JSON.stringify(once));
  }, 420_000);
});
