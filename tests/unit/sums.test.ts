/**
 * Tile sums (src/sums.ts) and the CPU reductions over them (src/cpu/reductions.ts),
 * read through momentsOf / covarianceOf / velocityMomentsOf (src/backend.ts):
 *
 * - accuracy against an exact oracle (Python's fractions: float(Fraction) is the
 *   correctly rounded value), for ensembles whose mean is far from 0;
 * - shard invariance: an ensemble reduced in slices cut at tile boundaries and
 *   merged in any order gives the bits of the whole ensemble reduced at once;
 * - the best particle: lowest energy, lowest global index on ties.
 *
 * The error bounds. A tile reports its mean m_t and, in float64, r1 = Σ(x − m_t)
 * and r2 = Σ(x − m_t)² (or c = Σ(x − m_t)_a(x − m_t)_b); the host adds
 * n·m_t + r1 and n·m_t² + 2·m_t·r1 + r2 exactly, then rounds once per output
 * (plus the division by the count). So:
 * - "dyadic" ensembles (coordinates on a 2^-3 grid, tiles of 4096 or 1024
 *   particles) have exact tile sums: every m_t, x − m_t, product and partial sum
 *   fits in 53 bits (checked below in the comments of `dyadicEnsemble`). What is
 *   left is the rounding of the result: mean ≤ 1 ulp (relative error < u + u),
 *   variance and covariance ≤ 2 ulp (two roundings, plus the O(ε²) term of
 *   centring on the rounded mean, ε ≤ ½ ulp(mean)).
 * - "continuous" ensembles (1e4 + N(0, 1)) have rounded tile sums: x − m_t is
 *   exact (Sterbenz: x and m_t within a factor 2), each (x − m_t)² is rounded
 *   (u) and 4096 of them are added naively (γ_4095 ≈ 4096·u ≈ 4.6e-13 relative,
 *   the a-priori worst case); r1's error enters the centred sums multiplied by
 *   |m_t − mean| ≪ 1. Bound used: |Ĉ_ab − C_ab| ≤ 1e-12·√(C_aa·C_bb) + 2 ulp,
 *   mean ≤ 2 ulp (its tile error is < 0.1 ulp of 1e4).
 * A centring that loses the mean's rounding (S_ab − S1_a·mean_b with a rounded
 * mean_b errs by mean_a·(mean_b − S1_b/n) ≈ 1e4·1e-12 ≈ 1e-8) fails both.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, hexOf, python } from '../python.ts';
import { rng } from '../fixtures/random.ts';
import { covarianceOf, momentsOf, velocityMomentsOf, type Moments } from '../../src/backend.ts';
import { cpuCovarianceSums, cpuMomentSums } from '../../src/cpu/reductions.ts';
import {
  PARTICLE_BLOCK,
  addCovarianceTile,
  addMomentTile,
  betterBest,
  covarianceMatrixOf,
  emptyCovarianceSums,
  emptyMomentSums,
  meansOf,
  mergeCovarianceSums,
  mergeMomentSums,
  variancesOf,
  type BestParticle,
  type CovarianceSums,
  type MomentSums,
} from '../../src/sums.ts';

// ---------------------------------------------------------------- helpers

const view = new DataView(new ArrayBuffer(8));

/** Doubles in the order of their bit patterns (negative ones mirrored), so that adjacent doubles differ by 1. */
function ordinal(x: number): bigint {
  view.setFloat64(0, x);
  const b = view.getBigInt64(0);
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

/** How many doubles apart a and b are. */
function ulpsApart(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}

const ulp = (x: number) => {
  const a = Math.abs(x);
  return a === 0 ? 2 ** -1074 : 2 ** (Math.floor(Math.log2(a)) - 52);
};

/** Seeded standard normals (Box–Muller). */
function normals(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Oracle (exact rationals, rounded once): per coordinate the mean, ⟨x²⟩, and the population covariance (a ≤ b). */
interface Oracle {
  mean: number[];
  meanSquare: number[];
  /** [a][b], full matrix */
  cov: number[][];
}

function oracle(values: Float64Array, dims: number): Oracle {
  const out = python(
    `
import json, struct, sys
from fractions import Fraction
d = json.load(sys.stdin)
D = d['dims']
xs = [Fraction(struct.unpack('>d', bytes.fromhex(h))[0]) for h in d['values']]
n = len(xs) // D
h = lambda q: struct.pack('>d', float(q)).hex()
S1 = [sum(xs[d::D], Fraction(0)) for d in range(D)]
S2 = [[sum((p * q for p, q in zip(xs[a::D], xs[b::D])), Fraction(0)) for b in range(D)] for a in range(D)]
print(json.dumps({
  'mean': [h(S1[a] / n) for a in range(D)],
  'meanSquare': [h(S2[a][a] / n) for a in range(D)],
  'cov': [[h((n * S2[a][b] - S1[a] * S1[b]) / (n * n)) for b in range(D)] for a in range(D)],
}))
`,
    { dims, values: Array.from(values, hexOf) },
  ) as { mean: string[]; meanSquare: string[]; cov: string[][] };
  return { mean: out.mean.map(fromHex), meanSquare: out.meanSquare.map(fromHex), cov: out.cov.map((r) => r.map(fromHex)) };
}

/**
 * A correlated ensemble: coordinate d is centre[d] + (L·z)_d with z standard normal and L lower triangular (so the
 * off-diagonal covariances are O(1), not noise around 0); with `grid`, (L·z)_d is rounded to a multiple of 1/grid
 * and clamped to ±120/grid.
 */
function ensemble(seed: number, n: number, centre: number[], L: number[][], grid?: number): Float64Array {
  const z = normals(seed);
  const D = centre.length;
  const v = new Float64Array(n * D);
  const w = new Array<number>(D);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) w[d] = z();
    for (let a = 0; a < D; a++) {
      let s = 0;
      for (let b = 0; b <= a; b++) s += L[a][b] * w[b];
      v[i * D + a] = centre[a] + (grid === undefined ? s : Math.max(-120, Math.min(120, Math.round(grid * s))) / grid);
    }
  }
  return v;
}

