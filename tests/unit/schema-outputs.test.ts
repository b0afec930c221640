/**
 * The JSON Schemas of the outputs beside the result: schema/bias.schema.json
 * (`langevin bias --json`, `biasStudy`) and schema/bench-row.schema.json (each
 * line of `langevin bench --json`). Real outputs of small studies and of bench
 * rows measured in-process on the CPU backend validate; each schema refuses a
 * missing field, a value of the wrong type and an unknown key, so the check
 * can fail.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { biasStudy, type BiasStudy } from '../../src/bias.ts';
import { DOUBLE_WELL, engineRow, plainJsRow, WORKLOADS, type BenchRow } from '../../src/bench/matrix.ts';
import { prepare } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';
import { BENCH_ROW_SCHEMA, BIAS_SCHEMA, RESULT_SCHEMA, SPEC_SCHEMA } from '../../src/provenance.ts';
import { VERSION } from '../../src/version.ts';
import { mutate } from './mutate.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
const specSchema = readJson('schema/spec.schema.json');
const resultSchema = readJson('schema/result.schema.json');
const biasSchema = readJson('schema/bias.schema.json');
const benchRowSchema = readJson('schema/bench-row.schema.json');

// as tests/unit/schema.test.ts: strict, except that `required` may name properties defined beside it (the normalised spec's allOf)
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
for (const s of [specSchema, resultSchema, biasSchema, benchRowSchema]) ajv.addSchema(s);
const biasValid = ajv.getSchema(BIAS_SCHEMA)!;
const rowValid = ajv.getSchema(BENCH_ROW_SCHEMA)!;
const specValid = ajv.getSchema(SPEC_SCHEMA)!;

/** `x` as its JSON text holds it (NaN and Infinity become null). */
const asJson = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** Validate `x` as its JSON text holds it; fail with ajv's errors. */
function expectValid(validate: typeof biasValid, x: unknown, what: string): void {
  const ok = validate(asJson(x));
  if (!ok) throw new Error(`${what}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

/** Each mutation of `x` is refused by `validate` (and `x` itself accepted, so it is the mutation that is refused). */
function expectRefused(validate: typeof biasValid, x: object, mutations: [string, unknown][]): void {
  expect(validate(asJson(x))).toBe(true);
  for (const [path, value] of mutations) {
    const ok = validate(asJson(mutate(x, path, value)));
    expect([path, JSON.stringify(value) ?? 'deleted', ok]).toEqual([path, JSON.stringify(value) ?? 'deleted', false]);
  }
}

const CPU1 = { backend: 'cpu' as const, cpu: { threads: 1 } };

describe('the output schemas', () => {
  it('have the ids the outputs name, and share the provenance definitions and the normalised spec with the result schema', () => {
    expect(biasSchema.$id).toBe(BIAS_SCHEMA);
    expect(biasSchema.properties.$schema.const).toBe(BIAS_SCHEMA);
    expect(benchRowSchema.$id).toBe(BENCH_ROW_SCHEMA);
    expect(benchRowSchema.properties.$schema.const).toBe(BENCH_ROW_SCHEMA);
    for (const s of [biasSchema, benchRowSchema]) {
      expect(s.$schema).toBe(resultSchema.$schema);
      for (const def of ['version', 'createdAt', 'host']) expect(s.$defs[def]).toEqual(resultSchema.$defs[def]);
    }
    expect(biasSchema.$defs.real).toEqual(resultSchema.$defs.real);
    // a study's spec is a result's normalised spec, with a histogram
    const [ref, normalised] = biasSchema.properties.spec.allOf;
    expect(ref).toEqual({ $ref: SPEC_SCHEMA });
    expect(normalised.required).toEqual([...resultSchema.properties.spec.allOf[1].required, 'histogram']);
    // the integrator and potential names are the spec schema's (which tests/unit/schema.test.ts holds to the code)
    expect(biasSchema.properties.rows.items.properties.integrator.$ref).toBe(`${SPEC_SCHEMA}#/properties/integrator`);
    expect(benchRowSchema.properties.integrator.$ref).toBe(`${SPEC_SCHEMA}#/properties/integrator`);
    expect(benchRowSchema.properties.potential.$ref).toBe(`${SPEC_SCHEMA}#/properties/potential/properties/name`);
  });
});

