/**
 * Histogram binning, the CPU mirror of shaders/histogram.wgsl: the same f32
 * arithmetic (Math.fround), so CPU and GPU put every particle in the same bin.
 * Bins are half-open, [low_b, high_b); x = high is outside.
 */
import type { HistogramSpec } from '../spec.ts';

/** Per-axis binning constants, as the GPU receives them (f32). */
export interface AxisBinning {
  dim: number;
  bins: number;
  low: number;
  /** f32(bins / (high − low)) */
  scale: number;
}

export function axisBinnings(h: HistogramSpec): AxisBinning[] {
  return h.dims.map((dim, a) => ({
    dim,
    bins: h.bins[a],
    low: Math.fround(h.low[a]),
    scale: Math.fround(h.bins[a] / (h.high[a] - h.low[a])),
  }));
}

/** Bin of one coordinate, or −1 outside [low, high). */
export function axisBin(x: number, ax: AxisBinning): number {
  const t = Math.fround(Math.fround(Math.fround(x) - ax.low) * ax.scale);
  if (!(t >= 0)) return -1;
  const b = Math.floor(t);
  return b >= ax.bins ? -1 : b;
}

/** One snapshot's counts: row-major over the histogram axes, the last fastest. */
export interface HistogramCounts {
  counts: Float64Array;
  /** finite samples outside the box */
  outside: number;
  /** finite samples seen (in the box + outside) */
  finite: number;
}

/** Bin particle-major positions (CPU backend and tests). Non-finite particles are skipped. */
export function binPositions(positions: ArrayLike<number>, dims: number, h: HistogramSpec, into?: HistogramCounts): HistogramCounts {
  const axes = axisBinnings(h);
  const total = axes.reduce((a, ax) => a * ax.bins, 1);
  const out = into ?? { counts: new Float64Array(total), outside: 0, finite: 0 };
  const n = positions.length / dims;
  particles: for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      if (!Number.isFinite(Math.fround(positions[i * dims + d]))) continue particles;
    }
    out.finite++;
    let flat = 0;
    for (const ax of axes) {
      const b = axisBin(positions[i * dims + ax.dim], ax);
      if (b < 0) {
        out.outside++;
        continue particles;
      }
      flat = flat * ax.bins + b;
    }
    out.counts[flat]++;
  }
  return out;
}
