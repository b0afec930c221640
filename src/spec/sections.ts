/** Validation of the spec's object sections: the initial positions and velocities, the histogram, the observations. */
import { SpecError } from '../errors.ts';
import { isObject } from '../values.ts';
import { checkKeys, finite, integer, vector } from './fields.ts';
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

/** Split the spec's `init` into the positions' init and `init.velocity`. */
export function init(v: unknown, dims: number): { init: InitSpec; velocity: VelocityInit } {
  if (isObject(v) && 'velocity' in v) {
    const { velocity: vel, ...rest } = v;
    return { init: positionInit(Object.keys(rest).length === 0 ? undefined : rest, dims), velocity: velocity(vel, dims) };
  }
  return { init: positionInit(v, dims), velocity: { kind: 'thermal' } };
}

function positionInit(v: unknown, dims: number): InitSpec {
  if (v === undefined) return { kind: 'normal', mean: new Array(dims).fill(0), std: new Array(dims).fill(1) };
  if (!isObject(v))
    throw new SpecError('init', v, 'must be an object with "kind": "normal", "uniform" or "point" (and optionally "velocity")');
  switch (v.kind) {
    case 'normal':
      checkKeys(v, 'init', ['kind', 'mean', 'std', 'velocity']);
      return {
        kind: 'normal',
        mean: vector(v.mean ?? 0, 'init.mean', dims),
        std: vector(v.std ?? 1, 'init.std', dims, (x) => x >= 0, 'finite numbers ≥ 0'),
      };
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

export function histogram(v: unknown, dims: number, steps: number): HistogramSpec | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw new SpecError('histogram', v, 'must be an object {dims, bins, low, high, from, every}');
  checkKeys(v, 'histogram', ['dims', 'bins', 'low', 'high', 'from', 'every']);
  const defaultDims = dims >= 2 ? [0, 1] : [0];
  const hd = v.dims ?? defaultDims;
  if (!Array.isArray(hd) || hd.length < 1 || hd.length > 2)
    throw new SpecError('histogram.dims', hd, 'must be an array of 1 or 2 coordinate indices');
  hd.forEach((d, i) => integer(d, `histogram.dims[${i}]`, 0, dims - 1));
  if (hd.length === 2 && hd[0] === hd[1]) throw new SpecError('histogram.dims', hd, 'must name two different coordinates');
  const h = hd.length;
  const bins = vector(
    v.bins ?? 64,
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
  high.forEach((x, i) => {
    if (!(x > low[i])) throw new SpecError(`histogram.high[${i}]`, x, `must be > histogram.low[${i}] = ${low[i]}`);
  });
  const from = integer(v.from ?? steps, 'histogram.from', 0, steps);
  const every = integer(v.every ?? Math.max(steps, 1), 'histogram.every', 1, 2 ** 32 - 1);
  return { dims: hd as number[], bins, low, high, from, every };
}

export function observe(v: unknown, dims: number): ObserveSpec {
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
