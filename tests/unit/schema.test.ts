/**
 * The published JSON Schemas (schema/*.schema.json) against the code: every
 * example spec and the results of small runs of every example validate; the
 * spec schema refuses what the validator refuses for types, unknown keys and
 * missing fields, and accepts what it accepts; results carry their provenance,
 * histogram edges and a normalised spec that runs to the same numbers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { prepare, Simulation, type RunResult } from '../../src/engine.ts';
import { InputError } from '../../src/errors.ts';
import { CATALOG } from '../../src/potential/catalog.ts';
import { INTEGRATORS } from '../../src/spec.ts';
import { RESULT_SCHEMA, SPEC_SCHEMA } from '../../src/provenance.ts';
import { binEdges } from '../../src/run/result.ts';
import { normalisedSpec } from '../../src/run/specJson.ts';
import { axisBin, axisBinnings } from '../../src/stats/binning.ts';
import { resolveDataFile } from '../../src/node/data.ts';
import { boltzmannReference, type BoltzmannResult } from '../../src/stats/boltzmann.ts';
import { VERSION } from '../../src/version.ts';
import { mutate } from './mutate.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const specSchema = readJson('schema/spec.schema.json');
const resultSchema = readJson('schema/result.schema.json');

// strict, except that `required` may name properties defined beside it (oneOf branches, the normalised spec's allOf)
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
ajv.addSchema(specSchema);
ajv.addSchema(resultSchema);
const specValid = ajv.getSchema(SPEC_SCHEMA)!;
const resultValid = ajv.getSchema(RESULT_SCHEMA)!;

/** Validate `x` as its JSON text holds it (NaN and Infinity become null); fail with ajv's errors. */
function expectValid(validate: typeof specValid, x: unknown, what: string): void {
  const ok = validate(JSON.parse(JSON.stringify(x)));
  if (!ok) throw new Error(`${what}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

/** Whether `prepare` (validation and compilation) accepts the spec; an error that is not an InputError fails the test. */
function validatorAccepts(raw: unknown): boolean {
  try {
    prepare(raw);
    return true;
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
}

const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.json') && !f.startsWith('sweep-')) // sweep-*.json: sweep files (tests/cli-sweep.test.ts)
  .sort();

/** An example's spec with its data file read (as `langevin run` does). */
function example(name: string): Record<string, unknown> {
  const path = join(ROOT, 'examples', name);
  return resolveDataFile(JSON.parse(readFileSync(path, 'utf8')), path) as Record<string, unknown>;
}

/** A small version of a spec: few particles and steps, snapshots and trace rows that fit them. */
function small(spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...spec, particles: 300, steps: 40 };
  if (spec.histogram) out.histogram = { ...(spec.histogram as object), from: 20, every: 10 };
  if (spec.observe) out.observe = { ...(spec.observe as object), every: 20 };
  return out;
}

/**
 * Boltzmann references by potential, histogram and temperature: a run and the run of its normalised spec
 * share one (the quadrature of a potential from data sums over its rows at every point: seconds).
 */
const references = new Map<string, BoltzmannResult>();

async function run(raw: unknown, at?: { signal?: AbortSignal }): Promise<RunResult> {
  const prepared = prepare(raw);
  const { potential, histogram } = prepared.spec;
  const reference = async (T: number) => {
    const key = JSON.stringify([potential, histogram, T]);
    if (!references.has(key)) references.set(key, boltzmannReference(prepared.potential, histogram!, T));
    return references.get(key)!;
  };
  const sim = await Simulation.create(prepared, { backend: 'cpu', cpu: { threads: 1 } });
  try {
    return await sim.run({ ...at, reference });
  } finally {
    sim.destroy();
  }
}

/** What a run computes (everything but where and when it ran and how long it took). */
function numbers(r: RunResult): unknown {
  const { createdAt: _c, elapsedMs: _e, particleStepsPerSecond: _p, ...rest } = JSON.parse(JSON.stringify(r)) as RunResult;
  return rest;
}

/** Provenance of a result made in this process between t0 and t1 (ms). */
function expectProvenance(r: { langevin: string; createdAt: string; host: string }, t0: number, t1: number): void {
  expect(r.langevin).toBe(readJson('package.json').version);
  expect(r.langevin).toBe(VERSION);
  expect(r.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const t = Date.parse(r.createdAt);
  expect(t).toBeGreaterThanOrEqual(Math.floor(t0));
  expect(t).toBeLessThanOrEqual(Math.ceil(t1));
  expect(r.host).toBe(`node ${process.version} (${process.platform} ${process.arch})`);
}

describe('the schemas', () => {
  it('have the ids results and specs name, and list the catalog and the integrators', () => {
    expect(specSchema.$id).toBe(SPEC_SCHEMA);
    expect(resultSchema.$id).toBe(RESULT_SCHEMA);
    expect(resultSchema.properties.$schema.const).toBe(RESULT_SCHEMA);
    expect(specSchema.properties.potential.properties.name.enum).toEqual(CATALOG.map((c) => c.name));
    expect(specSchema.properties.integrator.enum).toEqual([...INTEGRATORS]);
  });

  it.each(EXAMPLES)('examples/%s is a valid spec (schema and validator)', (name) => {
    const raw = readJson(`examples/${name}`);
    expectValid(specValid, raw, name);
    expect(validatorAccepts(example(name))).toBe(true);
    // a spec may name its schema
    expectValid(specValid, { $schema: SPEC_SCHEMA, ...raw }, name);
    expect(validatorAccepts({ $schema: SPEC_SCHEMA, ...example(name) })).toBe(true);
  });
});

describe('results of the examples (CPU backend, small)', () => {
  it.each(EXAMPLES)('%s: validates, carries its provenance and normalised spec, and its spec runs to the same numbers', async (name) => {
    const spec = small(example(name));
    const t0 = Date.now();
    const result = await run(spec);
    const t1 = Date.now();
    expectValid(resultValid, result, name);
    expect(result.$schema).toBe(RESULT_SCHEMA);
    expectProvenance(result, t0, t1);
    // the normalised spec: the spec schema's, every default filled in, as prepared
    expectValid(specValid, result.spec, `${name} spec`);
    expect(result.spec.$schema).toBe(SPEC_SCHEMA);
    expect(result.spec.particles).toBe(300);
    expect(result.spec.seed).toBe(spec.seed ?? 0);
    expect(result.spec.init.velocity).toBe('thermal');
    expect(result.spec.mass).toEqual(new Array(result.dims).fill(1));
    // normalising is idempotent, and a built-in's parameters are the catalog defaults the run used
    expect(normalisedSpec(prepare(result.spec).spec)).toEqual(result.spec);
    expect(prepare(result.spec).potential.paramValues).toEqual(prepare(spec).potential.paramValues);
    // and a run of it gives the same numbers
    const again = await run(result.spec);
    expect(numbers(again)).toEqual(numbers(result));
  });

  it('fills the defaults of a minimal spec', async () => {
    const r = await run({ potential: { name: 'harmonic' }, dt: 0.1, steps: 3, particles: 10 });
    expect(r.spec).toEqual({
      $schema: SPEC_SCHEMA,
      dims: 2,
      particles: 10,
      potential: { name: 'harmonic', params: { k: 1 } },
      integrator: 'em',
      dt: 0.1,
      temperature: 1,
      steps: 3,
      seed: 0,
      init: { kind: 'normal', mean: [0, 0], std: [1, 1], velocity: 'thermal' },
      mass: [1, 1],
      friction: 1,
      leapfrogSteps: 10,
      observe: { every: 0 },
      protocol: 'forward',
    });
    expectValid(resultValid, r, 'minimal');
  });

  it('says when setTemperature or setStepSize made the spec no longer describe the run', async () => {
    const sim = await Simulation.create({ potential: { name: 'harmonic' }, dt: 0.1, steps: 6, particles: 10 }, { backend: 'cpu' });
    try {
      await sim.advance(3);
      sim.setTemperature(0.5);
      const r = await sim.run();
      expect(r.notes).toContain(
        'the protocol was changed during the run (setTemperature(0.5) from step 3): `spec` is the spec the run started from, and running it again does not reproduce this result',
      );
      expect(r.spec.temperature).toBe(1);
    } finally {
      sim.destroy();
    }
  });

  it('results of the inertial and Metropolis integrators, a blow-up, a cancelled and an interrupted run validate too', async () => {
    const base = { dims: 2, particles: 200, potential: { name: 'double-well' }, dt: 0.02, steps: 30, seed: 3 };
    const hist = {
      histogram: { low: -2, high: 2, bins: [8, 4], from: 10, every: 10 },
      observe: { every: 10, target: [1, 0], radius: 0.5 },
    };
    const specs = [
      { ...base, ...hist, integrator: 'baoab', friction: 0, init: { kind: 'point', x: [1, 0], velocity: [0.1, 0] }, stepsPerDispatch: 7 },
      { ...base, ...hist, integrator: 'hmc', leapfrogSteps: 3, mass: [1, 2], temperature: { schedule: 'linear', from: 1, to: 0.5 } },
      { ...base, ...hist, integrator: 'mala', dt: { schedule: 'poly', a: 0.02 } },
      { ...base, dims: 1, potential: { expr: 'x^4' }, dt: 10, init: { kind: 'uniform', low: 3, high: 4 } },
    ];
    for (const s of specs) {
      const r = await run(s);
      expectValid(resultValid, r, JSON.stringify(s));
      expect(numbers(await run(r.spec))).toEqual(numbers(r));
    }
    const blowUp = await run(specs[3]);
    expect(blowUp.final.nonFinite).toBe(200);
    expect(JSON.parse(JSON.stringify(blowUp)).final.mean).toEqual([null]);

    const stop = new AbortController();
    stop.abort();
    const cancelled = await run({ ...specs[0], steps: 1000 }, { signal: stop.signal });
    expect(cancelled.partial?.reason).toBe('cancelled');
    expectValid(resultValid, cancelled, 'cancelled');

    const sim = await Simulation.create({ ...specs[0], steps: 1000 }, { backend: 'cpu', cpu: { threads: 1 } });
    try {
      await sim.advance(20);
      const savedAt = Date.UTC(2025, 0, 31, 12, 0, 0);
      const interrupted = Simulation.resultFromObservations(prepare({ ...specs[0], steps: 1000 }), sim.observations, savedAt);
      expectValid(resultValid, interrupted, 'interrupted');
      expect(interrupted.createdAt).toBe('2025-01-31T12:00:00.000Z');
      expect(interrupted.partial).toEqual({ reason: 'interrupted', stepsPlanned: 1000 });
    } finally {
      sim.destroy();
    }
  });
});

describe('histogram edges', () => {
  it('are bins + 1 float64 numbers per axis from low to high', () => {
    expect(binEdges({ bins: [4], low: [0], high: [1] })).toEqual([[0, 0.25, 0.5, 0.75, 1]]);
    expect(binEdges({ bins: [2, 3], low: [-1, 0], high: [1, 0.3] })).toEqual([
      [-1, 0, 1],
      [0, 0.3 * (1 / 3), 0.3 * (2 / 3), 0.3],
    ]);
  });

  it('in the double-well example: 49 and 33 edges, 0.1 and 0.2 apart, each bin holding its midpoint as the binning does', async () => {
    const r = await run(small(example('double-well.json')));
    const h = r.histogram!;
    expect(h.edges.map((e) => e.length)).toEqual([49, 33]);
    expect([h.edges[0][0], h.edges[0][48], h.edges[1][0], h.edges[1][32]]).toEqual([-2.4, 2.4, -3.2, 3.2]);
    expect(h.edges[0][24]).toBe(0);
    h.edges[0].forEach((e, i) => expect(e).toBeCloseTo(-2.4 + 0.1 * i, 14));
    h.edges[1].forEach((e, i) => expect(e).toBeCloseTo(-3.2 + 0.2 * i, 14));
    const spec = prepare(r.spec).spec.histogram!;
    axisBinnings(spec).forEach((ax, a) => {
      for (let i = 0; i < ax.bins; i++) expect(axisBin((h.edges[a][i] + h.edges[a][i + 1]) / 2, ax)).toBe(i);
    });
  });
});

describe('the spec schema refuses what the validator refuses', () => {
  const BASE = {
    dims: 2,
    particles: 100,
    potential: { name: 'double-well', params: { h: 1 } },
    integrator: 'baoab',
    dt: 0.01,
    temperature: 0.5,
    steps: 10,
    seed: 1,
    init: { kind: 'normal', mean: [0, 0], std: 0.5, velocity: 'zero' },
    mass: [1, 2],
    friction: 1,
    leapfrogSteps: 4,
    stepsPerDispatch: 5,
    histogram: { dims: [0, 1], bins: [8, 8], low: [-2, -2], high: [2, 2], from: 5, every: 5 },
    observe: { every: 5, target: [1, 0], radius: 0.5 },
  };
  const DATA = {
    dims: 1,
    particles: 50,
    potential: { data: { columns: ['d'], rows: [[0.1], [0.2], [0.3]] }, example: '(x - d)^2/2', prior: 'x^2/2' },
    dt: { schedule: 'cyclical', dt0: 0.01, cycles: 2 },
    steps: 10,
    batch: 2,
    replace: false,
  };

  const NOT_NUMBER = ['1', true, null, {}, [], [[1]]];
  const NOT_OBJECT = [1, 'x', true, null, []];
  /** [field, base, wrong-type values] for the fields of README's spec table and their members */
  const WRONG_TYPES: [string, object, unknown[]][] = [
    ['dims', BASE, [...NOT_NUMBER, 2.5]],
    ['particles', BASE, [...NOT_NUMBER, 1.5]],
    ['potential', BASE, NOT_OBJECT],
    ['potential.name', BASE, [1, null, {}, []]],
    ['potential.params', BASE, [1, 'x', null, []]],
    ['potential.params.h', BASE, ['1', null, {}, true]],
    ['integrator', BASE, [1, null, 'euler', {}, []]],
    ['dt', BASE, [...NOT_NUMBER, 'fast']],
    ['temperature', BASE, [...NOT_NUMBER.filter((v) => !Array.isArray(v) || v.length > 0), -1]],
    ['steps', BASE, [...NOT_NUMBER, 1.5, -1]],
    ['seed', BASE, [...NOT_NUMBER, 0.5, -1]],
    ['init', BASE, NOT_OBJECT],
    ['init.kind', BASE, [1, null, 'gaussian']],
    ['init.mean', BASE, ['0', null, true, {}]],
    ['init.velocity', BASE, [null, true, 'hot', {}]],
    ['mass', BASE, ['1', null, true, {}, 0, -1]],
    ['friction', BASE, [...NOT_NUMBER, -1]],
    ['leapfrogSteps', BASE, [...NOT_NUMBER, 0, 1.5]],
    ['stepsPerDispatch', BASE, [...NOT_NUMBER, 0]],
    ['histogram', BASE, NOT_OBJECT],
    ['histogram.dims', BASE, [0, 'x', null, [], [0, 1, 1]]],
    ['histogram.bins', BASE, ['8', null, true, {}, 0, 2.5]],
    ['histogram.low', BASE, ['0', null, true, {}]],
    ['histogram.from', BASE, ['5', null, 1.5, -1]],
    ['histogram.every', BASE, ['5', null, 0]],
    ['observe', BASE, NOT_OBJECT],
    ['observe.every', BASE, ['5', null, -1, 1.5]],
    ['observe.target', BASE, ['0', null, true, {}]],
    ['observe.radius', BASE, ['1', null, 0, -1]],
    ['batch', DATA, [...NOT_NUMBER, 0, 1.5]],
    ['replace', DATA, [1, 'false', null, {}]],
    ['potential.data', DATA, [1, 'x', null, []]],
    ['potential.data.columns', DATA, ['d', null, [], [1]]],
    ['potential.data.rows', DATA, ['1', null, [], [1]]],
    ['potential.example', DATA, [1, null, '', '  ']],
    ['potential.prior', DATA, [1, null, '', {}]],
    ['dt.dt0', DATA, ['1', null, 0, -1]],
    ['dt.cycles', DATA, ['1', null, 0, 1.5]],
    ['dt.schedule', DATA, [1, null, 'sawtooth']],
    ['$schema', BASE, [1, null, {}, true]],
  ];

  it.each(WRONG_TYPES)('%s: a value of the wrong type or out of range', (path, base, values) => {
    expect(validatorAccepts(base)).toBe(true);
    expect(specValid(base)).toBe(true);
    for (const v of values) {
      const spec = mutate(base, path, v);
      expect([JSON.stringify(v), validatorAccepts(spec)]).toEqual([JSON.stringify(v), false]);
      expect([JSON.stringify(v), specValid(spec)]).toEqual([JSON.stringify(v), false]);
    }
  });

  /** objects that refuse unknown keys: [path of the object, base] */
  const OBJECTS: [string, object][] = [
    ['', BASE],
    ['potential', BASE],
    ['init', BASE],
    ['histogram', BASE],
    ['observe', BASE],
    ['potential.data', DATA],
    ['dt', DATA],
    ['temperature', mutate(BASE, 'temperature', { schedule: 'log', c: 1 })],
    ['temperature', mutate(BASE, 'temperature', { schedule: 'table', values: [1, 0.5] })],
  ];

  it.each(OBJECTS)('%s: an unknown key', (path, base) => {
    for (const key of ['colour', 'Dims', '__proto__x']) {
      const spec = mutate(base, path ? `${path}.${key}` : key, 1);
      expect([path, key, validatorAccepts(spec)]).toEqual([path, key, false]);
      expect([path, key, specValid(spec)]).toEqual([path, key, false]);
    }
  });

  const REQUIRED: [string, object][] = [
    ['potential', BASE],
    ['dt', BASE],
    ['steps', BASE],
    ['histogram.low', BASE],
    ['histogram.high', BASE],
    ['observe.radius', BASE],
    ['observe.target', BASE],
    ['init.kind', BASE],
    ['potential.name', BASE],
    ['potential.data', DATA],
    ['potential.example', DATA],
    ['batch', DATA],
    ['dt.dt0', DATA],
  ];

  it.each(REQUIRED)('%s: missing', (path, base) => {
    const spec = mutate(base, path, undefined);
    expect(validatorAccepts(spec)).toBe(false);
    expect(specValid(spec)).toBe(false);
  });

  /** Every path to a value inside `v` (object keys and array indices), dotted. */
  function leafPaths(v: unknown, prefix = ''): string[] {
    if (typeof v !== 'object' || v === null) return [prefix];
    const own = Object.keys(v).flatMap((k) => leafPaths((v as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
    return prefix ? [prefix, ...own] : own;
  }

  it('generated: every path of two specs set to each of a pool of values; whatever the validator accepts, the schema accepts', () => {
    const pool = [0, 1, -1, 0.5, 3, 1e39, '', 'x', 'zero', 'thermal', true, null, [], [0], [1, 2], [0.5, -0.5], {}, undefined];
    let accepted = 0;
    let refusedBoth = 0;
    for (const base of [BASE, DATA]) {
      for (const path of leafPaths(base)) {
        for (const v of pool) {
          const spec = JSON.parse(JSON.stringify(mutate(base, path, v))); // as JSON text holds it (no array holes)
          const byValidator = validatorAccepts(spec);
          const bySchema = specValid(spec);
          if (byValidator) expect([path, JSON.stringify(v), bySchema]).toEqual([path, JSON.stringify(v), true]);
          accepted += byValidator ? 1 : 0;
          refusedBoth += !byValidator && !bySchema ? 1 : 0;
        }
      }
    }
    // the pool exercises both sides
    expect(accepted).toBeGreaterThan(100);
    expect(refusedBoth).toBeGreaterThan(300);
  });

  it('and accepts what the validator accepts: optional fields left out, numbers for vectors, every schedule kind', () => {
    const accepted: object[] = [
      { potential: { expr: 'x^2' }, dt: 0.1, steps: 0 },
      mutate(BASE, 'histogram', { low: -1, high: 1 }),
      mutate(BASE, 'init', { velocity: [0.5, 0] }),
      mutate(BASE, 'init', { kind: 'uniform', low: -1, high: [1, 2] }),
      mutate(BASE, 'init', { kind: 'point' }),
      mutate(BASE, 'observe', {}),
      mutate(BASE, 'mass', 3),
      mutate(BASE, 'dt', { schedule: 'geometric', from: 0.1, to: 0.01 }),
      mutate(BASE, 'dt', { schedule: 'table', values: [0.1, 0.01] }),
      mutate(BASE, 'dt', { schedule: 'log', c: 0.1, n0: 3 }),
      mutate(BASE, 'temperature', { schedule: 'linear', from: 1, to: 0 }),
      mutate(BASE, 'temperature', 0),
      mutate(DATA, 'replace', undefined),
      mutate(DATA, 'potential.prior', undefined),
      { ...BASE, potential: { name: 'harmonic', params: { k: [1, 2] } }, $schema: SPEC_SCHEMA },
      ...CATALOG.filter((c) => c.dims === 'any' || c.dims === 2).map((c) => ({ ...BASE, potential: { name: c.name } })),
    ];
    for (const spec of accepted) {
      expect([JSON.stringify(spec), validatorAccepts(spec)]).toEqual([JSON.stringify(spec), true]);
      expect([JSON.stringify(spec), specValid(spec)]).toEqual([JSON.stringify(spec), true]);
    }
  });
});
