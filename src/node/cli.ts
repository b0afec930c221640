/**
 * `npx langevin`: run a spec, sweep one, list potentials, bench, bias, help; the
 * conventions of the arguments are in args.ts, the help texts in help.ts.
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
import { parseCommandArgs, usageError, wantsHelp, type OptionSpec } from './args.ts';
import { HELP, USAGE } from './help.ts';
import { applyOverrides, parseOverride, type Override } from './overrides.ts';
import { backendOption, parseRunArgs, runCommand } from './runCommand.ts';
import { StdoutGuard } from './stdout.ts';
import { parseSweepArgs, sweepCommand } from './sweep.ts';
import { mergeCommand, parseMergeArgs } from './mergeCommand.ts';
import { crooksCommand, parseCrooksArgs } from './crooksCommand.ts';
import { UsageError } from './usage.ts';
import { VERSION } from '../version.ts';

export { parseJsonFile } from './files.ts';

const BENCH_OPTIONS: Record<string, OptionSpec> = {
  quick: { type: 'boolean' },
  json: { type: 'boolean' },
  particles: { type: 'string' },
  k: { type: 'string' },
  wg: { type: 'string' },
};

/** A number as JSON writes one (no hex, no spaces, no leading + or .), so an option reads as the spec file would. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
/** The most values a comma-separated option takes (each is a whole run). */
const MAX_LIST = 64;

/** Comma-separated JSON numbers, at most MAX_LIST of them; NaN for an entry that is not one. */
function numberList(v: string): number[] {
  const parts = v.split(',');
  return parts.length > MAX_LIST ? [NaN] : parts.map((p) => (JSON_NUMBER.test(p) ? Number(p) : NaN));
}

function parseBenchArgs(args: string[], stdout: StdoutGuard): BenchOptions {
  const { values } = parseCommandArgs('bench', args, BENCH_OPTIONS, 0);
  const options: BenchOptions = { quick: values.quick === true, json: values.json === true, out: (line) => stdout.push(line + '\n') };
  const list = (name: string, min: number, max: number) => {
    const v = values[name] as string | undefined;
    if (v === undefined) return undefined;
    const xs = numberList(v);
    if (xs.some((x) => !Number.isInteger(x) || x < min || x > max))
      throw usageError('bench', `--${name}: got "${v}"; give up to ${MAX_LIST} comma-separated integers from ${min} to ${max}`);
    return xs;
  };
  options.particles = list('particles', 1, 2 ** 31 - 1);
  options.k = list('k', 1, 1024);
  options.wg = list('wg', 1, 1024);
  return options;
}

interface BiasArgs {
  spec: string;
  backend: 'auto' | 'webgpu' | 'cpu';
  json: boolean;
  sets: Override[];
  options: BiasOptions;
}

const BIAS_OPTIONS: Record<string, OptionSpec> = {
  dt: { type: 'string' },
  integrators: { type: 'string' },
  particles: { type: 'string' },
  'max-steps': { type: 'string' },
  json: { type: 'boolean' },
  backend: { type: 'string' },
  set: { type: 'string', repeatable: true },
};

