/**
 * `npx langevin`: run a spec, list potentials.
 * Exit codes: 0 success, 2 invalid input, 1 runtime failure.
 */
import { accessSync, constants, existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { prepare, Simulation, type Prepared } from '../engine.ts';
import { InputError, RuntimeFailure } from '../errors.ts';
import { CATALOG } from '../potential/index.ts';
import { nodeGpuContext } from './device.ts';
import { bench, type BenchOptions } from './bench.ts';
import { biasStudy, biasTable, type BiasOptions } from '../bias.ts';
import { INTEGRATORS, type IntegratorName } from '../spec.ts';
import { resolveDataFile } from './data.ts';
import { summaryLines } from '../summary.ts';
import { parseJsonFile } from './files.ts';
import { UsageError } from './usage.ts';

export { parseJsonFile } from './files.ts';

const USAGE = `Langevin: millions of Langevin particles on WebGPU.

Usage:
  langevin run SPEC.json [--backend auto|webgpu|cpu] [--out FILE]
  langevin potentials [--json]
  langevin bench [--quick] [--json] [--particles N,N,..] [--k K,K,..] [--wg W,W,..]
  langevin bias SPEC.json [--dt H,H,..] [--integrators em,lm,baoab,mala,hmc] [--particles N] [--max-steps N] [--json] [--backend auto|webgpu|cpu]
  langevin help

run         run the spec; the result JSON goes to --out or stdout, progress to stderr
potentials  list the built-in potentials with their formulas and parameters
bench       particle-steps per second over a workload matrix, with peers (CPU backend, plain JS, NumPy)
bias        discretisation bias: KL and TV against the exact Boltzmann distribution for each
            integrator and step size, every run over the spec's total time (steps × dt);
            defaults: dt = spec dt × ½, 1, 2, 4; all five integrators; at most 10000 particles

Exit codes: 0 success, 2 invalid input, 1 runtime failure.`;

interface RunArgs {
  spec: string;
  backend: 'auto' | 'webgpu' | 'cpu';
  out?: string;
}

function parseBenchArgs(args: string[]): BenchOptions {
  const options: BenchOptions = { quick: false, json: false, out: (line) => process.stdout.write(line + '\n') };
  const list = (name: string, v: string | undefined, min: number, max: number) => {
    const xs = (v ?? '').split(',').map(Number);
    if (!v || xs.some((x) => !Number.isInteger(x) || x < min || x > max))
      throw new UsageError(`${name}: got "${v ?? ''}"; give comma-separated integers from ${min} to ${max}`);
    return xs;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--quick') options.quick = true;
    else if (a === '--json') options.json = true;
    else if (a === '--particles') options.particles = list('--particles', args[++i], 1, 2 ** 31 - 1);
    else if (a === '--k') options.k = list('--k', args[++i], 1, 1024);
    else if (a === '--wg') options.wg = list('--wg', args[++i], 1, 1024);
    else throw new UsageError(`bench: unknown argument "${a}"; allowed: --quick, --json, --particles N,N, --k K,K, --wg W,W`);
  }
  return options;
}

interface BiasArgs {
  spec: string;
  backend: 'auto' | 'webgpu' | 'cpu';
  json: boolean;
  options: BiasOptions;
}

function parseBiasArgs(args: string[]): BiasArgs {
  const out: BiasArgs = { spec: '', backend: 'auto', json: false, options: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v === undefined || v === '') throw new UsageError(`${name}: got nothing; give a value`);
      return v;
    };
    const count = (v: string, max: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name}: got "${v}"; give an integer from 1 to ${max}`);
      return n;
    };
    if (name === '--dt') {
      const v = value();
      const xs = v.split(',').map(Number);
      if (xs.some((x) => !Number.isFinite(x) || x <= 0))
        throw new UsageError(`--dt: got "${v}"; give comma-separated step sizes > 0, e.g. 0.001,0.003,0.01`);
      out.options.dts = xs;
    } else if (name === '--integrators') {
      const v = value();
      const xs = v.split(',');
      const bad = xs.find((x) => !INTEGRATORS.includes(x as IntegratorName));
      if (bad !== undefined) throw new UsageError(`--integrators: got "${bad}"; allowed: ${INTEGRATORS.join(', ')} (comma-separated)`);
      out.options.integrators = xs as IntegratorName[];
    } else if (name === '--particles') {
      out.options.particles = count(value(), 2 ** 31 - 1);
    } else if (name === '--max-steps') {
      out.options.maxSteps = count(value(), 2 ** 32 - 1);
    } else if (name === '--backend') {
      const v = value();
      if (v !== 'auto' && v !== 'webgpu' && v !== 'cpu') throw new UsageError(`--backend: got "${v}"; allowed: auto, webgpu, cpu`);
      out.backend = v;
    } else if (a === '--json') {
      out.json = true;
    } else if (a.startsWith('-')) {
      throw new UsageError(`bias: unknown option ${a}; allowed: --dt, --integrators, --particles, --max-steps, --json, --backend`);
    } else if (out.spec === '') {
      out.spec = a;
    } else {
      throw new UsageError(`unexpected argument "${a}": give one spec file`);
    }
  }
  if (!out.spec) throw new UsageError('bias: give a spec file with a histogram, e.g. `langevin bias examples/double-well.json`');
  return out;
}

async function bias(args: BiasArgs): Promise<number> {
  const raw = parseJsonFile(args.spec);
  prepare(raw); // every input error before any GPU work
  const tty = process.stderr.isTTY === true;
  const study = await biasStudy(raw, {
    ...args.options,
    simulation: { backend: args.backend, gpu: nodeGpuContext, onNotice: (m) => process.stderr.write(`langevin: ${m}\n`) },
    onRun: tty
      ? (it, dt, steps, i, n) => process.stderr.write(`\rlangevin: run ${i + 1}/${n}: ${it} at dt = ${dt} (${steps} steps)      `)
      : undefined,
  });
  if (tty) process.stderr.write('\n');
  process.stdout.write(args.json ? JSON.stringify(study, null, 2) + '\n' : biasTable(study) + '\n');
  return 0;
}

function parseRunArgs(args: string[]): RunArgs {
  let spec: string | undefined;
  let backend: RunArgs['backend'] = 'auto';
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (name: string) => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v === undefined || v === '') throw new UsageError(`${name}: got nothing; give a value`);
      return v;
    };
    if (a === '--backend' || a.startsWith('--backend=')) {
      const v = value('--backend');
      if (v !== 'auto' && v !== 'webgpu' && v !== 'cpu') throw new UsageError(`--backend: got "${v}"; allowed: auto, webgpu, cpu`);
      backend = v;
    } else if (a === '--out' || a.startsWith('--out=')) {
      out = value('--out');
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}; allowed: --backend, --out`);
    } else if (spec === undefined) {
      spec = a;
    } else {
      throw new UsageError(`unexpected argument "${a}": give one spec file`);
    }
  }
  if (!spec) throw new UsageError('run: give a spec file, e.g. `langevin run examples/double-well.json`');
  return { spec, backend, out };
}

