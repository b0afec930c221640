/**
 * Exact, mergeable sums of exponentials Σ_i c_i·e^{w_i} (log-sum-exp without a
 * running maximum), and the exact-sum helpers the passage and work statistics
 * share (a canonical form of an exact sum, exact mean and variance).
 *
 * A term c·e^w is written 2^k·(c·m) with k = ⌊w / ln 2⌋ and m = e^{w − k·ln 2}
 * (m ∈ [1, 2] up to one rounding): its float parts c·m are added exactly
 * (src/stats/exact.ts) to the sum of bucket k. (k, m) is a function of w alone,
 * so the exact value of every bucket, and hence the logarithm of the total,
 * does not depend on the order terms are added in or on how they are split
 * and merged. Nothing overflows: e^{2000} lives in bucket 2885 as a number
 * near 1. Math.exp is V8's port of fdlibm, the same bits on every machine
 * running Node; another JavaScript engine may round a term's last bit
 * differently.
 */
import { exactAdd, exactAddProduct, exactAddSum, exactValue, type ExactSum } from './exact.ts';

/** Σ c_i·e^{w_i} as exact sums by binary exponent: bucket [k, S_k] holds Σ c·e^{w − k·ln 2} over the terms of that k; sorted by k. */
export interface ExpSum {
  buckets: [number, ExactSum][];
}

/** Buckets more than this many binary orders below the largest are dropped from the logarithm (below float64's smallest subnormal). */
const DROP_BELOW = -1080;

/** A sum with no terms. */
export function emptyExpSum(): ExpSum {
  return { buckets: [] };
}

/** The bucket of w: ⌊w / ln 2⌋. */
export function expKey(w: number): number {
  return Math.floor(w / Math.LN2);
}

/** The term e^w divided by 2^k, k = expKey(w): a number in [1, 2] up to rounding. */
export function expMantissa(w: number, k: number): number {
  return Math.exp(w - k * Math.LN2);
}

/** The exact sum of bucket k of s, created (empty, in sorted place) when absent. */
export function expBucket(s: ExpSum, k: number): ExactSum {
  const b = s.buckets;
  let lo = 0;
  let hi = b.length;
  if (hi > 0 && b[hi - 1][0] < k) lo = hi;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (b[mid][0] < k) lo = mid + 1;
    else hi = mid;
  }
  if (lo < b.length && b[lo][0] === k) return b[lo][1];
  const sum: ExactSum = [];
  b.splice(lo, 0, [k, sum]);
  return sum;
}

/**
 * Add c·e^w to s, exactly (in place).
 * @param w the exponent (dimensionless); −Infinity adds nothing; NaN, +Infinity or |w| > 2^40 (where
 *   ⌊w / ln 2⌋·ln 2 no longer resolves w) throws a RangeError
 * @param c the weight, finite and ≥ 0 (a weight of 0 adds nothing)
 */
export function addExp(s: ExpSum, w: number, c = 1): void {
  if (w === -Infinity || c === 0) return;
  if (!(Math.abs(w) <= TILE_MAX_EXPONENT)) throw new RangeError(`addExp: exponent ${w} is not finite and within ±2^40`);
  if (!(c > 0 && Number.isFinite(c))) throw new RangeError(`addExp: weight ${c} is not finite and ≥ 0`);
  const k = expKey(w);
  const m = expMantissa(w, k);
  const sum = expBucket(s, k);
  if (c === 1) exactAdd(sum, m);
  else exactAddProduct(sum, m, c);
}

/** Add every bucket of `from` to `into` (in place); `into`'s buckets are left in canonical form (see {@link canonicalSum}). */
export function mergeExpSum(into: ExpSum, from: ExpSum): void {
  const terms = from === into ? from.buckets.map(([k, p]): [number, ExactSum] => [k, [...p]]) : from.buckets;
  for (const [k, p] of terms) exactAddSum(expBucket(into, k), p);
  normaliseExpSum(into);
}

/**
 * Put every bucket of s in canonical form, in place, and drop buckets that sum to 0: two sums with
 * equal bucket values then have equal JSON, whatever order their terms were added in.
 */
export function normaliseExpSum(s: ExpSum): ExpSum {
  s.buckets = s.buckets.map(([k, p]): [number, ExactSum] => [k, canonicalSum(p)]).filter(([, p]) => p.length > 0);
  return s;
}

/**
 * ln Σ c_i·e^{w_i} (dimensionless), −Infinity for an empty sum. Stable: with kmax the largest
 * bucket, Σ_k value(S_k)·2^{k − kmax} is formed exactly (one rounding), buckets with
 * k − kmax < −1080 dropped, and the result is ln of it plus kmax·ln 2.
 */
export function logOfExpSum(s: ExpSum): number {
  const b = s.buckets;
  let top = b.length - 1;
  while (top >= 0 && exactValue(b[top][1]) === 0) top--;
  if (top < 0) return -Infinity;
  const kmax = b[top][0];
  const acc: ExactSum = [];
  for (let i = top; i >= 0 && b[i][0] - kmax >= DROP_BELOW; i--) exactAdd(acc, exactValue(b[i][1]) * 2 ** (b[i][0] - kmax));
  return Math.log(exactValue(acc)) + kmax * Math.LN2;
}

