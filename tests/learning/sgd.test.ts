/**
 * SGD as Langevin: on linear regression, the stationary covariance of an
 * ensemble of SGD runs (EM at T = 0 with a mini-batch gradient, float64 CPU
 * reference) matches the exact SGD covariance of that data set (the closed
 * moment recursion of src/stats/sgd.ts) within 5 standard errors, and the
 * effective temperature tr(HΣ)/D scales as learning rate / batch size.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine.ts';
import { effectiveTemperature, sgdStationaryMoments, type LeastSquares } from '../../src/stats/sgd.ts';

// 32 rows: v = 0.5 + u + noise (deterministic pseudo-noise)
const N = 32;
const U = Array.from({ length: N }, (_, i) => -1 + (2 * i) / (N - 1));
const V = U.map((u, i) => 0.5 + u + 0.4 * Math.sin(12.9898 * i + 1));
const LAMBDA = 0.5;
const problem: LeastSquares = { features: U.map((u) => [1, u]), targets: V, lambda: LAMBDA };
const H = [
  [LAMBDA + N, U.reduce((a, b) => a + b, 0)],
  [U.reduce((a, b) => a + b, 0), LAMBDA + U.reduce((a, u) => a + u * u, 0)],
];

function spec(h: number, B: number, replace: boolean, steps: number, particles: number, mean: number[], std: number[], seed: number) {
  return {
    dims: 2,
    particles,
    dt: h,
    temperature: 0,
    steps,
    seed,
    batch: B,
    replace,
    potential: {
      data: { columns: ['u', 'v'], rows: U.map((u, i) => [u, V[i]]) },
      example: '(v - x - y*u)^2/2',
      prior: 'lambda*(x^2 + y^2)/2',
      params: { lambda: LAMBDA },
    },
    init: { kind: 'normal', mean, std },
  };
}

/** Run the ensemble and compare with the exact moments; returns the measured and exact T_eff. */
async function check(h: number, B: number, replace: boolean, seed = 2024) {
  const exact = sgdStationaryMoments(problem, h, B, replace);
  const particles = 20000;
  const std = [Math.sqrt(exact.covariance[0][0]), Math.sqrt(exact.covariance[1][1])];
  // start near the stationary law; 150 steps relax the rest by (1 − h·λ_min)^300 < 1e-3
  const sim = await Simulation.create(spec(h, B, replace, 150, particles, exact.mean, std, seed), { backend: 'cpu' });
  const result = await sim.run();
  const x = await sim.backend.readPositions();
  sim.destroy();
  // per-particle products about the exact mean: their average estimates Σ_ab, their spread gives the standard error
  const stat = (f: (dx: number[]) => number) => {
    let s = 0;
    let s2 = 0;
    for (let p = 0; p < particles; p++) {
      const v = f([x[2 * p] - exact.mean[0], x[2 * p + 1] - exact.mean[1]]);
      s += v;
      s2 += v * v;
    }
    const mean = s / particles;
    return { mean, se: Math.sqrt((s2 / particles - mean * mean) / particles) };
  };
  for (const [a, b] of [
    [0, 0],
    [0, 1],
    [1, 1],
  ]) {
    const c = stat((dx) => dx[a] * dx[b]);
    expect(Math.abs(c.mean - exact.covariance[a][b]), `Σ_${a}${b}: ${c.mean} vs exact ${exact.covariance[a][b]} ± ${c.se}`).toBeLessThan(
      5 * c.se,
    );
  }
  for (const d of [0, 1]) {
    const m = stat((dx) => dx[d]);
    expect(Math.abs(m.mean)).toBeLessThan(5 * m.se);
  }
  const tExact = effectiveTemperature(H, exact.covariance);
  const t = stat((dx) => (dx[0] * (H[0][0] * dx[0] + H[0][1] * dx[1]) + dx[1] * (H[1][0] * dx[0] + H[1][1] * dx[1])) / 2);
  expect(Math.abs(t.mean - tExact)).toBeLessThan(5 * t.se);
  // the engine's figure: the same estimator about the ensemble mean, with the Hessian by finite differences
  expect(Math.abs(result.final.effectiveTemperature! - tExact)).toBeLessThan(5 * t.se);
  return { measured: t.mean, se: t.se, exact: tExact };
}

describe('SGD on linear regression (T = 0, mini-batch noise only)', () => {
  it('the stationary covariance matches the exact SGD covariance, with and without replacement', async () => {
    await check(0.004, 4, true);
    await check(0.004, 4, false);
  }, 600_000);

  it('T_eff scales as learning rate / batch size', async () => {
    // three seeds: independent runs, as the combined standard error below assumes
    const base = await check(0.002, 4, true, 2024);
    const lr2 = await check(0.004, 4, true, 2025);
    const batch2 = await check(0.002, 8, true, 2026);
    // exact: proportional to h/B in the small-step limit, with O(h·λ_max(H)) corrections (≈ 3 % here)
    const t = (h: number, B: number) => effectiveTemperature(H, sgdStationaryMoments(problem, h, B, true).covariance);
    expect(Math.abs(t(4e-6, 4) / t(2e-6, 4) - 2)).toBeLessThan(1e-4);
    expect(Math.abs(t(2e-6, 8) / t(2e-6, 4) - 0.5)).toBeLessThan(1e-4);
    expect(Math.abs(lr2.exact / base.exact - 2)).toBeLessThan(0.1);
    expect(Math.abs(batch2.exact / base.exact - 0.5)).toBeLessThan(0.025);
    // measured: the ratios within 5 combined standard errors of 2 and 1/2, allowing the exact O(h) deviation
    const ratioSE = (a: { measured: number; se: number }, b: { measured: number; se: number }) =>
      (a.measured / b.measured) * Math.hypot(a.se / a.measured, b.se / b.measured);
    expect(Math.abs(lr2.measured / base.measured - lr2.exact / base.exact)).toBeLessThan(5 * ratioSE(lr2, base));
    expect(Math.abs(batch2.measured / base.measured - batch2.exact / base.exact)).toBeLessThan(5 * ratioSE(batch2, base));
  }, 600_000);

  it('the full batch without replacement is deterministic: no spread, T_eff = 0', () => {
    const exact = sgdStationaryMoments(problem, 0.004, N, false);
    for (const row of exact.covariance) for (const c of row) expect(Math.abs(c)).toBeLessThan(1e-12);
    // and its mean is the ridge solution (λI + ΦᵀΦ) w = Φᵀ y
    const b = [V.reduce((a, v) => a + v, 0), V.reduce((a, v, i) => a + v * U[i], 0)];
    const det = H[0][0] * H[1][1] - H[0][1] * H[1][0];
    expect(exact.mean[0]).toBeCloseTo((H[1][1] * b[0] - H[0][1] * b[1]) / det, 10);
    expect(exact.mean[1]).toBeCloseTo((H[0][0] * b[1] - H[1][0] * b[0]) / det, 10);
  });
});
