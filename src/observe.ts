/**
 * Observers: when to observe (snapshot and trace steps), and the result
 * sections they fill (histogram, boltzmann, divergence, trace, best).
 * Steps here count steps done: observation at step s sees the state after s steps.
 */
import type { HistogramCounts } from './stats/binning.ts';
import type { RunSpec } from './spec.ts';

/** The histogram section of the result (counts row-major, the last axis fastest). */
export interface HistogramResult {
  dims: number[];
  bins: number[];
  low: number[];
  high: number[];
  counts: number[];
  /** in-box samples summed over snapshots (Σ counts) */
  samples: number;
  /** finite out-of-box samples summed over snapshots */
  outside: number;
  /** steps at which snapshots were taken */
  snapshots: number[];
}

export interface BoltzmannSection {
  /** temperature of the reference (energy units), the temperature at the last snapshot */
  temperature: number;
  probabilities: number[];
  method: 'full' | 'separable' | 'integrated';
}

export interface DivergenceSection {
  kl: number;
  tv: number;
  chi2: number;
  dof: number;
  pValue: number;
  /** expected KL of independent samples from the exact distribution, (B − 1)/(2n) */
  klFloor: number;
  note?: string;
}

export interface TraceRow {
  step: number;
  temperature: number;
  meanEnergy: number;
  /** KL(q‖p) of this step's histogram against the Boltzmann reference at this temperature */
  kl?: number;
  /** lowest energy seen at any observation so far */
  bestEnergy: number;
  /** fraction of all particles within observe.radius of observe.target */
  inTarget?: number;
  nonFinite: number;
  /** mala, hmc: fraction of the moves since the previous row that were accepted */
  acceptanceRate?: number;
  /** baoab, hmc: Σ_d m_d⟨v_d²⟩ / D, energy units */
  kineticTemperature?: number;
}

export interface BestSection {
  energy: number;
  x: number[];
  step: number;
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

/** Float64 accumulation of snapshots (no u32 wrap however long the run). */
export class HistogramAccumulator {
  readonly counts: Float64Array;
  outside = 0;
  readonly snapshots: number[] = [];

  constructor(bins: number) {
    this.counts = new Float64Array(bins);
  }

  add(step: number, h: HistogramCounts): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += h.counts[i];
    this.outside += h.outside;
    this.snapshots.push(step);
  }

  get samples(): number {
    let s = 0;
    for (const c of this.counts) s += c;
    return s;
  }
}
