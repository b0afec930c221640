import { describe, expect, it } from 'vitest';
import { BACKENDS, runAndRead, varianceSE } from '../support.ts';
import { temperatureAt } from '../../src/schedule.ts';

// E = ½ k x², γ = 1. Exact results (DESIGN §1):
//   EM: v' = (1 − hk)² v + 2hT_n, stationary T / (k (1 − hk/2));   LM: stationary T/k.
const h = 0.4;
const k = 1;
const T = 0.7;

describe.each(BACKENDS)('harmonic oscillator, closed forms (%s backend)', (backend) => {
  const N = backend === 'cpu' ? 20000 : 100000;

  it.each([
    ['em', T / (k * (1 - (h * k) / 2))],
    ['lm', T / k],
  ] as const)('%s stationary variance = %f within 5 standard errors, per coordinate', async (integrator, expected) => {
    const spec = {
      dims: 2,
      particles: N,
      potential: { name: 'harmonic', params: { k } },
      integrator,
      dt: h,
      temperature: T,
      steps: 120,
      seed: 2026,
      init: { kind: 'normal', mean: 0, std: 1 },
    };
    const { result } = await runAndRead(spec, backend);
    for (const v of result.final.variance) {
      expect(Math.abs(v - expected)).toBeLessThan(5 * varianceSE(expected, N));
    }
    // ⟨E⟩ = ½ k Σ v_d
    expect(Math.abs(result.final.meanEnergy - k * expected)).toBeLessThan(5 * varianceSE(expected, N) * k);
    expect(result.final.nonFinite).toBe(0);
  });

  it('EM follows the exact variance recursion under a geometric cooling schedule', async () => {
    const steps = 60;
    const kk = [0.5, 2];
    const schedule = { schedule: 'geometric', from: 2, to: 0.05 } as const;
    const spec = {
      dims: 2,
      particles: N,
      potential: { name: 'harmonic', params: { k: kk } },
      integrator: 'em',
      dt: 0.3,
      temperature: schedule,
      steps,
      seed: 9,
      init: { kind: 'normal', mean: [1, -2], std: [0.5, 1.5] },
    };
    const { result } = await runAndRead(spec, backend);
    kk.forEach((kd, d) => {
      let v = [0.25, 2.25][d];
      let m = [1, -2][d];
      for (let n = 0; n < steps; n++) {
        v = (1 - 0.3 * kd) ** 2 * v + 2 * 0.3 * temperatureAt(schedule, n, steps);
        m = (1 - 0.3 * kd) * m;
      }
      expect(Math.abs(result.final.variance[d] - v)).toBeLessThan(5 * varianceSE(v, N));
      expect(Math.abs(result.final.mean[d] - m)).toBeLessThan(5 * Math.sqrt(v / N));
    });
    expect(result.final.temperature).toBeCloseTo(0.05, 12);
  });

  it('D = 16 with one stiffness per coordinate: LM variance T/k_i in every coordinate', async () => {
    const kk = Array.from({ length: 16 }, (_, i) => 0.5 + 0.1 * i);
    const n = backend === 'cpu' ? 5000 : 20000;
    const spec = {
      dims: 16,
      particles: n,
      potential: { name: 'harmonic', params: { k: kk } },
      integrator: 'lm',
      dt: 0.2,
      temperature: 1,
      steps: 100,
      seed: 4,
      init: { kind: 'point', x: 0 },
    };
    const { result } = await runAndRead(spec, backend);
    kk.forEach((kd, d) => expect(Math.abs(result.final.variance[d] - 1 / kd)).toBeLessThan(5 * varianceSE(1 / kd, n)));
  });
});
