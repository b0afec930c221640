/**
 * The lifetime guard itself (tests/gpu/lifetime.ts, installed on every GPU
 * test file by the harness), and the engine's ownership rules under it:
 * `Simulation.destroy` frees every buffer the run made, a failed create frees
 * what it had made before failing, and observing again allocates nothing that
 * outlives the call.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine.ts';
import { INTEGRATORS } from '../../src/spec.ts';
import { gpu } from './harness.ts';
import { startTracking, stopTracking } from './lifetime.ts';
import { simulation } from '../support.ts';

const spec = {
  dims: 2,
  particles: 300,
  potential: { name: 'double-well' },
  dt: 0.01,
  temperature: 0.5,
  steps: 20,
  seed: 3,
  histogram: { bins: 8, low: -2, high: 2, from: 10, every: 5 },
  observe: { every: 10 },
};

describe('the GPU lifetime guard', () => {
  it('sees a buffer that is never destroyed, by label, and not one that is', async () => {
    const { device } = await gpu();
    const t = startTracking();
    const kept = device.createBuffer({ label: 'test.leaky', size: 16, usage: GPUBufferUsage.STORAGE });
    device.createBuffer({ label: 'test.freed', size: 16, usage: GPUBufferUsage.STORAGE }).destroy();
    stopTracking(t);
    expect(t.count('buffer')).toBe(2);
    expect(t.describeLeaks()).toBe("buffer 'test.leaky'");
    kept.destroy();
    expect(t.leaks()).toEqual([]);
  });

  it('counts what a destroyed device held as freed', async () => {
    const { nodeGpuContext } = await import('../../src/node/device.ts');
    const t = startTracking();
    const ctx = await nodeGpuContext();
    ctx.device.createBuffer({ label: 'test.onOwnDevice', size: 16, usage: GPUBufferUsage.STORAGE });
    expect(t.leaks()).toHaveLength(1);
    ctx.device.destroy();
    stopTracking(t);
    expect(t.leaks()).toEqual([]);
  });
});

describe('ownership under the guard', () => {
  it.each(INTEGRATORS)('%s: Simulation.destroy frees every buffer of a run with histogram, trace and covariance', async (integrator) => {
    const t = startTracking();
    const sim = await simulation({ ...spec, integrator }, 'webgpu');
    const result = await sim.run();
    sim.destroy();
    sim.destroy(); // safe twice
    stopTracking(t);
    expect(result.histogram!.snapshots).toEqual([10, 15, 20]);
    expect(t.count('buffer')).toBeGreaterThan(10);
    expect(t.describeLeaks()).toBe('');
  });

  it('a create that fails on a shared device frees what it had made', async () => {
    const t = startTracking();
    // more invocations per workgroup than any device allows: the pipelines fail after the buffers exist
    const failing = Simulation.create(spec, { backend: 'webgpu', gpu, webgpu: { ownsDevice: false, workgroupSize: 4096 } });
    await expect(failing).rejects.toThrow();
    stopTracking(t);
    expect(t.count('buffer')).toBeGreaterThan(0);
    expect(t.describeLeaks()).toBe('');
  });

  it('observing again allocates nothing that outlives the call', async () => {
    const sim = await simulation({ ...spec, integrator: 'hmc' }, 'webgpu');
    try {
      await sim.run();
      const t = startTracking();
      await sim.advance(5);
      const o = await sim.backend.observe({ histogram: true });
      await sim.moments();
      await sim.backend.histogram();
      await sim.backend.covariance();
      await sim.backend.readParticle(7);
      await sim.backend.readPositions();
      await sim.backend.readVelocities();
      stopTracking(t);
      expect(t.describeLeaks()).toBe('');
      // the pass did observe: every particle, its velocities, the 5 steps' proposals, the histogram
      expect([o.moments.count + o.moments.nonFinite, o.velocity?.count, o.acceptance?.proposed]).toEqual([300, 300, 5 * 300]);
      expect(o.histogram!.finite).toBe(300 - o.moments.nonFinite);
    } finally {
      sim.destroy();
    }
  });
});
