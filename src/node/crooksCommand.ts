/**
 * `langevin crooks FORWARD.json REVERSE.json [--json] [--out FILE]`: the free
 * energy of a driven process from a forward and a reverse run of one protocol
 * (src/stats/crooks.ts): BAR, both Jarzynski estimates and Crooks' check of
 * ln(P_F(W)/P_R(−W)) against W, whose slope should be 1/T. Both results are
 * read and checked (a work section each, the right directions, one
 * temperature, one protocol, whole runs, valid histograms) before anything is
 * written; every refusal is one line naming the file and the field (exit 2).
 */
import { InputError, describeValue } from '../errors.ts';
import { canonicalJson } from '../run/shards.ts';
import { crooksAnalysis, type CrooksAnalysis, type WorkDistribution } from '../stats/crooks.ts';
import { FINE_BINS } from '../stats/work.ts';
import { parseCommandArgs, usageError } from './args.ts';
import { parseJsonFile } from './files.ts';
import { MAX_PART_BYTES } from './mergeCommand.ts';
import { PendingOutput, refuseInputAsOutput, resolveOutTarget } from './output.ts';
import type { StdoutGuard } from './stdout.ts';

/** The arguments of `langevin crooks`. */
export interface CrooksArgs {
  forward: string;
  reverse: string;
  json: boolean;
  out?: string;
}

/** A pair of results the analysis cannot use: exit 2, naming the file and the field. */
export class CrooksError extends InputError {
  override readonly name = 'CrooksError';
}

/** The largest result file read: as for a part of `langevin merge` (a result's log and trace can be long). */
export const MAX_RESULT_BYTES = MAX_PART_BYTES;

/**
 * The spec fields that define the process and so must agree between the forward and the reverse run;
 * the others (protocol, init, seed, particles, observations, histogram, steps per dispatch) may differ.
 */
export const PROTOCOL_FIELDS = [
  'potential',
  'dims',
  'dt',
  'integrator',
  'steps',
  'temperature',
  'mass',
  'friction',
  'leapfrogSteps',
  'batch',
  'replace',
  'passage',
] as const;

export function parseCrooksArgs(args: string[]): CrooksArgs {
  const { values, positionals } = parseCommandArgs('crooks', args, { json: { type: 'boolean' }, out: { type: 'string' } }, 2);
  if (positionals.length < 2)
    throw usageError(
      'crooks',
      `give the forward and the reverse result, e.g. \`langevin crooks forward.json reverse.json\` (got ${positionals.length === 0 ? 'none' : 'one'})`,
    );
  const [forward, reverse] = positionals;
  if (forward === reverse) throw usageError('crooks', `${forward} is given twice; give the forward result, then the reverse one`);
  return { forward, reverse, json: values.json === true, out: values.out as string | undefined };
}

/** What the command uses of one result file. */
interface Side {
  file: string;
  protocol: 'forward' | 'reverse';
  temperature: number;
  spec: Record<string, unknown>;
  work: WorkDistribution;
  reference?: { deltaF: number; method: string };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const kindOf = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'an array' : `a ${typeof x}`);

/** The work's fine histogram, checked: a power-of-two width, a low edge on its grid, counts adding up to the walkers. */
function fineOf(
  fine: unknown,
  particles: number,
  refuse: (field: string, why: string) => never,
): { low: number; width: number; counts: number[] } {
  if (!isObject(fine)) refuse('work.fine', `got ${describeValue(fine)}; the fine histogram {low, width, counts}`);
  if (!isFiniteNumber(fine.width) || !(fine.width >= 2 ** -100 && fine.width <= 2 ** 100) || !Number.isInteger(Math.log2(fine.width)))
    refuse('work.fine.width', `got ${describeValue(fine.width)}; a power of two from 2^-100 to 2^100 (energy units)`);
  const width = fine.width as number;
  if (!isFiniteNumber(fine.low) || !Number.isSafeInteger(fine.low / width))
    refuse('work.fine.low', `got ${describeValue(fine.low)}; a finite multiple of the width ${width}`);
  const counts = fine.counts;
  if (!Array.isArray(counts) || counts.length > FINE_BINS)
    refuse('work.fine.counts', `got ${describeValue(counts)}; an array of at most ${FINE_BINS} counts`);
  const c = counts as unknown[];
  const bad = c.findIndex((n) => !Number.isSafeInteger(n) || (n as number) < 0);
  if (bad >= 0) refuse(`work.fine.counts[${bad}]`, `got ${describeValue(c[bad])}; a count: an integer ≥ 0`);
  const total = (c as number[]).reduce((a, b) => a + b, 0);
  if (total !== particles) refuse('work.fine.counts', `they add up to ${total}, not work.particles = ${particles}; was the file edited?`);
  return { low: fine.low as number, width, counts: c as number[] };
}

