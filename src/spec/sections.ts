/** Validation of the spec's object sections: the initial positions and velocities, the histogram, the observations. */
import { SpecError } from '../errors.ts';
import { F32_MAX, F32_MIN_NORMAL } from '../limits.ts';
import { isObject } from '../values.ts';
import { checkKeys, finite, integer, optional, vector, withDefault } from './fields.ts';
import { equilibriumInit } from './kinetics.ts';
import { MAX_BINS_PER_AXIS, MAX_BINS_TOTAL, type HistogramSpec, type InitSpec, type ObserveSpec, type VelocityInit } from './types.ts';

function velocity(v: unknown, dims: number): VelocityInit {
  if (v === undefined || v === 'thermal') return { kind: 'thermal' };
  if (v === 'zero') return { kind: 'zero' };
  if (typeof v === 'number' || Array.isArray(v)) return { kind: 'vector', v: vector(v, 'init.velocity', dims) };
  throw new SpecError(
    'init.velocity',
    v,
    `must be "thermal" (drawn at the initial temperature), "zero", or an array of ${dims} finite numbers (length/time)`,
  );
}

/** Split the spec's `init` into the positions' init, `init.velocity` and an equilibration (`kind: "equilibrium"`). */
export function init(v: unknown, dims: number): { init: InitSpec; velocity: VelocityInit; equilibrate?: { steps: number } } {
  if (isObject(v) && v.kind === 'equilibrium') {
    const eq = equilibriumInit(v);
    const vel = optional(v, 'velocity', 'init.velocity', 'to use the default ("thermal")');
    return { init: positionInit(eq.from, dims, 'init.from'), velocity: velocity(vel, dims), equilibrate: { steps: eq.steps } };
  }
  if (isObject(v) && Object.hasOwn(v, 'velocity')) {
    const vel = optional(v, 'velocity', 'init.velocity', 'to use the default ("thermal")');
    const rest = Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'velocity'));
    return { init: positionInit(Object.keys(rest).length === 0 ? undefined : rest, dims), velocity: velocity(vel, dims) };
  }
  return { init: positionInit(v, dims), velocity: { kind: 'thermal' } };
}

function positionInit(v: unknown, dims: number, f = 'init'): InitSpec {
  if (v === undefined) return { kind: 'normal', mean: new Array(dims).fill(0), std: new Array(dims).fill(1) };
  if (!isObject(v))
    throw new SpecError(
      f,
      v,
      f === 'init'
        ? 'must be an object with "kind": "normal", "uniform", "point" or "equilibrium" (and optionally "velocity")'
        : 'must be an object with "kind": "normal", "uniform" or "point"',
    );
  switch (v.kind) {
    case 'normal':
      checkKeys(v, f, ['kind', 'mean', 'std', 'velocity']);
      return {
        kind: 'normal',
        mean: vector(withDefault(v, 'mean', `${f}.mean`, 0), `${f}.mean`, dims),
        std: vector(withDefault(v, 'std', `${f}.std`, 1), `${f}.std`, dims, (x) => x >= 0, 'finite numbers ≥ 0'),
      };
    case 'uniform': {
      checkKeys(v, f, ['kind', 'low', 'high', 'velocity']);
      const low = vector(v.low, `${f}.low`, dims);
      const high = vector(v.high, `${f}.high`, dims);
      high.forEach((h, i) => {
        if (!(h >= low[i])) throw new SpecError(`${f}.high[${i}]`, h, `must be ≥ ${f}.low[${i}] = ${low[i]}`);
        // The GPU draws low + (high − low)·u in f32.
        if (h - low[i] > F32_MAX)
          throw new SpecError(
            `${f}.high[${i}]`,
            h,
            `makes the box too wide: high − low must be at most ${F32_MAX} (${f}.low[${i}] = ${low[i]})`,
          );
      });
      return { kind: 'uniform', low, high };
    }
    case 'point':
      checkKeys(v, f, ['kind', 'x', 'velocity']);
      return { kind: 'point', x: vector(withDefault(v, 'x', `${f}.x`, 0), `${f}.x`, dims) };
    default:
      throw new SpecError(`${f}.kind`, v.kind, 'must be one of: normal, uniform, point, equilibrium');
  }
}

