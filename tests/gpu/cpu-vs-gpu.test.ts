import { describe, expect, it } from 'vitest';
import { runAndRead } from '../support.ts';
import { advanceOverdamped } from '../../src/integrators/overdamped.ts';
import { makeScratch } from '../../src/integrators/reference.ts';
import { initParticle } from '../../src/init.ts';
import { coefficientTable } from '../../src/integrators/table.ts';
import { NormalStream, Stream, seedKey } from '../../src/rng/philox.ts';
import { WebGpuBackend } from '../../src/gpu/backend.ts';
import { prepare } from '../../src/engine.ts';
import { maxAbsDiff } from '../stats/helpers.ts';

// A strongly convex potential: trajectory differences contract instead of growing.
const base = {
  dims: 2,
  particles: 1000, // not a multiple of the workgroup size (64)
  potential: { expr: '0.25*x^4 + 0.5*x^2 + y^2 + 0.3*x*y' },
  dt: 0.01,
  temperature: 0.5,
  steps: 200,
  seed: 7,
  init: { kind: 'normal', mean: [-1, 0], std: 0.3 },
};

describe('GPU against the CPU reference (same seed, same random stream)', () => {
  it.each(['em', 'lm'])('%s: final positions agree to f32 + transcendental tolerance', async (integrator) => {
    const spec = { ...base, integrator };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    // f32 state plus normals good to ~2^-11 relative, through 200 contracting steps
    const d = maxAbsDiff(cpu.positions, gpu.positions);
    expect(d).toBeLessThan(2e-3);
    expect(d).toBeGreaterThan(0); // float64 vs f32: must differ somewhere
    // and the two are the same trajectories, not merely the same distribution:
    // a different seed moves particles by O(σ√n) ≈ 1
    const other = await runAndRead({ ...spec, seed: 8 }, 'webgpu');
    expect(maxAbsDiff(other.positions, gpu.positions)).toBeGreaterThan(0.5);
    expect(gpu.result.final.mean[0]).toBeCloseTo(cpu.result.final.mean[0], 3);
    expect(gpu.result.final.variance[1]).toBeCloseTo(cpu.result.final.variance[1], 3);
  });

  it('double well: the bulk of the trajectories coincide (those near the barrier top diverge, as chaos allows)', async () => {
    const spec = { ...base, potential: { name: 'double-well' }, integrator: 'em' };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    const diffs = Array.from(cpu.positions, (v, i) => Math.abs(v - gpu.positions[i])).sort((a, b) => a - b);
    expect(diffs[Math.floor(diffs.length / 2)]).toBeLessThan(1e-4);
    expect(diffs[Math.floor(diffs.length * 0.95)]).toBeLessThan(1e-3);
  });

  it('a user expression in 3-D with parameters agrees too', async () => {
    const spec = {
      ...base,
      dims: 3,
      potential: { expr: 'a*x^4 + 0.5*y^2 + b*z^2 + 0.1*x*z', params: { a: 1.5, b: 0.3 } },
      init: { kind: 'uniform', low: -1, high: 1 },
      integrator: 'em',
    };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    expect(maxAbsDiff(cpu.positions, gpu.positions)).toBeLessThan(2e-3);
  });
});

