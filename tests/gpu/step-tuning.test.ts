/**
 * Tuning the step kernel must not change results: the workgroup size (chosen
 * per adapter by the benchmark) and GPU timing (timestamp-query around the
 * step pass) leave every bit of the trajectories as it was.
 */
import { describe, expect, it, vi } from 'vitest';
import { runAndRead, sameBits, simulation } from '../support.ts';
import { WebGpuBackend } from '../../src/gpu/backend.ts';
import { ParticleKernel } from '../../src/gpu/particleKernel.ts';
import { coefficientTable } from '../../src/integrators/table.ts';
import { gpu } from './harness.ts';

const spec = {
  dims: 3,
  particles: 1000, // not a multiple of any workgroup size tried
  potential: { name: 'double-well' },
  integrator: 'lm',
  dt: 0.01,
  temperature: 0.8,
  steps: 40,
  stepsPerDispatch: 16,
  seed: 11,
  init: { kind: 'normal', mean: 0, std: 1 },
};

describe('step kernel tuning changes no bit', () => {
  it('workgroup sizes 32, 128 and 256 give the bits of 64', async () => {
    // the size each step kernel was built with: the setting must reach the pipeline, not fall back to 64
    const built = vi.spyOn(ParticleKernel, 'create');
    try {
      const ref = await runAndRead(spec, 'webgpu');
      for (const workgroupSize of [32, 128, 256]) {
        const other = await runAndRead(spec, 'webgpu', { workgroupSize });
        expect(sameBits(other.positions, ref.positions), `workgroup size ${workgroupSize}`).toBe(true);
      }
      expect(built.mock.calls.map((c) => c[1].workgroupSize)).toEqual([64, 32, 128, 256]);
    } finally {
      built.mockRestore();
    }
  });

  it('advanceTimed steps exactly as advance does and reports a positive GPU time when the adapter has timestamp-query', async () => {
    const a = await simulation(spec, 'webgpu');
    const b = await simulation(spec, 'webgpu');
    try {
      const coef = coefficientTable('lm', new Array(16).fill(0.01), new Array(16).fill(0.8), a.spec);
      await a.backend.advance(0, coef);
      await a.backend.finish();
      expect(b.backend).toBeInstanceOf(WebGpuBackend);
      const before = await b.backend.readPositions();
      const t0 = performance.now();
      const ns = await (b.backend as WebGpuBackend).advanceTimed(0, coef);
      const wallNs = (performance.now() - t0) * 1e6;
      // GPU time is positive and within the wall time of the call that waited for it
      if ((await gpu()).hasTimestampQuery) {
        expect(ns).toBeGreaterThan(0);
        expect(ns).toBeLessThan(wallNs);
      } else expect(ns).toBeUndefined();
      const after = await b.backend.readPositions();
      expect(sameBits(before, after)).toBe(false); // it stepped
      expect(sameBits(await a.backend.readPositions(), after)).toBe(true);
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});