/** A continuous ensemble (see `ensemble`). */
const continuousEnsemble = (seed: number, n: number, centre: number[], L: number[][]) => ensemble(seed, n, centre, L);

/**
 * A dyadic ensemble: coordinate d is centre[d] + k/8, k an integer with |k| ≤ 120 (correlated through shared
 * normals). Tiles of 4096 or 1024 particles (n = 9216) make every tile sum exact: Σx < 2^26 on a 2^-3 grid (30 bits);
 * m_t = Σx/2^12 or /2^10 on a 2^-15 grid; |x − m_t| ≤ 30 on that grid (20 bits); a product ≤ 2^10 on a 2^-30
 * grid (40 bits); 4096 of them < 2^22 (52 bits); r1 < 2^17 on 2^-15 (32 bits). The centres (±1e4 …) need ≤ 15 bits.
 */
const dyadicEnsemble = (seed: number, n: number, centre: number[], L: number[][]) => ensemble(seed, n, centre, L, 8);

const L2 = [
  [1, 0],
  [0.6, 0.8],
];
const L3 = [
  [1, 0, 0],
  [0.5, 1.2, 0],
  [-0.7, 0.3, 0.9],
];

function expectUlps(got: number, want: number, ulps: number, what: string): void {
  expect(ulpsApart(got, want), `${what}: got ${got}, exact ${want}`).toBeLessThanOrEqual(ulps);
}

/** |got − want| ≤ rel·scale + 2 ulp(want) */
function expectClose(got: number, want: number, rel: number, scale: number, what: string): void {
  expect(Math.abs(got - want), `${what}: got ${got}, exact ${want}`).toBeLessThanOrEqual(rel * scale + 2 * ulp(want));
}

// ---------------------------------------------------------------- accuracy

