/**
 * The run spec: the public input contract (README "Run spec"), its defaults and
 * its validation. Every error names the field, the value and what is allowed,
 * and is thrown before any GPU work.
 */
import { SpecError } from './errors.ts';
import { scheduleAt, type ScheduleSpec } from './schedule.ts';
import { validateData, type DataSet } from './data.ts';
import { MAX_BATCH_WITHOUT_REPLACEMENT } from './rng/batch.ts';
import { MAX_DIMS } from './limits.ts';
import { isObject } from './values.ts';
import { INTEGRATOR_TABLE, INTEGRATORS, MINI_BATCH, type IntegratorName } from './integrators/table.ts';

export { MAX_DIMS } from './limits.ts';
/** Largest number of steps fused into one dispatch. */
export const MAX_STEPS_PER_DISPATCH = 1024;
/** Histogram limits (statistics). */
export const MAX_BINS_PER_AXIS = 1024;
export const MAX_BINS_TOTAL = 1 << 20;

export { INTEGRATORS, INERTIAL, METROPOLIS, type IntegratorName } from './integrators/table.ts';
/** Largest number of leapfrog steps per HMC step. */
export const MAX_LEAPFROG_STEPS = 1024;

/** Initial velocities of the inertial integrators. */
export type VelocityInit =
  /** drawn from N(0, T(0)/m_d) per coordinate: the Maxwell distribution at the initial temperature */
  | { kind: 'thermal' }
  | { kind: 'zero' }
  /** the same velocity (length/time) for every particle */
  | { kind: 'vector'; v: number[] };

/** Initial positions. */
export type InitSpec =
  | { kind: 'normal'; mean: number[]; std: number[] }
  | { kind: 'uniform'; low: number[]; high: number[] }
  | { kind: 'point'; x: number[] };

export interface HistogramSpec {
  /** coordinates binned (1 or 2 of them) */
  dims: number[];
  bins: number[];
  low: number[];
  high: number[];
  /** first step (count of steps done) at which a snapshot is taken */
  from: number;
  /** steps between snapshots */
  every: number;
}

export interface ObserveSpec {
  /** steps between trace rows; 0 = no trace */
  every: number;
  target?: number[];
  radius?: number;
}

/** A validated spec with every default filled in. */
export interface RunSpec {
  dims: number;
  particles: number;
  /**
   * A built-in (`name`), an expression (`expr`), or a potential from data:
   * E(w) = prior(w) + Σ_i example(w; row_i) over the rows of `data`
   * (`example` in the coordinates and the data's column names).
   */
  potential: { name?: string; expr?: string; example?: string; prior?: string; data?: DataSet; params: Record<string, number | number[]> };
  integrator: IntegratorName;
  /** step size h (time units); with a schedule, the first step's */
  dt: number;
  /** the step-size schedule when `dt` was given as one (src/schedule.ts); h_n = scheduleAt(dtSchedule, n, steps) */
  dtSchedule?: ScheduleSpec;
  /** temperature T (energy units, k_B = 1) or a schedule */
  temperature: ScheduleSpec;
  steps: number;
  /** Philox key, integer in [0, 2^53) */
  seed: number;
  init: InitSpec;
  /** initial velocities (from the spec's `init.velocity`; used by baoab and hmc only) */
  velocity: VelocityInit;
  /** mass per coordinate (mass units; baoab, hmc), all > 0; default 1 */
  mass: number[];
  /** friction γ (1/time; baoab), ≥ 0; default 1. γ = 0 is velocity Verlet */
  friction: number;
  /** leapfrog steps L per HMC step (hmc); a step then spans time L·dt; default 10 */
  leapfrogSteps: number;
  /** steps fused per dispatch; undefined = chosen by the backend */
  stepsPerDispatch?: number;
  histogram?: HistogramSpec;
  observe: ObserveSpec;
  /**
   * Mini-batch gradients (potentials from data only; spec fields `batch` and
   * `replace`): every step of every particle uses ∇prior + (N/B) Σ_{j<B} ∇example(row_j)
   * with rows drawn from Philox stream 4 (src/rng/batch.ts). Absent = full batch.
   */
  batch?: BatchSpec;
}

