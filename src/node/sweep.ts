/**
 * `langevin sweep SWEEP.json`: a grid of runs of one spec (the sweep file:
 * sweepFile.ts).
 *
 * - `--list [--json]`: every point's spec validated, then one line per point
 *   (its index and axis values), or a JSON array of `{index, point}`.
 * - `--task I [--out FILE]`: run point I (a Slurm or Kubernetes array index)
 *   as `langevin run` does (runCommand.ts: the same --out safety, interrupts,
 *   exit codes); the result carries `sweep: {index, point}`.
 * - `--jobs K --collect DIR`: validate every point, run them all here, K
 *   child processes of this command at a time (in this process, one after
 *   another, for K = 1), each writing DIR/point-I.json; then collect.
 * - `--collect DIR`: collect existing DIR/point-I.json files (an array job's)
 *   into DIR/sweep.csv and DIR/sweep.json (sweepCollect.ts).
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCommandArgs, usageError, type OptionSpec } from './args.ts';
import { refuseInputAsOutput, resolveOutTarget } from './output.ts';
import { backendOption, runCommand, type RunArgs } from './runCommand.ts';
import { errnoReason, fileKind } from './files.ts';
import type { StdoutGuard } from './stdout.ts';
import { UsageError } from './usage.ts';
import { collectSweep, pointFile, runChildren } from './sweepCollect.ts';
import { checkedPoints, describePoint, readSweep, sweepPoint, type Sweep } from './sweepFile.ts';

/** The options of `langevin sweep` (`--help` aside). */
const SWEEP_OPTIONS: Record<string, OptionSpec> = {
  list: { type: 'boolean' },
  json: { type: 'boolean' },
  task: { type: 'string' },
  out: { type: 'string' },
  jobs: { type: 'string' },
  collect: { type: 'string' },
  backend: { type: 'string' },
};

/** What `langevin sweep` is to do. */
export type SweepArgs = { sweep: string; backend: RunArgs['backend'] } & (
  | { mode: 'list'; json: boolean }
  | { mode: 'task'; task: string; out?: string }
  | { mode: 'jobs'; jobs: number; dir: string }
  | { mode: 'collect'; dir: string }
);

/**
 * Parse the arguments after `sweep`: one mode of --list, --task, --jobs with --collect, --collect.
 * @throws UsageError for an unknown, repeated or empty option, modes mixed, --json or --out outside their mode, a bad --jobs
 */
export function parseSweepArgs(args: string[]): SweepArgs {
  const { values, positionals } = parseCommandArgs('sweep', args, SWEEP_OPTIONS, 1);
  const string = (name: string) => values[name] as string | undefined;
  const sweep = positionals[0];
  if (!sweep) throw usageError('sweep', 'give a sweep file, e.g. `langevin sweep examples/sweep-temperature.json --list`');
  const backend = backendOption('sweep', string('backend'));
  const given = ['list', 'task', 'jobs', 'collect'].filter((m) => values[m] !== undefined);
  if (given.length === 0) throw usageError('sweep', 'give --list, --task I, --jobs K --collect DIR, or --collect DIR');
  if (values.list && given.length > 1) throw usageError('sweep', `--list: give it alone, not with --${given[1]}`);
  if (string('task') !== undefined && given.length > 1) throw usageError('sweep', `--task: give it alone, not with --${given[1]}`);
  if (values.json && !values.list) throw usageError('sweep', '--json goes with --list');
  if (string('out') !== undefined && string('task') === undefined)
    throw usageError('sweep', '--out goes with --task (with --collect DIR the results go to DIR)');
  if (values.list) return { sweep, backend, mode: 'list', json: values.json === true };
  const task = string('task');
  if (task !== undefined) return { sweep, backend, mode: 'task', task, out: string('out') };
  const dir = string('collect');
  const jobs = string('jobs');
  if (dir === undefined) throw usageError('sweep', '--jobs needs --collect DIR, the folder the point results and the table go to');
  if (jobs === undefined) return { sweep, backend, mode: 'collect', dir };
  const k = /^[1-9]\d{0,3}$/.test(jobs) ? Number(jobs) : NaN;
  if (!(k <= 256)) throw usageError('sweep', `--jobs: got "${jobs}"; give an integer from 1 to 256`);
  return { sweep, backend, mode: 'jobs', jobs: k, dir };
}

