/**
 * The run spec: the public input contract (README "Run spec"), its defaults and
 * its validation. Every error names the field, the value and what is allowed,
 * and is thrown before any GPU work. The sections are checked in src/spec/
 * (fields, schedules, sections, potential); the types are src/spec/types.ts.
 */
import { SpecError } from './errors.ts';
import { scheduleAt } from './schedule.ts';
import { F32_MAX, MAX_DIMS, MAX_PARTICLES } from './limits.ts';
import { isObject } from './values.ts';
import { SPEC_SCHEMA } from './provenance.ts';
import { INTEGRATOR_TABLE, INTEGRATORS, MINI_BATCH, type IntegratorName } from './integrators/table.ts';
import type { DataSet } from './data.ts';
import { checkKeys, finite, integer, optional, vector, withDefault, type Obj } from './spec/fields.ts';
import { schedule, stepSchedule } from './spec/schedules.ts';
import { histogram, init, observe } from './spec/sections.ts';
import { batchSpec, checkColumnNames, potential } from './spec/potential.ts';
import { checkScheduledTemperature, hasSchedule, passage, protocol, splitSchedules } from './spec/kinetics.ts';
import { MAX_LEAPFROG_STEPS, MAX_STEPS_PER_DISPATCH, type BatchSpec, type RunSpec } from './spec/types.ts';

export { MAX_DIMS } from './limits.ts';
export { INTEGRATORS, INERTIAL, METROPOLIS, type IntegratorName } from './integrators/table.ts';
export * from './spec/types.ts';

const TOP_FIELDS = [
  'dims',
  'particles',
  'potential',
  'integrator',
  'dt',
  'temperature',
  'steps',
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
  'passage',
  'protocol',
  '$schema',
];

