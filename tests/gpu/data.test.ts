/**
 * Potentials from data on the GPU: the full-batch energy and gradient (loops
 * over the `potential_data` buffer) follow the float64 CPU reference, in the
 * step kernel and the moments reduction.
 */
import { describe, expect, it } from 'vitest';
import { runAndRead } from '../support.ts';
import { effectiveTemperature, sgdStationaryMoments } from '../../src/stats/sgd.ts';
import { maxAbsDiff } from '../stats/helpers.ts';
import { colormap } from './harness.ts';

// Bayesian linear regression, 40 rows: a strongly convex posterior.
const ROWS = Array.from({ length: 40 }, (_, i) => {
  const u = -1 + (2 * i) / 39;
  return [u, 0.3 + 0.8 * u + 0.2 * Math.sin(7 * i)];
});
const base = {
  dims: 2,
  particles: 777,
  dt: 0.002,
  temperature: 1,
  steps: 100,
  seed: 17,
  potential: { data: { columns: ['u', 'v'], rows: ROWS }, example: '(v - x - y*u)^2/(2*s2)', prior: '(x^2 + y^2)/2', params: { s2: 0.25 } },
  init: { kind: 'normal', mean: [0.3, 0.8], std: 0.2 },
};

describe('potential from data, full batch: GPU against the CPU reference', () => {
  it('em: same trajectories, same mean energy', async () => {
    const cpu = await runAndRead(base, 'cpu');
    const gpu = await runAndRead(base, 'webgpu');
    expect(maxAbsDiff(cpu.positions, gpu.positions)).toBeLessThan(2e-3);
    // mean energy: f32 sum of 40 rows per particle on the GPU
    expect(Math.abs(gpu.result.final.meanEnergy - cpu.result.final.meanEnergy)).toBeLessThan(
      1e-4 * Math.abs(cpu.result.final.meanEnergy) + 1e-3,
    );
  });

  it.each(['baoab', 'mala', 'hmc'])(
    '%s on a potential from data: the samplers bind the data too, and follow the CPU reference',
    async (integrator) => {
      const spec = { ...base, integrator, steps: 40, leapfrogSteps: 3 };
      const cpu = await runAndRead(spec, 'cpu');
      const gpu = await runAndRead(spec, 'webgpu');
      expect(maxAbsDiff(cpu.positions, gpu.positions)).toBeLessThan(2e-3);
      if (integrator !== 'baoab') expect(Math.abs(gpu.result.final.acceptanceRate! - cpu.result.final.acceptanceRate!)).toBeLessThan(0.01);
    },
  );

  it('final.covariance: the GPU reduction equals the covariance of the read-back positions', async () => {
    const gpu = await runAndRead(
      {
        ...base,
        dims: 3,
        potential: { ...base.potential, prior: '(x^2 + y^2 + 4*z^2)/2' },
        init: { kind: 'normal', mean: [0.3, 0.8, -1], std: [0.2, 0.5, 1] },
        steps: 10,
      },
      'webgpu',
    );
    const x = gpu.positions;
    const P = x.length / 3;
    const mean = [0, 1, 2].map((a) => Array.from({ length: P }, (_, p) => x[3 * p + a]).reduce((s, v) => s + v, 0) / P);
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let c = 0;
        for (let p = 0; p < P; p++) c += (x[3 * p + a] - mean[a]) * (x[3 * p + b] - mean[b]);
        c /= P;
        expect(Math.abs(gpu.result.final.covariance![a][b] - c)).toBeLessThan(1e-5 * (1 + Math.abs(c)));
      }
    }
    expect(gpu.result.final.covariance![2][2]).toBeGreaterThan(0.5); // z kept its spread: the matrix is not trivially zero
  });

  it('SGD (T = 0, batch): the GPU effective temperature follows the CPU reference', async () => {
    const spec = { ...base, temperature: 0, batch: 5, dt: 0.004, steps: 150 };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    // exact: E = E'/s2 with E' = Σ(v − x − y·u)²/2 + s2·|w|²/2, so SGD on E with step h is SGD on E' with step h/s2 (same
    // iterates), and H = H'/s2; the stationary SGD covariance of E' is a closed recursion (src/stats/sgd.ts)
    const s2 = 0.25;
    const features = ROWS.map(([u]) => [1, u]);
    const exact = sgdStationaryMoments({ features, targets: ROWS.map(([, v]) => v), lambda: s2 }, spec.dt / s2, spec.batch, true);
    const H = [0, 1].map((a) => [0, 1].map((b) => (features.reduce((t, f) => t + f[a] * f[b], 0) + (a === b ? s2 : 0)) / s2));
    const tExact = effectiveTemperature(H, exact.covariance);
    // T_eff measured = mean over particles of dxᵀH dx / D (dx from the ensemble mean): its standard error from their spread
    const P = base.particles;
    const mean = [0, 1].map((d) => Array.from({ length: P }, (_, p) => cpu.positions[2 * p + d]).reduce((a, b) => a + b) / P);
    const q = Array.from({ length: P }, (_, p) => {
      const dx = [0, 1].map((d) => cpu.positions[2 * p + d] - mean[d]);
      return (dx[0] * (H[0][0] * dx[0] + H[0][1] * dx[1]) + dx[1] * (H[1][0] * dx[0] + H[1][1] * dx[1])) / 2;
    });
    const qMean = q.reduce((a, b) => a + b) / P;
    const se = Math.sqrt(q.reduce((a, v) => a + (v - qMean) ** 2, 0) / (P - 1) / P);
    expect(Math.abs(cpu.result.final.effectiveTemperature! - tExact)).toBeLessThan(5 * se);
    // the same trajectories: T_eff agrees to f32 accuracy, far inside its statistical error (≈ 5 % at 777 particles)
    expect(Math.abs(gpu.result.final.effectiveTemperature! / cpu.result.final.effectiveTemperature! - 1)).toBeLessThan(1e-2);
  });
});