/** Read one result and check what the analysis needs of it, naming `file` and the field in every refusal. */
function readSide(file: string): Side {
  const r = parseJsonFile(file, 'result file', MAX_RESULT_BYTES);
  const refuse: (field: string, why: string) => never = (field, why) => {
    throw new CrooksError(`${file}: ${field}: ${why}`);
  };
  if (!isObject(r)) throw new CrooksError(`${file}: not a result (${kindOf(r)}, not an object); give the --out file of \`langevin run\``);
  if (r.partial !== undefined) {
    const p = isObject(r.partial) ? r.partial : {};
    refuse(
      'partial',
      `a partial result (${describeValue(p.reason)} at step ${describeValue(r.steps)} of ${describeValue(p.stepsPlanned)}); its works are not those of the whole protocol, run it to the end`,
    );
  }
  if (r.spec === undefined) refuse('spec', 'missing; not a result of `langevin run` (give the file `langevin run SPEC --out FILE` wrote)');
  if (!isObject(r.spec)) refuse('spec', `got ${describeValue(r.spec)}; an object (the spec that ran)`);
  const w = r.work;
  if (w === undefined)
    refuse(
      'work',
      'missing; the run did no work: give a potential parameter a schedule, e.g. "params": {"k": {"schedule": "linear", "from": 1, "to": 4}}',
    );
  if (!isObject(w)) refuse('work', `got ${describeValue(w)}; an object (the work section of a run with parameter schedules)`);
  if (w.protocol !== 'forward' && w.protocol !== 'reverse')
    refuse('work.protocol', `got ${describeValue(w.protocol)}; "forward" or "reverse"`);
  if (!isFiniteNumber(w.temperature) || w.temperature <= 0)
    refuse('work.temperature', `got ${describeValue(w.temperature)}; a finite temperature > 0 (energy units)`);
  if (!Number.isSafeInteger(w.particles) || (w.particles as number) <= 0)
    refuse('work.particles', `got ${describeValue(w.particles)}; an integer > 0 (the walkers with a finite work)`);
  const particles = w.particles as number;
  const { width, counts: c, low } = fineOf(w.fine, particles, refuse);
  const jz = w.jarzynski;
  if (jz !== null && jz !== undefined) {
    if (!isObject(jz) || !isFiniteNumber(jz.deltaF))
      refuse('work.jarzynski.deltaF', `got ${describeValue(isObject(jz) ? jz.deltaF : jz)}; a finite number (energy units)`);
    if (jz.standardError !== null && !isFiniteNumber(jz.standardError))
      refuse('work.jarzynski.standardError', `got ${describeValue(jz.standardError)}; a finite number or null`);
  }
  let reference: Side['reference'];
  if (w.reference !== undefined) {
    const ref = w.reference;
    if (!isObject(ref) || !isFiniteNumber(ref.deltaF))
      refuse('work.reference.deltaF', `got ${describeValue(isObject(ref) ? ref.deltaF : ref)}; a finite number (energy units)`);
    reference = { deltaF: ref.deltaF as number, method: typeof ref.method === 'string' ? ref.method : 'not given' };
  }
  return {
    file,
    protocol: w.protocol,
    temperature: w.temperature as number,
    spec: r.spec,
    work: {
      particles,
      fine: { low, width, counts: c },
      jarzynski: isObject(jz)
        ? { deltaF: jz.deltaF as number, standardError: (jz.standardError as number | null | undefined) ?? null }
        : null,
    },
    ...(reference ? { reference } : {}),
  };
}

/** Check that the two results are the forward and the reverse run of one protocol at one temperature. */
function checkPair(f: Side, r: Side): void {
  if (f.protocol === 'reverse' && r.protocol === 'forward')
    throw new CrooksError(
      `${f.file}: work.protocol: got "reverse" (and ${r.file} is "forward"); the forward result comes first: swap them, \`langevin crooks ${r.file} ${f.file}\``,
    );
  if (f.protocol !== 'forward')
    throw new CrooksError(
      `${f.file}: work.protocol: got "reverse"; the first file must be a forward run (spec "protocol": "forward", the default)`,
    );
  if (r.protocol !== 'reverse')
    throw new CrooksError(
      `${r.file}: work.protocol: got "forward"; the second file must be a reverse run: the forward spec with "protocol": "reverse"`,
    );
  if (f.temperature !== r.temperature)
    throw new CrooksError(
      `${r.file}: work.temperature: got ${r.temperature} against ${f.temperature} in ${f.file}; both directions must run at one temperature`,
    );
  for (const field of PROTOCOL_FIELDS) {
    const [a, b] = [f.spec[field], r.spec[field]];
    if (canonicalJson(a) !== canonicalJson(b))
      throw new CrooksError(
        `${r.file}: spec.${field}: got ${describeValue(b)} against ${describeValue(a)} in ${f.file}; the reverse run must be the forward spec with "protocol": "reverse" (only init, seed and particles may differ)`,
      );
  }
}