export interface BatchSpec {
  /** B, rows per gradient, 1 ≤ B ≤ N */
  size: number;
  /** draw the rows with replacement (default) or without (Floyd's algorithm, B ≤ 256) */
  replace: boolean;
}

const TOP_FIELDS = ['dims', 'particles', 'potential', 'integrator', 'dt', 'temperature', 'steps', 'seed', 'init', 'stepsPerDispatch', 'histogram', 'observe', 'mass', 'friction', 'leapfrogSteps', 'batch', 'replace'];

type Obj = Record<string, unknown>;

function checkKeys(v: Obj, field: string, allowed: string[]): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) {
      throw new SpecError(`${field ? field + '.' : ''}${k}`, v[k], `unknown field; allowed fields${field ? ' of ' + field : ''}: ${allowed.join(', ')}`);
    }
  }
}

function finite(v: unknown, field: string, cond: (x: number) => boolean = () => true, allowed = 'must be a finite number'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !cond(v)) throw new SpecError(field, v, allowed);
  return v;
}

function integer(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SpecError(field, v, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

/** A number broadcast to D, or an array of exactly D finite numbers. */
function vector(v: unknown, field: string, dims: number, cond: (x: number) => boolean = () => true, what = 'finite numbers'): number[] {
  if (typeof v === 'number') {
    finite(v, field, cond, `must be a number (used for every coordinate) or an array of ${dims} ${what}`);
    return new Array<number>(dims).fill(v);
  }
  if (!Array.isArray(v) || v.length !== dims) {
    throw new SpecError(field, v, `must be a number (used for every coordinate) or an array of ${dims} ${what} (dims = ${dims})`);
  }
  return v.map((x, i) => finite(x, `${field}[${i}]`, cond, `elements must be ${what}`));
}

function schedule(v: unknown, field: string, what = 'temperature'): ScheduleSpec {
  const nonneg = (x: number) => x >= 0;
  if (typeof v === 'number') return finite(v, field, nonneg, `${what} must be a finite number ≥ 0 or a schedule object`);
  const kinds = 'linear {from, to}, geometric {from, to}, log {c, n0}, table {values}';
  if (!isObject(v)) throw new SpecError(field, v, `must be a number ≥ 0 or {"schedule": ...} with one of: ${kinds}`);
  switch (v.schedule) {
    case 'linear':
      checkKeys(v, field, ['schedule', 'from', 'to']);
      return { schedule: 'linear', from: finite(v.from, `${field}.from`, nonneg, 'must be a finite number ≥ 0'), to: finite(v.to, `${field}.to`, nonneg, 'must be a finite number ≥ 0') };
    case 'geometric':
      checkKeys(v, field, ['schedule', 'from', 'to']);
      return { schedule: 'geometric', from: finite(v.from, `${field}.from`, (x) => x > 0, 'must be a finite number > 0'), to: finite(v.to, `${field}.to`, (x) => x > 0, 'must be a finite number > 0 (a geometric schedule never reaches 0)') };
    case 'log':
      checkKeys(v, field, ['schedule', 'c', 'n0']);
      return { schedule: 'log', c: finite(v.c, `${field}.c`, nonneg, 'must be a finite number ≥ 0'), n0: finite(v.n0 ?? 2, `${field}.n0`, (x) => x > 1, 'must be a finite number > 1 (so that ln(n + n0) > 0)') };
    case 'table': {
      checkKeys(v, field, ['schedule', 'values']);
      if (!Array.isArray(v.values) || v.values.length === 0) throw new SpecError(`${field}.values`, v.values, 'must be a non-empty array of numbers ≥ 0');
      return { schedule: 'table', values: v.values.map((x, i) => finite(x, `${field}.values[${i}]`, nonneg, 'must be a finite number ≥ 0')) };
    }
    default:
      throw new SpecError(`${field}.schedule`, v.schedule, `must be one of: ${kinds}`);
  }
}

/**
 * The step size: a number > 0 or a schedule whose every value is > 0: the
 * temperature's kinds, plus poly {a, b, gamma}: a(b + n)^(−gamma) (Welling &
 * Teh 2011) and cyclical {dt0, cycles}: the cosine cycles of Zhang et al. 2020.
 */
function stepSchedule(v: unknown): ScheduleSpec {
  const field = 'dt';
  const pos = (x: number) => x > 0;
  const gt0 = 'must be a finite number > 0';
  if (typeof v === 'number' || v === null || typeof v !== 'object' || Array.isArray(v)) return finite(v, field, pos, 'must be a finite number > 0 or a schedule object');
  const kinds = 'linear {from, to}, geometric {from, to}, log {c, n0}, table {values}, poly {a, b, gamma}, cyclical {dt0, cycles}';
  const o = v as Obj;
  switch (o.schedule) {
    case 'poly':
      checkKeys(o, field, ['schedule', 'a', 'b', 'gamma']);
      return { schedule: 'poly', a: finite(o.a, 'dt.a', pos, gt0), b: finite(o.b ?? 1, 'dt.b', pos, 'must be a finite number > 0 (dt(0) = a·b^(−gamma))'), gamma: finite(o.gamma ?? 0.55, 'dt.gamma', (x) => x >= 0, 'must be a finite number ≥ 0 (Welling & Teh: 0.5 < gamma ≤ 1)') };
    case 'cyclical':
      checkKeys(o, field, ['schedule', 'dt0', 'cycles']);
      return { schedule: 'cyclical', dt0: finite(o.dt0, 'dt.dt0', pos, gt0), cycles: integer(o.cycles ?? 1, 'dt.cycles', 1, 2 ** 32 - 1) };
    case 'linear':
    case 'geometric':
    case 'log':
    case 'table': {
      const s = schedule(o, field, 'dt');
      // every value must be > 0 (a zero step never moves)
      const bad: [string, number][] =
        s === undefined || typeof s === 'number' ? [] :
        s.schedule === 'linear' ? [['from', s.from], ['to', s.to]] :
        s.schedule === 'log' ? [['c', s.c]] :
        s.schedule === 'table' ? s.values.map((x, i) => [`values[${i}]`, x] as [string, number]) : [];
      for (const [k, x] of bad) if (!(x > 0)) throw new SpecError(`dt.${k}`, x, `${gt0} (every step size must be > 0)`);
      return s;
    }
    default:
      throw new SpecError('dt.schedule', o.schedule, `must be one of: ${kinds}`);
  }
}

function velocity(v: unknown, dims: number): VelocityInit {
  if (v === undefined || v === 'thermal') return { kind: 'thermal' };
  if (v === 'zero') return { kind: 'zero' };
  if (typeof v === 'number' || Array.isArray(v)) return { kind: 'vector', v: vector(v, 'init.velocity', dims) };
  throw new SpecError('init.velocity', v, `must be "thermal" (drawn at the initial temperature), "zero", or an array of ${dims} finite numbers (length/time)`);
}

/** Split the spec's `init` into the positions' init and `init.velocity`. */
function init(v: unknown, dims: number): { init: InitSpec; velocity: VelocityInit } {
  if (isObject(v) && 'velocity' in v) {
    const { velocity: vel, ...rest } = v;
    return { init: positionInit(Object.keys(rest).length === 0 ? undefined : rest, dims), velocity: velocity(vel, dims) };
  }
  return { init: positionInit(v, dims), velocity: { kind: 'thermal' } };
}

function positionInit(v: unknown, dims: number): InitSpec {
  if (v === undefined) return { kind: 'normal', mean: new Array(dims).fill(0), std: new Array(dims).fill(1) };
  if (!isObject(v)) throw new SpecError('init', v, 'must be an object with "kind": "normal", "uniform" or "point" (and optionally "velocity")');
  switch (v.kind) {
    case 'normal':
      checkKeys(v, 'init', ['kind', 'mean', 'std', 'velocity']);
      return { kind: 'normal', mean: vector(v.mean ?? 0, 'init.mean', dims), std: vector(v.std ?? 1, 'init.std', dims, (x) => x >= 0, 'finite numbers ≥ 0') };
    case 'uniform': {
      checkKeys(v, 'init', ['kind', 'low', 'high', 'velocity']);
      const low = vector(v.low, 'init.low', dims);
      const high = vector(v.high, 'init.high', dims);
      high.forEach((h, i) => {
        if (!(h >= low[i])) throw new SpecError(`init.high[${i}]`, h, `must be ≥ init.low[${i}] = ${low[i]}`);
      });
      return { kind: 'uniform', low, high };
    }
    case 'point':
      checkKeys(v, 'init', ['kind', 'x', 'velocity']);
      return { kind: 'point', x: vector(v.x ?? 0, 'init.x', dims) };
    default:
      throw new SpecError('init.kind', v.kind, 'must be one of: normal, uniform, point');
  }
}

function histogram(v: unknown, dims: number, steps: number): HistogramSpec | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw new SpecError('histogram', v, 'must be an object {dims, bins, low, high, from, every}');
  checkKeys(v, 'histogram', ['dims', 'bins', 'low', 'high', 'from', 'every']);
  const defaultDims = dims >= 2 ? [0, 1] : [0];
  const hd = v.dims ?? defaultDims;
  if (!Array.isArray(hd) || hd.length < 1 || hd.length > 2) throw new SpecError('histogram.dims', hd, 'must be an array of 1 or 2 coordinate indices');
  hd.forEach((d, i) => integer(d, `histogram.dims[${i}]`, 0, dims - 1));
  if (hd.length === 2 && hd[0] === hd[1]) throw new SpecError('histogram.dims', hd, 'must name two different coordinates');
  const h = hd.length;
  const bins = vector(v.bins ?? 64, 'histogram.bins', h, (x) => Number.isInteger(x) && x >= 1 && x <= MAX_BINS_PER_AXIS, `integers from 1 to ${MAX_BINS_PER_AXIS}`);
  const total = bins.reduce((a, b) => a * b, 1);
  if (total > MAX_BINS_TOTAL) throw new SpecError('histogram.bins', v.bins, `must have at most ${MAX_BINS_TOTAL} bins in all (got ${total})`);
  if (v.low === undefined) throw new SpecError('histogram.low', v.low, `is required: a number or an array of ${h} numbers`);
  if (v.high === undefined) throw new SpecError('histogram.high', v.high, `is required: a number or an array of ${h} numbers`);
  const low = vector(v.low, 'histogram.low', h);
  const high = vector(v.high, 'histogram.high', h);
  high.forEach((x, i) => {
    if (!(x > low[i])) throw new SpecError(`histogram.high[${i}]`, x, `must be > histogram.low[${i}] = ${low[i]}`);
  });
  const from = integer(v.from ?? steps, 'histogram.from', 0, steps);
  const every = integer(v.every ?? Math.max(steps, 1), 'histogram.every', 1, 2 ** 32 - 1);
  return { dims: hd as number[], bins, low, high, from, every };
}

function observe(v: unknown, dims: number): ObserveSpec {
  if (v === undefined) return { every: 0 };
  if (!isObject(v)) throw new SpecError('observe', v, 'must be an object {every, target, radius}');
  checkKeys(v, 'observe', ['every', 'target', 'radius']);
  const every = integer(v.every ?? 0, 'observe.every', 0, 2 ** 32 - 1);
  const out: ObserveSpec = { every };
  if (v.target !== undefined || v.radius !== undefined) {
    if (v.target === undefined) throw new SpecError('observe.target', undefined, 'is required when observe.radius is given');
    out.target = vector(v.target, 'observe.target', dims);
    out.radius = finite(v.radius, 'observe.radius', (x) => x > 0, 'must be a finite number > 0 when observe.target is given');
  }
  return out;
}

function potential(v: unknown): RunSpec['potential'] {
  const kinds = '{"name": ...} or {"expr": ...} (or {"data": ..., "example": ..., "prior": ...}: a potential from data)';
  if (!isObject(v)) throw new SpecError('potential', v, `must be an object ${kinds}, with optional "params"`);
  checkKeys(v, 'potential', ['name', 'expr', 'params', 'data', 'example', 'prior']);
  const given = ['name', 'expr', 'example'].filter((k) => v[k] !== undefined);
  if (given.length !== 1) throw new SpecError('potential', v, `must have exactly one of "name" (a built-in), "expr" (an expression) or "example" (with "data": a potential from data), i.e. ${kinds}`);
  if (v.name !== undefined && typeof v.name !== 'string') throw new SpecError('potential.name', v.name, 'must be a string (run `npx langevin potentials` for the list)');
  if (v.expr !== undefined && (typeof v.expr !== 'string' || v.expr.trim() === '')) throw new SpecError('potential.expr', v.expr, 'must be a non-empty expression string, e.g. "(x^2 - 1)^2 + 0.5*y^2"');
  const fromData = v.example !== undefined;
  if (!fromData && (v.data !== undefined || v.prior !== undefined)) {
    throw new SpecError(v.data !== undefined ? 'potential.data' : 'potential.prior', v.data ?? v.prior, 'belongs to a potential from data: give "example" (the loss of one data row) with "data", and no "name" or "expr"');
  }
  let data: DataSet | undefined;
  if (fromData) {
    if (typeof v.example !== 'string' || v.example.trim() === '') throw new SpecError('potential.example', v.example, 'must be a non-empty expression in the coordinates and the data columns, e.g. "(y - x*u)^2/2"');
    if (v.prior !== undefined && (typeof v.prior !== 'string' || v.prior.trim() === '')) throw new SpecError('potential.prior', v.prior, 'must be a non-empty expression in the coordinates, e.g. "x^2/20 + y^2/2" (default "0")');
    if (v.data === undefined) throw new SpecError('potential.data', undefined, 'is required with "example": {"columns": [...], "rows": [[...], ...]} or {"file": "points.csv"}');
    data = validateData(v.data, 'potential.data');
  }
  const params = v.params ?? {};
  if (!isObject(params)) throw new SpecError('potential.params', params, 'must be an object of name: number (or array of numbers)');
  for (const [k, p] of Object.entries(params)) {
    if (Array.isArray(p)) p.forEach((x, i) => finite(x, `potential.params.${k}[${i}]`));
    else finite(p, `potential.params.${k}`, () => true, 'must be a finite number or an array of finite numbers');
    if (data?.columns.includes(k)) throw new SpecError(`potential.params.${k}`, p, `'${k}' is also a data column (columns: ${data.columns.join(', ')}); rename one of them`);
  }
  const out: RunSpec['potential'] = { name: v.name as string | undefined, expr: v.expr as string | undefined, params: params as Record<string, number | number[]> };
  if (fromData) {
    out.example = v.example as string;
    out.prior = (v.prior as string | undefined) ?? '0';
    out.data = data;
  }
  return out;
}

/** A data column may not be named like a coordinate (x0…, and x, y, z, w when dims ≤ 4), a constant or a function. */
function checkColumnNames(data: DataSet, dims: number): void {
  const letters = ['x', 'y', 'z', 'w'].slice(0, dims <= 4 ? dims : 0);
  const reserved = new Set(['pi', 'e', 'sin', 'cos', 'tan', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sinh', 'cosh', 'atan', 'asin', 'acos']);
  data.columns.forEach((c, j) => {
    const m = /^x(0|[1-9]\d*)$/.exec(c);
    if (letters.includes(c) || (m && Number(m[1]) < dims)) {
      throw new SpecError(`potential.data.columns[${j}]`, c, `clashes with a coordinate (the parameters being learned are ${[...letters, ...Array.from({ length: dims }, (_, i) => `x${i}`)].join(', ')} for dims = ${dims}); rename the column`);
    }
    if (reserved.has(c)) throw new SpecError(`potential.data.columns[${j}]`, c, 'clashes with a constant or function name (pi, e, sin, cos, exp, log, …); rename the column');
  });
}

function batchSpec(b: unknown, replace: unknown, data: DataSet | undefined): BatchSpec | undefined {
  if (b === undefined) {
    if (replace !== undefined) throw new SpecError('replace', replace, 'belongs to a mini-batch: give "batch" (rows per gradient) too');
    return undefined;
  }
  if (!data) throw new SpecError('batch', b, 'needs a potential from data ({"data", "example", "prior"}): a mini-batch is a subset of its rows');
  const N = data.rows.length;
  const size = integer(b, 'batch', 1, N);
  if (replace !== undefined && typeof replace !== 'boolean') throw new SpecError('replace', replace, 'must be true (rows drawn with replacement, the default) or false (without replacement)');
  if (replace === false && size > MAX_BATCH_WITHOUT_REPLACEMENT) {
    throw new SpecError('batch', b, `must be at most ${MAX_BATCH_WITHOUT_REPLACEMENT} with "replace": false (or use "replace": true, or omit "batch" for the full data set of ${N} rows)`);
  }
  return { size, replace: replace !== false };
}

/** 'a, b and c'. */
function listed(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Validate a spec as parsed from JSON and fill in defaults.
 * @param fixedDims dimension imposed by a built-in potential, if any (used as the default of `dims`)
 * @throws SpecError naming the field, the value and what is allowed
 */
export function validateSpec(raw: unknown, fixedDims?: (name: string) => number | undefined): RunSpec {
  if (!isObject(raw)) throw new SpecError('spec', raw, 'must be a JSON object');
  checkKeys(raw, '', TOP_FIELDS);
  const pot = potential(raw.potential);
  const implied = pot.name !== undefined ? fixedDims?.(pot.name) : undefined;
  const dims = integer(raw.dims ?? implied ?? 2, 'dims', 1, MAX_DIMS);
  if (pot.data) checkColumnNames(pot.data, dims);
  const particles = integer(raw.particles ?? 100000, 'particles', 1, 2 ** 31 - 1);
  const integrator = raw.integrator ?? 'em';
  if (!INTEGRATORS.includes(integrator as IntegratorName)) throw new SpecError('integrator', integrator, `must be one of: ${INTEGRATORS.join(', ')}`);
  if (raw.dt === undefined) throw new SpecError('dt', undefined, 'is required: the step size, a finite number > 0 (or a schedule object)');
  const dtSpec = stepSchedule(raw.dt);
  const temperature = schedule(raw.temperature ?? 1, 'temperature');
  if (raw.steps === undefined) throw new SpecError('steps', undefined, 'is required: an integer from 0 to 4294967295');
  const steps = integer(raw.steps, 'steps', 0, 2 ** 32 - 1);
  const seed = integer(raw.seed ?? 0, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const spd = raw.stepsPerDispatch === undefined ? undefined : integer(raw.stepsPerDispatch, 'stepsPerDispatch', 1, MAX_STEPS_PER_DISPATCH);
  const batch = batchSpec(raw.batch, raw.replace, pot.data);
  if (batch && !INTEGRATOR_TABLE[integrator as IntegratorName].fields.includes('batch')) {
    const others = INTEGRATORS.filter((n) => !MINI_BATCH.includes(n));
    throw new SpecError('batch', raw.batch, `works with the integrators ${listed(MINI_BATCH)} (integrator is "${integrator}"): the accept test of ${listed(others)} needs the full-data energy`);
  }
  const dt = typeof dtSpec === 'number' ? dtSpec : scheduleAt(dtSpec, 0, steps);
  return {
    ...(batch ? { batch } : {}),
    ...(typeof dtSpec === 'number' ? {} : { dtSchedule: dtSpec }),
    dims,
    particles,
    potential: pot,
    integrator: integrator as IntegratorName,
    dt,
    temperature,
    steps,
    seed,
    ...init(raw.init, dims),
    mass: vector(raw.mass ?? 1, 'mass', dims, (x) => x > 0, 'finite numbers > 0 (mass units)'),
    friction: finite(raw.friction ?? 1, 'friction', (x) => x >= 0, 'must be a finite number ≥ 0 (1/time; 0 gives velocity Verlet)'),
    leapfrogSteps: integer(raw.leapfrogSteps ?? 10, 'leapfrogSteps', 1, MAX_LEAPFROG_STEPS),
    stepsPerDispatch: spd,
    histogram: histogram(raw.histogram, dims, steps),
    observe: observe(raw.observe, dims),
  };
}