describe('moments and covariance against the exact oracle (mean far from 0)', () => {
  const datasets = [
    { name: '2-D dyadic, n = 9216 (tile sums exact)', exact: true, values: dyadicEnsemble(11, 9216, [1e4, -3e4], L2), dims: 2 },
    { name: '3-D dyadic, n = 9216 (tile sums exact)', exact: true, values: dyadicEnsemble(12, 9216, [1e4, -2e4, 3e3], L3), dims: 3 },
    { name: '2-D continuous, n = 10000', exact: false, values: continuousEnsemble(13, 10000, [1e4, -3e4], L2), dims: 2 },
    { name: '3-D continuous, n = 10000', exact: false, values: continuousEnsemble(14, 10000, [1e4, -2e4, 3e3], L3), dims: 3 },
  ];

  it.each(datasets)('$name', ({ exact, values, dims: D }) => {
    const n = values.length / D;
    expect(n % PARTICLE_BLOCK).not.toBe(0);
    const want = oracle(values, D);
    const m = momentsOf(cpuMomentSums({ values, dims: D, first: 0 }));
    const c = covarianceOf(cpuCovarianceSums(values, D));
    expect([m.count, m.nonFinite, c.count]).toEqual([n, 0, n]);
    for (let a = 0; a < D; a++) {
      expectUlps(m.mean[a], want.mean[a], exact ? 1 : 2, `moments mean[${a}]`);
      expectUlps(c.mean[a], want.mean[a], exact ? 1 : 2, `covariance mean[${a}]`);
      if (exact) expectUlps(m.variance[a], want.cov[a][a], 2, `variance[${a}]`);
      else expectClose(m.variance[a], want.cov[a][a], 1e-12, want.cov[a][a], `variance[${a}]`);
      for (let b = 0; b < D; b++) {
        const scale = Math.sqrt(want.cov[a][a] * want.cov[b][b]);
        if (exact) expectUlps(c.matrix[a][b], want.cov[a][b], 2, `covariance[${a}][${b}]`);
        else expectClose(c.matrix[a][b], want.cov[a][b], 1e-12, scale, `covariance[${a}][${b}]`);
      }
    }
  });
});

describe('velocity moments', () => {
  it('dyadic velocities (tile sums exact): ⟨v⟩ and ⟨v²⟩ within 1 ulp of the exact values', () => {
    const values = dyadicEnsemble(21, 9216, [0.25, -1.5, 0], L3);
    const want = oracle(values, 3);
    const v = velocityMomentsOf(cpuMomentSums({ values, dims: 3, first: 0 }));
    expect(v.count).toBe(9216);
    for (let d = 0; d < 3; d++) {
      expectUlps(v.meanSquare[d], want.meanSquare[d], 1, `meanSquare[${d}]`);
      expectUlps(v.mean[d], want.mean[d], 1, `mean[${d}]`);
    }
  });

  it('continuous velocities N(0.3, 1) etc.: ⟨v²⟩ within 1e-12 relative, ⟨v⟩ within 1e-12·sd (rounded tile sums, γ_4096 ≈ 4.6e-13)', () => {
    const values = continuousEnsemble(22, 10000, [0.3, -2, 50], L3);
    const want = oracle(values, 3);
    const v = velocityMomentsOf(cpuMomentSums({ values, dims: 3, first: 0 }));
    expect(v.count).toBe(10000);
    for (let d = 0; d < 3; d++) {
      expectClose(v.meanSquare[d], want.meanSquare[d], 1e-12, want.meanSquare[d], `meanSquare[${d}]`);
      expectClose(v.mean[d], want.mean[d], 1e-12, Math.sqrt(want.cov[d][d]), `mean[${d}]`);
    }
  });

  it('non-finite velocities are left out of the count and the sums', () => {
    const values = dyadicEnsemble(23, 4096 + 1024, [0.5, -0.5], L2);
    const clean = oracle(values.slice(2, values.length), 2); // without particle 0
    values[0] = NaN;
    const v = velocityMomentsOf(cpuMomentSums({ values, dims: 2, first: 0 }));
    expect(v.count).toBe(4096 + 1023);
    expect(v.sums.nonFinite).toBe(1);
    // a tile of 4095 particles is not exact on the 2^-3 grid, so allow the continuous bound
    for (let d = 0; d < 2; d++) expectClose(v.meanSquare[d], clean.meanSquare[d], 1e-12, clean.meanSquare[d], `meanSquare[${d}]`);
  });
});

// ---------------------------------------------------------------- shard invariance

const energy = { fn: (x: ArrayLike<number>) => x[0] ** 2 + x[1] ** 2, params: [] as number[] };

