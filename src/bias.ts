/**
 * The bias meter: run one spec with several integrators and step sizes and
 * measure, for each, the divergence of its histogram from the exact Boltzmann
 * distribution: the discretisation bias (Euler–Maruyama's grows with h,
 * MALA's and HMC's stay at the statistical floor).
 *
 * Every run covers the same total time t = spec.steps × spec.dt (HMC: a step
 * spans leapfrogSteps × dt): steps = round(t / (dt·L)), capped at `maxSteps`.
 * The histogram's snapshot times (spec.histogram.from, .every) keep their
 * fractions of the run.
 */
import { SpecError } from './errors.ts';
import { prepare, Simulation, type SimulationOptions } from './engine.ts';
import { INTEGRATORS, type HistogramSpec, type IntegratorName, type RunSpec } from './spec.ts';
import { INTEGRATOR_TABLE } from './integrators/table.ts';
import type { BackendKind } from './backend.ts';
import { BIAS_SCHEMA, provenance, type Provenance } from './provenance.ts';
import { normalisedSpec, type SpecJson } from './run/specJson.ts';

export interface BiasOptions {
  /** step sizes (time units); default spec.dt × (½, 1, 2, 4) */
  dts?: number[];
  /** default: every integrator of the table (em, lm, baoab, mala, hmc) */
  integrators?: readonly IntegratorName[];
  /** particles per run; default min(spec.particles, 10000) */
  particles?: number;
  /** most steps of one run; default 20000 */
  maxSteps?: number;
  simulation?: SimulationOptions;
  /** called before each run */
  onRun?: (integrator: IntegratorName, dt: number, steps: number, index: number, total: number) => void;
}

/** One run of the study. */
export interface BiasRow {
  integrator: IntegratorName;
  /** step size, time units */
  dt: number;
  steps: number;
  /** simulated time, steps × dt (× leapfrogSteps for hmc) */
  time: number;
  /** KL(q‖p) of the histogram (summed over snapshots) against the Boltzmann reference */
  kl: number;
  /** total variation ½Σ|q − p| */
  tv: number;
  /** expected KL of as many independent exact samples, (B − 1)/(2n) */
  klFloor: number;
  /** in-box samples summed over snapshots */
  samples: number;
  acceptanceRate?: number;
  nonFinite: number;
  elapsedMs: number;
}

/** The study (`bias --json`; schema/bias.schema.json), with the provenance every output carries. */
export interface BiasStudy extends Provenance {
  /** the bias schema's URL (BIAS_SCHEMA) */
  $schema: string;
  backend: BackendKind;
  device: string;
  particles: number;
  /** total simulated time each run aims for */
  time: number;
  /** temperature of the reference */
  temperature: number;
  rows: BiasRow[];
  notes: string[];
  /** the study's spec with every default filled in (each run changes its integrator, dt, steps, particles and snapshots) */
  spec: SpecJson;
}

export const DEFAULT_BIAS_INTEGRATORS: readonly IntegratorName[] = INTEGRATORS;

/** One run's plan: its integrator, step size and steps, and the histogram's snapshots rescaled to keep their fractions of the run. */
interface PlannedRun {
  integrator: IntegratorName;
  dt: number;
  steps: number;
  /** the time one step spans, time units */
  perStep: number;
  /** the spec of the run */
  spec: object;
}

/**
 * The runs of a bias study: one per (integrator, step size), each over the spec's simulated time.
 * @throws SpecError before any run: no histogram, a temperature schedule, no step size or integrator, an unknown integrator
 */
export function biasPlans(raw: unknown, options: BiasOptions = {}) {
  const { spec } = prepare(raw); // every input error before any run
  if (!spec.histogram)
    throw new SpecError(
      'histogram',
      undefined,
      'is required by `langevin bias`: the bias is measured on the histogram against the Boltzmann reference',
    );
  if (typeof spec.temperature !== 'number')
    throw new SpecError(
      'temperature',
      spec.temperature,
      '`langevin bias` needs a constant temperature (a number): the reference is the Boltzmann distribution at that T',
    );
  if (spec.schedules || spec.passage?.absorb)
    throw new SpecError(
      spec.schedules ? 'potential.params' : 'passage.absorb',
      spec.schedules ? normalisedSpec(spec).potential.params : true,
      '`langevin bias` measures the distance to one Boltzmann distribution: remove the parameter schedules and absorbing regions (a passage region without absorb is fine)',
    );
  const dts = options.dts ?? [0.5, 1, 2, 4].map((f) => spec.dt * f);
  const integrators = options.integrators ?? DEFAULT_BIAS_INTEGRATORS;
  // a study of no runs would say nothing, and would have no backend to name
  if (dts.length === 0) throw new SpecError('dts', dts, 'give at least one step size');
  if (integrators.length === 0) throw new SpecError('integrators', integrators, 'give at least one integrator');
  for (const it of integrators)
    if (!INTEGRATORS.includes(it)) throw new SpecError('integrators', it, `must be among: ${INTEGRATORS.join(', ')}`);
  const particles = options.particles ?? Math.min(spec.particles, 10000);
  const time = spec.steps * spec.dt;
  const notes: string[] = [];
  const plans = integrators.flatMap((integrator) =>
    dts.map((dt) => planRun(raw, spec, { integrator, dt, particles, time, maxSteps: options.maxSteps ?? 20000 }, notes)),
  );
  return { spec: spec as RunSpec & { histogram: HistogramSpec; temperature: number }, plans, notes, particles, time };
}

