import { describe, expect, it } from 'vitest';
import { exactAdd, exactValue, type ExactSum } from '../../src/stats/exact.ts';
import {
  addExp,
  canonicalSum,
  emptyExpSum,
  ExpTile,
  exactMoments,
  logOfExpSum,
  mergeExpSum,
  normaliseExpSum,
  type ExpSum,
} from '../../src/stats/expSum.ts';
import {
  addWorkSums,
  BOOTSTRAP_REPLICATES,
  emptyWorkSums,
  FINE_BINS,
  poissonWeight,
  summariseWork,
  workExponent,
  workSums,
  type WorkSums,
} from '../../src/stats/work.ts';
import { rng } from '../fixtures/random.ts';

/** n draws of N(mu, sigma²) (Box–Muller on the seeded PRNG). */
function normals(n: number, mu: number, sigma: number, seed: number): Float64Array {
  const u = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mu + sigma * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return out;
}

/** A copy of xs in a random order (Fisher–Yates). */
function shuffle<T>(xs: readonly T[], u: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Random cut points 0 = c_0 < … < c_m = n into `parts` contiguous pieces (some may be empty). */
function cuts(n: number, parts: number, u: () => number): number[] {
  const inner = Array.from({ length: parts - 1 }, () => Math.floor(u() * (n + 1))).sort((a, b) => a - b);
  return [0, ...inner, n];
}

const KEY: [number, number] = [0x2545f491, 0x4f6cdd1d];

describe('ExpSum', () => {
  it('matches a direct float64 sum for moderate exponents, with weights', () => {
    const u = rng(11);
    const s = emptyExpSum();
    let direct = 0;
    for (let i = 0; i < 2000; i++) {
      const w = 40 * u() - 20;
      const c = i % 3 === 0 ? 1 : i % 3 === 1 ? Math.floor(5 * u()) : 3 * u();
      addExp(s, w, c);
      direct += c * Math.exp(w);
    }
    // the direct sum of 2000 positive terms is within 2000·2^-53 ≈ 2e-13 (relative) of the truth
    expect(Math.abs(logOfExpSum(s) - Math.log(direct))).toBeLessThan(1e-12);
  });

  it('handles exponents near ±2000 (where e^w overflows) against the analytic value', () => {
    const u = rng(12);
    const deltas = Array.from({ length: 500 }, () => 10 * u() - 5);
    const lnDeltas = Math.log(deltas.reduce((a, d) => a + Math.exp(d), 0));
    for (const centre of [2000, -2000]) {
      const s = emptyExpSum();
      for (const d of deltas) addExp(s, centre + d);
      // each term's exponent w − k·ln2 carries a rounding of at most |w|·2^-52 ≈ 4.4e-13
      expect(Math.abs(logOfExpSum(s) - (centre + lnDeltas))).toBeLessThan(2e-12);
    }
    const mixed = emptyExpSum();
    for (const d of deltas) {
      addExp(mixed, 2000 + d);
      addExp(mixed, -2000 + d);
    }
    // the −2000 terms are e^{-4000} of the others: invisible in float64
    expect(Math.abs(logOfExpSum(mixed) - (2000 + lnDeltas))).toBeLessThan(2e-12);
  });

  it('−∞ adds nothing; an empty sum is −∞; +∞, NaN and |w| > 2^40 throw', () => {
    const s = emptyExpSum();
    expect(logOfExpSum(s)).toBe(-Infinity);
    addExp(s, -Infinity);
    expect(s.buckets).toEqual([]);
    addExp(s, 0);
    expect(logOfExpSum(s)).toBe(0);
    expect(() => addExp(s, Infinity)).toThrow(RangeError);
    expect(() => addExp(s, NaN)).toThrow(RangeError);
    expect(() => addExp(s, 2 ** 41)).toThrow(RangeError);
  });

  it('random splits added in random orders and merged in random orders equal one accumulation, bit for bit', () => {
    const u = rng(13);
    const ws = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 ? 1500 * (u() - 0.5) : 30 * (u() - 0.5)));
    const whole = emptyExpSum();
    for (const w of ws) addExp(whole, w);
    normaliseExpSum(whole);
    for (let trial = 0; trial < 10; trial++) {
      const c = cuts(ws.length, 2 + Math.floor(6 * u()), u);
      const shards = c.slice(1).map((end, j) => {
        const s = emptyExpSum();
        for (const w of shuffle(ws.slice(c[j], end), u)) addExp(s, w);
        return s;
      });
      const merged = emptyExpSum();
      for (const s of shuffle(shards, u)) mergeExpSum(merged, s);
      expect(JSON.stringify(merged)).toBe(JSON.stringify(whole));
      expect(Object.is(logOfExpSum(merged), logOfExpSum(whole))).toBe(true);
    }
  });

  it('ExpTile gives the exact bucket values of addExp with integer weights', () => {
    const u = rng(14);
    const direct: ExpSum[] = [emptyExpSum(), emptyExpSum()];
    const tiled: ExpSum[] = [emptyExpSum(), emptyExpSum()];
    const tile = new ExpTile(tiled);
    for (let i = 0; i < 10_000; i++) {
      const w = 60 * (u() - 0.5);
      const c = Math.floor(16 * u());
      tile.term(w);
      tile.add(0, 1);
      tile.add(1, c);
      addExp(direct[0], w);
      addExp(direct[1], w, c);
    }
    tile.flush();
    for (let s = 0; s < 2; s++) expect(JSON.stringify(normaliseExpSum(tiled[s]))).toBe(JSON.stringify(normaliseExpSum(direct[s])));
  });
});