/** 3·4096 + 123 particles, 2-D, centred far from 0, with non-finite particles and ties for the best energy. */
const N = 3 * PARTICLE_BLOCK + 123;
function shardEnsemble(): Float64Array {
  const v = continuousEnsemble(31, N, [1e4, -5e3], L2);
  const set = (i: number, x: number, y: number) => {
    v[2 * i] = x;
    v[2 * i + 1] = y;
  };
  set(4100, 3, 4); // E = 25: the best, tied with 12400 and 12401 (other energies are ~1.25e8)
  set(12400, 4, 3);
  set(12401, 0, -5);
  set(4500, 1e20, 1); // finite in f32, energy 1e40 overflows f32: non-finite
  set(9000, NaN, 0);
  set(12300, 1, 1e39); // finite in f64, not in f32: non-finite
  return v;
}
const BALL = { target: [1e4, -5e3], radius: 1.5 };

const SLICES: [number, number][][] = [
  [
    [0, PARTICLE_BLOCK],
    [PARTICLE_BLOCK, 3 * PARTICLE_BLOCK],
    [3 * PARTICLE_BLOCK, N],
  ],
  [
    [0, 2 * PARTICLE_BLOCK],
    [2 * PARTICLE_BLOCK, N],
  ],
  [
    [0, PARTICLE_BLOCK],
    [PARTICLE_BLOCK, 2 * PARTICLE_BLOCK],
    [2 * PARTICLE_BLOCK, 3 * PARTICLE_BLOCK],
    [3 * PARTICLE_BLOCK, N],
  ],
];

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Everything momentsOf reports, as bits (numbers as hex, so −0/NaN and the last bit count). */
function momentBits(m: Moments): unknown {
  return {
    count: m.count,
    nonFinite: m.nonFinite,
    inside: m.inside,
    mean: m.mean.map(hexOf),
    variance: m.variance.map(hexOf),
    meanEnergy: hexOf(m.meanEnergy),
    best: { energy: hexOf(m.best.energy), index: m.best.index, x: m.best.x.map(hexOf) },
    firstNonFinite: m.firstNonFinite,
  };
}

