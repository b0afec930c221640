/**
 * Temperature schedules T(n), n = 0 … steps − 1: closed-form values at the
 * first, a middle and the last step, and the segment boundaries of tables.
 */
import { describe, expect, it } from 'vitest';
import { temperatureAt, type ScheduleSpec } from '../../src/schedule.ts';

const all = (s: ScheduleSpec, steps: number) => Array.from({ length: steps }, (_, n) => temperatureAt(s, n, steps));

describe('constant', () => {
  it('a number is the temperature of every step', () => {
    expect(all(0.7, 5)).toEqual([0.7, 0.7, 0.7, 0.7, 0.7]);
    expect(temperatureAt(0, 3, 10)).toBe(0);
  });
});

describe('linear: T(n) = from + (to − from)·n/(steps − 1)', () => {
  const s: ScheduleSpec = { schedule: 'linear', from: 2, to: 0.5 };

  it('starts at from, ends at to, is halfway at the middle step', () => {
    expect(temperatureAt(s, 0, 11)).toBe(2);
    expect(temperatureAt(s, 10, 11)).toBe(0.5);
    expect(temperatureAt(s, 5, 11)).toBeCloseTo(1.25, 14);
    expect(temperatureAt(s, 1, 11)).toBeCloseTo(1.85, 14);
  });

  it('equal decrements per step', () => {
    const t = all(s, 11);
    for (let n = 1; n < t.length; n++) expect(t[n] - t[n - 1]).toBeCloseTo(-0.15, 14);
  });

  it('rising schedules and a one-step run', () => {
    expect(all({ schedule: 'linear', from: 0, to: 3 }, 4)).toEqual([0, 1, 2, 3]);
    expect(all(s, 1)).toEqual([2]);
  });
});

describe('geometric: T(n) = from·(to/from)^(n/(steps − 1))', () => {
  const s: ScheduleSpec = { schedule: 'geometric', from: 1, to: 0.01 };

  it('starts at from, ends at to, is the geometric mean at the middle step', () => {
    expect(temperatureAt(s, 0, 101)).toBe(1);
    expect(temperatureAt(s, 100, 101)).toBeCloseTo(0.01, 15);
    expect(temperatureAt(s, 50, 101)).toBeCloseTo(0.1, 14);
    expect(temperatureAt(s, 25, 101)).toBeCloseTo(Math.sqrt(0.1), 14);
    // the documented example
    expect(temperatureAt(s, 99, 100)).toBeCloseTo(0.01, 15);
  });

  it('a constant ratio between successive steps', () => {
    const t = all({ schedule: 'geometric', from: 8, to: 1 }, 4);
    expect(t[0]).toBe(8);
    expect(t[1]).toBeCloseTo(4, 13);
    expect(t[2]).toBeCloseTo(2, 13);
    expect(t[3]).toBeCloseTo(1, 13);
  });

  it('from = to is constant; a one-step run is from', () => {
    expect(all({ schedule: 'geometric', from: 0.3, to: 0.3 }, 4)).toEqual([0.3, 0.3, 0.3, 0.3]);
    expect(all(s, 1)).toEqual([1]);
  });
});

describe('log: T(n) = c/ln(n + n0)', () => {
  it('closed-form values', () => {
    // c = 3, n0 = 8: T(0) = 3/ln 8 = 1/ln 2; T(92) = 3/ln 100
    const s: ScheduleSpec = { schedule: 'log', c: 3, n0: 8 };
    expect(temperatureAt(s, 0, 200)).toBeCloseTo(1.4426950408889634, 14);
    expect(temperatureAt(s, 92, 200)).toBeCloseTo(0.6514417228548777, 14);
    expect(temperatureAt(s, 199, 200)).toBeCloseTo(3 / Math.log(207), 14);
    // n0 = e: T(0) = c
    expect(temperatureAt({ schedule: 'log', c: 0.25, n0: Math.E }, 0, 10)).toBeCloseTo(0.25, 15);
    // the default n0 = 2: T(1000) = 2/ln 1002
    expect(temperatureAt({ schedule: 'log', c: 2, n0: 2 }, 1000, 2000)).toBeCloseTo(0.28944593511216027, 14);
  });

  it('does not depend on the length of the run, and decreases', () => {
    const s: ScheduleSpec = { schedule: 'log', c: 1, n0: 2 };
    expect(temperatureAt(s, 7, 10)).toBe(temperatureAt(s, 7, 100000));
    const t = all(s, 50);
    for (let n = 1; n < t.length; n++) expect(t[n]).toBeLessThan(t[n - 1]);
  });
});

describe('table: equal segments over the run', () => {
  it('3 values over 10 steps: segment i covers i·10/3 ≤ n < (i+1)·10/3', () => {
    expect(all({ schedule: 'table', values: [3, 2, 1] }, 10)).toEqual([3, 3, 3, 3, 2, 2, 2, 1, 1, 1]);
  });

  it('4 values over 8 steps: two steps each', () => {
    expect(all({ schedule: 'table', values: [4, 3, 2, 1] }, 8)).toEqual([4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('boundaries of 2 values over 1000 steps', () => {
    const s: ScheduleSpec = { schedule: 'table', values: [1, 0.5] };
    expect(temperatureAt(s, 0, 1000)).toBe(1);
    expect(temperatureAt(s, 499, 1000)).toBe(1);
    expect(temperatureAt(s, 500, 1000)).toBe(0.5);
    expect(temperatureAt(s, 999, 1000)).toBe(0.5);
  });

  it('one value is constant', () => {
    expect(all({ schedule: 'table', values: [0.2] }, 3)).toEqual([0.2, 0.2, 0.2]);
  });

  it('every value is used, in order, in segments whose lengths differ by at most one step', () => {
    for (const steps of [1, 2, 7, 10, 64, 1000]) {
      for (let len = 1; len <= Math.min(steps, 12); len++) {
        const values = Array.from({ length: len }, (_, i) => i);
        const t = all({ schedule: 'table', values }, steps);
        expect(t[0]).toBe(0);
        expect(t[steps - 1]).toBe(len - 1);
        const counts = values.map((v) => t.filter((x) => x === v).length);
        for (let n = 1; n < steps; n++) expect(t[n] - t[n - 1]).toBeGreaterThanOrEqual(0);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        expect(Math.min(...counts)).toBe(Math.floor(steps / len));
      }
    }
  });
});