function checkOutWritable(out: string): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out: got "${out}"; its folder ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`--out: got "${out}"; its folder ${dir} is not writable`);
  }
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out: got "${out}"; that is a folder, give a file name`);
}

/** Write atomically: a failed write never leaves a half file where the user's was. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
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

async function run(args: RunArgs): Promise<number> {
  const raw = resolveDataFile(parseJsonFile(args.spec), args.spec);
  if (args.out) checkOutWritable(args.out);
  const prepared: Prepared = prepare(raw); // every input error before any GPU work
  const tty = process.stderr.isTTY === true;
  const sim = await Simulation.create(prepared, {
    backend: args.backend,
    gpu: nodeGpuContext,
    onNotice: (m) => process.stderr.write(`langevin: ${m}\n`),
  });
  try {
    if (tty)
      process.stderr.write(`langevin: ${sim.backend.kind} on ${sim.backend.device}${sim.backend.software ? ' (software adapter)' : ''}\n`);
    const result = await sim.run(tty ? progressBar(process.stderr) : undefined);
    const json = JSON.stringify(result, null, 2) + '\n';
    if (args.out) writeAtomic(args.out, json);
    else process.stdout.write(json);
    for (const w of result.warnings) process.stderr.write(`langevin: warning: ${w}\n`);
    if (tty) {
      const lines = summaryLines(result, 'terminal').map((line, i) => (i === 0 ? `langevin: ${line}` : `  ${line}`));
      if (args.out) lines.push(`  result written to ${args.out}`);
      process.stderr.write(lines.join('\n') + '\n');
    }
    return 0;
  } finally {
    sim.destroy();
  }
}

function potentials(json: boolean): number {
  if (json) {
    process.stdout.write(
      JSON.stringify(
        CATALOG.map((c) => ({ name: c.name, formula: c.formula, dims: c.dims, description: c.description, params: c.params })),
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  const lines: string[] = [];
  for (const c of CATALOG) {
    lines.push(`${c.name}  (dims: ${c.dims})`);
    lines.push(`    ${c.formula}`);
    if (c.description) lines.push(`    ${c.description}`);
    for (const [name, p] of Object.entries(c.params)) {
      lines.push(`    ${name} = ${p.default}${p.perDimension ? ' (number or one per dimension)' : ''}: ${p.description}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** The CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run':
        return await run(parseRunArgs(rest));
      case 'potentials': {
        const bad = rest.find((a) => a !== '--json');
        if (bad !== undefined) throw new UsageError(`potentials: unexpected argument "${bad}"; allowed: --json`);
        return potentials(rest.length > 0);
      }
      case 'bench':
        await bench(parseBenchArgs(rest));
        return 0;
      case 'bias':
        return await bias(parseBiasArgs(rest));
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"; commands: run, potentials, bench, bias, help`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      process.stderr.write(`langevin: invalid input: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RuntimeFailure) {
      process.stderr.write(`langevin: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`langevin: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