describe('reproducibility on the GPU', () => {
  it('same seed twice gives identical bits; K = 1 and K = 50 per dispatch give identical bits; another seed differs', async () => {
    const spec = { ...base, integrator: 'lm', steps: 150 };
    const a = await runAndRead({ ...spec, stepsPerDispatch: 50 }, 'webgpu');
    const b = await runAndRead({ ...spec, stepsPerDispatch: 50 }, 'webgpu');
    const c = await runAndRead({ ...spec, stepsPerDispatch: 1 }, 'webgpu');
    const d = await runAndRead({ ...spec, stepsPerDispatch: 50, seed: 99 }, 'webgpu');
    expect([Math.max(...a.dispatchSteps), Math.max(...c.dispatchSteps), c.dispatchSteps.length]).toEqual([50, 1, 150]);
    expect(Buffer.from(b.positions.buffer).equals(Buffer.from(a.positions.buffer))).toBe(true);
    expect(Buffer.from(c.positions.buffer).equals(Buffer.from(a.positions.buffer))).toBe(true);
    expect(maxAbsDiff(d.positions, a.positions)).toBeGreaterThan(0.5);
  });

  it('splitting the particles over several buffers changes no bit', async () => {
    const spec = {
      ...base,
      dims: 3,
      potential: { name: 'harmonic' },
      init: { kind: 'normal', mean: 0, std: 1 },
      particles: 1000,
      integrator: 'em',
      steps: 20,
    };
    const one = await runAndRead(spec, 'webgpu');
    const split = await runAndRead(spec, 'webgpu', { maxShardBytes: 4 * 3 * 100 }); // 10 buffers of 100 particles
    expect(split.sim.backend.kind).toBe('webgpu');
    expect([one.sim.renderView!.shards.length, split.sim.renderView!.shards.length]).toEqual([1, 10]);
    expect(Buffer.from(split.positions.buffer).equals(Buffer.from(one.positions.buffer))).toBe(true);
    // the reduction groups particles per buffer, so sums differ by f32 rounding only
    split.result.final.mean.forEach((m, i) => expect(Math.abs(m - one.result.final.mean[i])).toBeLessThan(1e-6));
    expect(Math.abs(split.result.final.variance[2] - one.result.final.variance[2])).toBeLessThan(1e-6);
  });
});

describe('edge sizes', () => {
  it('N = 1 in 1-D: the one particle follows the CPU reference', async () => {
    const spec = {
      dims: 1,
      particles: 1,
      potential: { name: 'tilted-double-well' },
      dt: 0.01,
      temperature: 1,
      steps: 100,
      seed: 3,
      init: { kind: 'point', x: 0.5 },
    };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    expect(gpu.positions.length).toBe(1);
    expect(Math.abs(gpu.positions[0] - cpu.positions[0])).toBeLessThan(1e-3);
    expect(gpu.result.final.variance).toEqual([0]);
  });

  it('D = 16: every coordinate follows the CPU reference', async () => {
    const spec = {
      dims: 16,
      particles: 130,
      potential: { name: 'rastrigin' },
      dt: 0.001,
      temperature: 1,
      steps: 50,
      seed: 5,
      init: { kind: 'normal', mean: 0, std: 0.5 },
    };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    expect(gpu.positions.length).toBe(130 * 16);
    // rastrigin's gradient goes through WGSL cos at |arg| up to ~20: absolute error ~1e-2 per call (× h)
    expect(maxAbsDiff(cpu.positions, gpu.positions)).toBeLessThan(5e-3);
  });

  it('N just past 65 535 workgroups × 64: a 2-D dispatch grid reaches the last particle', async () => {
    const N = 65535 * 64 + 3;
    const spec = prepare({
      dims: 1,
      particles: N,
      potential: { name: 'harmonic' },
      dt: 0.1,
      temperature: 1,
      steps: 3,
      seed: 11,
      init: { kind: 'normal', mean: 0, std: 1 },
    });
    const gpu = await runAndRead(spec, 'webgpu');
    const [k0, k1] = seedKey(11);
    const x = new Float64Array(1);
    const ns = new NormalStream(k0, k1, Stream.noise);
    const coef = coefficientTable('em', [0.1, 0.1, 0.1], [1, 1, 1], spec.spec);
    for (const i of [0, 65535 * 64 - 1, 65535 * 64, N - 1]) {
      initParticle(spec.spec.init, i, k0, k1, x);
      ns.seek(i, 0);
      advanceOverdamped(false, x, ns, coef, spec.potential.gradient, spec.potential.paramValues, makeScratch(1));
      // three steps of σ = 0.45 with normals good to 2^-11 (1 + |ξ|)
      expect(Math.abs(gpu.positions[i] - x[0])).toBeLessThan(2e-3);
      expect(Math.abs(gpu.positions[i])).toBeGreaterThan(0); // written, not left zero
    }
  });
});
