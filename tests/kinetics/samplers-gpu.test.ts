/**
 * The kinetics in the inertial and Metropolis kernels (shaders/samplers.wgsl): a passage box and a
 * parameter schedule under baoab, mala and hmc on WebGPU against the CPU reference path, to f32
 * tolerance (the trajectories diverge slowly: f32 against float64).
 */
import { describe, expect, it } from 'vitest';
import { runAndRead } from '../support.ts';

const spec = (integrator: string) => ({
  dims: 2,
  particles: 4096,
  potential: { expr: '(x^2 - 1)^2 + 0.5*y^2 + a*x', params: { a: { schedule: 'linear', from: 0, to: 0.5 } } },
  integrator,
  dt: integrator === 'hmc' ? 0.05 : 0.01,
  leapfrogSteps: 3,
  temperature: 0.5,
  steps: 200,
  seed: 5,
  init: { kind: 'normal', mean: [-1, 0], std: 0.3 },
  passage: { region: { low: [0.5, null], high: [null, null] } },
  observe: { every: 50 },
});

describe.each(['baoab', 'mala', 'hmc'])('%s with a passage box and a schedule', (integrator) => {
  it('WebGPU ≡ CPU: hit counts within a few walkers, the mean work to f32 noise', async () => {
    const cpu = (await runAndRead(spec(integrator), 'cpu')).result;
    const gpu = (await runAndRead(spec(integrator), 'webgpu')).result;
    const n = 4096;
    // some walkers cross, not all: the test sees hits
    expect(cpu.passage!.hit).toBeGreaterThan(50);
    expect(cpu.passage!.hit).toBeLessThan(n - 50);
    // f32 and float64 paths part for a walker whose accept test or region test falls within rounding of its threshold:
    // a handful of the 4096 (each such walker moves one count)
    for (let j = 0; j < cpu.passage!.survival.S.length; j++)
      expect(Math.abs(cpu.passage!.survival.S[j] - gpu.passage!.survival.S[j]) * n).toBeLessThanOrEqual(12);
    // ⟨W⟩: the same walkers, the same switches; a parted walker changes the mean by O(|W|/n)
    expect(Math.abs(cpu.work!.mean! - gpu.work!.mean!)).toBeLessThan(
      (12 * (Math.sqrt(cpu.work!.variance!) + Math.abs(cpu.work!.mean!))) / n + 1e-4,
    );
  });
});
