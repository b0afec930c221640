/**
 * The Boltzmann reference when the potential couples the histogram's
 * coordinates to the others ('integrated', D ≤ 3): the weight of a histogram
 * point is the integral of e^{−E/T} over the other coordinates, on the box
 * found by integrationBox.ts. Every outer quadrature node then costs a whole
 * inner integral (a scan locating the weight, then adaptive Gauss–Legendre
 * panels: ~100–300 energies for one coordinate, a few thousand for two), so
 * the outer 2-D rule is the 17-node Genz–Malik pair (degree 7 vs 5) instead
 * of 45 tensor nodes. Inner weights below 1e-18 of the largest are treated
 * as 0; inner integrals aim at 1e-9 relative (1e-10 of the largest absolute).
 *
 * Cost (measured, Node 20, one core): 1-D of 2-D 1000 bins ~0.3–0.4 s,
 * 2-D of 3-D 64² ~1–2 s (so 1024² would take minutes: see MAX_INTEGRATED_BINS).
 */
import type { CompiledPotential } from '../potential/index.ts';
import type { HistogramSpec } from '../spec.ts';
import {
  ATOL_PER_BIN,
  boltzmannWeight,
  edges,
  energyAt,
  histogramIntegrands,
  integrateBins,
  MAX_DEPTH_1D,
  MAX_DEPTH_2D,
  noiseTolerance,
  settle,
  type Binned,
  type ReferenceEnergy,
} from './boltzmannQuadrature.ts';
import { integrationBox, type IntegrationBox } from './integrationBox.ts';
import { adaptInterval, adaptRectangle } from './quadrature/adaptive.ts';
import { adaptGenzMalik } from './quadrature/genzMalik.ts';
import { gaussLegendre, type Rule } from './quadrature/gaussLegendre.ts';
import type { Integrand1, Integrand2, Tally } from './quadrature/tensorRule.ts';

/** Tolerance of the inner (integrated-out) quadrature, relative to the largest conditional integral. */
const INNER_ATOL = 1e-10;
const INNER_RTOL = 1e-9;
/** Weights (relative to the largest, ~1) below which the inner scan treats a point as empty. */
const INNER_CUT = 1e-18;
/** Side, in scan cells, of the blocks that tile a 2-D inner range. */
const BLOCK = 3;

/**
 * Case 'integrated': the bins' probabilities ∫_b w / ∫_box w over the histogram's axes, where
 * w(histogram point) = ∫ e^{−E/T} over the coordinates `others` (1 or 2 of them).
 * @param potential compiled potential with D ≤ 3 (its float64 `energy` is used)
 * @param h histogram, already validated
 * @param T temperature (energy units), finite and > 0
 * @param p parameter values
 * @param others the coordinates outside the histogram
 * @throws NoReference when the energy is not finite, −∞ or not integrable, or the weight does not decay along `others`
 */
export function integrated(potential: CompiledPotential, h: HistogramSpec, T: number, p: ArrayLike<number>, others: number[]): Binned {
  const k = h.dims.length;
  const x = new Float64Array(potential.dims);
  const energy = energyAt(potential, x, p);
  const range = integrationBox(h, T, x, energy, others);
  const ref: ReferenceEnergy = { e: range.emin };
  const inner = innerIntegral(x, others, boltzmannWeight(ref, T), energy, range);
  const { f1, f2 } = histogramIntegrands(x, h.dims, inner.value);

  const nb = h.bins;
  const total = k === 1 ? nb[0] : nb[0] * nb[1];
  const ed = [edges(h, 0), k === 2 ? edges(h, 1) : new Float64Array(0)];
  // Outer rules: 5 vs 10 Gauss–Legendre nodes in 1-D (3 vs 6 beyond 256 bins, where bins are narrow);
  // Genz–Malik in 2-D.
  const n1 = total > 256 ? 3 : 5;
  const lo = gaussLegendre(n1);
  const hi = gaussLegendre(2 * n1);
  const out = new Float64Array(total);
  const tally: Tally = { err: 0, maxW: 0 };
  const invT = 1 / T;
  const pass = (zEst: number): number => {
    tally.err = 0;
    inner.atol = INNER_ATOL * range.innerScale * Math.exp((ref.e - range.emin) * invT);
    inner.rtol = Math.max(INNER_RTOL, noiseTolerance(ref.e, T));
    const atol = ATOL_PER_BIN * zEst;
    const rtol = noiseTolerance(ref.e, T);
    return integrateBins(
      k,
      ed,
      out,
      (_, a, c) => adaptInterval(f1, lo, hi, a, c, atol, rtol, 0, 0, MAX_DEPTH_1D, tally),
      (_, a0, b0, a1, b1) => adaptGenzMalik(f2, a0, b0, a1, b1, atol, rtol, 0, 2 * MAX_DEPTH_2D, tally),
    );
  };
  return settle(out, pass, ref, T, range.zEst, tally);
}

/**
 * The inner quadrature over the other coordinates, on a scan grid of NS points (NS × NS for two
 * coordinates) over the integration box: 33 points and 10 vs 20 Gauss–Legendre nodes for one
 * coordinate, 19 per axis and 8×8 vs 11×11 nodes for two.
 */
