/** Shared helpers of the statistics tests: a seeded PRNG, multinomial draws and Gaussian bin probabilities. */
import type { HistogramSpec } from '../../src/spec.ts';
import { erf, erfc } from '../../src/stats/special.ts';
export { rng } from '../fixtures/random.ts';
import { rng } from '../fixtures/random.ts';

/** n independent draws from the categorical distribution p (inverse CDF), as counts. */
export function multinomial(p: ArrayLike<number>, n: number, rand: () => number): Float64Array {
  const cdf = new Float64Array(p.length);
  let s = 0;
  for (let b = 0; b < p.length; b++) cdf[b] = s += p[b];
  const counts = new Float64Array(p.length);
  for (let i = 0; i < n; i++) {
    const u = rand() * s;
    let lo = 0;
    let hi = p.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]++;
  }
  return counts;
}

/** A histogram spec (from/every are irrelevant to the reference). */
export function hist(dims: number[], bins: number[], low: number[], high: number[]): HistogramSpec {
  return { dims, bins, low, high, from: 0, every: 1 };
}

/** Pr[a ≤ X < b] for X ~ N(0, variance), accurate in both tails (erfc differences there). */
export function normalMass(a: number, b: number, variance: number): number {
  const s = Math.sqrt(2 * variance);
  const u = a / s;
  const v = b / s;
  if (u >= 0) return 0.5 * (erfc(u) - erfc(v));
  if (v <= 0) return 0.5 * (erfc(-v) - erfc(-u));
  return 0.5 * (erf(v) - erf(u));
}

/** Bin probabilities of N(0, variance) over `bins` equal bins of [low, high), normalised over the box. */
export function gaussianBins(variance: number, low: number, high: number, bins: number): Float64Array {
  const out = new Float64Array(bins);
  const z = normalMass(low, high, variance);
  for (let b = 0; b < bins; b++) out[b] = normalMass(low + ((high - low) * b) / bins, low + ((high - low) * (b + 1)) / bins, variance) / z;
  return out;
}

/** Row-major outer product a ⊗ b (the last axis fastest). */
export function outer(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length * b.length);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i * b.length + j] = a[i] * b[j];
  return out;
}

/** max_i |a_i − b_i| (Infinity if the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
