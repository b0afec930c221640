import { describe, expect, it } from 'vitest';
import { simulation } from '../support.ts';
import { binPositions } from '../../src/stats/binning.ts';
import type { WebGpuBackend } from '../../src/gpu/backend.ts';
import type { HistogramSpec } from '../../src/spec.ts';

/** Positions that probe every edge: exact bin edges, low, high, just inside/outside, non-finite, huge. */
function probePositions(
  n: number,
  dims: number,
  h: { low: number[]; high: number[]; bins: number[]; dims: number[] },
): Float32Array<ArrayBuffer> {
  let s = 7;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const x = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      const a = h.dims.indexOf(d);
      const lo = a >= 0 ? h.low[a] : -1;
      const hi = a >= 0 ? h.high[a] : 1;
      const w = hi - lo;
      const r = rand();
      let v: number;
      if (r < 0.1 && a >= 0)
        v = lo + (w * Math.floor(rand() * (h.bins[a] + 1))) / h.bins[a]; // exact edges incl. low and high
      else if (r < 0.15)
        v = Math.fround(lo) * (1 - 2 ** -23 * Math.sign(lo || 1)); // just below low
      else if (r < 0.2)
        v = hi; // exactly high: outside
      else if (r < 0.25)
        v = lo - w + 3 * w * rand(); // wide: some outside
      else v = lo + w * rand();
      x[i * dims + d] = v;
    }
  }
  // non-finite and absurd particles
  x[0] = NaN;
  x[dims * 3 + dims - 1] = Infinity;
  x[dims * 5] = -Infinity;
  x[dims * 7] = 3e38;
  return x;
}

async function gpuHistogram(
  dims: number,
  h: Partial<HistogramSpec> & { low: number[]; high: number[]; bins: number[]; dims: number[] },
  n: number,
  opts: { maxShardBytes?: number; forceGlobalAtomics?: boolean } = {},
) {
  const spec = { dims, particles: n, potential: { name: 'harmonic' }, dt: 0.01, steps: 0, histogram: h };
  const sim = await simulation(spec, 'webgpu', opts);
  try {
    const x = probePositions(n, dims, h);
    (sim.backend as WebGpuBackend).writePositions(x);
    const gpu = await sim.backend.histogram();
    const cpu = binPositions(x, dims, sim.spec.histogram!);
    return {
      gpu,
      cpu,
      workgroupBins: (
        sim.backend as unknown as { stages: { observation: { histogram(): { usesWorkgroupBins: boolean } } } }
      ).stages.observation.histogram().usesWorkgroupBins,
    };
  } finally {
    sim.destroy();
  }
}

describe('GPU histogram equals CPU binning of the same positions, exactly', () => {
  it('1-D, workgroup-private bins, edges, out-of-box and non-finite particles', async () => {
    const { gpu, cpu, workgroupBins } = await gpuHistogram(2, { dims: [1], bins: [37], low: [-1.3], high: [2.1] }, 20_011);
    expect(workgroupBins).toBe(true);
    expect(Array.from(gpu.counts)).toEqual(Array.from(cpu.counts));
    expect(gpu.outside).toBe(cpu.outside);
    expect(gpu.finite).toBe(cpu.finite);
    expect(cpu.finite).toBe(20_011 - 3); // NaN, ±Inf excluded; 3e38 is finite (and outside)
    expect(cpu.outside).toBeGreaterThan(1000);
  });

  it('2-D over coordinates (2, 0) of 3-D, several buffers', async () => {
    const { gpu, cpu } = await gpuHistogram(3, { dims: [2, 0], bins: [16, 24], low: [-2, 0], high: [2, 3] }, 9_001, {
      maxShardBytes: 12 * 1000,
    });
    expect(Array.from(gpu.counts)).toEqual(Array.from(cpu.counts));
    expect(gpu.outside).toBe(cpu.outside);
  });

  it('2-D with 1024 × 64 bins, past workgroup storage: global atomics', async () => {
    const { gpu, cpu, workgroupBins } = await gpuHistogram(2, { dims: [0, 1], bins: [1024, 64], low: [-1, -1], high: [1, 1] }, 50_000);
    expect(workgroupBins).toBe(false);
    expect(Array.from(gpu.counts)).toEqual(Array.from(cpu.counts));
    expect(gpu.outside).toBe(cpu.outside);
  });

  it('the global-atomics path gives the same counts as the workgroup path', async () => {
    const h = { dims: [0], bins: [100], low: [-0.5], high: [0.75] };
    const a = await gpuHistogram(1, h, 30_000);
    const b = await gpuHistogram(1, h, 30_000, { forceGlobalAtomics: true });
    expect(a.workgroupBins).toBe(true);
    expect(b.workgroupBins).toBe(false);
    expect(Array.from(b.gpu.counts)).toEqual(Array.from(a.gpu.counts));
  });
});
