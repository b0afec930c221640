/**
 * `langevin run SPEC.json [--backend …] [--out FILE] [--set PATH=VALUE …]
 * [--export DIR [--save-positions]]`: every input checked before any work
 * (the --out and --export targets first, then the spec with its --set
 * overrides, see overrides.ts, and its data file), the run itself, the
 * export (export.ts) and the result written to --out (atomically, see
 * output.ts) or stdout. An interrupt (SIGINT, SIGTERM) ends the run after the
 * chunk in flight and writes the partial result (see interrupt.ts).
 */
import { sep } from 'node:path';
import { prepare, type Prepared, type RunResult } from '../engine.ts';
import type { ParticleRange } from '../backend.ts';
import { checkCheckpointSize } from './checkpoint.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import { checkCheckpointFiles, checkpointArgs, CheckpointSaver, startSimulation, type CheckpointArgs } from './runCheckpoint.ts';
import { blockParticles, halfBlock, runInBlocks } from '../run/blocks.ts';
import { DeviceMemoryError } from '../gpu/ensemble.ts';
import { summaryLines } from '../summary.ts';
import { dataFilePath, resolveDataFile } from './data.ts';
import { nodeGpuContext } from './device.ts';
import { parseJsonFile } from './files.ts';
import { Interrupts } from './interrupt.ts';
import { parseCommandArgs, usageError, type OptionSpec } from './args.ts';
import { PendingExport, resolveExportTarget, type ExportTarget } from './export.ts';
import { PendingOutput, refuseInputAsOutput, resolveOutTarget, type OutTarget } from './output.ts';
import { applyOverrides, parseOverride, type Override } from './overrides.ts';
import type { StdoutGuard } from './stdout.ts';
import { UsageError } from './usage.ts';
import { resolveShard, type ShardChoice } from './shardArgs.ts';
import { checkLogSize, shardRange, shardSection } from '../run/shards.ts';

/** The arguments of `langevin run`. */
export interface RunArgs {
  spec: string;
  backend: 'auto' | 'webgpu' | 'cpu';
  out?: string;
  /** `--set` overrides, in order */
  sets: Override[];
  /** `--export DIR` */
  export?: string;
  /** `--save-positions` (with --export) */
  savePositions: boolean;
  /** the parsed spec, when it is not read from `spec` (a sweep's inline base: `spec` is then the sweep file, data paths are relative to it) */
  base?: unknown;
  /** a sweep point's section, added to the result as `sweep` (sweep.ts) */
  sweep?: { index: number; point: Record<string, unknown> };
  /** `--shard I/N` or `--shard auto` (shardArgs.ts): run that shard's particles and record for `langevin merge` */
  shard?: ShardChoice;
  /** `--checkpoint FILE` and how often (`--checkpoint-every`) */
  checkpoint?: CheckpointArgs['checkpoint'];
  /** `--resume FILE` */
  resume?: string;
}

/** The options of `langevin run` (`--help` aside). */
export const RUN_OPTIONS: Record<string, OptionSpec> = {
  backend: { type: 'string' },
  out: { type: 'string' },
  set: { type: 'string', repeatable: true },
  export: { type: 'string' },
  'save-positions': { type: 'boolean' },
  shard: { type: 'string' },
  shards: { type: 'string' },
  checkpoint: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  resume: { type: 'string' },
};

/** `--backend`'s value, checked. */
export function backendOption(command: string, value: string | undefined): RunArgs['backend'] {
  const backend = value ?? 'auto';
  if (backend !== 'auto' && backend !== 'webgpu' && backend !== 'cpu')
    throw usageError(command, `--backend: got "${backend}"; allowed: auto, webgpu, cpu`);
  return backend;
}

/**
 * Parse the arguments after `run`; an option given twice (but --set) is refused rather than one of them silently ignored.
 * @throws UsageError for an unknown, repeated or empty option, a bad backend or --set, no spec or two, --save-positions without --export
 */
export function parseRunArgs(args: string[]): RunArgs {
  const { values, positionals } = parseCommandArgs('run', args, RUN_OPTIONS, 1);
  const backend = backendOption('run', values.backend as string | undefined);
  const spec = positionals[0];
  if (!spec) throw usageError('run', 'give a spec file, e.g. `langevin run examples/double-well.json`');
  const savePositions = values['save-positions'] === true;
  if (savePositions && values.export === undefined)
    throw usageError('run', '--save-positions needs --export DIR (the folder positions.npy goes to)');
  return {
    spec,
    backend,
    out: values.out as string | undefined,
    sets: ((values.set as string[] | undefined) ?? []).map(parseOverride),
    export: values.export as string | undefined,
    savePositions,
    shard: resolveShard(values.shard as string | undefined, values.shards as string | undefined),
    ...checkpointArgs(values),
  };
}

