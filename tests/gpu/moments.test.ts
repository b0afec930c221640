import { describe, expect, it } from 'vitest';
import { simulation } from '../support.ts';
import type { WebGpuBackend } from '../../src/gpu/backend.ts';

describe('GPU moments reduction', () => {
  it.each([
    ['one buffer', undefined],
    ['seven buffers', 4 * 2 * 2000],
  ])(
    '%s: equals float64 sums of the same positions; non-finite particles counted from the bit pattern and excluded',
    async (_, maxShardBytes) => {
      const N = 13_001;
      const sim = await simulation({ dims: 2, particles: N, potential: { name: 'double-well' }, dt: 0.01, steps: 0 }, 'webgpu', {
        maxShardBytes,
      });
      try {
        let s = 42;
        const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
        const x = new Float32Array(N * 2);
        for (let i = 0; i < x.length; i++) x[i] = 10 + 3 * (rand() - 0.5); // offset mean: tests the shifted sums
        const bad = [5, 6000, 13_000];
        x[2 * bad[0]] = NaN;
        x[2 * bad[1] + 1] = Infinity;
        x[2 * bad[2]] = -Infinity;
        (sim.backend as WebGpuBackend).writePositions(x);
        const m = await sim.moments();
        const good = Array.from({ length: N }, (_, i) => i).filter((i) => !bad.includes(i));
        expect(m.nonFinite).toBe(3);
        expect(m.count).toBe(N - 3);
        for (let d = 0; d < 2; d++) {
          const mean = good.reduce((a, i) => a + x[2 * i + d], 0) / good.length;
          const v = good.reduce((a, i) => a + (x[2 * i + d] - mean) ** 2, 0) / good.length;
          expect(Math.abs(m.mean[d] - mean)).toBeLessThan(1e-5);
          expect(Math.abs(m.variance[d] - v) / v).toBeLessThan(1e-4);
        }
        const e = good.reduce((a, i) => a + sim.potential.energy([x[2 * i], x[2 * i + 1]]), 0) / good.length;
        expect(Math.abs(m.meanEnergy - e) / e).toBeLessThan(1e-5);
        // the lowest index of a non-finite particle (the example a diagnosis reads), across buffers: 5, then 6000
        expect(m.firstNonFinite).toBe(5);
        x[2 * bad[0]] = 10;
        (sim.backend as WebGpuBackend).writePositions(x);
        expect((await sim.moments()).firstNonFinite).toBe(6000);
      } finally {
        sim.destroy();
      }
    },
  );

  it('best: the argmin over particles (global index, across buffers); the count within a target ball', async () => {
    const N = 5000;
    const spec = {
      dims: 2,
      particles: N,
      potential: { name: 'double-well' },
      dt: 0.01,
      steps: 0,
      observe: { target: [0.5, 0.25], radius: 0.3 },
    };
    const sim = await simulation(spec, 'webgpu', { maxShardBytes: 8 * 1024 });
    try {
      let s = 3;
      const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
      const x = new Float32Array(N * 2);
      for (let i = 0; i < x.length; i++) x[i] = 2 * rand() - 1;
      x[2 * 3777] = 1; // the one particle at a minimum, E = 0 exactly, in the 4th buffer
      x[2 * 3777 + 1] = 0;
      (sim.backend as WebGpuBackend).writePositions(x);
      const m = await sim.moments();
      // the best particle's position comes back with the moments (one read-back)
      expect(m.best).toEqual({ energy: 0, index: 3777, x: [1, 0] });
      let inside = 0;
      for (let i = 0; i < N; i++) if ((x[2 * i] - 0.5) ** 2 + (x[2 * i + 1] - 0.25) ** 2 <= 0.09) inside++;
      expect(inside).toBeGreaterThan(100);
      expect(m.inside).toBe(inside);
      const cpu = await simulation(spec, 'cpu');
      (cpu.backend as unknown as { positions: Float64Array }).positions = Float64Array.from(x);
      const mc = await cpu.moments();
      expect(mc.best).toEqual({ energy: 0, index: 3777, x: [1, 0] });
      expect(mc.inside).toBe(inside);
    } finally {
      sim.destroy();
    }
  });

  it('a particle whose energy overflows f32 counts as non-finite', async () => {
    const sim = await simulation({ dims: 1, particles: 3, potential: { name: 'double-well' }, dt: 0.01, steps: 0 }, 'webgpu');
    try {
      (sim.backend as WebGpuBackend).writePositions(Float32Array.from([1, 2, 1e12]));
      const m = await sim.moments();
      expect(m.nonFinite).toBe(1);
      expect(m.mean[0]).toBeCloseTo(1.5, 6);
    } finally {
      sim.destroy();
    }
  });
});

describe('read-backs asked for at once', () => {
  it('are served one after the other (they share staging buffers), each with the right answer', async () => {
    const spec = {
      dims: 2,
      particles: 4000,
      potential: { name: 'harmonic' },
      dt: 0.01,
      steps: 0,
      histogram: { dims: [0], bins: 10, low: -3, high: 3 },
    };
    const sim = await simulation(spec, 'webgpu');
    try {
      const [a, b, c, d] = await Promise.all([
        sim.backend.histogram(),
        sim.backend.moments(),
        sim.backend.histogram(),
        sim.backend.moments(),
      ]);
      expect(Array.from(c.counts)).toEqual(Array.from(a.counts));
      expect(a.finite).toBe(4000);
      expect(d.variance).toEqual(b.variance);
      expect(b.count).toBe(4000);
    } finally {
      sim.destroy();
    }
  });
});
