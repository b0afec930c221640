/**
 * `--shard I/N` and `--shard auto [--shards N]`: which shard of an ensemble
 * this process runs. `auto` reads the array index a scheduler gives each task:
 * Slurm's SLURM_ARRAY_TASK_ID (relative to SLURM_ARRAY_TASK_MIN, in steps of
 * SLURM_ARRAY_TASK_STEP, out of SLURM_ARRAY_TASK_COUNT), a Kubernetes Indexed
 * Job's JOB_COMPLETION_INDEX (with --shards N), or GNU parallel's PARALLEL_SEQ
 * (1-based, with --shards N).
 */
import { usageError } from './args.ts';

/** Which shard to run, and where the numbers came from (the CLI says it). */
export interface ShardChoice {
  index: number;
  count: number;
  /** e.g. `--shard 2/7` or `SLURM_ARRAY_TASK_ID=5 − SLURM_ARRAY_TASK_MIN=3, SLURM_ARRAY_TASK_COUNT=4` */
  source: string;
}

const INTEGER = /^(?:0|[1-9]\d{0,8})$/;
const int = (v: string | undefined) => (v !== undefined && INTEGER.test(v) ? Number(v) : NaN);

function checked(index: number, count: number, source: string): ShardChoice {
  if (!Number.isInteger(count) || count < 1)
    throw usageError('run', `${source}: the shard count must be a whole number from 1 to 999999999`);
  if (!Number.isInteger(index)) throw usageError('run', `${source}: the shard index is not a whole number`);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw usageError('run', `${source}: shard index ${index} outside 0 … ${count - 1}`);
  return { index, count, source };
}

/** The count --shards gives, for an index without one. */
function countFrom(shards: string | undefined, variable: string): number {
  if (shards === undefined) throw usageError('run', `--shard auto with ${variable}: give the number of shards with --shards N`);
  const n = int(shards);
  if (!(n >= 1)) throw usageError('run', `--shards: got "${shards}"; give an integer ≥ 1`);
  return n;
}

function fromSlurm(env: NodeJS.ProcessEnv, shards: string | undefined): ShardChoice {
  const [id, min, step, count] = ['ID', 'MIN', 'STEP', 'COUNT'].map((k) => env[`SLURM_ARRAY_TASK_${k}`]);
  const n = count !== undefined ? int(count) : countFrom(shards, 'SLURM_ARRAY_TASK_ID');
  if (shards !== undefined && int(shards) !== n)
    throw usageError('run', `--shards ${shards} disagrees with SLURM_ARRAY_TASK_COUNT=${count}; leave --shards out under Slurm`);
  const s = step === undefined ? 1 : int(step);
  const offset = int(id) - (min === undefined ? 0 : int(min));
  const source = `SLURM_ARRAY_TASK_ID=${id}${min === undefined ? '' : ` − SLURM_ARRAY_TASK_MIN=${min}`}${s !== 1 ? ` (step ${s})` : ''}, ${count === undefined ? `--shards ${shards}` : `SLURM_ARRAY_TASK_COUNT=${count}`}`;
  if (!(s >= 1) || offset % s !== 0) throw usageError('run', `${source}: not an array index`);
  return checked(offset / s, n, source);
}

/**
 * The shard asked for, or undefined without --shard.
 * @throws UsageError for a malformed value, --shards without --shard auto, or `auto` with no scheduler's index
 */
export function resolveShard(
  shard: string | undefined,
  shards: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ShardChoice | undefined {
  if (shard === undefined) {
    if (shards !== undefined) throw usageError('run', '--shards N goes with --shard auto (the index comes from the scheduler)');
    return undefined;
  }
  if (shards !== undefined && !(int(shards) >= 1)) throw usageError('run', `--shards: got "${shards}"; give an integer ≥ 1`);
  if (shard !== 'auto') {
    const m = /^(\d+)\/(\d+)$/.exec(shard);
    if (!m || shards !== undefined)
      throw usageError(
        'run',
        `--shard: got "${shard}"${shards !== undefined ? ' with --shards' : ''}; give I/N (0 ≤ I < N, e.g. 0/4) or auto`,
      );
    return checked(int(m[1]), int(m[2]), `--shard ${shard}`);
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) return fromSlurm(env, shards);
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const n = countFrom(shards, 'JOB_COMPLETION_INDEX');
    return checked(int(env.JOB_COMPLETION_INDEX), n, `JOB_COMPLETION_INDEX=${env.JOB_COMPLETION_INDEX}, --shards ${shards}`);
  }
  if (env.PARALLEL_SEQ !== undefined) {
    const n = countFrom(shards, 'PARALLEL_SEQ');
    return checked(int(env.PARALLEL_SEQ) - 1, n, `PARALLEL_SEQ=${env.PARALLEL_SEQ} (1-based), --shards ${shards}`);
  }
  throw usageError(
    'run',
    '--shard auto: none of SLURM_ARRAY_TASK_ID (a Slurm array), JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or PARALLEL_SEQ (GNU parallel) is set; give --shard I/N',
  );
}