describe('bias study (CPU backend, small)', () => {
  const SPEC = {
    dims: 1,
    particles: 200,
    potential: { name: 'tilted-double-well' },
    dt: 0.05,
    steps: 20,
    seed: 3,
    histogram: { bins: 12, low: -2.5, high: 2.5 },
  };
  let study: BiasStudy | undefined;
  /** em and mala (a row with and one without acceptanceRate) at two step sizes, the smaller capped (a note) */
  const small = async () =>
    (study ??= await biasStudy(SPEC, { dts: [0.02, 0.05], integrators: ['em', 'mala'], maxSteps: 40, simulation: CPU1 }));

  it('validates, names its schema first, and carries a normalised spec that validates and prepares', async () => {
    const t0 = Date.now();
    const s = await small();
    expectValid(biasValid, s, 'bias study');
    expect(Object.keys(s)[0]).toBe('$schema');
    expect(s.$schema).toBe(BIAS_SCHEMA);
    expect(s.langevin).toBe(VERSION);
    expect(Date.parse(s.createdAt)).toBeGreaterThanOrEqual(t0);
    expect(s.backend).toBe('cpu');
    expect(s.rows.map((r) => [r.integrator, r.dt, r.steps, r.acceptanceRate === undefined])).toEqual([
      ['em', 0.02, 40, true],
      ['em', 0.05, 20, true],
      ['mala', 0.02, 40, false],
      ['mala', 0.05, 20, false],
    ]);
    expect(s.notes).toHaveLength(2); // 50 steps at dt = 0.02 capped at 40, for em and for mala
    expectValid(specValid, s.spec, 'study spec');
    expect(s.spec.$schema).toBe(SPEC_SCHEMA);
    expect(() => prepare(s.spec)).not.toThrow();
  });

  it('the schema refuses a missing field, a wrong type and an unknown key, at the top, in a row and in the spec', async () => {
    const s = await small();
    expectRefused(biasValid, s, [
      ...biasSchema.required.map((k: string): [string, unknown] => [k, undefined]),
      ...biasSchema.properties.rows.items.required.map((k: string): [string, unknown] => [`rows.0.${k}`, undefined]),
      ['spec.histogram', undefined],
      ['spec.seed', undefined],
      ['$schema', RESULT_SCHEMA],
      ['langevin', 1],
      ['createdAt', 'yesterday'],
      ['host', ''],
      ['backend', 'gpu'],
      ['particles', 1.5],
      ['temperature', -1],
      ['rows', {}],
      ['rows', []],
      ['rows.0.integrator', 'euler'],
      ['rows.0.dt', 0],
      ['rows.0.steps', '40'],
      ['rows.0.kl', 'big'],
      ['rows.2.acceptanceRate', 1.5],
      ['notes', [1]],
      ['spec.dims', 'one'],
      ['spec.histogram.bins', 12],
      ['colour', 1],
      ['rows.0.colour', 1],
      ['spec.colour', 1],
    ]);
  });

  it('a study of no step sizes or no integrators is refused: it would have no rows and no backend', async () => {
    await expect(biasStudy(SPEC, { dts: [], simulation: CPU1 })).rejects.toThrow(SpecError);
    await expect(biasStudy(SPEC, { integrators: [], simulation: CPU1 })).rejects.toThrow(SpecError);
  });
});

describe('bench rows (measured in-process: the engine on the CPU backend, tiny; the plain JavaScript loop)', () => {
  let rows: BenchRow[] | undefined;
  /** the engine row the bench's CPU peers take, a 10-D workload with lm, one with a histogram, and the plain JS loop */
  const measured = async () =>
    (rows ??= [
      await engineRow({ workload: DOUBLE_WELL, integrator: 'em', particles: 64, k: 8, histogram: false, reps: 1, ...CPU1 }),
      await engineRow({ workload: WORKLOADS[3], integrator: 'lm', particles: 16, k: 4, histogram: false, reps: 1, ...CPU1 }),
      await engineRow({ workload: DOUBLE_WELL, integrator: 'em', particles: 64, k: 8, histogram: true, reps: 1, ...CPU1 }),
      plainJsRow(64, 4),
    ]);

  it('validate, and name their schema first', async () => {
    for (const row of await measured()) {
      expectValid(rowValid, row, `${row.backend} ${row.potential}`);
      expect(Object.keys(row)[0]).toBe('$schema');
      expect(row.$schema).toBe(BENCH_ROW_SCHEMA);
    }
    expect((await measured()).map((r) => [r.backend, r.threads])).toEqual([
      ['cpu', 1],
      ['cpu', 1],
      ['cpu', 1],
      ['plain-js', undefined],
    ]);
  });

  it('rows only other machines make validate too: webgpu with timestamps and a workgroup size, a Python peer (shapes of src/bench and src/node/bench.ts)', async () => {
    // the measured row with the fields those rows have instead, as JSON text (this file runs on no GPU device)
    const { threads: _t, ...cpu } = (await measured())[0];
    const line = (fields: string) => ({ ...cpu, ...JSON.parse(fields) });
    const webgpu = line(
      '{"backend": "webgpu", "device": "NVIDIA H100", "software": false, "gpuParticleStepsPerSecond": 3e10, "workgroupSize": 128}',
    );
    const numpy = line('{"backend": "numpy 2.2.4 (CPU)", "device": "numpy 2.2.4 (CPU)", "software": true, "stepsPerDispatch": 256}');
    expectValid(rowValid, webgpu, 'webgpu row');
    expectValid(rowValid, numpy, 'numpy row');
  });

  it('the schema refuses a missing field, a wrong type and an unknown key', async () => {
    const [row] = await measured();
    expectRefused(rowValid, row, [
      ...benchRowSchema.required.map((k: string): [string, unknown] => [k, undefined]),
      ['$schema', BIAS_SCHEMA],
      ['createdAt', '2025-01-31'],
      ['backend', ''],
      ['software', 'yes'],
      ['potential', 'banana'],
      ['integrator', 'rk4'],
      ['dims', 17],
      ['particles', 0],
      ['stepsPerDispatch', 2.5],
      ['histogram', 1],
      ['particleStepsPerSecond', '1e6'],
      ['particleStepsPerSecond', null],
      ['spread', [1]],
      ['spread', [1, 2, 3]],
      ['spread', ['1', 2]],
      ['threads', 0],
      ['workgroupSize', 'auto'],
      ['gpuParticleStepsPerSecond', -1],
      ['colour', 1],
    ]);
  });
});
