/**
 * The engine runs within the limits every WebGPU device guarantees: on a
 * device requested with the default limits (8 storage buffers per shader
 * stage, whatever the adapter offers), every stage of the heaviest runs
 * builds and gives the same result as on the file's device, which has the
 * adapter's own limits.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine.ts';
import type { GpuContext } from '../../src/gpu/device.ts';
import { gpu } from './harness.ts';
import { runAndRead, sameBits } from '../support.ts';

/** A device of the file's adapter with WebGPU's default limits (owned by whoever creates the Simulation with it). */
async function defaultLimits(): Promise<GpuContext> {
  const ctx = await gpu();
  const adapter = (await ctx.gpu.requestAdapter())!;
  const device = await adapter.requestDevice({ label: 'default limits' });
  return { ...ctx, gpuAdapter: adapter, device, hasTimestampQuery: false };
}

const ROWS = Array.from({ length: 40 }, (_, i) => [i / 20 - 1, 0.3 + 0.8 * (i / 20 - 1)]);
const DATA = { data: { columns: ['u', 'v'], rows: ROWS }, example: '(v - x - y*u)^2/(2*s2)', prior: '(x^2 + y^2)/2', params: { s2: 0.25 } };
const BASE = {
  dims: 2,
  particles: 500,
  potential: DATA,
  dt: 0.01,
  temperature: 1,
  steps: 20,
  seed: 5,
  histogram: { bins: 8, low: -2, high: 2, from: 10, every: 10 },
  observe: { every: 10, target: [0, 0], radius: 1 },
};

describe('within the guaranteed limits (8 storage buffers per stage)', () => {
  it.each([
    ['hmc on a potential from data (positions, velocities, masses, counters, parameters, data)', { integrator: 'hmc', leapfrogSteps: 3 }],
    ['baoab with a mini-batch', { integrator: 'baoab', batch: 8 }],
    ['mala on a potential from data', { integrator: 'mala' }],
  ])('%s', async (_, extra) => {
    const spec = { ...BASE, ...extra };
    const ctx = await defaultLimits();
    expect(ctx.device.limits.maxStorageBuffersPerShaderStage).toBe(8);
    const sim = await Simulation.create(spec, { backend: 'webgpu', gpu: async () => ctx, webgpu: { ownsDevice: true } });
    try {
      const result = await sim.run();
      const x = await sim.backend.readPositions();
      const ref = await runAndRead(spec, 'webgpu');
      expect(sameBits(x as Float32Array, ref.positions as Float32Array)).toBe(true);
      expect(result.best).toEqual(ref.result.best);
      expect(result.trace).toEqual(ref.result.trace);
    } finally {
      sim.destroy();
    }
  });
});