/** `--task I`'s index, checked against the sweep. */
function taskIndex(sweep: Sweep, task: string): number {
  const i = /^(0|[1-9]\d*)$/.test(task) ? Number(task) : NaN;
  if (!(i < sweep.count))
    throw usageError(
      'sweep',
      `--task: got "${task}"; ${sweep.file} has ${sweep.count} point${sweep.count === 1 ? '' : 's'}, give 0 to ${sweep.count - 1}`,
    );
  return i;
}

/** Run point `index` as `langevin run` would, its result to `out` or stdout. */
async function runPoint(sweep: Sweep, index: number, backend: RunArgs['backend'], out: string | undefined, stdout: StdoutGuard) {
  if (out !== undefined) refuseInputAsOutput(resolveOutTarget(out), sweep.file, 'sweep file');
  const p = sweepPoint(sweep, index);
  return await runCommand(
    { spec: sweep.baseFile, base: sweep.base, backend, out, sets: p.overrides, savePositions: false, sweep: { index, point: p.point } },
    stdout,
  );
}

async function list(sweep: Sweep, json: boolean, stdout: StdoutGuard): Promise<number> {
  const points = checkedPoints(sweep);
  const text = json
    ? JSON.stringify(
        points.map((p) => ({ index: p.index, point: p.point })),
        null,
        2,
      )
    : points.map((p) => `${p.index}  ${describePoint(p)}`).join('\n');
  await stdout.write(text + '\n');
  return 0;
}

/**
 * The --collect folder of a run here: an existing folder, or a new one made in
 * an existing, writable folder (never a chain of folders: Node's recursive
 * mkdir loops forever under /proc).
 * @throws UsageError (exit 2) naming the path and why, before any run
 */
function prepareCollectDir(given: string): void {
  const refuse = (why: string): never => {
    throw new UsageError(`--collect: got "${given}"; ${why}`);
  };
  // stat still throws for ENOTDIR (a path through a file), EACCES, ELOOP: each is the user's path, not an internal error
  const stat = (path: string) => {
    try {
      return statSync(path, { throwIfNoEntry: false });
    } catch (e) {
      return refuse(errnoReason(e));
    }
  };
  const st = stat(given);
  if (st) {
    if (!st.isDirectory()) refuse(`that is ${fileKind(st)}; give a folder or a new folder name`);
    try {
      accessSync(given, constants.W_OK);
    } catch {
      refuse('that folder is not writable');
    }
    return;
  }
  const parent = dirname(resolve(given));
  const up = stat(parent);
  if (!up?.isDirectory()) refuse(`its parent folder ${parent} does not exist; create it first`);
  try {
    mkdirSync(given);
  } catch (e) {
    refuse(`cannot create it: ${errnoReason(e)}`);
  }
}

/** Every point here, then the table. */
async function jobs(sweep: Sweep, args: { jobs: number; dir: string; backend: RunArgs['backend'] }, stdout: StdoutGuard): Promise<number> {
  checkedPoints(sweep); // every input error before any run
  prepareCollectDir(args.dir);
  if (args.jobs > 1) {
    const interrupted = await runChildren(sweep, args.dir, args.jobs, args.backend);
    if (interrupted !== undefined) return interrupted; // the points done so far, and the partial ones, are in DIR
  } else
    for (let i = 0; i < sweep.count; i++) {
      const code = await runPoint(sweep, i, args.backend, pointFile(args.dir, i), stdout);
      if (code !== 0) return code; // interrupted: the points done so far are in DIR
    }
  return collect(sweep, args.dir);
}

function collect(sweep: Sweep, dir: string): number {
  const n = collectSweep(sweep, dir);
  process.stderr.write(
    `langevin: ${n} point${n === 1 ? '' : 's'} collected into ${pointFile(dir, 0).replace(/point-0\.json$/, 'sweep.csv')} and sweep.json\n`,
  );
  return 0;
}

/**
 * The command; returns the exit status.
 * @throws InputError (exit 2) for a bad sweep file, point or option; RuntimeFailure (exit 1) when a point's run fails
 */
export async function sweepCommand(args: SweepArgs, stdout: StdoutGuard): Promise<number> {
  const sweep = readSweep(args.sweep);
  if (args.mode !== 'task') for (const note of sweep.notes ?? []) process.stderr.write(`langevin: note: ${note}\n`);
  switch (args.mode) {
    case 'list':
      return await list(sweep, args.json, stdout);
    case 'task':
      return await runPoint(sweep, taskIndex(sweep, args.task), args.backend, args.out, stdout);
    case 'jobs':
      return await jobs(sweep, args, stdout);
    case 'collect':
      return collect(sweep, args.dir);
  }
}
