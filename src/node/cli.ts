/**
 * `npx langevin`: run a spec, list potentials.
 * Exit codes: 0 success, 2 invalid input, 1 runtime failure (no device, the
 * result cannot be written), 130/143 after SIGINT/SIGTERM (runCommand.ts).
 */
import { prepare } from '../engine.ts';
import { InputError, RuntimeFailure } from '../errors.ts';
import { CATALOG } from '../potential/index.ts';
import { nodeGpuContext } from './device.ts';
import { bench, type BenchOptions } from './bench.ts';
import { biasStudy, biasTable, type BiasOptions } from '../bias.ts';
import { INTEGRATORS, type IntegratorName } from '../spec.ts';
import { parseJsonFile } from './files.ts';
import { parseRunArgs, runCommand } from './runCommand.ts';
import { StdoutGuard } from './stdout.ts';
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

Exit codes: 0 success, 2 invalid input, 1 runtime failure; after Ctrl-C (SIGINT) or SIGTERM, run
finishes the chunk in flight, writes the partial result and exits 130 or 143 (a second one quits
at once, writing nothing).`;

function parseBenchArgs(args: string[], stdout: StdoutGuard): BenchOptions {
  const options: BenchOptions = { quick: false, json: false, out: (line) => stdout.push(line + '\n') };
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

async function bias(args: BiasArgs, stdout: StdoutGuard): Promise<number> {
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
  await stdout.write(args.json ? JSON.stringify(study, null, 2) + '\n' : biasTable(study) + '\n');
  return 0;
}

async function potentials(json: boolean, stdout: StdoutGuard): Promise<number> {
  if (json) {
    await stdout.write(
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
  await stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** The CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const stdout = new StdoutGuard();
  try {
    switch (command) {
      case 'run':
        return await runCommand(parseRunArgs(rest), stdout);
      case 'potentials': {
        const bad = rest.find((a) => a !== '--json');
        if (bad !== undefined) throw new UsageError(`potentials: unexpected argument "${bad}"; allowed: --json`);
        return await potentials(rest.length > 0, stdout);
      }
      case 'bench':
        await bench(parseBenchArgs(rest, stdout));
        await stdout.settled();
        return 0;
      case 'bias':
        return await bias(parseBiasArgs(rest), stdout);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        await stdout.write(USAGE + '\n');
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
  } finally {
    stdout.dispose();
  }
}