/** 'a, b and c'. */
function listed(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Validate a spec as parsed from JSON and fill in defaults. A field left out
 * takes its default; `null` is refused everywhere ("omit the field").
 * @param fixedDims dimension imposed by a built-in potential, if any (used as the default of `dims`)
 * @throws SpecError naming the field, the value and what is allowed
 */
export function validateSpec(raw: unknown, fixedDims?: (name: string) => number | undefined): RunSpec {
  if (!isObject(raw)) throw new SpecError('spec', raw, 'must be a JSON object');
  checkKeys(raw, '', TOP_FIELDS);
  const schema = optional(raw, '$schema', '$schema', 'or give the URL of the spec schema');
  if (schema !== undefined && typeof schema !== 'string')
    throw new SpecError('$schema', schema, `must be a string, the URL of the JSON Schema the spec follows (${SPEC_SCHEMA})`);
  const pot = potential(raw.potential);
  const implied = pot.name !== undefined ? fixedDims?.(pot.name) : undefined;
  const dims = integer(withDefault(raw, 'dims', 'dims', implied ?? 2), 'dims', 1, MAX_DIMS);
  if (pot.data) checkColumnNames(pot.data, dims);
  const particles = integer(withDefault(raw, 'particles', 'particles', 100000), 'particles', 1, MAX_PARTICLES);
  const integrator = withDefault(raw, 'integrator', 'integrator', 'em');
  if (!INTEGRATORS.includes(integrator as IntegratorName))
    throw new SpecError('integrator', integrator, `must be one of: ${INTEGRATORS.join(', ')}`);
  if (raw.dt === undefined) throw new SpecError('dt', undefined, 'is required: the step size, a finite number > 0 (or a schedule object)');
  const dtSpec = stepSchedule(raw.dt);
  const temperature = schedule(withDefault(raw, 'temperature', 'temperature', 1), 'temperature');
  if (raw.steps === undefined) throw new SpecError('steps', undefined, 'is required: an integer from 0 to 4294967295');
  const steps = integer(raw.steps, 'steps', 0, 2 ** 32 - 1);
  const batch = miniBatch(raw, integrator as IntegratorName, pot.data);
  const dt = typeof dtSpec === 'number' ? dtSpec : scheduleAt(dtSpec, 0, steps);
  const kin = kinetics(raw, pot, steps, dims, integrator as IntegratorName, typeof dtSpec !== 'number', temperature);
  return {
    ...kin,
    ...(batch ? { batch } : {}),
    ...(typeof dtSpec === 'number' ? {} : { dtSchedule: dtSpec }),
    dims,
    particles,
    potential: pot,
    integrator: integrator as IntegratorName,
    dt,
    temperature,
    steps,
    ...dynamics(raw, dims),
    histogram: histogram(optional(raw, 'histogram', 'histogram', 'for no histogram'), dims, steps),
    observe: observe(optional(raw, 'observe', 'observe', 'for no trace'), dims),
  };
}

/** Parameter schedules (λ_0 into `pot.params`), `protocol` and `passage`. */
function kinetics(
  raw: Obj,
  pot: RunSpec['potential'],
  steps: number,
  dims: number,
  integrator: IntegratorName,
  stepSchedule: boolean,
  temperature: RunSpec['temperature'],
): Pick<RunSpec, 'schedules' | 'protocol' | 'passage'> {
  const scheduled = Object.values(pot.params).some(hasSchedule);
  const proto = protocol(optional(raw, 'protocol', 'protocol', 'for the default ("forward")'), scheduled);
  const split = splitSchedules(pot.params, steps, proto === 'reverse');
  pot.params = split.params;
  checkScheduledTemperature(temperature, scheduled);
  const p = passage(optional(raw, 'passage', 'passage', 'for no first-passage observer'), dims, integrator, stepSchedule, steps);
  return { protocol: proto, ...(split.schedules ? { schedules: split.schedules } : {}), ...(p ? { passage: p } : {}) };
}

/** `batch` and `replace`, which only the integrators with a mini-batch gradient take. */
function miniBatch(raw: Obj, integrator: IntegratorName, data: DataSet | undefined): BatchSpec | undefined {
  const b = optional(raw, 'batch', 'batch', 'for full-batch gradients');
  const replace = optional(raw, 'replace', 'replace', 'to draw rows with replacement (the default)');
  const batch = batchSpec(b, replace, data);
  if (batch && !INTEGRATOR_TABLE[integrator].fields.includes('batch')) {
    const others = INTEGRATORS.filter((n) => !MINI_BATCH.includes(n));
    throw new SpecError(
      'batch',
      b,
      `works with the integrators ${listed(MINI_BATCH)} (integrator is "${integrator}"): the accept test of ${listed(others)} needs the full-data energy`,
    );
  }
  return batch;
}

/** The seed, the initial state and the integrators' own fields (mass, friction, leapfrog steps, steps per dispatch). */
function dynamics(
  raw: Obj,
  dims: number,
): Pick<RunSpec, 'seed' | 'init' | 'velocity' | 'equilibrate' | 'mass' | 'friction' | 'leapfrogSteps' | 'stepsPerDispatch'> {
  const spd = optional(raw, 'stepsPerDispatch', 'stepsPerDispatch', 'to let the backend choose');
  return {
    seed: integer(withDefault(raw, 'seed', 'seed', 0), 'seed', 0, Number.MAX_SAFE_INTEGER),
    ...init(optional(raw, 'init', 'init', 'to use the default ({"kind": "normal", "mean": 0, "std": 1})'), dims),
    mass: masses(withDefault(raw, 'mass', 'mass', 1), dims),
    friction: finite(
      withDefault(raw, 'friction', 'friction', 1),
      'friction',
      (x) => x >= 0,
      'must be a finite number ≥ 0 (1/time; 0 gives velocity Verlet)',
    ),
    leapfrogSteps: integer(withDefault(raw, 'leapfrogSteps', 'leapfrogSteps', 10), 'leapfrogSteps', 1, MAX_LEAPFROG_STEPS),
    stepsPerDispatch: spd === undefined ? undefined : integer(spd, 'stepsPerDispatch', 1, MAX_STEPS_PER_DISPATCH),
  };
}

/** Masses > 0 whose reciprocals fit f32 too (the GPU stores 1/m and 1/√m). */
function masses(v: unknown, dims: number): number[] {
  const mass = vector(v, 'mass', dims, (x) => x > 0, 'finite numbers > 0 (mass units)');
  mass.forEach((m, i) => {
    if (m < 1 / F32_MAX)
      throw new SpecError(
        typeof v === 'number' ? 'mass' : `mass[${i}]`,
        m,
        `must be at least 1/${F32_MAX} = ${1 / F32_MAX}: the GPU stores 1/m as a 32-bit float`,
      );
  });
  return mass;
}
