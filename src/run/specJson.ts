/**
 * The normalised spec: a validated RunSpec written back in the input format
 * (README "Run spec", schema/spec.schema.json) with every default filled in,
 * so that a result says exactly what ran and running its `spec` again gives
 * the same numbers (tests/unit/schema.test.ts).
 */
import { CATALOG } from '../potential/catalog.ts';
import { SPEC_SCHEMA } from '../provenance.ts';
import type { ScheduleSpec } from '../schedule.ts';
import type { RunSpec } from '../spec.ts';

/**
 * A spec in the input format with every default filled in: what `normalisedSpec` writes. RunSpec's own
 * fields, but for those whose input form differs (a field added to RunSpec is then one normalisedSpec must write).
 */
export type SpecJson = Omit<RunSpec, 'dt' | 'dtSchedule' | 'init' | 'velocity' | 'batch' | 'schedules' | 'passage' | 'equilibrate'> & {
  $schema: string;
  /** a number, or the schedule as given */
  dt: ScheduleSpec;
  /** `init` with its `velocity` */
  init: SpecJsonInit;
  /** mini-batch size and rows with replacement, as the spec's two fields */
  batch?: number;
  replace?: boolean;
  /** the first-passage observer, unbounded sides of a box as null */
  passage?: PassageJson;
};

/** `passage` as the input format writes it (JSON has no infinity: an unbounded side is null). */
export interface PassageJson {
  region: { low: (number | null)[]; high: (number | null)[] } | { center: number[]; radius: number };
  absorb: boolean;
  bridge: boolean;
}

/** `init` with its `velocity` as the input format writes it. */
export type SpecJsonInit = (
  | { kind: 'normal'; mean: number[]; std: number[] }
  | { kind: 'uniform'; low: number[]; high: number[] }
  | { kind: 'point'; x: number[] }
  | { kind: 'equilibrium'; steps: number; from: RunSpec['init'] }
) & { velocity: 'thermal' | 'zero' | number[] };

/**
 * The spec in the input format with every default filled in: a built-in
 * potential's parameters with the catalog's defaults, dt as given (a number or
 * a schedule), `init.velocity`, mass per coordinate, the histogram's snapshot
 * steps. A copy: it shares no array or object with `spec`.
 * @example normalisedSpec(validateSpec({potential: {expr: 'x^2'}, dt: 0.1, steps: 10})).particles // 100000
 */
export function normalisedSpec(spec: RunSpec): SpecJson {
  const v = spec.velocity;
  const out: SpecJson = {
    $schema: SPEC_SCHEMA,
    dims: spec.dims,
    particles: spec.particles,
    potential: potentialJson(spec.potential, spec.schedules),
    integrator: spec.integrator,
    dt: spec.dtSchedule ?? spec.dt,
    temperature: spec.temperature,
    steps: spec.steps,
    seed: spec.seed,
    init: {
      ...(spec.equilibrate ? { kind: 'equilibrium' as const, steps: spec.equilibrate.steps, from: spec.init } : spec.init),
      velocity: v.kind === 'vector' ? v.v : v.kind,
    },
    mass: spec.mass,
    friction: spec.friction,
    leapfrogSteps: spec.leapfrogSteps,
    ...(spec.stepsPerDispatch !== undefined ? { stepsPerDispatch: spec.stepsPerDispatch } : {}),
    ...(spec.histogram ? { histogram: spec.histogram } : {}),
    observe: spec.observe,
    ...(spec.batch ? { batch: spec.batch.size, replace: spec.batch.replace } : {}),
    protocol: spec.protocol,
    ...(spec.passage ? { passage: passageJson(spec.passage) } : {}),
  };
  return structuredClone(out);
}

/** The potential with only the keys it has, and a built-in's parameters completed with the catalog's defaults. */
function potentialJson(p: RunSpec['potential'], schedules: RunSpec['schedules']): SpecJson['potential'] {
  const entry = p.name !== undefined ? CATALOG.find((c) => c.name === p.name) : undefined;
  const defaults = entry ? Object.fromEntries(Object.entries(entry.params).map(([k, d]) => [k, d.default])) : {};
  const out: Omit<SpecJson['potential'], 'params'> = {};
  for (const k of ['name', 'expr', 'example', 'prior', 'data'] as const) if (p[k] !== undefined) Object.assign(out, { [k]: p[k] });
  return { ...out, params: { ...defaults, ...p.params, ...(schedules as SpecJson['potential']['params']) } };
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

function passageJson(p: NonNullable<RunSpec['passage']>): PassageJson {
  const r = p.region;
  const region =
    r.kind === 'box' ? { low: r.low.map(finiteOrNull), high: r.high.map(finiteOrNull) } : { center: r.center, radius: r.radius };
  return { region, absorb: p.absorb, bridge: p.bridge };
}