/**
 * The canonical form of an exact sum: its value v₁ rounded to float64, then the value v₂ of the
 * remainder, … until the remainder is 0, listed in increasing magnitude (ExactSum's order). It
 * depends only on the exact value, not on the partials it came as ([] for 0; a non-finite sum
 * stays its one partial).
 */
export function canonicalSum(p: ExactSum): ExactSum {
  if (p.length === 1 && !Number.isFinite(p[0])) return [p[0]];
  const rest = [...p];
  const out: number[] = [];
  for (let v = exactValue(rest); v !== 0; v = exactValue(rest)) {
    out.push(v);
    exactAdd(rest, -v);
  }
  return out.reverse();
}

/**
 * Mean and sample variance (n − 1) of n values from their exact sums S1 = Σx and S2 = Σx²:
 * mean = value(S1)/n and variance = value(n·S2 − S1²)/(n(n − 1)), the numerator formed exactly
 * (no cancellation) and rounded once before the division. Variance is NaN for n < 2.
 */
export function exactMoments(n: number, s1: ExactSum, s2: ExactSum): { mean: number; variance: number } {
  const mean = exactValue(s1) / n;
  if (n < 2) return { mean, variance: NaN };
  const num: ExactSum = [];
  for (const x of s2) exactAddProduct(num, x, n);
  for (const x of s1) for (const y of s1) exactAddProduct(num, -x, y);
  return { mean, variance: Math.max(0, exactValue(num)) / (n * (n - 1)) };
}

/** Terms an {@link ExpTile} sums in floats before it adds them exactly. */
export const TILE_TERMS = 4096;
/** The largest weight an {@link ExpTile} takes. */
export const TILE_MAX_WEIGHT = 15;
/** The largest |w| an {@link ExpTile} takes (its mantissa m then stays within 2^-10 of [1, 2]). */
export const TILE_MAX_EXPONENT = 2 ** 40;
const SPLIT = 2 ** 26;

/**
 * A fast exact accumulator of terms c·e^w with small integer weights into several ExpSums at once
 * (the terms share w, the sums differ by weight: a bootstrap). Per target s and bucket k it sums
 * c·m_hi and c·m_lo in plain floats, m = m_hi + m_lo split at 2^-26, and adds the two float sums to
 * the exact bucket sum every {@link TILE_TERMS} terms. The float sums are exact: with c ≤ 15,
 * m ≤ 2 + 2^-10 and at most 4096 terms, Σ c·m_hi < 2^17 on a grid of 2^-26 (43 bits) and
 * Σ c·m_lo < 2^-10 on a grid of 2^-53 (43 bits). So the targets get the same exact values as
 * {@link addExp} of every term would give them, much faster. Call {@link ExpTile.flush} at the end.
 */
export class ExpTile {
  private readonly rows = new Map<number, Float64Array>();
  private terms = 0;
  private row: Float64Array = new Float64Array(0);
  private hi = 0;
  private lo = 0;
  private key = NaN;

  constructor(private readonly targets: ExpSum[]) {}

  /** Start the term e^w (w finite, |w| ≤ 2^40, else a RangeError); then {@link add} its weights. */
  term(w: number): void {
    if (!(Math.abs(w) <= TILE_MAX_EXPONENT)) throw new RangeError(`ExpTile: exponent ${w} is beyond ±2^40`);
    if (this.terms === TILE_TERMS) this.flush();
    this.terms++;
    const k = expKey(w);
    const m = expMantissa(w, k);
    this.hi = Math.floor(m * SPLIT) / SPLIT;
    this.lo = m - this.hi;
    if (k === this.key) return;
    let row = this.rows.get(k);
    if (row === undefined) this.rows.set(k, (row = new Float64Array(2 * this.targets.length)));
    this.row = row;
    this.key = k;
  }

  /** Add c·e^w of the current term to target s (c an integer, 0 ≤ c ≤ 15: not checked, for speed). */
  add(s: number, c: number): void {
    this.row[2 * s] += c * this.hi;
    this.row[2 * s + 1] += c * this.lo;
  }

  /** Add e^w of the current term to target 0 and weights[s]·e^w to target s + 1 (weights as in {@link add}). */
  addAll(weights: ArrayLike<number>): void {
    const [row, hi, lo] = [this.row, this.hi, this.lo];
    row[0] += hi;
    row[1] += lo;
    for (let s = 0; s < weights.length; s++) {
      const c = weights[s];
      if (c === 0) continue;
      row[2 * s + 2] += c * hi;
      row[2 * s + 3] += c * lo;
    }
  }

  /** Add the float sums to the targets' exact buckets (a bucket is created only for a positive sum). */
  flush(): void {
    for (const [k, a] of this.rows) {
      for (let s = 0; s < this.targets.length; s++) {
        if (a[2 * s] === 0 && a[2 * s + 1] === 0) continue;
        const sum = expBucket(this.targets[s], k);
        exactAdd(sum, a[2 * s]);
        exactAdd(sum, a[2 * s + 1]);
      }
    }
    this.rows.clear();
    this.terms = 0;
    this.key = NaN;
  }
}