export function histogram(v: unknown, dims: number, steps: number): HistogramSpec | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw new SpecError('histogram', v, 'must be an object {dims, bins, low, high, from, every}');
  checkKeys(v, 'histogram', ['dims', 'bins', 'low', 'high', 'from', 'every']);
  const defaultDims = dims >= 2 ? [0, 1] : [0];
  const hd = withDefault(v, 'dims', 'histogram.dims', defaultDims);
  if (!Array.isArray(hd) || hd.length < 1 || hd.length > 2)
    throw new SpecError('histogram.dims', hd, 'must be an array of 1 or 2 coordinate indices');
  hd.forEach((d, i) => integer(d, `histogram.dims[${i}]`, 0, dims - 1));
  if (hd.length === 2 && hd[0] === hd[1]) throw new SpecError('histogram.dims', hd, 'must name two different coordinates');
  const h = hd.length;
  const bins = vector(
    withDefault(v, 'bins', 'histogram.bins', 64),
    'histogram.bins',
    h,
    (x) => Number.isInteger(x) && x >= 1 && x <= MAX_BINS_PER_AXIS,
    `integers from 1 to ${MAX_BINS_PER_AXIS}`,
  );
  const total = bins.reduce((a, b) => a * b, 1);
  if (total > MAX_BINS_TOTAL)
    throw new SpecError('histogram.bins', v.bins, `must have at most ${MAX_BINS_TOTAL} bins in all (got ${total})`);
  if (v.low === undefined) throw new SpecError('histogram.low', v.low, `is required: a number or an array of ${h} numbers`);
  if (v.high === undefined) throw new SpecError('histogram.high', v.high, `is required: a number or an array of ${h} numbers`);
  const low = vector(v.low, 'histogram.low', h);
  const high = vector(v.high, 'histogram.high', h);
  high.forEach((x, i) => checkBox(low[i], x, bins[i], i));
  const from = integer(withDefault(v, 'from', 'histogram.from', steps), 'histogram.from', 0, steps);
  const every = integer(withDefault(v, 'every', 'histogram.every', Math.max(steps, 1)), 'histogram.every', 1, 2 ** 32 - 1);
  return { dims: hd as number[], bins, low, high, from, every };
}

/**
 * One histogram axis: high > low, also once both are rounded to f32, and a
 * bin scale bins/(high − low) that is a normal f32 (the GPU bins with
 * t = (x − low)·scale: a subnormal scale may be flushed to 0, an infinite one
 * puts nothing in the box).
 */
function checkBox(low: number, high: number, bins: number, i: number): void {
  const field = `histogram.high[${i}]`;
  if (!(high > low)) throw new SpecError(field, high, `must be > histogram.low[${i}] = ${low}`);
  if (!(Math.fround(high) > Math.fround(low)))
    throw new SpecError(field, high, `must be > histogram.low[${i}] = ${low} also as 32-bit floats (both round to ${Math.fround(low)})`);
  const scale = bins / (high - low);
  if (!(scale >= F32_MIN_NORMAL && scale <= F32_MAX)) {
    throw new SpecError(
      field,
      high,
      `gives bins of width ${(high - low) / bins} (histogram.low[${i}] = ${low}, ${bins} bins); the bin width must be from ${1 / F32_MAX} to ${1 / F32_MIN_NORMAL} so that bins/(high − low) is a normal 32-bit float`,
    );
  }
}

export function observe(v: unknown, dims: number): ObserveSpec {
  if (v === undefined) return { every: 0 };
  if (!isObject(v)) throw new SpecError('observe', v, 'must be an object {every, target, radius}');
  checkKeys(v, 'observe', ['every', 'target', 'radius']);
  const every = integer(withDefault(v, 'every', 'observe.every', 0), 'observe.every', 0, 2 ** 32 - 1);
  const out: ObserveSpec = { every };
  if (v.target !== undefined || v.radius !== undefined) {
    if (v.target === undefined) throw new SpecError('observe.target', undefined, 'is required when observe.radius is given');
    out.target = vector(v.target, 'observe.target', dims);
    out.radius = finite(v.radius, 'observe.radius', (x) => x > 0, 'must be a finite number > 0 when observe.target is given');
  }
  return out;
}
