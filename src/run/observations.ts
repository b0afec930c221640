/**
 * What a run has observed, as a value: host data only (no GPU object),
 * structured-cloneable (IndexedDB, postMessage), enough to rebuild a result
 * with `buildResult` after the device is gone. Also when a run observes:
 * histogram snapshot steps and trace steps, both counted in steps done.
 */
import type { AcceptanceCounts, BackendKind, Moments, ParticleRange, VelocityMoments } from '../backend.ts';
import type { HistogramCounts } from '../stats/binning.ts';
import type { RunSpec } from '../spec.ts';
import type { BestSection, TraceRow } from './sections.ts';
import type { NonFinite } from './diagnosis.ts';

/** Histogram snapshots summed in float64 (no u32 wrap however long the run). */
export interface HistogramSum {
  /** in-box counts, row-major (the last axis fastest) */
  counts: Float64Array;
  /** finite out-of-box samples */
  outside: number;
  /** steps at which snapshots were taken */
  snapshots: number[];
}

/**
 * What a run has observed so far: host data only (no GPU object), enough to
 * rebuild a (partial) result with `Simulation.resultFromObservations` after
 * the device is gone. Structured-cloneable (IndexedDB, postMessage).
 */
export interface Observations {
  backend: BackendKind;
  /** the particles observed, when a run holds only some of the ensemble's (a shard or a block) */
  range?: ParticleRange;
  /** what steps the particles (the adapter, or the CPU and the threads it used) */
  device: string;
  software: boolean;
  /** steps done */
  step: number;
  /** wall time of stepping and observation so far, milliseconds */
  elapsedMs: number;
  trace: TraceRow[];
  best: BestSection;
  /** the histogram snapshots summed so far */
  histogram?: HistogramSum;
  /** the latest ensemble moments and the step they were taken at */
  moments?: Moments & { step: number };
  /** accepted and proposed moves of the whole run so far (integrators with an accept test) */
  acceptance?: AcceptanceCounts;
  /** the ensemble's mean total energy at step 0 (runs that report energyDrift), energy units */
  initialTotalEnergy?: number;
  /** the particles non-finite at step 0, before any step, and why (a run started at step 0) */
  start?: NonFinite;
  /** trace steps whose histogram had no particle inside the box, so no KL */
  emptyHistogramSteps?: number[];
  /** the step of the last observation (snapshot or trace row) the run loop took: a resumed run does not take it again */
  observedAt?: number;
  /** the equilibration before the protocol (spec `init.kind: "equilibrium"`) is done */
  equilibrated?: boolean;
}

/** The number of particles a run's observations are about: its range's, or the spec's. */
export function particlesObserved(spec: RunSpec, obs: Pick<Observations, 'range'>): number {
  return obs.range?.count ?? spec.particles;
}

/** Velocity moments with the kinetic quantities derived from them (integrators with velocities). */
export interface Kinetic extends VelocityMoments {
  /** ½Σ_d m_d⟨v_d²⟩, energy units */
  kineticEnergy: number;
  /** Σ_d m_d⟨v_d²⟩ / D, energy units */
  kineticTemperature: number;
  /** per coordinate ⟨v_d²⟩ − ⟨v_d⟩², (length/time)² */
  variance: number[];
}

/** @param mass m_d per coordinate, mass units */
export function kinetic(vm: VelocityMoments, mass: number[]): Kinetic {
  const twice = vm.meanSquare.reduce((acc, v2, d) => acc + mass[d] * v2, 0);
  return {
    ...vm,
    kineticEnergy: 0.5 * twice,
    kineticTemperature: twice / mass.length,
    variance: vm.meanSquare.map((v2, d) => Math.max(0, v2 - vm.mean[d] ** 2)),
  };
}

/** An empty sum of `bins` bins. */
export function emptyHistogram(bins: number): HistogramSum {
  return { counts: new Float64Array(bins), outside: 0, snapshots: [] };
}

/** Add one snapshot (taken after `step` steps) to the sum. */
export function addSnapshot(sum: HistogramSum, step: number, h: HistogramCounts): void {
  for (let i = 0; i < sum.counts.length; i++) sum.counts[i] += h.counts[i];
  sum.outside += h.outside;
  sum.snapshots.push(step);
}

/** In-box samples summed over snapshots (Σ counts). */
export function samplesOf(sum: HistogramSum): number {
  let s = 0;
  for (const c of sum.counts) s += c;
  return s;
}

/** Steps (ascending, unique) at which histogram snapshots are taken. */
export function snapshotSteps(spec: RunSpec): number[] {
  const h = spec.histogram;
  if (!h) return [];
  const out: number[] = [];
  for (let s = h.from; s <= spec.steps; s += h.every) out.push(s);
  return out;
}

/** Steps (ascending, unique) of trace rows: 0, every, 2·every, …, and the last step. */
export function traceSteps(spec: RunSpec): number[] {
  const every = spec.observe.every;
  if (every <= 0) return [];
  const out: number[] = [];
  for (let s = 0; s <= spec.steps; s += every) out.push(s);
  if (out[out.length - 1] !== spec.steps) out.push(spec.steps);
  return out;
}
