/**
 * `langevin run`'s checkpoint options: `--checkpoint FILE`
 * `[--checkpoint-every N|Ns]` and `--resume FILE` — their parsing, the
 * checks of their files before any work, starting a run from a checkpoint,
 * and the saver that writes one when due and at a stop (checkpoint.ts holds
 * the file format).
 */
import type { ParticleRange } from '../backend.ts';
import { Simulation, type Prepared } from '../engine.ts';
import { normalisedSpec } from '../run/specJson.ts';
import { usageError } from './args.ts';
import { CheckpointError, readCheckpoint, removeStaleCheckpointTemps, writeCheckpoint } from './checkpoint.ts';
import { nodeGpuContext } from './device.ts';
import { firstEntryName } from './npz.ts';
import { refuseInputAsOutput, resolveOutTarget, type OutTarget } from './output.ts';

/** How often to save a checkpoint: every so many steps, or seconds. */
export type CheckpointEvery = { steps: number } | { seconds: number };

/** The checkpoint options of `langevin run`, parsed. */
export interface CheckpointArgs {
  /** `--checkpoint FILE` and how often (`--checkpoint-every`) */
  checkpoint?: { path: string; every: CheckpointEvery };
  /** `--resume FILE` */
  resume?: string;
}

const notice = (line: string) => process.stderr.write(`langevin: ${line}\n`);

function checkpointEvery(value: string | undefined): CheckpointEvery {
  if (value === undefined) return { seconds: 60 };
  if (/^[1-9]\d{0,15}$/.test(value)) return { steps: Number(value) };
  const m = /^((?:0|[1-9]\d{0,8})(?:\.\d+)?)s$/.exec(value);
  if (m && Number(m[1]) > 0) return { seconds: Number(m[1]) };
  throw usageError('run', `--checkpoint-every: got "${value}"; give steps (e.g. 5000) or seconds (e.g. 60s)`);
}

/** `--checkpoint`, `--checkpoint-every` and `--resume` from the parsed options. */
export function checkpointArgs(values: Record<string, unknown>): CheckpointArgs {
  const path = values.checkpoint as string | undefined;
  const every = values['checkpoint-every'] as string | undefined;
  if (path === undefined && every !== undefined) throw usageError('run', '--checkpoint-every goes with --checkpoint FILE');
  return {
    ...(path !== undefined ? { checkpoint: { path, every: checkpointEvery(every) } } : {}),
    ...(values.resume !== undefined ? { resume: values.resume as string } : {}),
  };
}

/**
 * Check the checkpoint files before any work: --checkpoint names a regular file (or a new one) in a writable
 * folder, not the spec, the data or the --out file, and a file that exists is empty or a checkpoint (its first
 * entry checkpoint.json); --out is not the checkpoint being resumed.
 * @returns the checkpoint's target (its real path is where it is written)
 * @throws UsageError or CheckpointError (exit 2) naming the option and the file
 */
export function checkCheckpointFiles(
  args: CheckpointArgs,
  inputs: { spec: string; data?: string; out?: OutTarget },
): OutTarget | undefined {
  if (inputs.out && args.resume !== undefined) refuseInputAsOutput(inputs.out, args.resume, 'checkpoint to resume');
  if (!args.checkpoint) return undefined;
  const target = resolveOutTarget(args.checkpoint.path, '--checkpoint');
  refuseInputAsOutput(target, inputs.spec, 'spec file');
  if (inputs.data) refuseInputAsOutput(target, inputs.data, 'data file');
  if (inputs.out && inputs.out.path === target.path)
    throw usageError('run', `--checkpoint and --out: both name ${target.path}; give the checkpoint and the result different files`);
  if (target.existing && target.existing.size > 0 && firstEntryName(target.path) !== 'checkpoint.json')
    throw new CheckpointError(
      `--checkpoint: got "${target.given}"; that file exists and is not a langevin checkpoint; give a new file name or a checkpoint to replace`,
    );
  removeStaleCheckpointTemps(target.path);
  return target;
}

/** The simulation to run: a new one, or one resumed from --resume (checked against the spec, backend and shard). */
export async function startSimulation(
  args: CheckpointArgs & { backend: 'auto' | 'cpu' | 'webgpu' },
  prepared: Prepared,
  range: ParticleRange | undefined,
): Promise<Simulation> {
  const options = { backend: args.backend, gpu: nodeGpuContext, onNotice: notice, range };
  if (args.resume === undefined) return Simulation.create(prepared, options);
  const state = await readCheckpoint(args.resume, normalisedSpec(prepared.spec), args.backend);
  const saved = state.observations.range;
  if (saved?.first !== range?.first || saved?.count !== range?.count) {
    const held = saved ? `particles [${saved.first}, ${saved.first + saved.count})` : 'the whole ensemble';
    const wanted = range ? `is of particles [${range.first}, ${range.first + range.count})` : 'is of the whole ensemble';
    throw new CheckpointError(`--resume: ${args.resume} holds ${held}; this run ${wanted}: give the same --shard`);
  }
  const sim = await Simulation.resume(prepared, state, { ...options, backend: state.header.backend }).catch((e: unknown) => {
    // the backend's check of the arrays (checkStateArray): a checkpoint that does not fit this run
    if (e instanceof RangeError && /^(the )?checkpoint\b/.test(e.message))
      throw new CheckpointError(`--resume: ${args.resume}: ${e.message}`);
    throw e;
  });
  notice(`resuming from ${args.resume} at step ${sim.step} of ${prepared.spec.steps}`);
  return sim;
}

/** Saves checkpoints: when due (steps or seconds since the last), and at a stop. */
export class CheckpointSaver {
  private lastStep: number;
  private lastTime = performance.now();

  /** @param path the checkpoint's real path (its target's `path`) */
  constructor(
    private readonly path: string,
    private readonly every: CheckpointEvery,
    private readonly sim: Simulation,
  ) {
    this.lastStep = sim.step;
  }

  due(): boolean {
    if (this.sim.step >= this.sim.spec.steps) return false;
    return 'steps' in this.every
      ? this.sim.step - this.lastStep >= this.every.steps
      : performance.now() - this.lastTime >= 1000 * this.every.seconds;
  }

  /** Write a checkpoint now, and say so on stderr (one line: a scheduler's log shows how far a job got). */
  async save(): Promise<void> {
    const t0 = performance.now();
    const bytes = await writeCheckpoint(this.path, this.sim);
    [this.lastStep, this.lastTime] = [this.sim.step, performance.now()];
    notice(
      `checkpoint at step ${this.sim.step} written to ${this.path} (${(bytes / 2 ** 20).toFixed(1)} MiB, ${(this.lastTime - t0).toFixed(0)} ms)`,
    );
  }
}