describe('shard invariance: slices at tile boundaries, merged in any order, give the bits of the whole', () => {
  const values = shardEnsemble();
  const D = 2;
  const whole = momentsOf(cpuMomentSums({ values, dims: D, first: 0, energy, ball: BALL }));
  const slice = ([lo, hi]: [number, number]): MomentSums =>
    cpuMomentSums({ values: values.subarray(lo * D, hi * D), dims: D, first: lo, energy, ball: BALL });

  it('the whole ensemble: counts, non-finite particles, best particle, ball', () => {
    expect(whole.count).toBe(N - 3);
    expect(whole.nonFinite).toBe(3);
    expect(whole.firstNonFinite).toBe(4500);
    expect(whole.best.energy).toBe(25);
    expect(whole.best.index).toBe(4100);
    expect(whole.best.x).toEqual([3, 4]);
    let inside = 0;
    for (let i = 0; i < N; i++) if ((values[2 * i] - 1e4) ** 2 + (values[2 * i + 1] + 5e3) ** 2 <= 2.25) inside++;
    expect(inside).toBeGreaterThan(100);
    expect(whole.inside).toBe(inside);
    // the mean and the energy leave out exactly the 3 non-finite particles
    expect(Number.isFinite(whole.meanEnergy) && Number.isFinite(whole.variance[0])).toBe(true);
    const finite = [...Array(N).keys()].filter((i) => ![4500, 9000, 12300].includes(i));
    const plainMean = finite.reduce((t, i) => t + values[2 * i], 0) / finite.length;
    expect(Math.abs(whole.mean[0] - plainMean)).toBeLessThan(1e-9);
    // ⟨E⟩ over the finite particles against the exact mean of the same float64 energies: each tile adds its
    // ≤ 4096 positive energies naively (γ_4096 ≈ 4.6e-13 relative), then tiles add exactly; bound 1e-12 relative
    const E = Float64Array.from(finite, (i) => energy.fn([values[2 * i], values[2 * i + 1]]));
    const exactMeanEnergy = oracle(E, 1).mean[0];
    expectClose(whole.meanEnergy, exactMeanEnergy, 1e-12, exactMeanEnergy, 'meanEnergy');
  });

  it.each(SLICES.map((s) => [s.length, s] as const))('%i slices, every merge order, into an empty sum or into a slice', (_, ranges) => {
    const want = momentBits(whole);
    for (const order of permutations(ranges)) {
      const into = emptyMomentSums(D);
      for (const r of order) mergeMomentSums(into, slice(r));
      expect(momentBits(momentsOf(into)), `order ${JSON.stringify(order)}`).toEqual(want);
      const first = slice(order[0]);
      for (const r of order.slice(1)) mergeMomentSums(first, slice(r));
      expect(momentBits(momentsOf(first)), `order ${JSON.stringify(order)}, into the first`).toEqual(want);
    }
  });

  it('the merge does not depend on float addition order: plain sums of the slices’ means would (the test discriminates)', () => {
    const parts = SLICES[2].map(slice).map((s) => momentsOf(s));
    const plain = new Set(permutations(parts).map((ps) => hexOf(ps.reduce((t, p) => t + p.mean[0] * p.count, 0))));
    expect(plain.size).toBeGreaterThan(1);
  });

  it('covariance (2-D and 3-D, non-finite rows): slices merged in every order give the bits of the whole', () => {
    const pos2 = values.slice();
    pos2[2 * 4500] = 1e4; // a finite row again (covariance reads coordinates only)
    const pos3 = continuousEnsemble(32, N, [1e4, -2e4, 3e3], L3);
    pos3[3 * 77 + 2] = NaN;
    pos3[3 * 12345] = -Infinity;
    pos3[3 * 5000 + 1] = 3e38 * 10; // not finite in f32
    for (const [pos, D3, excluded] of [
      [pos2, 2, 2],
      [pos3, 3, 3],
    ] as const) {
      const bits = (s: CovarianceSums) => {
        const c = covarianceOf(s);
        return { count: c.count, mean: c.mean.map(hexOf), matrix: c.matrix.map((r) => r.map(hexOf)) };
      };
      const all = bits(cpuCovarianceSums(pos, D3));
      expect(all.count).toBe(N - excluded);
      expect(all.matrix.flat().every((h) => Number.isFinite(fromHex(h)))).toBe(true);
      for (const ranges of SLICES) {
        for (const order of permutations(ranges)) {
          const into = emptyCovarianceSums(D3);
          for (const [lo, hi] of order) mergeCovarianceSums(into, cpuCovarianceSums(pos.subarray(lo * D3, hi * D3), D3));
          expect(bits(into), `D = ${D3}, order ${JSON.stringify(order)}`).toEqual(all);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- best particle

describe('the best particle: lowest energy, then lowest global index', () => {
  const D = 2;
  /** n particles far away (E ≈ 2e8), with the given ones placed. */
  function withParticles(n: number, placed: Record<number, [number, number]>): Float64Array {
    const v = continuousEnsemble(41, n, [1e4, 1e4], L2);
    for (const [i, [x, y]] of Object.entries(placed)) {
      v[2 * Number(i)] = x;
      v[2 * Number(i) + 1] = y;
    }
    return v;
  }

  it('ties in one tile, across tiles of one call, and across slices merged either way go to the lowest global index', () => {
    const inTile = momentsOf(
      cpuMomentSums({ values: withParticles(100, { 20: [0, 2], 10: [2, 0], 30: [-2, 0] }), dims: D, first: 0, energy }),
    );
    expect([inTile.best.index, inTile.best.energy, inTile.best.x]).toEqual([10, 4, [2, 0]]);

    const acrossTiles = momentsOf(
      cpuMomentSums({ values: withParticles(3 * PARTICLE_BLOCK, { 9000: [0, 2], 5000: [2, 0], 100: [0, -2] }), dims: D, first: 0, energy }),
    );
    expect([acrossTiles.best.index, acrossTiles.best.x]).toEqual([100, [0, -2]]);

    // a lower energy wins over a lower index
    const lower = momentsOf(cpuMomentSums({ values: withParticles(200, { 5: [2, 0], 150: [1, 1] }), dims: D, first: 0, energy }));
    expect([lower.best.index, lower.best.energy]).toEqual([150, 2]);

    // slices: the global index (first + local) is reported, and the merge keeps the lower one in either order
    const v = withParticles(2 * PARTICLE_BLOCK, { [PARTICLE_BLOCK + 7]: [0, 3], 4000: [3, 0] });
    const a = () => cpuMomentSums({ values: v.subarray(0, PARTICLE_BLOCK * D), dims: D, first: 0, energy });
    const b = () => cpuMomentSums({ values: v.subarray(PARTICLE_BLOCK * D), dims: D, first: PARTICLE_BLOCK, energy });
    expect(b().best.index).toBe(PARTICLE_BLOCK + 7);
    for (const [p, q] of [
      [a(), b()],
      [b(), a()],
    ]) {
      mergeMomentSums(p, q);
      expect([p.best.index, p.best.energy, p.best.x]).toEqual([4000, 9, [3, 0]]);
    }
  });

  it('betterBest: lower energy, then lower index; index −1 (none) gives the other', () => {
    const none: BestParticle = { energy: -Infinity, index: -1, x: [] }; // its energy must not matter
    const a: BestParticle = { energy: 1.5, index: 7, x: [1] };
    const b: BestParticle = { energy: 1.5, index: 3, x: [2] };
    const c: BestParticle = { energy: 1.25, index: 9, x: [3] };
    expect(betterBest(none, a)).toBe(a);
    expect(betterBest(a, none)).toBe(a);
    expect(betterBest(none, { ...none }).index).toBe(-1);
    expect(betterBest(a, b)).toBe(b);
    expect(betterBest(b, a)).toBe(b);
    expect(betterBest(a, c)).toBe(c);
    expect(betterBest(c, b)).toBe(c);
  });

  it('without an energy function there is no best particle; with no finite particle neither', () => {
    const v = withParticles(10, {});
    expect(cpuMomentSums({ values: v, dims: D, first: 0 }).best.index).toBe(-1);
    const bad = new Float64Array([NaN, 1, Infinity, 2]);
    const m = momentsOf(cpuMomentSums({ values: bad, dims: D, first: 50, energy }));
    expect([m.count, m.nonFinite, m.best.index, m.firstNonFinite]).toEqual([0, 2, -1, 50]);
    expect(m.mean.every(Number.isNaN) && m.variance.every(Number.isNaN) && Number.isNaN(m.meanEnergy)).toBe(true);
  });
});

// ---------------------------------------------------------------- the tile functions directly

describe('tile functions: known answers', () => {
  it('addMomentTile, meansOf, variancesOf: a tile around m = 1e8 with r1, r2 given reproduces Σx and Σx² exactly', () => {
    // particles 1e8 + {−1, 0, 1, 2}: n = 4, m = 1e8, r1 = 2, r2 = 6; Σx = 4e8 + 2, mean = 1e8 + 0.5,
    // Σ(x − mean)² = 2.25 + 0.25 + 0.25 + 2.25 = 5, variance 1.25 (all exact in float64)
    const s = emptyMomentSums(1);
    addMomentTile(s, { count: 4, mean: [1e8], r1: [2], r2: [6], energy: 0, nonFinite: 0, inside: 0 });
    const mean = meansOf(s.count, s.s1);
    expect(mean).toEqual([1e8 + 0.5]);
    expect(variancesOf(s.count, s.s1, s.s2, mean)).toEqual([1.25]);
  });

  it('variance when the mean is not representable: 3 particles 1e4 + {0, 0, 1}, tile mean 1e4', () => {
    // mean = 1e4 + 1/3 (rounded), variance = Σ(x − 1e4 − 1/3)²/3 = (1/9 + 1/9 + 4/9)/3 = 2/9 exactly in rationals
    const s = emptyMomentSums(1);
    addMomentTile(s, { count: 3, mean: [1e4], r1: [1], r2: [1], energy: 0, nonFinite: 0, inside: 0 });
    const mean = meansOf(s.count, s.s1);
    expect(mean[0]).toBe(30001 / 3); // correctly rounded: fl(30001) / 3
    expectUlps(variancesOf(s.count, s.s1, s.s2, mean)[0], 2 / 9, 2, 'variance of 1e4 + {0, 0, 1}');
  });

  it('addCovarianceTile and covarianceMatrixOf: 1e4 + {(0,0), (0,0), (1,1)} has every covariance 2/9', () => {
    const s = emptyCovarianceSums(2);
    addCovarianceTile(s, 3, [1e4, -1e4], [1, 1], [1, 1, 1]);
    const mean = meansOf(s.count, s.s1);
    const m = covarianceMatrixOf(s, mean);
    for (const row of m) for (const c of row) expectUlps(c, 2 / 9, 2, 'covariance');
  });
});