describe('renderers with a potential from data (group 1 bound)', () => {
  it('the landscape of E = Σ_i ((x − a_i)² + (y − b_i)²)/4 over two rows is the heat map of (x² + y²)/2 + 0.005', async () => {
    const { LandscapeRenderer } = await import('../../src/gpu/render/landscapeRenderer.ts');
    const { PointRenderer } = await import('../../src/gpu/render/pointRenderer.ts');
    const { renderOffscreen } = await import('../../src/gpu/render/offscreen.ts');
    const { simulation } = await import('../support.ts');
    const SIZE = 64;
    const sim = await simulation(
      {
        dims: 2,
        particles: 1,
        dt: 0.01,
        steps: 0,
        init: { kind: 'point', x: [0.5, -0.5] },
        potential: {
          data: {
            columns: ['a', 'b'],
            rows: [
              [0.1, 0],
              [-0.1, 0],
            ],
          },
          example: '((x - a)^2 + (y - b)^2)/4',
        },
      },
      'webgpu',
    );
    try {
      const backend = sim.backend as import('../../src/gpu/backend.ts').WebGpuBackend;
      const buffers = sim.renderView!;
      expect(buffers.data).toBeDefined();
      const land = await LandscapeRenderer.create(buffers.device, buffers.params, 2, sim.potential.wgsl, 'rgba8unorm', buffers.data);
      const points = await PointRenderer.create(
        buffers.device,
        buffers.shards,
        buffers.params,
        2,
        sim.potential.wgsl,
        'rgba8unorm',
        buffers.data,
      );
      const view = {
        dims: [0, 1] as [number, number],
        box: [-1, 1, -1, 1] as [number, number, number, number],
        energyRange: [0, 1] as [number, number],
      };
      const contour = 0.37;
      land.configure(view, contour, [0, 0], 0.6);
      points.configure(view, { size: 2, intensity: 1, byEnergy: true, color: [1, 1, 1] }, { width: SIZE, height: SIZE });
      backend.gpu.pushErrorScope('validation');
      const { pixels } = await renderOffscreen(backend.gpu, SIZE, SIZE, 'rgba8unorm', (pass) => {
        land.record(pass);
      });
      const { pixels: dots } = await renderOffscreen(backend.gpu, SIZE, SIZE, 'rgba8unorm', (pass) => points.record(pass));
      expect(await backend.gpu.popErrorScope()).toBeNull();
      let checked = 0;
      for (let y = 0; y < SIZE; y += 3) {
        for (let x = 0; x < SIZE; x += 3) {
          const u = -1 + (2 * (x + 0.5)) / SIZE;
          const v = 1 - (2 * (y + 0.5)) / SIZE;
          const e = 0.5 * (u * u + v * v) + 0.005;
          expect(sim.potential.energy([u, v])).toBeCloseTo(e, 12);
          const fw = ((Math.abs(u) + Math.abs(v)) * (2 / SIZE)) / contour;
          const level = e / contour;
          if (Math.abs(level - Math.round(level)) / Math.max(fw, 1e-6) <= 1.5) continue; // near a contour line
          const got = Array.from(pixels.slice(4 * (y * SIZE + x), 4 * (y * SIZE + x) + 3));
          colormap(e).forEach((c, i) => expect(Math.abs(got[i] - 0.6 * c * 255)).toBeLessThanOrEqual(3));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(200);
      // the particle at (0.5, −0.5): a 4 × 4 sprite around pixel (48, 48), coloured by the data energy ½(0.25 + 0.25) + 0.005
      let lit = 0;
      for (let i = 0; i < SIZE * SIZE; i++) if (dots[4 * i] + dots[4 * i + 1] + dots[4 * i + 2] > 0) lit++;
      expect(lit).toBe(16);
      const at = 4 * (48 * SIZE + 48);
      colormap(0.255).forEach((c, i) => expect(Math.abs(dots[at + i] - c * 255)).toBeLessThanOrEqual(2));
      land.destroy();
      points.destroy();
    } finally {
      sim.destroy();
    }
  });
});