function progressBar(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let last = 0;
  const t0 = performance.now();
  return (done, total) => {
    const now = performance.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const frac = total > 0 ? done / total : 1;
    const width = 30;
    const filled = Math.round(frac * width);
    const elapsed = (now - t0) / 1000;
    const eta = frac > 0 ? elapsed * (1 / frac - 1) : 0;
    stream.write(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * frac).toFixed(0).padStart(3)}%  step ${done}/${total}  ${elapsed.toFixed(1)} s, ${eta.toFixed(1)} s left `,
    );
    if (done >= total) stream.write('\n');
  };
}

const notice = (line: string) => process.stderr.write(`langevin: ${line}\n`);

/**
 * Check the --out and --export targets and the spec (with its --set overrides, and its data file) before any work;
 * returns the raw spec with its data read.
 */
function readInputs(args: RunArgs): { raw: unknown; target?: OutTarget; exportTarget?: ExportTarget; checkpoint?: OutTarget } {
  const target = args.out === undefined ? undefined : resolveOutTarget(args.out);
  if (target) refuseInputAsOutput(target, args.spec, 'spec file');
  const exportTarget = args.export === undefined ? undefined : resolveExportTarget(args.export);
  if (target && exportTarget) refuseOutInExport(target, exportTarget);
  const raw = applyOverrides(args.base ?? parseJsonFile(args.spec), args.sets);
  const data = dataFilePath(raw, args.spec);
  if (target && data) refuseInputAsOutput(target, data, 'data file');
  const checkpoint = checkCheckpointFiles(args, { spec: args.spec, data, out: target });
  return { raw: resolveDataFile(raw, args.spec), target, exportTarget, checkpoint };
}

/** --out must lie outside the --export folder: an export replaces its folder as a whole, so the result would be lost. */
function refuseOutInExport(target: OutTarget, exportTarget: ExportTarget): void {
  if (target.path === exportTarget.path)
    throw new UsageError(`--out and --export: both name ${exportTarget.path}; give the result file and the export folder different paths`);
  if (target.path.startsWith(exportTarget.path + sep))
    throw new UsageError(
      `--out: got "${target.given}", inside the --export folder ${exportTarget.path}, which the export replaces as a whole; give a path outside it`,
    );
}

/** After the result is out: the warnings, what an interrupt left, and on a terminal the summary. */
function report(result: RunResult, where: string, interrupted: boolean): void {
  for (const w of result.warnings) notice(`warning: ${w}`);
  if (interrupted && result.partial) notice(`partial result (${result.steps} of ${result.partial.stepsPlanned} steps) written to ${where}`);
  if (process.stderr.isTTY !== true) return;
  const lines = summaryLines(result, 'terminal').map((line, i) => (i === 0 ? `langevin: ${line}` : `  ${line}`));
  if (where !== 'stdout') lines.push(`  result written to ${where}`);
  process.stderr.write(lines.join('\n') + '\n');
}

/** Where a run's result goes, and the run's checked files. */
interface Outputs {
  args: RunArgs;
  stdout: StdoutGuard;
  interrupts: Interrupts;
  tty: boolean;
  target?: OutTarget;
  exportTarget?: ExportTarget;
  checkpoint?: OutTarget;
  pending?: PendingOutput;
  exporting?: PendingExport;
}

/** The export (in place before the result is out), the result JSON (with the sections `extra` adds), the report; returns the exit status. */
async function deliver(result: RunResult, extra: Record<string, unknown>, o: Outputs): Promise<number> {
  if (o.exporting) {
    await o.exporting.writeResult(result);
    await o.exporting.commit();
  }
  const json = JSON.stringify({ ...result, ...(o.args.sweep ? { sweep: o.args.sweep } : {}), ...extra }, null, 2) + '\n';
  if (o.pending) o.pending.commit(json);
  else await o.stdout.write(json);
  report(result, o.target ? (o.target.link ? o.target.path : o.target.given) : 'stdout', o.interrupts.received !== undefined);
  return o.interrupts.exitCode ?? 0;
}

/**
 * Run the command; returns the exit status (0, or 130/143 after an interrupt).
 * @throws InputError before any work; RuntimeFailure when the result cannot be written
 */
export async function runCommand(args: RunArgs, stdout: StdoutGuard): Promise<number> {
  const tty = process.stderr.isTTY === true;
  const interrupts = new Interrupts((line) => notice(`${tty ? '\n' : ''}${line}`));
  const o: Outputs = { args, stdout, interrupts, tty };
  interrupts.onSecond = () => {
    o.pending?.discard();
    o.exporting?.discard();
  };
  try {
    const { raw, target, exportTarget, checkpoint } = readInputs(args);
    Object.assign(o, { target, exportTarget, checkpoint });
    const prepared = prepare(raw); // every input error before any GPU work
    const range = args.shard && shardRange(prepared.spec.particles, args.shard.index, args.shard.count);
    if (args.shard) checkLogSize(prepared.spec);
    if (args.shard && range)
      notice(
        `shard ${args.shard.index} of ${args.shard.count}: particles [${range.first}, ${range.first + range.count}) (from ${args.shard.source})`,
      );
    const whole = !args.shard && !args.resume && !args.checkpoint;
    let block = whole ? blockParticles(prepared, { backend: args.backend }) : undefined;
    if (block === undefined) {
      try {
        return await runOne(prepared, range, o);
      } catch (e) {
        // the device cannot hold them all at once (nothing ran yet): in blocks, as the memory preflight would have
        block = whole && e instanceof DeviceMemoryError ? halfBlock(e.held) : undefined;
        if (block === undefined) throw e;
        notice(`the device could not hold ${e instanceof DeviceMemoryError ? e.held : 0} particles at once; running in blocks of ${block}`);
      }
    }
    return await runBlocked(prepared, block, o);
  } finally {
    o.pending?.discard();
    o.exporting?.discard();
    interrupts.dispose();
  }
}

/** Open the --out and --export files (after the backend is up: a device failure leaves nothing behind). */
function openOutputs(o: Outputs): void {
  if (o.target) {
    o.pending = PendingOutput.open(o.target);
    if (o.target.link) notice(`--out: ${o.target.given} is a symbolic link; writing its target ${o.target.path}`);
  }
  if (o.exportTarget) o.exporting = PendingExport.open(o.exportTarget);
}

/** One simulation (new, a shard, or resumed), with checkpoints if asked. */
async function runOne(prepared: Prepared, range: ParticleRange | undefined, o: Outputs): Promise<number> {
  const { args, interrupts } = o;
  const sim = await startSimulation(args, prepared, range);
  try {
    if (o.tty) notice(`${sim.backend.kind} on ${sim.backend.device}${sim.backend.software ? ' (software adapter)' : ''}`);
    openOutputs(o);
    if (args.checkpoint) {
      const entry = INTEGRATOR_TABLE[prepared.spec.integrator];
      checkCheckpointSize(
        range?.count ?? prepared.spec.particles,
        prepared.spec.dims,
        sim.backend.kind,
        entry.velocities,
        entry.metropolis,
      );
    }
    const saver = args.checkpoint && new CheckpointSaver(o.checkpoint!.path, args.checkpoint.every, sim);
    const result = await sim.run({
      onProgress: o.tty ? progressBar(process.stderr) : undefined,
      signal: interrupts.signal,
      // a chunk on this thread never yields to the event loop by itself: let a signal in between chunks
      onChunk: async () => {
        await new Promise<void>((next) => setImmediate(next));
        if (saver?.due() && !interrupts.signal.aborted) await saver.save();
      },
      onStop: saver && (() => saver.save()),
    });
    // the final state, read before the backend is destroyed
    if (o.exporting && args.savePositions) await o.exporting.writeState(sim.backend, result.particles, result.dims);
    const shard = args.shard && (await shardSection(result, args.shard.index, args.shard.count, sim.shardLog!));
    return await deliver(result, shard ? { shard } : {}, o);
  } finally {
    sim.destroy();
  }
}

/** A run larger than memory: blocks one after another, merged exactly; an interrupt leaves no result. */
async function runBlocked(prepared: Prepared, block: number, o: Outputs): Promise<number> {
  const { args, interrupts } = o;
  if (args.savePositions)
    throw usageError('run', `--save-positions: the ${prepared.spec.particles} particles do not fit in memory at once (they run in blocks)`);
  interrupts.afterStop = 'then stopping (a run in blocks has no partial result; nothing is written)';
  openOutputs(o);
  let result: RunResult;
  try {
    const onBlock = (b: number, n: number, r: ParticleRange) =>
      notice(`block ${b + 1} of ${n}: particles [${r.first}, ${r.first + r.count})`);
    result = await runInBlocks(
      prepared,
      { backend: args.backend, gpu: nodeGpuContext, onNotice: notice, blockParticles: block, onBlock },
      {
        onProgress: o.tty ? progressBar(process.stderr) : undefined,
        signal: interrupts.signal,
        onChunk: () => new Promise<void>((next) => setImmediate(next)),
      },
    );
  } catch (e) {
    if (interrupts.received === undefined) throw e;
    notice(`${(e as Error).message}; nothing written`);
    return interrupts.exitCode!;
  }
  return await deliver(result, {}, o);
}