/**
 * The bias study as the axes of a sweep (`langevin sweep` with `"preset": "bias"`, combined with "zip"): point i
 * is run i of the study (its integrator, dt, steps, particles and the histogram's scaled from/every), so an array
 * job runs the study's runs in parallel and `--collect` tabulates their KL and TV.
 */
export function biasSweepAxes(raw: unknown, options: BiasOptions = {}): { axes: Record<string, unknown[]>; notes: string[] } {
  const { plans, notes } = biasPlans(raw, options);
  const axis = (get: (p: PlannedRun) => unknown) => plans.map(get);
  return {
    axes: {
      integrator: axis((p) => p.integrator),
      dt: axis((p) => p.dt),
      steps: axis((p) => p.steps),
      particles: axis((p) => (p.spec as { particles: number }).particles),
      'histogram.from': axis((p) => (p.spec as { histogram: HistogramSpec }).histogram.from),
      'histogram.every': axis((p) => (p.spec as { histogram: HistogramSpec }).histogram.every),
      'observe.every': axis(() => 0),
    },
    notes,
  };
}

/**
 * Run the study.
 * @param raw the spec as parsed from JSON; it needs a histogram and a constant temperature
 * @throws SpecError for a spec the study cannot use
 * @example const study = await biasStudy(spec, { dts: [0.01, 0.03], integrators: ['em', 'mala'], simulation: { backend: 'cpu' } });
 */
export async function biasStudy(raw: unknown, options: BiasOptions = {}): Promise<BiasStudy> {
  const { spec, plans, notes, particles, time } = biasPlans(raw, options);
  const rows: BiasRow[] = [];
  let where: { backend: BackendKind; device: string } = { backend: 'cpu', device: '' }; // set by the first run
  for (const plan of plans) {
    options.onRun?.(plan.integrator, plan.dt, plan.steps, rows.length, plans.length);
    const { row, backend, device } = await measureRun(plan, spec.histogram, options.simulation);
    rows.push(row);
    where = { backend, device };
  }
  return {
    $schema: BIAS_SCHEMA,
    ...provenance(),
    ...where,
    particles,
    time,
    temperature: spec.temperature,
    rows,
    notes,
    spec: normalisedSpec(spec),
  };
}

/** The run of one integrator at one step size over the study's time (capped at maxSteps, with a note). */
function planRun(
  raw: unknown,
  spec: RunSpec,
  q: { integrator: IntegratorName; dt: number; particles: number; time: number; maxSteps: number },
  notes: string[],
): PlannedRun {
  const { integrator, dt } = q;
  const perStep = INTEGRATOR_TABLE[integrator].stepTime(dt, spec);
  let steps = Math.max(1, Math.round(q.time / perStep));
  if (steps > q.maxSteps) {
    notes.push(`${integrator} at dt = ${dt}: ${steps} steps capped at ${q.maxSteps} (time ${q.maxSteps * perStep} instead of ${q.time})`);
    steps = q.maxSteps;
  }
  const h = spec.histogram!;
  const scale = spec.steps > 0 ? steps / spec.steps : 1;
  const from = Math.min(steps, Math.round(h.from * scale));
  const every = Math.max(1, Math.round(h.every * scale));
  return {
    integrator,
    dt,
    steps,
    perStep,
    spec: { ...(raw as object), integrator, dt, steps, particles: q.particles, histogram: { ...h, from, every }, observe: { every: 0 } },
  };
}

/** Run one plan; its row of the study, and where it ran. */
async function measureRun(
  plan: PlannedRun,
  h: HistogramSpec,
  options: SimulationOptions | undefined,
): Promise<{ row: BiasRow; backend: BackendKind; device: string }> {
  const sim = await Simulation.create(plan.spec, options);
  try {
    const r = await sim.run();
    if (!r.divergence) throw new SpecError('histogram', h, `gives no Boltzmann reference: ${r.notes.join('; ')}`);
    const row: BiasRow = {
      integrator: plan.integrator,
      dt: plan.dt,
      steps: plan.steps,
      time: plan.steps * plan.perStep,
      kl: r.divergence.kl,
      tv: r.divergence.tv,
      klFloor: r.divergence.klFloor,
      samples: r.histogram!.samples,
      ...(r.final.acceptanceRate !== undefined ? { acceptanceRate: r.final.acceptanceRate } : {}),
      nonFinite: r.final.nonFinite,
      elapsedMs: r.elapsedMs,
    };
    return { row, backend: r.backend, device: r.device };
  } finally {
    sim.destroy();
  }
}

/** The study as a text table, one row per run. */
export function biasTable(study: BiasStudy): string {
  const f = (x: number) => (x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4 ? x.toExponential(2) : x.toPrecision(3));
  const header = ['integrator', 'dt', 'steps', 'KL', 'KL/floor', 'TV', 'accept', 'non-finite'];
  const lines = study.rows.map((r) => [
    r.integrator,
    String(r.dt),
    String(r.steps),
    f(r.kl),
    (r.kl / r.klFloor).toFixed(1),
    f(r.tv),
    r.acceptanceRate === undefined ? '-' : r.acceptanceRate.toFixed(3),
    String(r.nonFinite),
  ]);
  const widths = header.map((hd, i) => Math.max(hd.length, ...lines.map((l) => l[i].length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `Bias against exp(−E/T)/Z at T = ${study.temperature}: ${study.particles} particles, time ${study.time} per run, ${study.backend} on ${study.device}`,
    fmt(header),
    ...lines.map(fmt),
    'KL floor: the KL expected from as many exact independent samples, (bins − 1)/(2·samples); KL/floor ≈ 1 means no measurable bias (snapshots of one run are correlated, so the floor is a lower bound).',
    ...study.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
