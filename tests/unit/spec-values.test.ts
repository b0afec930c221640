/**
 * Values the GPU cannot hold and `null` are refused by the spec validator,
 * naming the field: every real number must fit f32 (a larger one would become
 * Infinity on the GPU while the CPU ran on), histogram boxes must give a
 * normal f32 bin scale, and `null` is never "use the default".
 */
import { describe, expect, it } from 'vitest';
import { refusal } from './refusal.ts';
import { prepare } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';
import { parseCsv } from '../../src/data.ts';
import { F32_MAX, F32_MIN_NORMAL } from '../../src/limits.ts';
import { axisBinnings } from '../../src/stats/binning.ts';

const BASE = { dims: 2, particles: 10, potential: { expr: 'k*x^2 + y^2', params: { k: 1 } }, dt: 0.01, steps: 10 };

describe('every real number of a spec fits f32', () => {
  const big = 1e39;
  it.each([
    ['potential.params.k', { potential: { expr: 'k*x^2', params: { k: big } } }],
    ['potential.params.a[1]', { potential: { expr: 'a_0*x + a_1*y', params: { a: [1, -big] } } }],
    ['potential.params.h', { potential: { name: 'double-well', params: { h: big } } }],
    ['dt', { dt: big }],
    ['dt.a', { dt: { schedule: 'poly', a: big } }],
    ['temperature', { temperature: big }],
    ['temperature.values[1]', { temperature: { schedule: 'table', values: [1, big] } }],
    ['init.mean[0]', { init: { kind: 'normal', mean: [big, 0] } }],
    ['init.std', { init: { kind: 'normal', std: big } }],
    ['init.low[1]', { init: { kind: 'uniform', low: [0, -big], high: 1 } }],
    ['init.x[0]', { init: { kind: 'point', x: [big, 0] } }],
    ['init.velocity[1]', { integrator: 'baoab', init: { velocity: [0, big] } }],
    ['mass', { mass: big }],
    ['friction', { friction: big }],
    ['histogram.high[0]', { histogram: { low: 0, high: [big, 1] } }],
    ['histogram.low', { histogram: { low: -1e308, high: 1e308 } }],
    ['observe.target[0]', { observe: { target: [big, 0], radius: 1 } }],
    ['observe.radius', { observe: { target: [0, 0], radius: big } }],
    ['potential.data.rows[1][0] (column "u")', { potential: { data: { columns: ['u'], rows: [[1], [big]] }, example: 'u*x' } }],
  ])('%s', (field, patch) => {
    const e = refusal({ ...BASE, ...patch });
    expect(e.message.startsWith(`${field}: got `)).toBe(true);
    expect(e.message).toMatch(/32-bit float range/);
  });

  it('the largest f32 is accepted, and subnormal parameters too (the choice: a GPU may flush them to 0, as it does constants)', () => {
    const p = prepare({ ...BASE, potential: { expr: 'a*x + b*y', params: { a: F32_MAX, b: 1e-40 } } });
    expect(Array.from(p.potential.paramValues)).toEqual([F32_MAX, 1e-40]);
    expect(prepare({ ...BASE, dt: F32_MAX }).spec.dt).toBe(F32_MAX);
  });

  it('masses whose reciprocal overflows f32 are refused (the GPU stores 1/m)', () => {
    expect(refusal({ ...BASE, mass: [1, 1e-39] }).message).toMatch(/^mass\[1\]: got 1e-39; must be at least 1\/3\.40.*32-bit float/);
    expect(prepare({ ...BASE, mass: 3e-39 }).spec.mass).toEqual([3e-39, 3e-39]);
  });

  it('a uniform init box wider than the largest f32 is refused (the GPU draws low + (high − low)·u)', () => {
    const e = refusal({ ...BASE, init: { kind: 'uniform', low: -3e38, high: 3e38 } });
    expect(e.message).toMatch(/^init\.high\[0\]: got 3e\+38; makes the box too wide/);
    expect(prepare({ ...BASE, init: { kind: 'uniform', low: -1e38, high: 2e38 } }).spec.init).toMatchObject({ kind: 'uniform' });
  });

  it('CSV cells: decimal numbers within the f32 range only', () => {
    expect(parseCsv('d\n1e38\n-2.5\n', 'p.csv').rows).toEqual([[1e38], [-2.5]]);
    for (const cell of ['1e39', '0x10', 'Infinity', '1_0', '']) {
      expect(() => parseCsv(`d,e\n1,${cell}\n`, 'p.csv')).toThrow(
        /^potential\.data\.file \(p\.csv line 2, column "e"\): got ".*"; must be a finite number within the 32-bit float range/,
      );
    }
  });
});

describe('histogram boxes give a normal f32 bin scale', () => {
  it('a box so wide that bins/(high − low) is subnormal is refused, naming histogram.high', () => {
    const e = refusal({ ...BASE, dims: 1, histogram: { bins: 1, low: -3.4e38, high: 3.4e38 } });
    expect(e.message).toMatch(/^histogram\.high\[0\]: got 3\.4e\+38; gives bins of width 6\.8e\+38 .*normal 32-bit float/);
  });

  it('a box so narrow that the scale overflows, or empty once rounded to f32, is refused', () => {
    expect(refusal({ ...BASE, dims: 1, histogram: { bins: 1024, low: 0, high: 1e-40 } }).message).toMatch(
      /^histogram\.high\[0\]: .*normal 32-bit float/,
    );
    expect(refusal({ ...BASE, dims: 1, histogram: { bins: 4, low: 1, high: 1 + 1e-10 } }).message).toMatch(
      /^histogram\.high\[0\]: got 1\.0000000001; must be > histogram\.low\[0\] = 1 also as 32-bit floats/,
    );
  });

  it('every box accepted at the extremes bins with a finite, normal f32 scale', () => {
    for (const h of [
      { bins: 64, low: -3.4e38, high: 3.4e38 },
      { bins: 1, low: -4e37, high: 4e37 },
      { bins: 1024, low: 0, high: 1e-34 },
    ]) {
      const spec = prepare({ ...BASE, dims: 1, potential: { expr: 'x^2' }, histogram: h }).spec;
      for (const ax of axisBinnings(spec.histogram!)) {
        expect(Number.isFinite(ax.scale)).toBe(true);
        expect(ax.scale).toBeGreaterThanOrEqual(F32_MIN_NORMAL);
        expect(Math.fround(ax.scale)).toBe(ax.scale);
      }
    }
  });
});

