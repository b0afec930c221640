/**
 * The result JSON (README "Result"; a public contract) and `buildResult`, a
 * pure function of the prepared spec, the run's observations and its final
 * state: the same function serves a live run and a result rebuilt from saved
 * observations after the device is gone.
 */
import type { BackendKind, Covariance, Moments } from '../backend.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import type { CompiledPotential } from '../potential/index.ts';
import type { HistogramSpec, RunSpec } from '../spec.ts';
import { RESULT_SCHEMA, type Provenance } from '../provenance.ts';
import { normalisedSpec, type SpecJson } from './specJson.ts';
import type { BoltzmannResult } from '../stats/boltzmann.ts';
import { divergences, klFloor } from '../stats/divergence.ts';
import { effectiveTemperature, hessian } from '../stats/sgd.ts';
import { particlesObserved, samplesOf, type HistogramSum, type Kinetic, type Observations } from './observations.ts';
import { temperatureAfter } from './protocol.ts';
import { nonFiniteWarnings, type NonFinite } from './diagnosis.ts';
import type {
  BestSection,
  BoltzmannSection,
  DivergenceSection,
  HistogramResult,
  PassageSection,
  TraceRow,
  WorkSection,
} from './sections.ts';
import { hasKinetics, kineticsSectionsOf, type KineticsSums } from './kinetics.ts';

/** The result JSON (README "Result"; schema/result.schema.json): a public contract. */
export interface RunResult extends Provenance {
  /** the result schema's URL (RESULT_SCHEMA) */
  $schema: string;
  backend: BackendKind;
  device: string;
  software: boolean;
  particles: number;
  dims: number;
  steps: number;
  /** wall time of the stepping and observation, milliseconds */
  elapsedMs: number;
  particleStepsPerSecond: number;
  final: {
    temperature: number;
    mean: number[];
    variance: number[];
    /** ensemble mean of the energy: for a potential from data, the full-data loss prior + Σ_i example_i */
    meanEnergy: number;
    nonFinite: number;
    /** mala, hmc: fraction of all proposed moves of the run that were accepted */
    acceptanceRate?: number;
    /** baoab, hmc: per coordinate ⟨v_d²⟩ − ⟨v_d⟩², (length/time)² */
    velocityVariance?: number[];
    /** baoab, hmc: Σ_d m_d⟨v_d²⟩ / D, energy units (equals T at equilibrium up to the O(h²) bias of BAOAB) */
    kineticTemperature?: number;
    /** baoab, hmc: mean potential plus mean kinetic energy ½Σ_d m_d⟨v_d²⟩, energy units */
    totalEnergy?: number;
    /** baoab with friction 0: totalEnergy now minus totalEnergy at step 0, energy units */
    energyDrift?: number;
    /** D × D population covariance of the positions (particles with finite coordinates) */
    covariance?: number[][];
    /**
     * Mini-batch runs at T = 0 (SGD): tr(HΣ)/D, H the full-data Hessian at the
     * ensemble mean, Σ `covariance`: the Langevin temperature with the same
     * H-weighted spread (src/stats/sgd.ts)
     */
    effectiveTemperature?: number;
  };
  /** lowest energy any particle had at an observation, where and when */
  best: BestSection;
  /** fraction of particles within observe.radius of observe.target at the end */
  target?: { x: number[]; radius: number; fraction: number };
  histogram?: HistogramResult;
  boltzmann?: BoltzmannSection;
  divergence?: DivergenceSection;
  trace?: TraceRow[];
  /** first passage into spec.passage's region: survival, MFPT, rate */
  passage?: PassageSection;
  /** work done by the parameter schedules on each walker: its distribution, Jarzynski's ΔF */
  work?: WorkSection;
  /** explanations (e.g. why there is no Boltzmann reference) */
  notes: string[];
  /** messages a user should read (e.g. a blow-up) */
  warnings: string[];
  /** present only when the run stopped before `stepsPlanned`: `steps` is then the number of steps done */
  partial?: PartialSection;
  /** the spec that ran, with every default filled in: running it again gives the same numbers */
  spec: SpecJson;
}

/** Why a result covers fewer steps than the spec asked for. */
export interface PartialSection {
  /** 'cancelled': the caller aborted (RunOptions.signal); 'interrupted': rebuilt from saved observations after a lost device or a closed page */
  reason: 'cancelled' | 'interrupted';
  /** the spec's steps */
  stepsPlanned: number;
}

