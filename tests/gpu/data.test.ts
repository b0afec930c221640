/**
 * Potentials from data on the GPU: the full-batch energy and gradient (loops
 * over the `potential_data` buffer) follow the float64 CPU reference, in the
 * step kernel and the moments reduction.
 */
import { describe, expect, it } from 'vitest';
import { runAndRead } from '../support.ts';

// Bayesian linear regression, 40 rows: a strongly convex posterior.
const ROWS = Array.from({ length: 40 }, (_, i) => {
  const u = -1 + (2 * i) / 39;
  return [u, 0.3 + 0.8 * u + 0.2 * Math.sin(7 * i)];
});
const base = {
  dims: 2, particles: 777, dt: 0.002, temperature: 1, steps: 100, seed: 17,
  potential: { data: { columns: ['u', 'v'], rows: ROWS }, example: '(v - x - y*u)^2/(2*s2)', prior: '(x^2 + y^2)/2', params: { s2: 0.25 } },
  init: { kind: 'normal', mean: [0.3, 0.8], std: 0.2 },
};

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('potential from data, full batch: GPU against the CPU reference', () => {
  it('em: same trajectories, same mean energy', async () => {
    const cpu = await runAndRead(base, 'cpu');
    const gpu = await runAndRead(base, 'webgpu');
    expect(maxAbsDiff(cpu.positions, gpu.positions)).toBeLessThan(2e-3);
    // mean energy: f32 sum of 40 rows per particle on the GPU
    expect(Math.abs(gpu.result.final.meanEnergy - cpu.result.final.meanEnergy)).toBeLessThan(1e-4 * Math.abs(cpu.result.final.meanEnergy) + 1e-3);
  });

  it('final.covariance: the GPU reduction equals the covariance of the read-back positions', async () => {
    const gpu = await runAndRead({ ...base, dims: 3, potential: { ...base.potential, prior: '(x^2 + y^2 + 4*z^2)/2' }, init: { kind: 'normal', mean: [0.3, 0.8, -1], std: [0.2, 0.5, 1] }, steps: 10 }, 'webgpu');
    const x = gpu.positions;
    const P = x.length / 3;
    const mean = [0, 1, 2].map((a) => Array.from({ length: P }, (_, p) => x[3 * p + a]).reduce((s, v) => s + v, 0) / P);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let c = 0;
        for (let p = 0; p < P; p++) c += (x[3 * p + a] - mean[a]) * (x[3 * p + b] - mean[b]);
        c /= P;
        expect(Math.abs(gpu.result.final.covariance[a][b] - c)).toBeLessThan(1e-5 * (1 + Math.abs(c)));
      }
    }
    expect(gpu.result.final.covariance[2][2]).toBeGreaterThan(0.5); // z kept its spread: the matrix is not trivially zero
  });

  it('SGD (T = 0, batch): the GPU effective temperature follows the CPU reference', async () => {
    const spec = { ...base, temperature: 0, batch: 5, dt: 0.004, steps: 150 };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    expect(cpu.result.final.effectiveTemperature).toBeGreaterThan(0);
    // the same trajectories: T_eff agrees to f32 accuracy, far inside its statistical error (≈ 5 % at 777 particles)
    expect(Math.abs(gpu.result.final.effectiveTemperature! / cpu.result.final.effectiveTemperature! - 1)).toBeLessThan(1e-2);
  });
});
