/**
 * The one small interface both backends implement. The engine drives it; the
 * backends hold the particles.
 */
import type { CompiledPotential } from './potential/index.ts';
import type { RunSpec } from './spec.ts';
import type { HistogramCounts } from './stats/binning.ts';
import type { RenderView } from './gpu/renderView.ts';
import { covarianceMatrixOf, meansOf, variancesOf, type CovarianceSums, type MomentSums, type ParticleRange } from './sums.ts';
import { exactValue } from './stats/exact.ts';
import type { KineticsSums } from './run/kinetics.ts';

/** What a backend is asked to simulate. */
export interface Problem {
  spec: RunSpec;
  potential: CompiledPotential;
  /** the particles this backend holds (global indices); default all of spec.particles */
  range?: ParticleRange;
}

export type { ParticleRange } from './sums.ts';

/** The particles a problem's backend holds. */
export function rangeOf(problem: Problem): ParticleRange {
  return problem.range ?? { first: 0, count: problem.spec.particles };
}

/** Ensemble moments over the finite particles, summed in float64. */
export interface Moments {
  /** particles whose position and energy are finite */
  count: number;
  /** particles with a non-finite coordinate or energy (excluded from the rest) */
  nonFinite: number;
  /** per coordinate, length units */
  mean: number[];
  /** per coordinate, population variance (divides by count) */
  variance: number[];
  /** energy units */
  meanEnergy: number;
  /** particles within the target ball (0 when none was given) */
  inside: number;
  /** the lowest energy of any finite particle, that particle's global index (lowest index on ties) and position ([] when no particle is finite) */
  best: { energy: number; index: number; x: number[] };
  /** the lowest global index of a non-finite particle (−1 when none): an example to diagnose */
  firstNonFinite: number;
  /** the exact sums these numbers come from (what a shard records and a merge adds) */
  sums: MomentSums;
}

/** Velocity moments of the inertial integrators (baoab, hmc), summed in float64. */
export interface VelocityMoments {
  /** particles whose velocity is finite */
  count: number;
  /** per coordinate ⟨v_d⟩, length/time */
  mean: number[];
  /** per coordinate ⟨v_d²⟩ (not centred), (length/time)² */
  meanSquare: number[];
  /** the exact sums these numbers come from */
  sums: MomentSums;
}

/** Metropolis moves (mala, hmc) since the previous observation. */
export interface AcceptanceCounts {
  /** accepted moves summed over particles */
  accepted: number;
  /** proposed moves: particles × steps */
  proposed: number;
}

/** A ball around a target point: counts particles with |x − target| ≤ radius. */
export interface TargetBall {
  target: number[];
  /** length units */
  radius: number;
}

/** One snapshot of a histogram. */
export type { HistogramCounts } from './stats/binning.ts';

export type BackendKind = 'cpu' | 'webgpu';

/** What a chunk of steps may take besides its coefficients. */
export interface AdvanceExtra {
  /**
   * The potential parameters of protocol points step0 … step0 + K ((K + 1) rows of P values,
   * src/run/paramProtocol.ts): step k moves under row k + 1 after the switch from row k, whose work
   * every particle adds up. After the chunk the backend's parameters are the last row.
   */
  params?: Float64Array;
  /** equilibration before the protocol: the key's top bit set (random numbers of their own), no passage test, no work */
  equilibration?: boolean;
}

/** The Philox key of the equilibration phase: the run's key with bit 63 set (seeds are below 2^53). */
export function equilibrationKey(k0: number, k1: number): [number, number] {
  return [k0, (k1 | 0x80000000) >>> 0];
}

/** What one observation pass is asked for. */
export interface ObservationRequest {
  /** count the particles within this ball */
  ball?: TargetBall;
  /** bin the positions into spec.histogram (cleared after the read) */
  histogram: boolean;
}

/** What one observation pass returns: on the GPU, from one submission and one read-back. */
export interface Observation {
  moments: Moments;
  /** integrators with velocities */
  velocity?: VelocityMoments;
  /** integrators with an accept test: the moves since the previous observation */
  acceptance?: AcceptanceCounts;
  /** when asked for */
  histogram?: HistogramCounts;
}

/**
 * The one interface both backends implement: they hold the particles; the
 * engine drives them. Coefficient tables hold COEF_STRIDE numbers per step
 * (src/integrators/coefficients.ts).
 */
