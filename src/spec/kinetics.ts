/**
 * Validation of the spec's kinetics: parameter schedules in `potential.params`,
 * `protocol`, the first-passage observer `passage`, and the equilibrium init.
 * README "Rare events and work" documents each field.
 */
import { SpecError } from '../errors.ts';
import { INTEGRATOR_TABLE, type IntegratorName } from '../integrators/table.ts';
import { isObject, keyPath } from '../values.ts';
import { F32_MAX } from '../limits.ts';
import { checkKeys, finite, integer, optional, withDefault, type Obj } from './fields.ts';
import type { ParamSchedule, PassageRegion, PassageSpec, RunSpec } from './types.ts';
import type { ScheduleSpec } from '../schedule.ts';
import { paramAt } from '../run/paramProtocol.ts';

/** Longest `table` schedule of a parameter. */
export const MAX_PARAM_TABLE = 1 << 20;

const KINDS = 'linear {from, to}, geometric {from, to}, log {c, n0}, table {values}, sine {mean, amplitude, period, phase}';

/** Whether a `potential.params` value is (or holds) a schedule object. */
export function hasSchedule(v: unknown): boolean {
  return isObject(v) || (Array.isArray(v) && v.some((x) => isObject(x)));
}

/** One parameter schedule (values of either sign). */
export function paramSchedule(v: unknown, field: string): ParamSchedule {
  if (!isObject(v) || !Object.hasOwn(v, 'schedule'))
    throw new SpecError(field, v, `must be a number or {"schedule": ...} with one of: ${KINDS}`);
  switch (v.schedule) {
    case 'linear':
      checkKeys(v, field, ['schedule', 'from', 'to']);
      return { schedule: 'linear', from: finite(v.from, `${field}.from`), to: finite(v.to, `${field}.to`) };
    case 'geometric': {
      checkKeys(v, field, ['schedule', 'from', 'to']);
      const from = finite(v.from, `${field}.from`, (x) => x !== 0, 'must be a finite number ≠ 0');
      const to = finite(v.to, `${field}.to`, (x) => x * from > 0, `must be a finite number of the sign of from (${from})`);
      return { schedule: 'geometric', from, to };
    }
    case 'log': {
      checkKeys(v, field, ['schedule', 'c', 'n0']);
      const c = finite(v.c, `${field}.c`);
      const n0 = finite(withDefault(v, 'n0', `${field}.n0`, 2), `${field}.n0`, (x) => x > 1, 'must be a finite number > 1');
      // the largest value, c/ln(n0) at j = 0, must be an f32 too
      if (!(Math.abs(c / Math.log(n0)) <= F32_MAX))
        throw new SpecError(
          `${field}.c`,
          c,
          `gives c/ln(n0) = ${c / Math.log(n0)} at the start (n0 = ${n0}); it must be within ±${F32_MAX}`,
        );
      return { schedule: 'log', c, n0 };
    }
    case 'table': {
      checkKeys(v, field, ['schedule', 'values']);
      if (!Array.isArray(v.values) || v.values.length === 0 || v.values.length > MAX_PARAM_TABLE)
        throw new SpecError(`${field}.values`, v.values, `must be an array of 1 to ${MAX_PARAM_TABLE} finite numbers`);
      return { schedule: 'table', values: v.values.map((x, i) => finite(x, `${field}.values[${i}]`)) };
    }
    case 'sine': {
      checkKeys(v, field, ['schedule', 'mean', 'amplitude', 'period', 'phase']);
      const mean = finite(withDefault(v, 'mean', `${field}.mean`, 0), `${field}.mean`);
      const amplitude = finite(v.amplitude, `${field}.amplitude`);
      finite(Math.abs(mean) + Math.abs(amplitude), `${field}.amplitude`);
      return {
        schedule: 'sine',
        mean,
        amplitude,
        period: finite(v.period, `${field}.period`, (x) => x > 0, 'must be a finite number > 0 (steps per cycle)'),
        phase: finite(withDefault(v, 'phase', `${field}.phase`, 0), `${field}.phase`),
      };
    }
    default:
      throw new SpecError(`${field}.schedule`, v.schedule, `must be one of: ${KINDS}`);
  }
}

/**
 * Split `potential.params` into plain values and schedules: a scheduled entry is
 * replaced by its value at the protocol's start (λ_0), which the compiler takes.
 */
export function splitSchedules(
  params: Record<string, unknown>,
  steps: number,
  reverse: boolean,
): { params: Record<string, number | number[]>; schedules?: RunSpec['schedules'] } {
  const start = (s: ParamSchedule) => paramAt(s, reverse ? steps : 0, steps);
  const plain: [string, number | number[]][] = [];
  const schedules: [string, ParamSchedule | (number | ParamSchedule)[]][] = [];
  for (const [k, v] of Object.entries(params)) {
    const field = keyPath('potential.params', k);
    if (!hasSchedule(v)) {
      plain.push([k, v as number | number[]]);
    } else if (Array.isArray(v)) {
      const list = v.map((x, i) => (typeof x === 'number' ? x : paramSchedule(x, `${field}[${i}]`)));
      schedules.push([k, list]);
      plain.push([k, list.map((x) => (typeof x === 'number' ? x : start(x)))]);
    } else {
      const s = paramSchedule(v, field);
      schedules.push([k, s]);
      plain.push([k, start(s)]);
    }
  }
  // Object.fromEntries makes own properties, also for a parameter named __proto__
  const out = { params: Object.fromEntries(plain) };
  return schedules.length ? { ...out, schedules: Object.fromEntries(schedules) } : out;
}

