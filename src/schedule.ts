/**
 * Schedules: pure functions of the step index n ∈ [0, steps), for the
 * temperature T(n) (energy units, k_B = 1) and the step size h(n) (time units).
 */

/** A schedule as written in a spec (see README "Run spec"). */
export type ScheduleSpec =
  | number
  | { schedule: 'linear'; from: number; to: number }
  | { schedule: 'geometric'; from: number; to: number }
  | { schedule: 'log'; c: number; n0: number }
  | { schedule: 'table'; values: number[] }
  /** a(b + n)^(−gamma): Welling & Teh 2011's SGLD step sizes (step size only) */
  | { schedule: 'poly'; a: number; b: number; gamma: number }
  /**
   * Zhang et al. 2020 (cyclical SG-MCMC), eq. 1: with L = ⌈steps/cycles⌉,
   * dt0/2 · (cos(π (n mod L)/L) + 1): from dt0 down towards 0 in each of `cycles` cycles (step size only)
   */
  | { schedule: 'cyclical'; dt0: number; cycles: number };

/**
 * Temperature at step n of a run of `steps` steps.
 * @example temperatureAt({schedule: 'geometric', from: 1, to: 0.01}, 99, 100) // 0.01
 */
export function temperatureAt(s: ScheduleSpec, n: number, steps: number): number {
  return scheduleAt(s, n, steps);
}

/**
 * Value at step n of a run of `steps` steps, for any schedule.
 * @example scheduleAt({schedule: 'poly', a: 0.01, b: 1, gamma: 0.55}, 0, 100) // 0.01
 * @example scheduleAt({schedule: 'cyclical', dt0: 0.1, cycles: 2}, 50, 100) // 0.1 (a new cycle starts)
 */
export function scheduleAt(s: ScheduleSpec, n: number, steps: number): number {
  if (typeof s === 'number') return s;
  const last = Math.max(steps - 1, 1);
  switch (s.schedule) {
    case 'linear':
      return s.from + (s.to - s.from) * (n / last);
    case 'geometric':
      return s.from === s.to ? s.from : s.from * Math.pow(s.to / s.from, n / last);
    case 'log':
      return s.c / Math.log(n + s.n0);
    case 'table': {
      const i = Math.min(s.values.length - 1, Math.floor((n * s.values.length) / Math.max(steps, 1)));
      return s.values[i];
    }
    case 'poly':
      return s.a * Math.pow(s.b + n, -s.gamma);
    case 'cyclical': {
      const L = Math.ceil(Math.max(steps, 1) / s.cycles);
      return (s.dt0 / 2) * (Math.cos((Math.PI * (n % L)) / L) + 1);
    }
  }
}
