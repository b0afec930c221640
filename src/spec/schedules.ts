/** Validation of the temperature schedule and of dt, a number or a schedule (src/schedule.ts evaluates them). */
import { SpecError } from '../errors.ts';
import type { ScheduleSpec } from '../schedule.ts';
import { isObject } from '../values.ts';
import { checkKeys, finite, integer, withDefault, type Obj } from './fields.ts';

export function schedule(v: unknown, field: string, what = 'temperature'): ScheduleSpec {
  const nonneg = (x: number) => x >= 0;
  if (typeof v === 'number') return finite(v, field, nonneg, `${what} must be a finite number ≥ 0 or a schedule object`);
  const kinds = 'linear {from, to}, geometric {from, to}, log {c, n0}, table {values}';
  if (!isObject(v)) throw new SpecError(field, v, `must be a number ≥ 0 or {"schedule": ...} with one of: ${kinds}`);
  switch (v.schedule) {
    case 'linear':
      checkKeys(v, field, ['schedule', 'from', 'to']);
      return {
        schedule: 'linear',
        from: finite(v.from, `${field}.from`, nonneg, 'must be a finite number ≥ 0'),
        to: finite(v.to, `${field}.to`, nonneg, 'must be a finite number ≥ 0'),
      };
    case 'geometric':
      checkKeys(v, field, ['schedule', 'from', 'to']);
      return {
        schedule: 'geometric',
        from: finite(v.from, `${field}.from`, (x) => x > 0, 'must be a finite number > 0'),
        to: finite(v.to, `${field}.to`, (x) => x > 0, 'must be a finite number > 0 (a geometric schedule never reaches 0)'),
      };
    case 'log':
      checkKeys(v, field, ['schedule', 'c', 'n0']);
      return {
        schedule: 'log',
        c: finite(v.c, `${field}.c`, nonneg, 'must be a finite number ≥ 0'),
        n0: finite(
          withDefault(v, 'n0', `${field}.n0`, 2),
          `${field}.n0`,
          (x) => x > 1,
          'must be a finite number > 1 (so that ln(n + n0) > 0)',
        ),
      };
    case 'table': {
      checkKeys(v, field, ['schedule', 'values']);
      if (!Array.isArray(v.values) || v.values.length === 0)
        throw new SpecError(`${field}.values`, v.values, 'must be a non-empty array of numbers ≥ 0');
      return {
        schedule: 'table',
        values: v.values.map((x, i) => finite(x, `${field}.values[${i}]`, nonneg, 'must be a finite number ≥ 0')),
      };
    }
    default:
      throw new SpecError(`${field}.schedule`, v.schedule, `must be one of: ${kinds}`);
  }
}

/**
 * The step size: a number > 0 or a schedule whose every value is > 0: the
 * temperature's kinds, plus poly {a, b, gamma}: a(b + n)^(−gamma) (Welling &
 * Teh 2011) and cyclical {dt0, cycles}: the cosine cycles of Zhang et al. 2020.
 */
export function stepSchedule(v: unknown): ScheduleSpec {
  const field = 'dt';
  const pos = (x: number) => x > 0;
  const gt0 = 'must be a finite number > 0';
  if (typeof v === 'number' || v === null || typeof v !== 'object' || Array.isArray(v))
    return finite(v, field, pos, 'must be a finite number > 0 or a schedule object');
  const kinds = 'linear {from, to}, geometric {from, to}, log {c, n0}, table {values}, poly {a, b, gamma}, cyclical {dt0, cycles}';
  const o = v as Obj;
  switch (o.schedule) {
    case 'poly':
      checkKeys(o, field, ['schedule', 'a', 'b', 'gamma']);
      return {
        schedule: 'poly',
        a: finite(o.a, 'dt.a', pos, gt0),
        b: finite(withDefault(o, 'b', 'dt.b', 1), 'dt.b', pos, 'must be a finite number > 0 (dt(0) = a·b^(−gamma))'),
        gamma: finite(
          withDefault(o, 'gamma', 'dt.gamma', 0.55),
          'dt.gamma',
          (x) => x >= 0,
          'must be a finite number ≥ 0 (Welling & Teh: 0.5 < gamma ≤ 1)',
        ),
      };
    case 'cyclical':
      checkKeys(o, field, ['schedule', 'dt0', 'cycles']);
      return {
        schedule: 'cyclical',
        dt0: finite(o.dt0, 'dt.dt0', pos, gt0),
        cycles: integer(withDefault(o, 'cycles', 'dt.cycles', 1), 'dt.cycles', 1, 2 ** 32 - 1),
      };
    case 'linear':
    case 'geometric':
    case 'log':
    case 'table': {
      const s = schedule(o, field, 'dt');
      // every value must be > 0 (a zero step never moves)
      const bad: [string, number][] =
        s === undefined || typeof s === 'number'
          ? []
          : s.schedule === 'linear'
            ? [
                ['from', s.from],
                ['to', s.to],
              ]
            : s.schedule === 'log'
              ? [['c', s.c]]
              : s.schedule === 'table'
                ? s.values.map((x, i) => [`values[${i}]`, x] as [string, number])
                : [];
      for (const [k, x] of bad) if (!(x > 0)) throw new SpecError(`dt.${k}`, x, `${gt0} (every step size must be > 0)`);
      return s;
    }
    default:
      throw new SpecError('dt.schedule', o.schedule, `must be one of: ${kinds}`);
  }
}