/** The JSON the command prints or writes. */
export interface CrooksReport {
  forward: string;
  reverse: string;
  /** energy units */
  temperature: number;
  particles: { forward: number; reverse: number };
  deltaF: CrooksAnalysis['deltaF'];
  /** the fit, and whether its slope is within 3 standard errors of 1/T */
  crooks: (NonNullable<CrooksAnalysis['crooks']> & { slopeWithin3Errors: boolean }) | null;
  /** the exact ΔF of the forward process (the forward result's work.reference, else minus the reverse's) */
  reference?: number;
  notes: string[];
}

/** The analysis of a forward and a reverse result. */
function analyse(f: Side, r: Side): CrooksReport {
  const T = f.temperature;
  const a = crooksAnalysis(f.work, r.work, T);
  const notes = [...a.notes];
  const reference = f.reference?.deltaF ?? (r.reference ? -r.reference.deltaF : undefined);
  if (f.reference && r.reference && Math.abs(f.reference.deltaF + r.reference.deltaF) > 1e-9 * (1 + Math.abs(f.reference.deltaF)))
    notes.push(`the references disagree: ${f.reference.deltaF} forward against −(${r.reference.deltaF}) reverse`);
  return {
    forward: f.file,
    reverse: r.file,
    temperature: T,
    particles: { forward: f.work.particles, reverse: r.work.particles },
    deltaF: a.deltaF,
    crooks: a.crooks
      ? { ...a.crooks, slopeWithin3Errors: Math.abs(a.crooks.slope - a.crooks.expectedSlope) <= 3 * a.crooks.slopeError }
      : null,
    ...(reference !== undefined ? { reference } : {}),
    notes,
  };
}

/** A number for the summary: 6 significant digits, "n/a" for none. */
const num = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : String(Number(x.toPrecision(6)));
const pm = (x: number | null, e: number | null) => (x === null ? 'n/a' : `${num(x)} ± ${num(e)}`);

/** The human-readable summary. */
function summary(rep: CrooksReport, f: Side, r: Side): string {
  const d = rep.deltaF;
  const lines = [
    `Crooks analysis at T = ${num(rep.temperature)}: forward ${rep.forward} (${rep.particles.forward} works), reverse ${rep.reverse} (${rep.particles.reverse} works)`,
    `  ΔF (BAR)                  ${pm(d.bar, d.barError)}`,
    `  ΔF (Jarzynski, forward)   ${pm(d.jarzynskiForward, d.jarzynskiForwardError)}`,
    `  ΔF (Jarzynski, reverse)   ${pm(d.jarzynskiReverse, d.jarzynskiReverseError)}   (minus the reverse run's own estimate)`,
  ];
  const c = rep.crooks;
  if (c) {
    const off = c.slopeError > 0 ? Math.abs(c.slope - c.expectedSlope) / c.slopeError : Infinity;
    lines.push(
      `  Crooks slope              ${pm(c.slope, c.slopeError)} against 1/T = ${num(c.expectedSlope)}: ${c.slopeWithin3Errors ? 'within' : 'NOT within'} 3 errors (${off.toFixed(1)} errors off)`,
      `  overlap                   W from ${num(c.range[0])} to ${num(c.range[1])}: ${c.bins} bins with ≥ 10 works each way`,
      `  ΔF (Crooks intercept)     ${pm(c.deltaF, c.deltaFError)}`,
    );
  } else lines.push('  Crooks check              none (see the notes)');
  if (f.reference) lines.push(`  exact ΔF                  ${num(f.reference.deltaF)} (${rep.forward}: ${f.reference.method})`);
  if (r.reference)
    lines.push(`  exact ΔF, reverse         ${num(-r.reference.deltaF)} (minus ${rep.reverse}'s reference ${num(r.reference.deltaF)})`);
  lines.push(rep.notes.length > 0 ? 'notes:' : 'notes: none', ...rep.notes.map((n) => `  - ${n}`));
  return lines.join('\n') + '\n';
}

export async function crooksCommand(args: CrooksArgs, stdout: StdoutGuard): Promise<number> {
  const target = args.out === undefined ? undefined : resolveOutTarget(args.out);
  if (target) {
    refuseInputAsOutput(target, args.forward, 'forward result');
    refuseInputAsOutput(target, args.reverse, 'reverse result');
  }
  const f = readSide(args.forward);
  const r = readSide(args.reverse);
  checkPair(f, r);
  const rep = analyse(f, r);
  const json = JSON.stringify(rep, null, 2) + '\n';
  if (target) PendingOutput.open(target).commit(json);
  await stdout.write(args.json ? json : summary(rep, f, r));
  if (target) process.stderr.write(`langevin: the analysis written to ${target.given}\n`);
  return 0;
}