/** Specs that between them hold every field of a spec, at every depth. */
const FULL_SPECS: Record<string, unknown>[] = [
  {
    dims: 2,
    particles: 100,
    potential: { expr: 'k*x^2 + a_0*y^2 + a_1', params: { k: 1, a: [1, 2] } },
    integrator: 'baoab',
    dt: { schedule: 'poly', a: 0.01, b: 1, gamma: 0.55 },
    temperature: { schedule: 'log', c: 1, n0: 2 },
    steps: 10,
    seed: 1,
    init: { kind: 'normal', mean: [0, 0], std: [1, 1], velocity: [0, 0] },
    stepsPerDispatch: 4,
    histogram: { dims: [0, 1], bins: [4, 4], low: [-1, -1], high: [1, 1], from: 0, every: 5 },
    observe: { every: 5, target: [0, 0], radius: 1 },
    mass: [1, 2],
    friction: 1,
    leapfrogSteps: 3,
  },
  {
    dims: 2,
    potential: {
      data: {
        columns: ['u', 'v'],
        rows: [
          [1, 2],
          [3, 4],
        ],
      },
      example: '(v - x*u)^2 + s*y^2',
      prior: 'x^2',
      params: { s: 1 },
    },
    integrator: 'em',
    batch: 1,
    replace: false,
    dt: { schedule: 'cyclical', dt0: 0.01, cycles: 2 },
    temperature: { schedule: 'table', values: [1, 0.5] },
    steps: 10,
    init: { kind: 'uniform', low: [0, 0], high: [1, 1] },
  },
  {
    potential: { name: 'harmonic', params: { k: [1, 2] } },
    integrator: 'hmc',
    dt: { schedule: 'linear', from: 0.01, to: 0.02 },
    temperature: { schedule: 'geometric', from: 1, to: 0.5 },
    steps: 10,
    init: { kind: 'point', x: [0, 0], velocity: 'zero' },
  },
  {
    dt: { schedule: 'log', c: 0.01, n0: 3 },
    potential: { name: 'harmonic' },
    steps: 1,
    temperature: { schedule: 'linear', from: 1, to: 0 },
  },
];

/** Fields whose absence means a default (or "none"): `null` there must say to leave the field out. */
const WITH_DEFAULT = new Set([
  'dims',
  'particles',
  'integrator',
  'temperature',
  'seed',
  'init',
  'stepsPerDispatch',
  'histogram',
  'observe',
  'mass',
  'friction',
  'leapfrogSteps',
  'batch',
  'replace',
  'potential.params',
  'potential.prior',
  'init.mean',
  'init.std',
  'init.x',
  'init.velocity',
  'histogram.dims',
  'histogram.bins',
  'histogram.from',
  'histogram.every',
  'observe.every',
  'temperature.n0',
  'dt.b',
  'dt.gamma',
  'dt.cycles',
]);

/** Every path of a JSON value below the root, as the validator names fields (`a.b[2].c`), with a setter. */
function* paths(v: unknown, path = ''): Generator<[string, (root: unknown) => unknown]> {
  if (typeof v !== 'object' || v === null) return;
  for (const [k, child] of Object.entries(v)) {
    const p = Array.isArray(v) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    yield [p, (root) => setNull(root, p)];
    yield* paths(child, p);
  }
}

/** A deep copy of `root` with the value at `path` replaced by null. */
function setNull(root: unknown, path: string): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  const keys = path.match(/[^.[\]]+/g)!;
  let o = copy as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys[keys.length - 1]] = null;
  return copy;
}

describe('null is refused everywhere in a spec', () => {
  it('the full specs are valid as they are', () => {
    for (const spec of FULL_SPECS) expect(() => prepare(spec)).not.toThrow();
  });

  it('null at any field, at any depth, is refused naming that field; where leaving the field out means a default, the message says so', () => {
    let checked = 0;
    for (const spec of FULL_SPECS) {
      for (const [path, withNull] of paths(spec)) {
        const e = refusal(withNull(spec));
        expect(e.message.startsWith(`${path}: got null; `) || e.message.startsWith(`${path} (column`)).toBe(true);
        if (WITH_DEFAULT.has(path)) expect(e.message).toContain('omit the field');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the defaults themselves: a field left out takes its default', () => {
    const spec = prepare({ potential: { name: 'harmonic' }, dt: 0.1, steps: 1 }).spec;
    expect(spec).toMatchObject({ dims: 2, particles: 100000, integrator: 'em', seed: 0, mass: [1, 1], friction: 1, leapfrogSteps: 10 });
    expect(refusal({ potential: { name: 'harmonic' }, dt: 0.1, steps: 1, particles: null })).toBeInstanceOf(SpecError);
    expect(refusal({ potential: { name: 'harmonic' }, dt: 0.1, steps: 1, particles: null }).message).toBe(
      'particles: got null; omit the field to use the default (100000)',
    );
  });
});
