/**
 * Step-size schedules h(n): closed-form values of poly and cyclical, spec
 * validation, and the dynamics: EM in E = ½kx² with a varying step follows the
 * exact variance recursion v' = (1 − h_n k)² v + 2 h_n T within 5 standard errors.
 */
import { describe, expect, it } from 'vitest';
import { scheduleAt, type ScheduleSpec } from '../../src/schedule.ts';
import { prepare, Simulation } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';

describe('poly: h(n) = a(b + n)^(−gamma)', () => {
  it('closed-form values', () => {
    const s: ScheduleSpec = { schedule: 'poly', a: 0.5, b: 4, gamma: 0.5 };
    expect(scheduleAt(s, 0, 100)).toBeCloseTo(0.25, 15);
    expect(scheduleAt(s, 12, 100)).toBeCloseTo(0.125, 15);
    expect(scheduleAt(s, 96, 100)).toBeCloseTo(0.05, 15);
    expect(scheduleAt({ schedule: 'poly', a: 0.01, b: 1, gamma: 0.55 }, 0, 100)).toBe(0.01);
  });
});

describe('cyclical (Zhang et al. 2020): h(n) = dt0/2 (cos(π (n mod L)/L) + 1), L = ⌈steps/cycles⌉', () => {
  it('starts each cycle at dt0, is dt0/2 halfway, decreases within a cycle', () => {
    const s: ScheduleSpec = { schedule: 'cyclical', dt0: 0.1, cycles: 4 };
    // steps 100: L = 25
    for (const start of [0, 25, 50, 75]) expect(scheduleAt(s, start, 100)).toBeCloseTo(0.1, 15);
    expect(scheduleAt(s, 12.5, 100)).toBeCloseTo(0.05, 15);
    expect(scheduleAt(s, 24, 100)).toBeCloseTo(0.05 * (Math.cos((Math.PI * 24) / 25) + 1), 15);
    for (let n = 1; n < 25; n++) expect(scheduleAt(s, n, 100)).toBeLessThan(scheduleAt(s, n - 1, 100));
    // steps 10, 3 cycles: L = 4, cycles start at 0, 4, 8
    expect([0, 4, 8].map((n) => scheduleAt({ schedule: 'cyclical', dt0: 2, cycles: 3 }, n, 10))).toEqual([2, 2, 2]);
  });
});

describe('dt in the spec', () => {
  const base = { dims: 1, particles: 10, potential: { name: 'harmonic' }, steps: 100 };
  it('a schedule is kept; dt is its first value', () => {
    const { spec } = prepare({ ...base, dt: { schedule: 'poly', a: 0.5, b: 4, gamma: 0.5 } });
    expect(spec.dt).toBeCloseTo(0.25, 15);
    expect(spec.dtSchedule).toEqual({ schedule: 'poly', a: 0.5, b: 4, gamma: 0.5 });
    const geometric = prepare({ ...base, dt: { schedule: 'geometric', from: 0.1, to: 0.01 } }).spec;
    expect(geometric.dtSchedule).toEqual({ schedule: 'geometric', from: 0.1, to: 0.01 });
    expect(geometric.dt).toBe(0.1);
    expect(prepare({ ...base, dt: 0.1 }).spec.dtSchedule).toBeUndefined();
  });
  it.each([
    ['poly a = 0', { schedule: 'poly', a: 0, b: 1, gamma: 0.5 }, 'dt.a', ['got 0', '> 0']],
    ['poly b = 0', { schedule: 'poly', a: 1, b: 0, gamma: 0.5 }, 'dt.b', ['got 0', '> 0']],
    ['poly gamma < 0', { schedule: 'poly', a: 1, b: 1, gamma: -1 }, 'dt.gamma', ['got -1', '≥ 0']],
    ['cyclical cycles 0', { schedule: 'cyclical', dt0: 0.1, cycles: 0 }, 'dt.cycles', ['got 0', 'integer from 1']],
    ['linear to 0', { schedule: 'linear', from: 0.1, to: 0 }, 'dt.to', ['got 0', '> 0']],
    ['table with a 0', { schedule: 'table', values: [0.1, 0] }, 'dt.values[1]', ['got 0', '> 0']],
    ['unknown kind', { schedule: 'cosine' }, 'dt.schedule', ['got "cosine"', 'poly {a, b, gamma}', 'cyclical {dt0, cycles}']],
    ['a poly with an unknown field', { schedule: 'poly', a: 1, c: 2 }, 'dt.c', ['unknown field']],
  ])('refuses %s', (_label, dt, field, words) => {
    let err: SpecError | undefined;
    try {
      prepare({ ...base, dt });
    } catch (e) {
      err = e as SpecError;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect(err!.field).toBe(field);
    for (const w of words) expect(err!.message).toContain(w);
  });
});

describe('dynamics under a step-size schedule (CPU reference)', () => {
  it("EM, E = ½kx²: the variance follows v' = (1 − h_n k)² v + 2 h_n T (5 standard errors)", async () => {
    const k = 2;
    const T = 0.7;
    const steps = 60;
    const dt: ScheduleSpec = { schedule: 'cyclical', dt0: 0.4, cycles: 3 };
    const particles = 40000;
    const sim = await Simulation.create(
      {
        dims: 1,
        particles,
        potential: { name: 'harmonic', params: { k } },
        dt,
        temperature: T,
        steps,
        seed: 3,
        init: { kind: 'normal', mean: 0, std: 2 },
      },
      { backend: 'cpu' },
    );
    const result = await sim.run();
    sim.destroy();
    let v = 4;
    for (let n = 0; n < steps; n++) {
      const h = scheduleAt(dt, n, steps);
      v = (1 - h * k) ** 2 * v + 2 * h * T;
    }
    const se = v * Math.sqrt(2 / (particles - 1));
    expect(Math.abs(result.final.variance[0] - v)).toBeLessThan(5 * se);
    // and it differs measurably from the constant-step answer at dt0
    const vConst = T / (k * (1 - (0.4 * k) / 2));
    expect(Math.abs(vConst - v)).toBeGreaterThan(10 * se);
  });
});