function parseBiasArgs(args: string[]): BiasArgs {
  const { values, positionals } = parseCommandArgs('bias', args, BIAS_OPTIONS, 1);
  const string = (name: string) => values[name] as string | undefined;
  const count = (name: string, max: number) => {
    const v = string(name);
    if (v === undefined) return undefined;
    const n = JSON_NUMBER.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > max) throw usageError('bias', `--${name}: got "${v}"; give an integer from 1 to ${max}`);
    return n;
  };
  const options: BiasOptions = {};
  const dt = string('dt');
  if (dt !== undefined) {
    const xs = numberList(dt);
    if (xs.some((x) => !Number.isFinite(x) || x <= 0))
      throw usageError('bias', `--dt: got "${dt}"; give up to ${MAX_LIST} comma-separated step sizes > 0, e.g. 0.001,0.003,0.01`);
    options.dts = xs;
  }
  const integrators = string('integrators');
  if (integrators !== undefined) {
    const xs = integrators.split(',');
    if (xs.length > MAX_LIST) throw usageError('bias', `--integrators: got ${xs.length} names; give at most ${MAX_LIST}`);
    const bad = xs.find((x) => !INTEGRATORS.includes(x as IntegratorName));
    if (bad !== undefined) throw usageError('bias', `--integrators: got "${bad}"; allowed: ${INTEGRATORS.join(', ')} (comma-separated)`);
    options.integrators = xs as IntegratorName[];
  }
  const particles = count('particles', 2 ** 31 - 1);
  if (particles !== undefined) options.particles = particles;
  const maxSteps = count('max-steps', 2 ** 32 - 1);
  if (maxSteps !== undefined) options.maxSteps = maxSteps;
  const spec = positionals[0];
  if (!spec) throw usageError('bias', 'give a spec file with a histogram, e.g. `langevin bias examples/double-well.json`');
  return {
    spec,
    backend: backendOption('bias', string('backend')),
    json: values.json === true,
    sets: ((values.set as string[] | undefined) ?? []).map(parseOverride),
    options,
  };
}

async function bias(args: BiasArgs, stdout: StdoutGuard): Promise<number> {
  const raw = applyOverrides(parseJsonFile(args.spec), args.sets);
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

const COMMANDS = ['run', 'merge', 'crooks', 'sweep', 'potentials', 'bench', 'bias', 'help'] as const;
type Command = (typeof COMMANDS)[number];
const isCommand = (c: string | undefined): c is Command => COMMANDS.includes(c as Command);

/** `langevin help [COMMAND]`: the overview or one command's help. */
function helpText(args: string[]): string {
  const { positionals } = parseCommandArgs('help', args, {}, 1);
  const topic = positionals[0];
  if (topic === undefined) return USAGE;
  if (!isCommand(topic)) throw usageError('help', `unknown command "${topic}"; commands: ${COMMANDS.join(', ')}`);
  return HELP[topic];
}

/** One command, its arguments parsed; returns the exit code. */
async function dispatch(command: Command, rest: string[], stdout: StdoutGuard): Promise<number> {
  if (wantsHelp(rest)) {
    await stdout.write(HELP[command] + '\n');
    return 0;
  }
  switch (command) {
    case 'run':
      return await runCommand(parseRunArgs(rest), stdout);
    case 'merge':
      return await mergeCommand(parseMergeArgs(rest), stdout);
    case 'crooks':
      return await crooksCommand(parseCrooksArgs(rest), stdout);
    case 'sweep':
      return await sweepCommand(parseSweepArgs(rest), stdout);
    case 'potentials':
      return await potentials(parseCommandArgs('potentials', rest, { json: { type: 'boolean' } }, 0).values.json === true, stdout);
    case 'bench':
      await bench(parseBenchArgs(rest, stdout));
      await stdout.settled();
      return 0;
    case 'bias':
      return await bias(parseBiasArgs(rest), stdout);
    case 'help':
      await stdout.write(helpText(rest) + '\n');
      return 0;
  }
}

/**
 * The CLI; returns the exit code. `langevin` alone prints the usage to stderr (exit 2); `langevin --help`,
 * `-h` and `help` print it to stdout (exit 0); `langevin --version` prints the version.
 */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const stdout = new StdoutGuard();
  try {
    if (command === undefined) {
      process.stderr.write(USAGE + '\n');
      return 2;
    }
    if (command === '--help' || command === '-h') return await dispatch('help', rest, stdout);
    if (command === '--version') {
      if (rest.length > 0) throw new UsageError(`--version: unexpected argument "${rest[0]}"; give --version alone`);
      await stdout.write(VERSION + '\n');
      return 0;
    }
    if (!isCommand(command))
      throw new UsageError(
        `unknown ${command.startsWith('-') ? 'option' : 'command'} "${command}"; commands: ${COMMANDS.join(', ')}; options: --version, --help`,
      );
    return await dispatch(command, rest, stdout);
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