export interface Backend {
  readonly kind: BackendKind;
  /** adapter description, or the CPU's */
  readonly device: string;
  readonly software: boolean;
  /** default steps per `advance` call for this backend and problem size */
  readonly preferredStepsPerDispatch: number;
  /**
   * Advance every particle by `coef.length / COEF_STRIDE` steps, the first being step `step0`.
   * @param coef the integrator's coefficients per step (its table entry's `coefficients`)
   */
  advance(step0: number, coef: Float64Array, extra?: AdvanceExtra): Promise<void>;
  /** The potential's parameters from now on (P values; a resumed run's at its step, under a schedule). */
  setParams(values: Float64Array): void;
  /** Resolves when all work submitted so far has finished (for timing). */
  finish(): Promise<void>;
  /** One observation pass: moments with the best particle, velocity moments, the acceptance since the last pass, the histogram if asked. */
  observe(request: ObservationRequest): Promise<Observation>;
  /** Moments of the current ensemble only (tile sums: src/sums.ts), best particle, target count. */
  moments(ball?: TargetBall): Promise<Moments>;
  /** Covariance matrix of the current positions (particles with finite coordinates), from tile sums. */
  covariance(): Promise<Covariance>;
  /** Histogram of the current positions only (spec.histogram's axes and box). */
  histogram(): Promise<HistogramCounts>;
  /** Position of one particle (global index). */
  readParticle(index: number): Promise<number[]>;
  /**
   * Positions of the particles `first` … `first + count − 1` (default: all), particle-major (x[i·D + d]).
   * For tests and export only; an export reads a large ensemble in bounded chunks.
   */
  readPositions(first?: number, count?: number): Promise<Float32Array | Float64Array>;
  /** Velocities of the same range, particle-major (integrators with velocities; undefined for the others). For tests and export only. */
  readVelocities(first?: number, count?: number): Promise<Float32Array | Float64Array | undefined>;
  /** The particles' state for a checkpoint (read back whole: positions, velocities, moves not yet observed). */
  saveState(): Promise<BackendState>;
  /**
   * Put a saved state back: the same backend kind, particle range and integrator.
   * @throws RangeError when the arrays do not fit this backend
   */
  restoreState(state: BackendState): Promise<void>;
  /**
   * The first-passage and work sums of the particles (spec \`passage\`, parameter schedules; src/run/kinetics.ts):
   * exact and mergeable. Undefined sections where the spec has neither.
   */
  kinetics(): Promise<KineticsSums>;
  /** The GPU buffers a renderer may draw from (the WebGPU backend only). */
  readonly renderView?: RenderView;
  /** Free what the backend created; safe to call twice. */
  destroy(): void;
}

/** What a checkpoint holds of a backend: enough to go on with the same bits. */
export interface BackendState {
  /** x[i·D + d] of the backend's particles (CPU float64, WebGPU float32) */
  positions: Float32Array | Float64Array;
  /** v[i·D + d] (integrators with velocities) */
  velocities?: Float32Array | Float64Array;
  /** the WebGPU backend's per-particle accepted moves since the last observation (integrators with an accept test) */
  accepts?: Float32Array;
  /** moves since the last observation: the CPU's totals; on WebGPU only `proposed` (the accepted ones are in `accepts`) */
  pending?: AcceptanceCounts;
  /** first hit steps (spec \`passage\`; NOT_HIT = 0xffffffff) */
  hit?: Uint32Array;
  /** work per particle (parameter schedules; CPU float64; WebGPU float32 sum and compensation, 2 per particle) */
  work?: Float32Array | Float64Array;
}

/** Check that a saved array fits: same length and precision. */
export function checkStateArray(what: string, saved: Float32Array | Float64Array | undefined, expected: number, f64: boolean): void {
  if (!saved || saved.length !== expected || saved instanceof Float64Array !== f64)
    throw new RangeError(
      `checkpoint ${what}: got ${saved ? `${saved.length} ${saved instanceof Float64Array ? 'float64' : 'float32'} values` : 'none'}; this backend holds ${expected} ${f64 ? 'float64' : 'float32'} values`,
    );
}

/** The ensemble covariance. */
export interface Covariance {
  /** particles with finite coordinates */
  count: number;
  /** per coordinate, length units */
  mean: number[];
  /** D × D population covariance (divides by count), length² units */
  matrix: number[][];
  /** the exact sums these numbers come from */
  sums: CovarianceSums;
}

/** Covariance from its exact sums. */
export function covarianceOf(sums: CovarianceSums): Covariance {
  const mean = meansOf(sums.count, sums.s1);
  return { count: sums.count, mean, matrix: covarianceMatrixOf(sums, mean), sums };
}

/** Moments from their exact sums (one function for a run, a shard and a merge: the same sums give the same bits). */
export function momentsOf(sums: MomentSums): Moments {
  const { count } = sums;
  const mean = meansOf(count, sums.s1);
  return {
    count,
    nonFinite: sums.nonFinite,
    mean,
    variance: variancesOf(count, sums.s1, sums.s2, mean),
    meanEnergy: count > 0 ? exactValue(sums.energy) / count : NaN,
    inside: sums.inside,
    best: sums.best,
    firstNonFinite: sums.firstNonFinite,
    sums,
  };
}

/** ⟨v⟩ and ⟨v²⟩ from the exact sums of a velocity reduction. */
export function velocityMomentsOf(sums: MomentSums): VelocityMoments {
  const { count } = sums;
  return { count, mean: meansOf(count, sums.s1), meanSquare: sums.s2.map((p) => exactValue(p) / count), sums };
}

/**
 * Check a particle range of readPositions/readVelocities: 0 ≤ first ≤ first + count ≤ particles, integers
 * (both backends, so that a range past the end is an error on each rather than a short array on one and zeros on the other).
 * @throws RangeError naming the range and the ensemble's size
 */
export function checkParticleRange(particles: number, first: number, count: number): void {
  if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0 || first + count > particles)
    throw new RangeError(`particles ${first} … ${first + count - 1} (first ${first}, count ${count}): the ensemble has ${particles}`);
}
