/**
 * Temperature schedules T(n): pure functions of the step index n ∈ [0, steps).
 * Units: temperature in energy units (k_B = 1).
 */

/** A schedule as written in a spec (see README "Run spec"). */
export type ScheduleSpec =
  | number
  | { schedule: 'linear'; from: number; to: number }
  | { schedule: 'geometric'; from: number; to: number }
  | { schedule: 'log'; c: number; n0: number }
  | { schedule: 'table'; values: number[] };

/**
 * Temperature at step n of a run of `steps` steps.
 * @example temperatureAt({schedule: 'geometric', from: 1, to: 0.01}, 99, 100) // 0.01
 */
export function temperatureAt(s: ScheduleSpec, n: number, steps: number): number {
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
  }
}