describe('exact-sum helpers', () => {
  it('canonicalSum depends only on the exact value', () => {
    const xs = [1e100, 1, -1e100, 2 ** -60, 3.5, 1e-300];
    const a: ExactSum = [];
    const b: ExactSum = [];
    for (const x of xs) exactAdd(a, x);
    for (const x of [...xs].reverse()) exactAdd(b, x);
    expect(canonicalSum(a)).toEqual(canonicalSum(b));
    // 1 + 3.5 + 2^-60 + 1e-300 exactly: 4.5, then the rest below its last bit
    expect(canonicalSum(a)).toEqual([1e-300, 2 ** -60, 4.5]);
    expect(canonicalSum([0])).toEqual([]);
  });

  it('exactMoments equals a BigInt computation on dyadic values', () => {
    const u = rng(15);
    const n = 5000;
    // x = k·2^-20 with |k| < 2^25: x and x² = k²·2^-40 are exact in float64, the BigInt sums exact
    const ints = Array.from({ length: n }, () => Math.floor((u() - 0.3) * 2 ** 25));
    const s1: ExactSum = [];
    const s2: ExactSum = [];
    for (const k of ints) {
      const x = k * 2 ** -20;
      exactAdd(s1, x);
      exactAdd(s2, x * x);
    }
    const S1 = ints.reduce((a, k) => a + BigInt(k), 0n);
    const S2 = ints.reduce((a, k) => a + BigInt(k) * BigInt(k), 0n);
    const N = BigInt(n);
    const { mean, variance } = exactMoments(n, s1, s2);
    // Number(bigint) rounds to nearest, once, as exactValue does
    expect(mean).toBe((Number(S1) * 2 ** -20) / n);
    expect(variance).toBe((Number(N * S2 - S1 * S1) * 2 ** -40) / (n * (n - 1)));
  });
});

/** The whole-array sums and the sums of random contiguous shards merged in a random order. */
function splitAndMerge(W: ArrayLike<number>, T: number, parts: number, u: () => number): { whole: WorkSums; merged: WorkSums } {
  const whole = workSums(W, 0, T, KEY);
  const c = cuts(W.length, parts, u);
  const shards = c.slice(1).map((end, j) => workSums(Array.prototype.slice.call(W, c[j], end) as number[], c[j], T, KEY));
  const merged = emptyWorkSums(T);
  for (const s of shuffle(shards, u)) addWorkSums(merged, s);
  return { whole, merged };
}

/** The smallest e ≥ e0 at which ⌊W/2^e⌋ spans at most FINE_BINS keys, and the counts by key there (computed by division). */
function directFine(W: ArrayLike<number>, e0: number): { exponent: number; counts: Map<number, number> } {
  const ws = Array.from(W);
  let e = e0;
  while (Math.floor(Math.max(...ws) / 2 ** e) - Math.floor(Math.min(...ws) / 2 ** e) + 1 > FINE_BINS) e++;
  const counts = new Map<number, number>();
  for (const w of ws) counts.set(Math.floor(w / 2 ** e), (counts.get(Math.floor(w / 2 ** e)) ?? 0) + 1);
  return { exponent: e, counts };
}

