/**
 * The sections of the result JSON that observations fill: histogram,
 * boltzmann, divergence, trace, best (README "Result"; a public contract).
 * Steps count steps done: an observation at step s sees the state after s steps.
 */

import type { PassageSummary } from '../stats/passage.ts';
import type { WorkSummary } from '../stats/work.ts';

/** The histogram section of the result (counts row-major, the last axis fastest). */
export interface HistogramResult {
  dims: number[];
  bins: number[];
  low: number[];
  high: number[];
  /** per axis, its bins + 1 bin edges (float64): low + (high − low)·i/bins, the first exactly low, the last exactly high */
  edges: number[][];
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

/** The lowest energy any particle had at an observation, where and when. */
export interface BestSection {
  /** energy units */
  energy: number;
  /** position, length units ([] before any finite observation) */
  x: number[];
  /** the step of that observation */
  step: number;
}

/** The result's `passage` section (spec `passage`; src/run/kinetics.ts, src/stats/passage.ts). */
export type PassageSection = {
  /** the region as the spec gives it (an unbounded side of a box is null) */
  region: { low: (number | null)[]; high: (number | null)[] } | { center: number[]; radius: number };
  absorb: boolean;
  /** whether the Brownian-bridge correction counted crossings within a step, and what that means for the bias */
  bridge: { applied: boolean; note: string };
  /** the exact mean first-passage time (time units) where quadrature gives it (1-D overdamped, point start, half-line region) */
  reference?: { mfpt: number; method: string };
} & PassageSummary;

/** The result's `work` section (parameter schedules; src/run/kinetics.ts, src/stats/work.ts). */
export type WorkSection = {
  protocol: 'forward' | 'reverse';
  /** the exact ΔF (energy units) where quadrature gives it (1-D): −T ln(Z(λ_steps)/Z(λ_0)) */
  reference?: { deltaF: number; method: string };
  /** what the numbers assume (e.g. an equilibrium start) */
  notes: string[];
} & WorkSummary;