/** `protocol`: "forward" (default) or "reverse" (the parameter schedules run backwards). */
export function protocol(v: unknown, scheduled: boolean): RunSpec['protocol'] {
  if (v === undefined || v === 'forward') return 'forward';
  if (v !== 'reverse') throw new SpecError('protocol', v, 'must be "forward" (the default) or "reverse"');
  if (!scheduled)
    throw new SpecError(
      'protocol',
      v,
      'reverses the potential parameters\' schedules, and no parameter has one (e.g. "k": {"schedule": "linear", "from": 1, "to": 4})',
    );
  return 'reverse';
}

/** Parameter schedules measure work at one temperature: the work theorems hold at a fixed T. */
export function checkScheduledTemperature(temperature: ScheduleSpec, scheduled: boolean): void {
  if (scheduled && typeof temperature !== 'number')
    throw new SpecError(
      'temperature',
      temperature,
      'must be a constant when a potential parameter has a schedule (the work W and the Jarzynski and Crooks estimates hold at one temperature)',
    );
}

function bound(v: unknown, field: string): number | null {
  if (v === null) return null;
  return finite(v, field, () => true, 'must be a finite number, or null for no bound on this side');
}

function bounds(v: unknown, field: string, dims: number): (number | null)[] {
  if (!Array.isArray(v) || v.length !== dims)
    throw new SpecError(field, v, `must be an array of ${dims} numbers (null: unbounded on that side) (dims = ${dims})`);
  return v.map((x, i) => bound(x, `${field}[${i}]`));
}

function region(v: unknown, dims: number): PassageRegion {
  const f = 'passage.region';
  if (!isObject(v))
    throw new SpecError(f, v, 'must be {"low": [...], "high": [...]} (a box; null = unbounded) or {"center": [...], "radius": r} (a ball)');
  if (v.center !== undefined || v.radius !== undefined) {
    checkKeys(v, f, ['center', 'radius']);
    const center = bounds(v.center, `${f}.center`, dims);
    center.forEach((c, i) => {
      if (c === null) throw new SpecError(`${f}.center[${i}]`, c, 'must be a finite number');
    });
    return {
      kind: 'ball',
      center: center as number[],
      radius: finite(v.radius, `${f}.radius`, (x) => x > 0, 'must be a finite number > 0'),
    };
  }
  checkKeys(v, f, ['low', 'high']);
  const low = bounds(v.low, `${f}.low`, dims);
  const high = bounds(v.high, `${f}.high`, dims);
  high.forEach((h, i) => {
    const l = low[i];
    if (h !== null && l !== null && !(h > l)) throw new SpecError(`${f}.high[${i}]`, h, `must be > ${f}.low[${i}] = ${l}`);
  });
  if (low.every((x) => x === null) && high.every((x) => x === null))
    throw new SpecError(`${f}`, v, 'is all of space (every bound null): give at least one bound');
  return { kind: 'box', low: low.map((x) => x ?? -Infinity), high: high.map((x) => x ?? Infinity) };
}

/** `passage`: the region, `absorb` (default false) and `bridge` (default: on for a box under em or lm). */
export function passage(
  v: unknown,
  dims: number,
  integrator: IntegratorName,
  stepSchedule: boolean,
  steps: number,
): PassageSpec | undefined {
  if (v === undefined) return undefined;
  // the GPU keeps hit step + 1 in a u32 (0: not hit)
  if (steps > 2 ** 32 - 2) throw new SpecError('steps', steps, `must be at most ${2 ** 32 - 2} with a passage region`);
  if (!isObject(v)) throw new SpecError('passage', v, 'must be an object {"region": {...}, "absorb": false, "bridge": true}');
  checkKeys(v, 'passage', ['region', 'absorb', 'bridge']);
  if (stepSchedule)
    throw new SpecError('passage', v, 'needs a constant dt (first-passage times are counted in steps of one size); give dt as a number');
  const r = region(v.region, dims);
  const absorb = withDefault(v, 'absorb', 'passage.absorb', false);
  if (typeof absorb !== 'boolean') throw new SpecError('passage.absorb', absorb, 'must be true or false');
  const overdamped = !INTEGRATOR_TABLE[integrator].velocities && !INTEGRATOR_TABLE[integrator].metropolis;
  const bridge = optional(v, 'bridge', 'passage.bridge', 'for the default (on for a box region under em and lm)');
  if (bridge !== undefined && typeof bridge !== 'boolean') throw new SpecError('passage.bridge', bridge, 'must be true or false');
  if (bridge === true && !(overdamped && r.kind === 'box'))
    throw new SpecError(
      'passage.bridge',
      bridge,
      `corrects crossings within a step of overdamped Brownian paths through the faces of a box: it needs a box region and integrator em or lm (here ${r.kind === 'box' ? `integrator "${integrator}"` : 'a ball region'}); omit it or give false`,
    );
  return { region: r, absorb, bridge: bridge ?? (overdamped && r.kind === 'box') };
}

/** `init: {"kind": "equilibrium", "steps": n, "from": {...}}`: n steps of equilibration at λ_0 from the `from` init. */
export function equilibriumInit(v: Obj): { steps: number; from: unknown } {
  checkKeys(v, 'init', ['kind', 'steps', 'from', 'velocity']);
  const steps = integer(v.steps, 'init.steps', 1, 2 ** 32 - 1);
  const from = optional(v, 'from', 'init.from', 'to start from the default ({"kind": "normal", "mean": 0, "std": 1})');
  if (isObject(from) && (from.kind === 'equilibrium' || Object.hasOwn(from, 'velocity')))
    throw new SpecError('init.from', from, 'must be a normal, uniform or point init (give "velocity" in init itself)');
  return { steps, from };
}