describe('work sums', () => {
  it('Poisson(1) weights: the table agrees with the thresholds and the law is Poisson(1) to 2^-23', () => {
    const freq = new Array<number>(12).fill(0);
    for (let v = 0; v < 2 ** 23; v++) freq[poissonWeight(v << 9)]++;
    let fact = 1;
    for (let c = 0; c < 11; c++) {
      if (c > 0) fact *= c;
      // each u01 value (v + ½)·2^-23 maps to the Poisson(1) inverse CDF: mass within one grid step of e^{-1}/c!
      expect(Math.abs(freq[c] / 2 ** 23 - Math.exp(-1) / fact)).toBeLessThanOrEqual(2 ** -23);
    }
    expect(freq[11]).toBe(0);
    // the low 9 bits do not matter
    for (const v of [3085995, 3085996, 8388606, 8388607]) expect(poissonWeight((v << 9) | 511)).toBe(poissonWeight(v << 9));
  });

  it('Gaussian works: Jarzynski ΔF = μ − σ²/(2T) within 5 bootstrap SEs; effective samples n·e^{−σ²/T²} within 5 SEs', () => {
    const [n, mu, sigma, T] = [100_000, 3, 0.8, 1];
    const W = normals(n, mu, sigma, 21);
    const summary = summariseWork(workSums(W, 0, T, KEY), T);
    const jz = summary.jarzynski!;
    expect(jz.replicates).toBe(BOOTSTRAP_REPLICATES);
    // Jarzynski's bias (T/2n)(e^{σ²/T²} − 1) ≈ 5e-6 is negligible against the SE ≈ 3e-3
    expect(Math.abs(jz.deltaF - (mu - sigma ** 2 / (2 * T)))).toBeLessThan(5 * jz.standardError!);
    // ln ESS = 2 ln Σx − ln Σx² + ln n' for x = e^{−W/T} lognormal (s = σ/T): by the delta method its variance is
    // (1/n)[4(e^{s²} − 1) + (e^{4s²} − 1) − 4(e^{2s²} − 1)] (Var x/E²x, Var x²/E²x², Cov(x, x²)/(Ex·Ex²))
    const s2 = (sigma / T) ** 2;
    const se = Math.sqrt((4 * Math.expm1(s2) + Math.expm1(4 * s2) - 4 * Math.expm1(2 * s2)) / n);
    expect(Math.abs(Math.log(jz.effectiveSamples) - Math.log(n * Math.exp(-s2)))).toBeLessThan(5 * se);
    // the first-order error T·√((e^{s²} − 1)/n): the sample sd/mean of the lognormal e^{−W/T} has a relative sd of
    // √((κ − 1)/(4n)) ≈ 0.9 % here (κ = 31.4, its kurtosis at s² = 0.64), so 5 % is above 5 of those
    expect(Math.abs(jz.deltaMethodError! / (T * Math.sqrt(Math.expm1(s2) / n)) - 1)).toBeLessThan(0.05);
    // the dissipated work ⟨W⟩ − ΔF of Gaussian works is σ²/(2T)
    expect(Math.abs(summary.dissipated!.value - sigma ** 2 / (2 * T))).toBeLessThan(5 * summary.dissipated!.standardError!);
  });

  it('the bootstrap SE agrees with the delta-method error (mean ratio over 16 runs within 5 SE of 1)', () => {
    // One run's 32-replicate sd has a relative Monte Carlo sd of about 1/√(2·31) ≈ 13 %, so a single-run ±30 %
    // bound would be a ~2.4σ test. Averaging the ratio over 16 independent runs and using the runs' own scatter
    // for its SE gives a proper 5-SE test (the delta method is accurate here: s = σ/T = 0.5, n = 20000).
    const ratios: number[] = [];
    for (let run = 0; run < 16; run++) {
      const W = normals(20_000, 1, 0.5, 100 + run);
      const jz = summariseWork(workSums(W, 0, 1, [run, 7]), 1).jarzynski!;
      ratios.push(jz.standardError! / jz.deltaMethodError!);
    }
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    const sd = Math.sqrt(ratios.reduce((a, r) => a + (r - mean) ** 2, 0) / (ratios.length - 1));
    expect(sd).toBeGreaterThan(0.05); // the scatter is of the expected size (≈ 0.13) …
    expect(sd).toBeLessThan(0.3); // … not a degenerate bootstrap
    expect(Math.abs(mean - 1)).toBeLessThan((5 * sd) / Math.sqrt(ratios.length));
  });

  it('mean and variance are the exact values; the fine histogram counts ⌊W/2^e⌋', () => {
    const u = rng(31);
    const ints = Array.from({ length: 20_000 }, () => Math.floor((u() - 0.4) * 2 ** 24));
    const W = ints.map((k) => k * 2 ** -20); // in [−6.4, 9.6): exact dyadic values, exact squares
    const T = 2;
    const s = workSums(W, 0, T, KEY);
    const summary = summariseWork(s, T);
    const n = ints.length;
    const S1 = ints.reduce((a, k) => a + BigInt(k), 0n);
    const S2 = ints.reduce((a, k) => a + BigInt(k) * BigInt(k), 0n);
    expect(summary.mean).toBe((Number(S1) * 2 ** -20) / n);
    expect(summary.variance).toBe((Number(BigInt(n) * S2 - S1 * S1) * 2 ** -40) / (n * (n - 1)));
    expect(summary.particles).toBe(n);
    // width 2^⌊log2(T/64)⌋ = 2^-5; a span of 16 energy units is 512 bins: no coarsening
    expect(workExponent(T)).toBe(-5);
    const direct = directFine(W, -5);
    expect(s.fine.exponent).toBe(-5);
    expect(summary.fine.width).toBe(2 ** -5);
    s.fine.counts.forEach((c, j) => expect(c).toBe(direct.counts.get(s.fine.low + j) ?? 0));
    expect(summary.fine.low).toBe(s.fine.low * 2 ** -5);
    // the summary histogram: at most 64 bins, all walkers, edges on powers of two
    expect(summary.histogram.counts.length).toBeLessThanOrEqual(64);
    expect(summary.histogram.counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect(summary.histogram.edges.length).toBe(summary.histogram.counts.length + 1);
    expect(summary.histogram.edges[0]).toBeLessThanOrEqual(Math.min(...W));
    expect(summary.histogram.edges.at(-1)!).toBeGreaterThan(Math.max(...W));
  });

  it('merged random shards equal the whole, bit for bit (sums, bootstrap and fine histogram)', () => {
    const u = rng(41);
    const W = normals(30_000, -2, 1.5, 42);
    for (let trial = 0; trial < 5; trial++) {
      const { whole, merged } = splitAndMerge(W, 1.5, 2 + Math.floor(5 * u()), u);
      expect(JSON.stringify(merged)).toBe(JSON.stringify(whole));
      expect(JSON.stringify(summariseWork(merged, 1.5))).toBe(JSON.stringify(summariseWork(whole, 1.5)));
    }
  });

  it('the fine histogram does not depend on order or split, also when one shard must coarsen and another not', () => {
    const u = rng(51);
    const T = 1;
    // shard A: a narrow spread (64 bins at width 1/64); shard B: an outlier 10^4 away (640 000 bins: coarsen);
    // shard C: a spread of 100 (6400 bins: coarsen once)
    const A = Array.from({ length: 5000 }, () => u());
    const B = [...Array.from({ length: 3000 }, () => u()), 1e4];
    const C = Array.from({ length: 4000 }, () => 100 * u() - 50);
    const all = [...A, ...B, ...C];
    const parts = [A, B, C].map((p) => workSums(p, 0, T, KEY).fine);
    expect(parts.map((f) => f.exponent)).toEqual([-6, directFine(B, -6).exponent, -5]);
    expect(parts[1].exponent).toBeGreaterThan(-5);
    const direct = directFine(all, -6);
    for (let trial = 0; trial < 6; trial++) {
      const order = shuffle(all, u);
      const whole = workSums(order, 0, T, KEY).fine;
      expect(whole.exponent).toBe(direct.exponent);
      whole.counts.forEach((c, j) => expect(c).toBe(direct.counts.get(whole.low + j) ?? 0));
      expect(whole.counts.reduce((a, b) => a + b, 0)).toBe(all.length);
      const c = cuts(order.length, 2 + Math.floor(4 * u()), u);
      const merged = emptyWorkSums(T);
      for (const j of shuffle([...c.keys()].slice(1), u)) addWorkSums(merged, workSums(order.slice(c[j - 1], c[j]), c[j - 1], T, KEY));
      expect(JSON.stringify(merged.fine)).toBe(JSON.stringify(whole));
    }
  });

  it('T = 0: no exponential averages; non-finite works counted apart; the JSON holds only finite numbers', () => {
    const W = [1, 2, NaN, Infinity, -Infinity, 3, 2 ** 500];
    const s = workSums(W, 0, 0, KEY);
    expect(s.count).toBe(3);
    expect(s.nonFinite).toBe(4);
    expect(s.replicates).toEqual([]);
    expect(s.fine.exponent).toBe(-10);
    const summary = summariseWork(s, 0);
    expect(summary.jarzynski).toBeNull();
    expect(summary.dissipated).toBeNull();
    expect(summary.mean).toBe(2);
    expect(summary.variance).toBe(1);
    expect(JSON.stringify(s)).not.toContain('null');
    const hot = workSums(W, 0, 1, KEY);
    expect(hot.nonFinite).toBe(4);
    expect(JSON.stringify(hot)).not.toContain('null');
    expect(summariseWork(emptyWorkSums(1), 1).jarzynski).toBeNull();
  });
});