/** The run's state at its end (or at its last saved observation). */
export interface FinalState {
  moments: Moments;
  /** the step `moments` was taken at (final.temperature is that state's) */
  step: number;
  /** velocity moments (integrators with velocities), if known */
  kinetic?: Kinetic;
  /** the positions' covariance, if known (not in a result rebuilt from saved observations) */
  covariance?: Covariance;
  /** the non-finite particles and why, if known (else `moments.nonFinite`, cause unknown) */
  nonFinite?: NonFinite;
  /** the first-passage and work sums (a spec with kinetics; not in a result rebuilt from saved observations) */
  kinetics?: KineticsSums;
}

/** What `buildResult` reads of a run besides its observations. */
export interface ResultInputs {
  spec: RunSpec;
  potential: CompiledPotential;
  observations: Observations;
  final: FinalState;
  /** the Boltzmann reference of the histogram at a temperature (cached or computed) */
  reference: (T: number) => BoltzmannResult;
  /** why the run stopped early, if it did */
  partial?: PartialSection['reason'];
  /** where and when the result was made: `provenance()` at the end of the run */
  provenance: Provenance;
}

/** The result of a run. */
export function buildResult(r: ResultInputs): RunResult {
  const { spec, observations: obs } = r;
  const particles = particlesObserved(spec, obs);
  const notes: string[] = [];
  const result: RunResult = {
    $schema: RESULT_SCHEMA,
    ...r.provenance,
    backend: obs.backend,
    device: obs.device,
    software: obs.software,
    particles,
    dims: spec.dims,
    steps: obs.step,
    elapsedMs: round(obs.elapsedMs, 3),
    particleStepsPerSecond: obs.elapsedMs > 0 ? Math.round((particles * obs.step) / (obs.elapsedMs / 1000)) : 0,
    final: finalSection(r, notes),
    best: obs.best,
    notes,
    warnings: warnings(r),
    spec: normalisedSpec(spec),
  };
  if (r.final.moments.count === 0 && r.final.moments.nonFinite > 0)
    notes.push(
      'every particle is non-finite: final.mean, final.variance and final.meanEnergy are unknown (null); the moments count finite particles only',
    );
  if (obs.emptyHistogramSteps?.length)
    notes.push(`trace rows at steps ${obs.emptyHistogramSteps.join(', ')} have no kl: no particle was inside the histogram box then`);
  const { target, radius } = spec.observe;
  if (target && radius) result.target = { x: target, radius, fraction: r.final.moments.inside / particles };
  if (r.partial) result.partial = { reason: r.partial, stepsPlanned: spec.steps };
  if (obs.trace.length > 0) result.trace = obs.trace;
  if (spec.histogram && obs.histogram) Object.assign(result, histogramSections(r, obs.histogram, notes));
  Object.assign(result, kineticsSections(r, notes));
  // the spec last: it may hold a data set's rows
  const { spec: written, ...rest } = result;
  return { ...rest, spec: written };
}

/** `passage` and `work` from the final kinetics sums. */
function kineticsSections(r: ResultInputs, notes: string[]): Pick<RunResult, 'passage' | 'work'> {
  const { spec } = r;
  const k = r.final.kinetics;
  if (!hasKinetics(spec)) return {};
  if (!k) {
    notes.push('no passage or work sections: the per-particle first hit steps and work are read from the particles at the end of a run');
    return {};
  }
  return kineticsSectionsOf(spec, r.potential, k, r.final.step);
}

/**
 * Per histogram axis, its bins + 1 edges in float64: low + (high − low)·i/bins,
 * the first exactly low and the last exactly high. (The GPU bins in f32,
 * src/stats/binning.ts: a coordinate within f32 rounding of an edge may fall
 * on either side of it.)
 */
export function binEdges(h: Pick<HistogramSpec, 'bins' | 'low' | 'high'>): number[][] {
  return h.bins.map((bins, a) => {
    const low = h.low[a];
    const high = h.high[a];
    return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : low + (high - low) * (i / bins)));
  });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Warnings about non-finite particles, each with its cause (only a blow-up blames the step size). */
function warnings(r: ResultInputs): string[] {
  const dt = r.spec.dtSchedule ? JSON.stringify(r.spec.dtSchedule) : String(r.spec.dt);
  return nonFiniteWarnings(
    particlesObserved(r.spec, r.observations),
    dt,
    r.observations.start,
    r.final.nonFinite ?? { count: r.final.moments.nonFinite },
  );
}

