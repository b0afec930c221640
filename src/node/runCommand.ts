/**
 * `langevin run SPEC.json [--backend …] [--out FILE]`: every input checked
 * before any work (the --out target first, then the spec and its data file),
 * the run itself, and the result written to --out (atomically, see
 * output.ts) or stdout. An interrupt (SIGINT, SIGTERM) ends the run after the
 * chunk in flight and writes the partial result (see interrupt.ts).
 */
import { prepare, Simulation, type RunResult } from '../engine.ts';
import { summaryLines } from '../summary.ts';
import { dataFilePath, resolveDataFile } from './data.ts';
import { nodeGpuContext } from './device.ts';
import { parseJsonFile } from './files.ts';
import { Interrupts } from './interrupt.ts';
import { PendingOutput, refuseInputAsOutput, resolveOutTarget, type OutTarget } from './output.ts';
import type { StdoutGuard } from './stdout.ts';
import { UsageError } from './usage.ts';

/** The arguments of `langevin run`. */
export interface RunArgs {
  spec: string;
  backend: 'auto' | 'webgpu' | 'cpu';
  out?: string;
}

/**
 * Parse the arguments after `run`; an option given twice is refused rather than one of them silently ignored.
 * @throws UsageError for an unknown, repeated or empty option, a bad backend, no spec or two
 */
export function parseRunArgs(args: string[]): RunArgs {
  let spec: string | undefined;
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (name === '--backend' || name === '--out') {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v === undefined || v === '') throw new UsageError(`${name}: got nothing; give a value`);
      if (options.has(name)) throw new UsageError(`${name}: given twice ("${options.get(name)}" and "${v}"); give it once`);
      options.set(name, v);
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}; allowed: --backend, --out`);
    } else if (spec === undefined) {
      spec = a;
    } else {
      throw new UsageError(`unexpected argument "${a}": give one spec file`);
    }
  }
  const backend = options.get('--backend') ?? 'auto';
  if (backend !== 'auto' && backend !== 'webgpu' && backend !== 'cpu')
    throw new UsageError(`--backend: got "${backend}"; allowed: auto, webgpu, cpu`);
  if (!spec) throw new UsageError('run: give a spec file, e.g. `langevin run examples/double-well.json`');
  return { spec, backend, out: options.get('--out') };
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

/** Check the --out target and the spec (and its data file) before any work; returns the raw spec with its data read. */
function readInputs(args: RunArgs): { raw: unknown; target?: OutTarget } {
  const target = args.out === undefined ? undefined : resolveOutTarget(args.out);
  if (target) refuseInputAsOutput(target, args.spec, 'spec file');
  const raw = parseJsonFile(args.spec);
  const data = dataFilePath(raw, args.spec);
  if (target && data) refuseInputAsOutput(target, data, 'data file');
  return { raw: resolveDataFile(raw, args.spec), target };
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

/**
 * Run the command; returns the exit status (0, or 130/143 after an interrupt).
 * @throws InputError before any work; RuntimeFailure when the result cannot be written
 */
export async function runCommand(args: RunArgs, stdout: StdoutGuard): Promise<number> {
  const tty = process.stderr.isTTY === true;
  const interrupts = new Interrupts((line) => notice(`${tty ? '\n' : ''}${line}`));
  let pending: PendingOutput | undefined;
  interrupts.onSecond = () => pending?.discard();
  try {
    const { raw, target } = readInputs(args);
    const prepared = prepare(raw); // every input error before any GPU work
    const sim = await Simulation.create(prepared, { backend: args.backend, gpu: nodeGpuContext, onNotice: notice });
    try {
      if (tty) notice(`${sim.backend.kind} on ${sim.backend.device}${sim.backend.software ? ' (software adapter)' : ''}`);
      if (target) {
        pending = PendingOutput.open(target);
        if (target.link) notice(`--out: ${target.given} is a symbolic link; writing its target ${target.path}`);
      }
      const result = await sim.run({
        onProgress: tty ? progressBar(process.stderr) : undefined,
        signal: interrupts.signal,
        // a chunk on this thread never yields to the event loop by itself: let a signal in between chunks
        onChunk: () => new Promise<void>((next) => setImmediate(next)),
      });
      const json = JSON.stringify(result, null, 2) + '\n';
      if (pending) pending.commit(json);
      else await stdout.write(json);
      report(result, target ? (target.link ? target.path : target.given) : 'stdout', interrupts.received !== undefined);
      return interrupts.exitCode ?? 0;
    } finally {
      sim.destroy();
    }
  } finally {
    pending?.discard();
    interrupts.dispose();
  }
}
