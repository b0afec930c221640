/**
 * Tile sums: what the reductions of both backends produce, and how they add
 * up. Particles are reduced in fixed tiles of {@link PARTICLE_BLOCK}
 * consecutive global indices; each tile reports its own mean m (the shift of
 * its sums: no precision lost to a far-away centre, and no dependence on any
 * other tile) and its sums around m. The host turns a tile's numbers into
 * exact contributions to Σx_a and Σx_a·x_b (src/stats/exact.ts), so the
 * totals do not depend on the order tiles are added in: an ensemble cut
 * into shards at tile boundaries, reduced shard by shard and merged, gives
 * the same bits as the whole ensemble reduced at once.
 */
import { exactAdd, exactAddProduct, exactAddSum, exactValue, twoProduct, type ExactSum } from './stats/exact.ts';

/** Particles per tile of the reductions; shard and block boundaries are multiples of it. */
export const PARTICLE_BLOCK = 4096;

/**
 * Consecutive particles of an ensemble, by global index: [first, first + count).
 * Particle i of a backend holding a range is global particle first + i: same
 * random numbers, same initial state, same trajectory as in the whole run.
 */
export interface ParticleRange {
  first: number;
  count: number;
}

/** The best particle of a reduction: lowest energy, lowest global index on ties (index −1 when none). */
export interface BestParticle {
  energy: number;
  index: number;
  x: number[];
}

/** Exact sums of one moments reduction (positions with their energy, or plain per-particle values). */
export interface MomentSums {
  /** particles whose values (and energy) are finite */
  count: number;
  /** particles with a non-finite value or energy */
  nonFinite: number;
  /** finite particles within the target ball */
  inside: number;
  /** per coordinate, Σ x_d */
  s1: ExactSum[];
  /** per coordinate, Σ x_d² */
  s2: ExactSum[];
  /** Σ E */
  energy: ExactSum;
  best: BestParticle;
  /** the lowest global index of a non-finite particle (−1 when none) */
  firstNonFinite: number;
}

/** Exact sums of a covariance reduction: count, Σx_a and Σx_a·x_b (a ≤ b, row-major upper triangle). */
export interface CovarianceSums {
  count: number;
  s1: ExactSum[];
  s2: ExactSum[];
}

const sumsOf = (n: number): ExactSum[] => Array.from({ length: n }, () => []);

export function emptyMomentSums(dims: number): MomentSums {
  return {
    count: 0,
    nonFinite: 0,
    inside: 0,
    s1: sumsOf(dims),
    s2: sumsOf(dims),
    energy: [],
    best: { energy: Infinity, index: -1, x: [] },
    firstNonFinite: -1,
  };
}

export function emptyCovarianceSums(dims: number): CovarianceSums {
  return { count: 0, s1: sumsOf(dims), s2: sumsOf((dims * (dims + 1)) / 2) };
}

/** Σ x_a over a tile of n particles with mean m and residual r1 = Σ(x − m)_a: n·m_a + r1_a, exactly. */
function addFirst(s1: ExactSum, n: number, m: number, r1: number): void {
  exactAddProduct(s1, n, m);
  exactAdd(s1, r1);
}

/**
 * Σ x_a·x_b over a tile: c_ab + m_a·r1_b + m_b·r1_a + n·m_a·m_b, exactly
 * (c_ab = Σ(x − m)_a(x − m)_b; n·m_a is split into its rounding and its error first).
 */
function addSecond(s2: ExactSum, n: number, ma: number, mb: number, ra: number, rb: number, c: number): void {
  exactAdd(s2, c);
  exactAddProduct(s2, ma, rb);
  exactAddProduct(s2, mb, ra);
  const [hi, lo] = twoProduct(n, ma);
  exactAddProduct(s2, hi, mb);
  exactAddProduct(s2, lo, mb);
}

/** One tile of a moments reduction, in the order a tile row holds them. */
export interface MomentTile {
  /** finite particles, their mean (the tile's shift) and Σ(x − m), Σ(x − m)² per coordinate */
  count: number;
  mean: ArrayLike<number>;
  r1: ArrayLike<number>;
  r2: ArrayLike<number>;
  energy: number;
  nonFinite: number;
  inside: number;
}

