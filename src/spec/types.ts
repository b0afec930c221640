/**
 * The run spec's types after validation (every default filled in) and its
 * limits: the public input contract of README "Run spec".
 */
import type { ScheduleSpec } from '../schedule.ts';
import type { DataSet } from '../data.ts';
import type { IntegratorName } from '../integrators/table.ts';

/** Largest number of steps fused into one dispatch. */
export const MAX_STEPS_PER_DISPATCH = 1024;
/** Histogram limits (statistics). */
export const MAX_BINS_PER_AXIS = 1024;
export const MAX_BINS_TOTAL = 1 << 20;

/** Largest number of leapfrog steps per HMC step. */
export const MAX_LEAPFROG_STEPS = 1024;

/** Initial velocities of the inertial integrators. */
export type VelocityInit =
  /** drawn from N(0, T(0)/m_d) per coordinate: the Maxwell distribution at the initial temperature */
  | { kind: 'thermal' }
  | { kind: 'zero' }
  /** the same velocity (length/time) for every particle */
  | { kind: 'vector'; v: number[] };

/** Initial positions. */
export type InitSpec =
  { kind: 'normal'; mean: number[]; std: number[] } | { kind: 'uniform'; low: number[]; high: number[] } | { kind: 'point'; x: number[] };

export interface HistogramSpec {
  /** coordinates binned (1 or 2 of them) */
  dims: number[];
  bins: number[];
  low: number[];
  high: number[];
  /** first step (count of steps done) at which a snapshot is taken */
  from: number;
  /** steps between snapshots */
  every: number;
}

export interface ObserveSpec {
  /** steps between trace rows; 0 = no trace */
  every: number;
  target?: number[];
  radius?: number;
}

/** A validated spec with every default filled in. */
export interface RunSpec {
  dims: number;
  particles: number;
  /**
   * A built-in (`name`), an expression (`expr`), or a potential from data:
   * E(w) = prior(w) + Σ_i example(w; row_i) over the rows of `data`
   * (`example` in the coordinates and the data's column names).
   */
  potential: { name?: string; expr?: string; example?: string; prior?: string; data?: DataSet; params: Record<string, number | number[]> };
  integrator: IntegratorName;
  /** step size h (time units); with a schedule, the first step's */
  dt: number;
  /** the step-size schedule when `dt` was given as one (src/schedule.ts); h_n = scheduleAt(dtSchedule, n, steps) */
  dtSchedule?: ScheduleSpec;
  /** temperature T (energy units, k_B = 1) or a schedule */
  temperature: ScheduleSpec;
  steps: number;
  /** Philox key, integer in [0, 2^53) */
  seed: number;
  init: InitSpec;
  /** initial velocities (from the spec's `init.velocity`; used by baoab and hmc only) */
  velocity: VelocityInit;
  /** mass per coordinate (mass units; baoab, hmc), all > 0; default 1 */
  mass: number[];
  /** friction γ (1/time; baoab), ≥ 0; default 1. γ = 0 is velocity Verlet */
  friction: number;
  /** leapfrog steps L per HMC step (hmc); a step then spans time L·dt; default 10 */
  leapfrogSteps: number;
  /** steps fused per dispatch; undefined = chosen by the backend */
  stepsPerDispatch?: number;
  histogram?: HistogramSpec;
  observe: ObserveSpec;
  /**
   * Mini-batch gradients (potentials from data only; spec fields `batch` and
   * `replace`): every step of every particle uses ∇prior + (N/B) Σ_{j<B} ∇example(row_j)
   * with rows drawn from Philox stream 4 (src/rng/batch.ts). Absent = full batch.
   */
  batch?: BatchSpec;
  /** first-passage observer (spec `passage`) */
  passage?: PassageSpec;
  /**
   * Potential parameters that follow a schedule over the protocol, as written in
   * `potential.params` (a schedule, or an array holding schedules and numbers);
   * `potential.params` then holds their values λ_0 at the protocol's start.
   * Every particle accumulates work W = Σ_n [E(x_n; λ_{n+1}) − E(x_n; λ_n)].
   */
  schedules?: Record<string, ParamSchedule | (number | ParamSchedule)[]>;
  /** 'reverse' runs the parameter schedules backwards: λ^R_j = λ_{steps − j} (Crooks) */
  protocol: 'forward' | 'reverse';
  /** equilibration before the protocol (`init.kind: "equilibrium"`): `steps` steps at λ_0 and T(0) from `init`, with their own random numbers */
  equilibrate?: { steps: number };
}

/**
 * A potential parameter's value over the protocol (src/run/paramProtocol.ts):
 * λ_j for j = 0 … steps, λ_0 before the first step and λ_steps after the last.
 * The temperature's kinds (with signed values) and a sine.
 */
export type ParamSchedule =
  | { schedule: 'linear'; from: number; to: number }
  | { schedule: 'geometric'; from: number; to: number }
  | { schedule: 'log'; c: number; n0: number }
  | { schedule: 'table'; values: number[] }
  /** mean + amplitude·sin(2π j/period + phase): a periodic drive (period in steps) */
  | { schedule: 'sine'; mean: number; amplitude: number; period: number; phase: number };

export type { PassageRegion, PassageSpec } from '../integrators/passage.ts';
import type { PassageSpec } from '../integrators/passage.ts';

export interface BatchSpec {
  /** B, rows per gradient, 1 ≤ B ≤ N */
  size: number;
  /** draw the rows with replacement (default) or without (Floyd's algorithm, B ≤ 256) */
  replace: boolean;
}