interface Inner {
  /** e^{−(E − E_ref)/T} at the other coordinates (u) or (u, v), the histogram coordinates already in x */
  g1: Integrand1;
  g2: Integrand2;
  two: boolean;
  NS: number;
  lo: Rule;
  hi: Rule;
  /** first grid point and spacing per coordinate (the second 0 for one coordinate) */
  ylo: number;
  sy: number;
  zlo: number;
  sz: number;
  /** 2-D scan: 1 where the weight is at least INNER_CUT */
  mask: Uint8Array;
  /** absolute and relative tolerance, set before each pass */
  atol: number;
  rtol: number;
  tally: Tally;
  /** the inner integral at the histogram point now in x */
  value: () => number;
}

/** The inner quadrature over the coordinates `others` within `range`, weighting with `weight` (its tolerances are set per pass). */
function innerIntegral(
  x: Float64Array,
  others: number[],
  weight: (e: number) => number,
  energy: () => number,
  range: IntegrationBox,
): Inner {
  const two = others.length === 2;
  const o0 = others[0];
  const o1 = two ? others[1] : -1;
  const NS = two ? 19 : 33;
  const inner: Inner = {
    g1: (y) => {
      x[o0] = y;
      return weight(energy());
    },
    g2: (y, z) => {
      x[o0] = y;
      x[o1] = z;
      return weight(energy());
    },
    two,
    NS,
    lo: gaussLegendre(two ? 8 : 10),
    hi: gaussLegendre(two ? 11 : 20),
    ylo: range.lo[0],
    sy: (range.hi[0] - range.lo[0]) / (NS - 1),
    zlo: two ? range.lo[1] : 0,
    sz: two ? (range.hi[1] - range.lo[1]) / (NS - 1) : 0,
    mask: new Uint8Array(NS * NS),
    atol: 0,
    rtol: INNER_RTOL,
    tally: { err: 0, maxW: 0 },
    value: () => (two ? overTwo(inner) : overOne(inner)),
  };
  return inner;
}

/**
 * One coordinate: the span of scan points whose weight is at least INNER_CUT, widened by one scan
 * cell, cut into panels of about 3 scan cells, each integrated adaptively.
 */
function overOne(q: Inner): number {
  const { NS, ylo, sy } = q;
  let i0 = NS;
  let i1 = -1;
  for (let i = 0; i < NS; i++) {
    if (q.g1(ylo + i * sy) >= INNER_CUT) {
      if (i < i0) i0 = i;
      i1 = i;
    }
  }
  if (i1 < 0) return 0;
  const a = Math.max(0, i0 - 1);
  const b = Math.min(NS - 1, i1 + 1);
  const panels = Math.max(1, Math.round((b - a) / 3));
  let s = 0;
  for (let k = 0; k < panels; k++) {
    const pa = ylo + sy * (a + ((b - a) * k) / panels);
    const pb = ylo + sy * (a + ((b - a) * (k + 1)) / panels);
    s += adaptInterval(q.g1, q.lo, q.hi, pa, pb, q.atol / panels, q.rtol, 0, 0, MAX_DEPTH_1D, q.tally);
  }
  return s;
}

/**
 * Two coordinates: the range is tiled by blocks of BLOCK × BLOCK scan cells; a block is integrated
 * (adaptively) only if a scan point with weight ≥ INNER_CUT lies on it or on the ring of points around it.
 */
function overTwo(q: Inner): number {
  const { NS, ylo, sy, zlo, sz } = q;
  let any = false;
  for (let i = 0; i < NS; i++) {
    for (let j = 0; j < NS; j++) {
      const on = q.g2(ylo + i * sy, zlo + j * sz) >= INNER_CUT;
      q.mask[i * NS + j] = on ? 1 : 0;
      any ||= on;
    }
  }
  if (!any) return 0;
  const nBlocks = (NS - 1) / BLOCK;
  const blockTol = q.atol / (nBlocks * nBlocks);
  let s = 0;
  for (let bi = 0; bi < nBlocks; bi++) {
    for (let bj = 0; bj < nBlocks; bj++) {
      if (!blockIsLive(q, bi, bj)) continue;
      const y0 = ylo + sy * bi * BLOCK;
      const y1 = ylo + sy * (bi + 1) * BLOCK;
      const z0 = zlo + sz * bj * BLOCK;
      const z1 = zlo + sz * (bj + 1) * BLOCK;
      s += adaptRectangle(q.g2, q.lo, q.hi, y0, y1, z0, z1, blockTol, q.rtol, 0, 0, MAX_DEPTH_2D, q.tally);
    }
  }
  return s;
}

/** Whether block (bi, bj) or the ring of scan points around it holds a marked point. */
function blockIsLive(q: Inner, bi: number, bj: number): boolean {
  const i0 = Math.max(0, bi * BLOCK - 1);
  const i1 = Math.min(q.NS - 1, (bi + 1) * BLOCK + 1);
  const j0 = Math.max(0, bj * BLOCK - 1);
  const j1 = Math.min(q.NS - 1, (bj + 1) * BLOCK + 1);
  for (let i = i0; i <= i1; i++) for (let j = j0; j <= j1; j++) if (q.mask[i * q.NS + j]) return true;
  return false;
}