/** Add one tile's numbers to the sums, exactly. */
export function addMomentTile(s: MomentSums, t: MomentTile): void {
  s.count += t.count;
  s.nonFinite += t.nonFinite;
  s.inside += t.inside;
  exactAdd(s.energy, t.energy);
  for (let d = 0; d < s.s1.length; d++) {
    addFirst(s.s1[d], t.count, t.mean[d], t.r1[d]);
    addSecond(s.s2[d], t.count, t.mean[d], t.mean[d], t.r1[d], t.r1[d], t.r2[d]);
  }
}

/** Add one covariance tile: n finite particles, mean m, r1 = Σ(x − m), c = Σ(x − m)_a(x − m)_b (a ≤ b). */
export function addCovarianceTile(s: CovarianceSums, n: number, m: ArrayLike<number>, r1: ArrayLike<number>, c: ArrayLike<number>): void {
  s.count += n;
  const D = s.s1.length;
  let q = 0;
  for (let a = 0; a < D; a++) {
    addFirst(s.s1[a], n, m[a], r1[a]);
    for (let b = a; b < D; b++) addSecond(s.s2[q], n, m[a], m[b], r1[a], r1[b], c[q++]);
  }
}

/** The better of two best particles: lower energy, then lower global index. */
export function betterBest(a: BestParticle, b: BestParticle): BestParticle {
  if (a.index < 0) return b;
  if (b.index < 0) return a;
  return b.energy < a.energy || (b.energy === a.energy && b.index < a.index) ? b : a;
}

/** Add `from` into `into` (exact; the result does not depend on the order of additions). */
export function mergeMomentSums(into: MomentSums, from: MomentSums): void {
  into.count += from.count;
  into.nonFinite += from.nonFinite;
  into.inside += from.inside;
  into.s1.forEach((p, d) => exactAddSum(p, from.s1[d]));
  into.s2.forEach((p, d) => exactAddSum(p, from.s2[d]));
  exactAddSum(into.energy, from.energy);
  into.best = betterBest(into.best, from.best);
  if (from.firstNonFinite >= 0 && (into.firstNonFinite < 0 || from.firstNonFinite < into.firstNonFinite))
    into.firstNonFinite = from.firstNonFinite;
}

export function mergeCovarianceSums(into: CovarianceSums, from: CovarianceSums): void {
  into.count += from.count;
  into.s1.forEach((p, d) => exactAddSum(p, from.s1[d]));
  into.s2.forEach((p, q) => exactAddSum(p, from.s2[q]));
}

/**
 * Σ(x_a − μ_a)(x_b − μ_b) from exact sums: S_ab − μ_b·S1_a − μ_a·S1_b + n·μ_a·μ_b, every term exact, then
 * rounded once (μ the rounded means: the identity holds for any centre, so their rounding costs nothing).
 */
function centred(count: number, sab: ExactSum, s1a: ExactSum, s1b: ExactSum, ma: number, mb: number): number {
  const p = [...sab];
  for (const x of s1a) exactAddProduct(p, -x, mb);
  for (const x of s1b) exactAddProduct(p, -x, ma);
  const [hi, lo] = twoProduct(count, ma);
  exactAddProduct(p, hi, mb);
  exactAddProduct(p, lo, mb);
  return exactValue(p);
}

/** Mean per coordinate (NaN when count is 0). */
export function meansOf(count: number, s1: ExactSum[]): number[] {
  return s1.map((p) => (count > 0 ? exactValue(p) / count : NaN));
}

/** Population variance per coordinate from exact sums (NaN when count is 0). */
export function variancesOf(count: number, s1: ExactSum[], s2: ExactSum[], mean: number[]): number[] {
  return s2.map((p, d) => (count > 0 ? Math.max(0, centred(count, p, s1[d], s1[d], mean[d], mean[d]) / count) : NaN));
}

/** The D × D population covariance from exact sums (NaN when count is 0). */
export function covarianceMatrixOf(s: CovarianceSums, mean: number[]): number[][] {
  const D = s.s1.length;
  const matrix = Array.from({ length: D }, () => new Array<number>(D).fill(NaN));
  let q = 0;
  for (let a = 0; a < D; a++) {
    for (let b = a; b < D; b++) {
      const c = s.count > 0 ? centred(s.count, s.s2[q], s.s1[a], s.s1[b], mean[a], mean[b]) / s.count : NaN;
      matrix[a][b] = c;
      matrix[b][a] = c;
      q++;
    }
  }
  return matrix;
}