/** `final`: moments, covariance, and what the integrator adds (acceptance rate, kinetic quantities, energy drift, T_eff). */
function finalSection(r: ResultInputs, notes: string[]): RunResult['final'] {
  const {
    spec,
    final: { moments: m, kinetic: kin, covariance: cov },
  } = r;
  const entry = INTEGRATOR_TABLE[spec.integrator];
  const final: RunResult['final'] = {
    temperature: temperatureAfter(spec, r.final.step),
    mean: m.mean,
    variance: m.variance,
    meanEnergy: m.meanEnergy,
    nonFinite: m.nonFinite,
    ...(cov ? { covariance: cov.matrix } : {}),
  };
  const a = r.observations.acceptance;
  if (entry.metropolis && a && a.proposed > 0) final.acceptanceRate = a.accepted / a.proposed;
  if (kin && entry.velocities) {
    final.velocityVariance = kin.variance;
    final.kineticTemperature = kin.kineticTemperature;
    final.totalEnergy = m.meanEnergy + kin.kineticEnergy;
    const e0 = r.observations.initialTotalEnergy;
    if (e0 !== undefined) final.energyDrift = final.totalEnergy - e0;
  }
  if (cov && spec.batch && final.temperature === 0 && cov.count > 1 && cov.mean.every(Number.isFinite)) {
    final.effectiveTemperature = effectiveTemperature(hessian(r.potential, cov.mean), cov.matrix);
    notes.push(
      `effectiveTemperature = tr(HΣ)/D = ${final.effectiveTemperature.toPrecision(4)}: H is the Hessian of the full-data energy at the ensemble mean, Σ the ensemble covariance; Langevin dynamics at temperature T in a quadratic loss gives Σ = T·H⁻¹ (small steps), so this is the temperature the mini-batch noise acts as`,
    );
  }
  return final;
}

/** Why the snapshots of a run are not of one Boltzmann distribution, if they are not. */
function noEquilibrium(spec: RunSpec): string | undefined {
  if (spec.schedules)
    return 'the potential parameters follow a schedule, so the snapshots are not of one equilibrium (see `work` for the free energy)';
  if (spec.passage?.absorb) return 'the passage region absorbs walkers, so the snapshots are not of the equilibrium';
  return undefined;
}

/** `histogram`, and against the Boltzmann reference at the last snapshot's temperature, `boltzmann` and `divergence`. */
function histogramSections(r: ResultInputs, sum: HistogramSum, notes: string[]): Pick<RunResult, 'histogram' | 'boltzmann' | 'divergence'> {
  const h = r.spec.histogram!;
  const samples = samplesOf(sum);
  const out: Pick<RunResult, 'histogram' | 'boltzmann' | 'divergence'> = {
    histogram: {
      dims: h.dims,
      bins: h.bins,
      low: h.low,
      high: h.high,
      edges: binEdges(h),
      counts: Array.from(sum.counts),
      samples,
      outside: sum.outside,
      snapshots: sum.snapshots,
    },
  };
  if (sum.snapshots.length === 0) {
    notes.push(
      r.partial
        ? `no histogram snapshot was taken before the run stopped at step ${r.observations.step}`
        : 'no histogram snapshot was taken (histogram.from is after the last step)',
    );
    return out;
  }
  const why = noEquilibrium(r.spec);
  if (why) {
    notes.push(`no Boltzmann reference: ${why}`);
    return out;
  }
  const temps = sum.snapshots.map((s) => temperatureAfter(r.spec, s));
  const T = temps[temps.length - 1];
  if (temps.some((t) => t !== T))
    notes.push(
      `the temperature changed between snapshots (${Math.min(...temps)} to ${Math.max(...temps)}); the Boltzmann reference is at the last snapshot's temperature ${T}`,
    );
  const ref = r.reference(T);
  if ('note' in ref) {
    notes.push(`no Boltzmann reference: ${ref.note}`);
    return out;
  }
  out.boltzmann = { temperature: T, probabilities: Array.from(ref.probabilities), method: ref.method };
  if (samples === 0) {
    notes.push(`no divergence: no particle was inside the histogram box at any snapshot (${sum.outside} finite samples outside it)`);
    return out;
  }
  const d = divergences(sum.counts, ref.probabilities, { correlated: sum.snapshots.length > 1 });
  const populated = ref.probabilities.filter((p) => p > 0).length;
  out.divergence = {
    kl: d.kl,
    tv: d.tv,
    chi2: d.chi2,
    dof: d.dof,
    pValue: d.pValue,
    klFloor: klFloor(populated, samples).mean,
    ...(d.note ? { note: d.note } : {}),
  };
  return out;
}
