/**
 * The run spec (src/spec.ts) and `prepare` (src/engine.ts, which also compiles
 * the potential): every way a spec can be wrong is refused with an error that
 * names the field, shows the value and says what is allowed; defaults are filled.
 */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';
import { PotentialError } from '../../src/potential/index.ts';
import { validateSpec } from '../../src/spec.ts';

const BASE = { dims: 2, particles: 1000, potential: { name: 'harmonic' }, dt: 0.01, steps: 100 };

const KNOWN_POTENTIALS = [
  'free',
  'harmonic',
  'double-well',
  'tilted-double-well',
  'mueller-brown',
  'rastrigin',
  'ackley',
  'himmelblau',
  'gaussian-mixture',
];

/** BASE with `patch` applied; a key patched to undefined is removed (as if absent from the JSON). */
function specWith(patch: Record<string, unknown>): Record<string, unknown> {
  const raw: Record<string, unknown> = { ...BASE, ...patch };
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  return raw;
}

/** The error `prepare` throws for BASE + patch. */
function refusal(patch: Record<string, unknown>): SpecError | PotentialError {
  const raw = specWith(patch);
  try {
    prepare(raw);
  } catch (e) {
    if (e instanceof SpecError || e instanceof PotentialError) return e;
    throw new Error(`expected a SpecError or PotentialError for ${JSON.stringify(raw)}, got ${String(e)}`);
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

type Case = [label: string, patch: Record<string, unknown>, field: string, words: string[]];

/**
 * Each case: the patch, the field the error must name (`e.field`, and the start
 * of the message), and words the message must contain: the value as given and what is allowed.
 */
const CASES: Case[] = [
  // top level
  [
    'a misspelt field',
    { partciles: 5 },
    'partciles',
    [
      'got 5',
      'unknown field',
      'allowed fields: dims, particles, potential, integrator, dt, temperature, steps, seed, init, stepsPerDispatch, histogram, observe, mass, friction, leapfrogSteps, batch, replace',
    ],
  ],
  ['dims 0', { dims: 0 }, 'dims', ['got 0', 'integer from 1 to 16']],
  ['dims 17', { dims: 17 }, 'dims', ['got 17', 'integer from 1 to 16']],
  ['dims non-integer', { dims: 1.5 }, 'dims', ['got 1.5', 'integer from 1 to 16']],
  ['dims as a string', { dims: '2' }, 'dims', ['got "2"', 'integer from 1 to 16']],
  ['particles 0', { particles: 0 }, 'particles', ['got 0', 'integer from 1 to 1099511627776']],
  ['particles negative', { particles: -3 }, 'particles', ['got -3', 'integer from 1 to 1099511627776']],
  ['particles non-integer', { particles: 2.5 }, 'particles', ['got 2.5', 'integer from 1 to 1099511627776']],
  ['particles 2^40 + 1', { particles: 2 ** 40 + 1 }, 'particles', ['got 1099511627777', 'integer from 1 to 1099511627776']],
  ['integrator unknown', { integrator: 'rk4' }, 'integrator', ['got "rk4"', 'one of: em, lm, baoab, mala, hmc']],
  ['dt missing', { dt: undefined }, 'dt', ['got nothing', 'is required', 'finite number > 0']],
  ['dt 0', { dt: 0 }, 'dt', ['got 0', 'finite number > 0']],
  ['dt negative', { dt: -0.5 }, 'dt', ['got -0.5', 'finite number > 0']],
  ['dt NaN', { dt: NaN }, 'dt', ['got NaN', 'finite number > 0']],
  ['dt Infinity', { dt: Infinity }, 'dt', ['got Infinity', 'finite number > 0']],
  ['dt as a string', { dt: '0.01' }, 'dt', ['got "0.01"', 'finite number > 0']],
  ['dt null', { dt: null }, 'dt', ['got null', 'finite number > 0']],
  // temperature and its schedules
  ['temperature negative', { temperature: -1 }, 'temperature', ['got -1', 'finite number ≥ 0 or a schedule object']],
  [
    'temperature a string',
    { temperature: 'hot' },
    'temperature',
    ['got "hot"', 'number ≥ 0', 'linear {from, to}', 'geometric {from, to}', 'log {c, n0}', 'table {values}'],
  ],
  [
    'unknown schedule kind',
    { temperature: { schedule: 'cosine', from: 1, to: 0 } },
    'temperature.schedule',
    ['got "cosine"', 'one of: linear {from, to}, geometric {from, to}, log {c, n0}, table {values}'],
  ],
  ['schedule kind missing', { temperature: { from: 1, to: 0 } }, 'temperature.schedule', ['got nothing', 'one of: linear']],
  ['linear to negative', { temperature: { schedule: 'linear', from: 1, to: -1 } }, 'temperature.to', ['got -1', 'finite number ≥ 0']],
  ['linear from missing', { temperature: { schedule: 'linear', to: 1 } }, 'temperature.from', ['got nothing', 'finite number ≥ 0']],
  [
    'linear with an unknown field',
    { temperature: { schedule: 'linear', from: 1, to: 0, steps: 3 } },
    'temperature.steps',
    ['got 3', 'unknown field', 'allowed fields of temperature: schedule, from, to'],
  ],
  [
    'geometric to = 0',
    { temperature: { schedule: 'geometric', from: 1, to: 0 } },
    'temperature.to',
    ['got 0', 'finite number > 0', 'never reaches 0'],
  ],
  [
    'geometric from negative',
    { temperature: { schedule: 'geometric', from: -2, to: 1 } },
    'temperature.from',
    ['got -2', 'finite number > 0'],
  ],
  ['log n0 = 1', { temperature: { schedule: 'log', c: 1, n0: 1 } }, 'temperature.n0', ['got 1', 'finite number > 1', 'ln(n + n0) > 0']],
  ['log n0 = 0.5', { temperature: { schedule: 'log', c: 1, n0: 0.5 } }, 'temperature.n0', ['got 0.5', 'finite number > 1']],
  ['log c negative', { temperature: { schedule: 'log', c: -1 } }, 'temperature.c', ['got -1', 'finite number ≥ 0']],
  ['table empty', { temperature: { schedule: 'table', values: [] } }, 'temperature.values', ['got []', 'non-empty array of numbers ≥ 0']],
  [
    'table not an array',
    { temperature: { schedule: 'table', values: 3 } },
    'temperature.values',
    ['got 3', 'non-empty array of numbers ≥ 0'],
  ],
  [
    'table with a negative value',
    { temperature: { schedule: 'table', values: [1, 0.5, -2] } },
    'temperature.values[2]',
    ['got -2', 'finite number ≥ 0'],
  ],
  // steps and seed
  ['steps missing', { steps: undefined }, 'steps', ['got nothing', 'is required', 'integer from 0 to 4294967295']],
  ['steps negative', { steps: -1 }, 'steps', ['got -1', 'integer from 0 to 4294967295']],
  ['steps 2^32', { steps: 2 ** 32 }, 'steps', ['got 4294967296', 'integer from 0 to 4294967295']],
  ['steps non-integer', { steps: 10.5 }, 'steps', ['got 10.5', 'integer from 0 to 4294967295']],
  ['seed negative', { seed: -1 }, 'seed', ['got -1', 'integer from 0 to 9007199254740991']],
  ['seed non-integer', { seed: 1.5 }, 'seed', ['got 1.5', 'integer from 0 to 9007199254740991']],
  ['seed 2^53', { seed: 2 ** 53 }, 'seed', ['got 9007199254740992', 'integer from 0 to 9007199254740991']],
  // init
  ['init kind unknown', { init: { kind: 'gaussian' } }, 'init.kind', ['got "gaussian"', 'one of: normal, uniform, point']],
  ['init not an object', { init: 'normal' }, 'init', ['got "normal"', '"kind": "normal", "uniform", "point" or "equilibrium"']],
  [
    'init mean of the wrong length',
    { init: { kind: 'normal', mean: [0, 0, 0] } },
    'init.mean',
    ['got [0,0,0]', 'array of 2 finite numbers', 'dims = 2'],
  ],
  ['init std negative', { init: { kind: 'normal', std: -1 } }, 'init.std', ['got -1', 'array of 2 finite numbers ≥ 0']],
  ['init std with a negative element', { init: { kind: 'normal', std: [1, -1] } }, 'init.std[1]', ['got -1', 'finite numbers ≥ 0']],
  [
    'init normal with an unknown field',
    { init: { kind: 'normal', sigma: 1 } },
    'init.sigma',
    ['got 1', 'unknown field', 'allowed fields of init: kind, mean, std, velocity'],
  ],
  ['uniform high < low', { init: { kind: 'uniform', low: [0, 0], high: [1, -1] } }, 'init.high[1]', ['got -1', '≥ init.low[1] = 0']],
  ['uniform low missing', { init: { kind: 'uniform', high: 1 } }, 'init.low', ['got nothing', 'array of 2 finite numbers']],
  ['point x of the wrong length', { init: { kind: 'point', x: [1] } }, 'init.x', ['got [1]', 'array of 2 finite numbers']],
  // inertial and Metropolis integrators
  ['mass 0', { mass: 0 }, 'mass', ['got 0', 'array of 2 finite numbers > 0']],
  ['mass with a negative element', { mass: [1, -2] }, 'mass[1]', ['got -2', 'finite numbers > 0']],
  ['mass of the wrong length', { mass: [1, 2, 3] }, 'mass', ['got [1,2,3]', 'array of 2 finite numbers > 0', 'dims = 2']],
  ['friction negative', { friction: -0.1 }, 'friction', ['got -0.1', 'finite number ≥ 0', 'velocity Verlet']],
  ['friction a string', { friction: 'high' }, 'friction', ['got "high"', 'finite number ≥ 0']],
  ['leapfrogSteps 0', { leapfrogSteps: 0 }, 'leapfrogSteps', ['got 0', 'integer from 1 to 1024']],
  ['leapfrogSteps non-integer', { leapfrogSteps: 2.5 }, 'leapfrogSteps', ['got 2.5', 'integer from 1 to 1024']],
  [
    'init.velocity unknown word',
    { init: { kind: 'normal', velocity: 'hot' } },
    'init.velocity',
    ['got "hot"', '"thermal"', '"zero"', 'array of 2 finite numbers'],
  ],
  ['init.velocity of the wrong length', { init: { velocity: [1, 2, 3] } }, 'init.velocity', ['got [1,2,3]', 'array of 2 finite numbers']],
  ['init.velocity with NaN', { init: { kind: 'point', velocity: [0, NaN] } }, 'init.velocity[1]', ['got NaN', 'finite numbers']],
  // stepsPerDispatch
  ['stepsPerDispatch 0', { stepsPerDispatch: 0 }, 'stepsPerDispatch', ['got 0', 'integer from 1 to 1024']],
  ['stepsPerDispatch 2000', { stepsPerDispatch: 2000 }, 'stepsPerDispatch', ['got 2000', 'integer from 1 to 1024']],
  // histogram
  [
    'histogram bins > 1024 (number)',
    { histogram: { bins: 2000, low: -1, high: 1 } },
    'histogram.bins',
    ['got 2000', 'integers from 1 to 1024'],
  ],
  [
    'histogram bins > 1024 (array)',
    { histogram: { bins: [64, 1025], low: -1, high: 1 } },
    'histogram.bins[1]',
    ['got 1025', 'integers from 1 to 1024'],
  ],
  ['histogram bins 0', { histogram: { bins: [0, 64], low: -1, high: 1 } }, 'histogram.bins[0]', ['got 0', 'integers from 1 to 1024']],
  [
    'histogram bins non-integer',
    { histogram: { bins: 10.5, low: -1, high: 1 } },
    'histogram.bins',
    ['got 10.5', 'integers from 1 to 1024'],
  ],
  ['histogram high = low', { histogram: { low: 1, high: 1 } }, 'histogram.high[0]', ['got 1', '> histogram.low[0] = 1']],
  ['histogram high < low', { histogram: { low: [0, 2], high: [1, 1.5] } }, 'histogram.high[1]', ['got 1.5', '> histogram.low[1] = 2']],
  ['histogram dims out of range', { histogram: { dims: [0, 2], low: 0, high: 1 } }, 'histogram.dims[1]', ['got 2', 'integer from 0 to 1']],
  ['histogram dims negative', { histogram: { dims: [-1], low: 0, high: 1 } }, 'histogram.dims[0]', ['got -1', 'integer from 0 to 1']],
  [
    'histogram dims duplicated',
    { histogram: { dims: [1, 1], low: 0, high: 1 } },
    'histogram.dims',
    ['got [1,1]', 'two different coordinates'],
  ],
  [
    'histogram of three dims',
    { dims: 3, histogram: { dims: [0, 1, 2], low: 0, high: 1 } },
    'histogram.dims',
    ['got [0,1,2]', 'array of 1 or 2 coordinate indices'],
  ],
  ['histogram low missing', { histogram: { high: 1 } }, 'histogram.low', ['got nothing', 'is required', 'array of 2 numbers']],
  ['histogram high missing', { histogram: { low: 1 } }, 'histogram.high', ['got nothing', 'is required', 'array of 2 numbers']],
  [
    'histogram from after the last step',
    { histogram: { low: 0, high: 1, from: 101 } },
    'histogram.from',
    ['got 101', 'integer from 0 to 100'],
  ],
  ['histogram every 0', { histogram: { low: 0, high: 1, every: 0 } }, 'histogram.every', ['got 0', 'integer from 1 to 4294967295']],
  [
    'histogram unknown field',
    { histogram: { low: 0, high: 1, range: 2 } },
    'histogram.range',
    ['got 2', 'unknown field', 'allowed fields of histogram: dims, bins, low, high, from, every'],
  ],
  // observe
  ['observe radius without target', { observe: { radius: 1 } }, 'observe.target', ['got nothing', 'required when observe.radius is given']],
  ['observe radius 0', { observe: { target: [0, 0], radius: 0 } }, 'observe.radius', ['got 0', 'finite number > 0']],
  ['observe radius negative', { observe: { target: [0, 0], radius: -0.1 } }, 'observe.radius', ['got -0.1', 'finite number > 0']],
  [
    'observe target without radius',
    { observe: { target: [0, 0] } },
    'observe.radius',
    ['got nothing', 'finite number > 0 when observe.target is given'],
  ],
  [
    'observe target of the wrong length',
    { observe: { target: [0, 0, 0], radius: 1 } },
    'observe.target',
    ['got [0,0,0]', 'array of 2 finite numbers'],
  ],
  ['observe every negative', { observe: { every: -1 } }, 'observe.every', ['got -1', 'integer from 0 to 4294967295']],
  // potential
  ['potential missing', { potential: undefined }, 'potential', ['got nothing', 'an object {"name": ...} or {"expr": ...}']],
  [
    'potential with both name and expr',
    { potential: { name: 'harmonic', expr: 'x^2' } },
    'potential',
    ['got {"name":"harmonic","expr":"x^2"}', 'exactly one of "name"', '"expr"'],
  ],
  [
    'potential with neither name nor expr',
    { potential: { params: { k: 1 } } },
    'potential',
    ['got {"params":{"k":1}}', 'exactly one of "name"', '"expr"'],
  ],
  ['potential name not a string', { potential: { name: 3 } }, 'potential.name', ['got 3', 'must be a string']],
  ['potential expr empty', { potential: { expr: '  ' } }, 'potential.expr', ['got "  "', 'non-empty expression string']],
  [
    'potential with an unknown field',
    { potential: { name: 'harmonic', parms: {} } },
    'potential.parms',
    ['got {}', 'unknown field', 'allowed fields of potential: name, expr, params'],
  ],
  [
    'potential param not a number',
    { potential: { name: 'harmonic', params: { k: 'stiff' } } },
    'potential.params.k',
    ['got "stiff"', 'finite number, an array of finite numbers, or a schedule object'],
  ],
  [
    'unknown potential name',
    { potential: { name: 'duble-well' } },
    'potential.name',
    ['unknown potential "duble-well"', `known potentials: ${KNOWN_POTENTIALS.join(', ')}`],
  ],
  [
    'unknown parameter of a built-in',
    { potential: { name: 'harmonic', params: { kk: 2 } } },
    'potential.params.kk',
    ["unknown parameter 'kk'", "'harmonic'", 'known parameters: k'],
  ],
  [
    'per-dimension parameter of the wrong length',
    { potential: { name: 'harmonic', params: { k: [1, 2, 3] } } },
    'potential.params.k',
    ['got [1,2,3]', 'one number (used for every dimension) or 2 numbers'],
  ],
  [
    'fixed-dims potential at other dims',
    { dims: 3, potential: { name: 'mueller-brown' } },
    'potential.name',
    ["'mueller-brown' is defined for dims = 2 only", 'dims = 3 was requested'],
  ],
  ['expression syntax error', { potential: { expr: '(x^2 - 1' } }, 'potential.expr', ['syntax error', 'character 9', '"(x^2 - 1"']],
  [
    'expression with an unknown symbol',
    { potential: { expr: 'x + q' } },
    'potential.expr',
    ["unknown symbol 'q'", 'character 5', '"x + q"', 'variables for dims = 2: x, y, x0, x1', "Define 'q' in potential.params"],
  ],
  [
    'expression using z at dims 2',
    { potential: { expr: 'x^2 + z^2' } },
    'potential.expr',
    ["'z' is not a variable when dims = 2", 'x, y, x0, x1'],
  ],
  [
    'expression with an unknown function',
    { potential: { expr: 'x^2 + foo(y)' } },
    'potential.expr',
    ["unknown function 'foo'", 'sin, cos'],
  ],
];

describe('validateSpec / prepare refuse bad specs, naming field, value and what is allowed', () => {
  it.each(CASES)('%s', (_label, patch, field, words) => {
    const e = refusal(patch);
    expect(e.field).toBe(field);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
    for (const w of words) expect(e.message).toContain(w);
  });

  it('expression errors carry the 0-based position and a caret under it', () => {
    const syntax = refusal({ potential: { expr: '(x^2 - 1' } });
    expect(syntax).toBeInstanceOf(PotentialError);
    expect(syntax.position).toBe(8);
    const unknown = refusal({ potential: { expr: 'x + q' } });
    expect(unknown.position).toBe(4);
    const lines = unknown.message.split('\n');
    expect(lines.at(-2)!.trim()).toBe('x + q');
    expect(lines.at(-1)!.indexOf('^') - lines.at(-2)!.indexOf('x')).toBe(4);
  });

  it('a parameter defined in params is not an unknown symbol', () => {
    const { potential } = prepare(specWith({ potential: { expr: 'x^2 + q*y^2', params: { q: 3 } } }));
    expect(potential.energy([1, 2])).toBe(1 + 3 * 4);
  });

  it('the spec itself must be an object', () => {
    for (const raw of [null, [], 'spec', 3]) {
      expect(() => validateSpec(raw)).toThrow(SpecError);
      expect(() => validateSpec(raw)).toThrow(/^spec: got .*; must be a JSON object$/);
    }
  });

  it('validation runs field by field: the first bad field is reported, in a fixed order', () => {
    // potential before dims, dims before dt, dt before steps
    expect(refusal({ potential: { name: 'x', expr: 'x' }, dims: 0 }).field).toBe('potential');
    expect(refusal({ dims: 0, dt: -1 }).field).toBe('dims');
    expect(refusal({ dt: -1, steps: -1 }).field).toBe('dt');
  });

  it('histogram limits: 1024 × 1024 bins (exactly 2^20 in all) is accepted', () => {
    // MAX_BINS_PER_AXIS² = MAX_BINS_TOTAL, so the per-axis limit is the one that binds.
    const { spec } = prepare(specWith({ histogram: { bins: [1024, 1024], low: -1, high: 1 } }));
    expect(spec.histogram!.bins).toEqual([1024, 1024]);
    expect(spec.histogram!.bins[0] * spec.histogram!.bins[1]).toBe(2 ** 20);
  });

  it('boundary values are accepted', () => {
    const { spec } = prepare(
      specWith({
        dims: 16,
        particles: 2 ** 40,
        steps: 2 ** 32 - 1,
        seed: Number.MAX_SAFE_INTEGER,
        stepsPerDispatch: 1024,
        temperature: 0,
      }),
    );
    expect(spec.dims).toBe(16);
    expect(spec.particles).toBe(2 ** 40);
    expect(spec.steps).toBe(2 ** 32 - 1);
    expect(spec.seed).toBe(2 ** 53 - 1);
    expect(spec.stepsPerDispatch).toBe(1024);
    expect(spec.temperature).toBe(0);
    expect(prepare(specWith({ steps: 0 })).spec.steps).toBe(0);
    expect(prepare(specWith({ stepsPerDispatch: 1 })).spec.stepsPerDispatch).toBe(1);
    expect(prepare(specWith({ temperature: { schedule: 'log', c: 1, n0: 1.0001 } })).spec.temperature).toEqual({
      schedule: 'log',
      c: 1,
      n0: 1.0001,
    });
  });
});

describe('defaults', () => {
  it('a minimal spec gets integrator em, seed 0, T = 1, 100000 particles, init N(0, 1), no trace', () => {
    const { spec } = prepare({ potential: { name: 'double-well' }, dt: 0.001, steps: 10 });
    expect(spec.dims).toBe(2);
    expect(spec.particles).toBe(100000);
    expect(spec.integrator).toBe('em');
    expect(spec.seed).toBe(0);
    expect(spec.temperature).toBe(1);
    expect(spec.init).toEqual({ kind: 'normal', mean: [0, 0], std: [1, 1] });
    expect(spec.observe).toEqual({ every: 0 });
    expect(spec.histogram).toBeUndefined();
    expect(spec.stepsPerDispatch).toBeUndefined();
    expect(spec.potential).toEqual({ name: 'double-well', expr: undefined, params: {} });
  });

  it('dims comes from a fixed-dims potential (mueller-brown, himmelblau are 2-D)', () => {
    const mb = prepare({ potential: { name: 'mueller-brown' }, dt: 1e-4, steps: 1 });
    expect(mb.spec.dims).toBe(2);
    expect(mb.potential.dims).toBe(2);
    expect(mb.spec.init).toEqual({ kind: 'normal', mean: [0, 0], std: [1, 1] });
    expect(prepare({ potential: { name: 'himmelblau' }, dt: 1e-3, steps: 1 }).spec.dims).toBe(2);
    // without a fixed-dims callback, validateSpec alone falls back to 2 as well; with one it is used
    expect(validateSpec({ potential: { name: 'anything' }, dt: 1, steps: 1 }, () => 5).dims).toBe(5);
    expect(validateSpec({ potential: { expr: 'x^2' }, dt: 1, steps: 1 }, () => 5).dims).toBe(2);
  });

  it('an explicit dims wins for any-dims potentials, and the init defaults follow it', () => {
    const { spec, potential } = prepare({ dims: 3, potential: { name: 'harmonic' }, dt: 0.01, steps: 1 });
    expect(spec.dims).toBe(3);
    expect(potential.dims).toBe(3);
    expect(spec.init).toEqual({ kind: 'normal', mean: [0, 0, 0], std: [1, 1, 1] });
  });

  it('numbers broadcast to every coordinate; omitted init fields default', () => {
    const n = prepare(specWith({ init: { kind: 'normal', mean: 2, std: [0.5, 0] } })).spec.init;
    expect(n).toEqual({ kind: 'normal', mean: [2, 2], std: [0.5, 0] });
    const m = prepare(specWith({ init: { kind: 'normal', std: 3 } })).spec.init;
    expect(m).toEqual({ kind: 'normal', mean: [0, 0], std: [3, 3] });
    const u = prepare(specWith({ init: { kind: 'uniform', low: -1, high: [1, -1] } })).spec.init;
    expect(u).toEqual({ kind: 'uniform', low: [-1, -1], high: [1, -1] });
    expect(prepare(specWith({ init: { kind: 'point' } })).spec.init).toEqual({ kind: 'point', x: [0, 0] });
    expect(prepare(specWith({ init: { kind: 'point', x: [1, -2] } })).spec.init).toEqual({ kind: 'point', x: [1, -2] });
  });

  it('inertial defaults: mass 1, friction 1, 10 leapfrog steps, thermal velocities; init.velocity alone keeps the default positions', () => {
    const { spec } = prepare(specWith({ integrator: 'baoab' }));
    expect(spec.integrator).toBe('baoab');
    expect(spec.mass).toEqual([1, 1]);
    expect(spec.friction).toBe(1);
    expect(spec.leapfrogSteps).toBe(10);
    expect(spec.velocity).toEqual({ kind: 'thermal' });
    const z = prepare(specWith({ integrator: 'hmc', mass: [2, 0.5], friction: 0, leapfrogSteps: 1, init: { velocity: 'zero' } })).spec;
    expect(z.mass).toEqual([2, 0.5]);
    expect(z.friction).toBe(0);
    expect(z.leapfrogSteps).toBe(1);
    expect(z.velocity).toEqual({ kind: 'zero' });
    expect(z.init).toEqual({ kind: 'normal', mean: [0, 0], std: [1, 1] });
    const v = prepare(specWith({ integrator: 'mala', init: { kind: 'point', x: [1, 2], velocity: [0.5, -1] } })).spec;
    expect(v.velocity).toEqual({ kind: 'vector', v: [0.5, -1] });
    expect(v.init).toEqual({ kind: 'point', x: [1, 2] });
    expect(prepare(specWith({ init: { velocity: 3 } })).spec.velocity).toEqual({ kind: 'vector', v: [3, 3] });
  });

  it('schedule defaults: log n0 = 2', () => {
    expect(prepare(specWith({ temperature: { schedule: 'log', c: 0.5 } })).spec.temperature).toEqual({ schedule: 'log', c: 0.5, n0: 2 });
  });

  it('histogram defaults: dims [0, 1] at D ≥ 2 ([0] at D = 1), 64 bins, one snapshot at the end', () => {
    const h2 = prepare(specWith({ histogram: { low: -2, high: [2, 3] } })).spec.histogram;
    expect(h2).toEqual({ dims: [0, 1], bins: [64, 64], low: [-2, -2], high: [2, 3], from: 100, every: 100 });
    const h1 = prepare(specWith({ dims: 1, histogram: { low: -1, high: 1, bins: 10, from: 50, every: 5 } })).spec.histogram;
    expect(h1).toEqual({ dims: [0], bins: [10], low: [-1], high: [1], from: 50, every: 5 });
    const h0 = prepare(specWith({ steps: 0, histogram: { low: -1, high: 1 } })).spec.histogram;
    expect(h0!.from).toBe(0);
    expect(h0!.every).toBe(1);
  });

  it('observe: target and radius are kept; every defaults to 0', () => {
    expect(prepare(specWith({ observe: { target: 1, radius: 0.5 } })).spec.observe).toEqual({ every: 0, target: [1, 1], radius: 0.5 });
    expect(prepare(specWith({ observe: { every: 10 } })).spec.observe).toEqual({ every: 10 });
  });

  it('given values are kept as given', () => {
    const { spec } = prepare(specWith({ integrator: 'lm', seed: 42, temperature: { schedule: 'geometric', from: 2, to: 0.1 } }));
    expect(spec.integrator).toBe('lm');
    expect(spec.seed).toBe(42);
    expect(spec.temperature).toEqual({ schedule: 'geometric', from: 2, to: 0.1 });
    expect(spec.dt).toBe(0.01);
    expect(spec.steps).toBe(100);
    expect(spec.particles).toBe(1000);
  });
});
