/**
 * The Boltzmann reference of a histogram (DESIGN §1): for each bin b of the
 * histogram box B, p_b = ∫_b e^{−E/T} / ∫_B e^{−E/T}, by adaptive
 * Gauss–Legendre quadrature in float64 over the histogram's axes.
 *
 * Weights are evaluated as e^{−(E − E_ref)/T}, E_ref the smallest energy a grid
 * scan found (lowered on the fly should the quadrature meet a lower one), so
 * nothing under- or overflows however small T is.
 *
 * Per bin (an interval, or a rectangle for a 2-D histogram) the n-node and
 * 2n-node tensor rules are compared; where they disagree by more than the
 * tolerance the bin is halved (1-D) or quartered (2-D), recursively to a
 * bounded depth, and the 2n-node value is kept. A bin where the scan saw a
 * weight at least twice the largest at the rule's nodes (a feature narrower
 * than the rule resolves) is first split down to the scan's spacing.
 *
 * Coordinates outside the histogram: if E separates (checked numerically),
 * they are fixed at a point ('separable'); else, for D ≤ 3, they are integrated
 * out ('integrated'): every outer quadrature node then costs a whole inner
 * integral (a scan locating the weight, then adaptive Gauss–Legendre panels,
 * ~100–300 energies for one coordinate, a few thousand for two), and the 2-D
 * outer rule is the 17-node Genz–Malik pair (degree 7 vs 5) instead of 45
 * tensor nodes. Weights below 1e-18 of the largest are treated as 0 there.
 *
 * Cost (measured, Node 20, one core): 'full'/'separable' 1-D 1000 bins ~5 ms,
 * 2-D 64² ~0.05–0.2 s, 1024² ~2–5 s; 'integrated' 1-D of 2-D 1000 bins
 * ~0.3–0.4 s, 2-D of 3-D 64² ~1–2 s (so 1024² would take minutes).
 *
 * Bin edges are the exact float64 edges low + (high − low)·b/bins; the
 * f32 binning of binning.ts moves an edge by ~1e-7·|edge|, far below the
 * statistical resolution of any histogram.
 */
import type { CompiledPotential } from '../potential/index.ts';
import type { HistogramSpec } from '../spec.ts';
import { mulberry32 } from './prng.ts';
import { adaptInterval, adaptRectangle } from './quadrature/adaptive.ts';
import { adaptGenzMalik } from './quadrature/genzMalik.ts';
import { gaussLegendre } from './quadrature/gaussLegendre.ts';
import { ruleOnInterval, ruleOnRectangle, type Integrand1, type Integrand2, type Tally } from './quadrature/tensorRule.ts';

/**
 * The reference probabilities, or a note saying why there are none.
 * - `probabilities`: p_b row-major over the histogram axes (the last axis fastest), summing to 1.
 * - `method`: 'full' (the histogram covers every coordinate), 'separable' (the other coordinates
 *   factor out of e^{−E/T}, checked numerically) or 'integrated' (D ≤ 3: the other coordinates
 *   integrated out numerically over an automatically found range).
 * - `errorEstimate`: a conservative estimate of Σ_b |error of p_b|: the sum, over the accepted
 *   pieces, of the disagreement between the lower- and the higher-order rule, divided by the total
 *   (the returned higher-order values are usually far more accurate than this). For 'integrated'
 *   it covers the histogram-axes rule only, not the inner integrals (tolerance 1e-9 relative).
 *   An addition to the brief's type; optional so that literals without it still type-check.
 */
export type BoltzmannResult = { probabilities: Float64Array; method: 'full' | 'separable' | 'integrated'; errorEstimate?: number } | { note: string };

/** Thrown when a weight would overflow: the quadrature restarts with E_ref = energy. */
class LowerEnergy {
  constructor(readonly energy: number) {}
}

/** Largest exponent −(E − E_ref)/T allowed before the reference is lowered (e^700 ≈ 1e304). */
const MAX_EXPONENT = 700;
/** Relative tolerance per piece, and the absolute one as a fraction of the total (estimated). */
const RTOL = 1e-10;
const ATOL_PER_BIN = 1e-12;
/** Largest histogram for which other coordinates are integrated out numerically (64×64 takes ~1 s, 256² ~18 s). */
export const MAX_INTEGRATED_BINS = 128 * 128;

/** Tolerance of the inner (integrated-out) quadrature, relative to the largest conditional integral. */
const INNER_ATOL = 1e-10;
const INNER_RTOL = 1e-9;
/** Weights (relative to the largest, ~1) below which the inner scan treats a point as empty. */
const INNER_CUT = 1e-18;
/** Recursion depth limits (halvings of a bin's side). */
const MAX_DEPTH_1D = 24;
const MAX_DEPTH_2D = 8;
/** ln(1e18): the weight at the bounds of an integrated-out coordinate must be below 1e-18 of the largest. */
const DECAY = Math.log(1e18);

/**
 * The relative tolerance the energy's own rounding allows: E near E_ref carries an absolute error of
 * a few ulps of |E_ref|, which e^{−E/T} turns into a relative error ~ε|E_ref|/T of every weight
 * (e.g. E ≈ 10^6 at T = 10^-3: ~1e-7). Asking the rules to agree more closely than that only
 * makes the recursion chase noise to its depth limit.
 */
function noiseTolerance(eRef: number, T: number): number {
  return Math.max(RTOL, 64 * Number.EPSILON * (Math.abs(eRef) / T + 50));
}


/**
 * Whether E(x) = A(histogram coordinates) + B(the others), checked numerically: at 48
 * deterministic pseudo-random points (histogram coordinates in the box, the others at
 * scales 0.5, 2 and 8 around 0), the change of ∂E/∂x_i (i a histogram coordinate) when
 * another coordinate x_j moves by ±δ must be ≤ 1e-9 of the gradient's scale.
 */
function isSeparable(potential: CompiledPotential, axes: number[], others: number[], h: HistogramSpec, params: ArrayLike<number>): boolean {
  const D = potential.dims;
  const rand = mulberry32(0x5eed);
  const x = new Float64Array(D);
  const gp = new Float64Array(D);
  const gm = new Float64Array(D);
  const scales = [0.5, 2, 8];
  let checked = 0;
  const diffs: { diff: number; local: number }[] = [];
  let gScale = 0;
  for (let s = 0; s < 48; s++) {
    for (let a = 0; a < axes.length; a++) x[axes[a]] = h.low[a] + (h.high[a] - h.low[a]) * rand();
    for (const j of others) x[j] = (2 * rand() - 1) * scales[s % 3];
    for (const j of others) {
      const xj = x[j];
      const delta = 1e-2 * Math.max(1, Math.abs(xj));
      x[j] = xj + delta;
      potential.gradient(x, gp, params);
      x[j] = xj - delta;
      potential.gradient(x, gm, params);
      x[j] = xj;
      let ok = true;
      for (let d = 0; d < D; d++) if (!Number.isFinite(gp[d]) || !Number.isFinite(gm[d])) ok = false;
      if (!ok) continue;
      for (let d = 0; d < D; d++) gScale = Math.max(gScale, Math.abs(gp[d]), Math.abs(gm[d]));
      for (const i of axes) diffs.push({ diff: Math.abs(gp[i] - gm[i]), local: Math.max(Math.abs(gp[i]), Math.abs(gm[i])) });
      checked++;
    }
  }
  if (checked === 0) return false;
  return diffs.every(({ diff, local }) => diff <= 1e-9 * Math.max(gScale, local) + 1e-300);
}

/**
 * Boltzmann probabilities of the histogram's bins under the potential at temperature T:
 * p_b = ∫_b e^{−E/T} / ∫_box e^{−E/T} over the histogram's axes (float64 adaptive quadrature,
 * target error ≤ 1e-9 per bin on smooth potentials, always aiming below 1e-6).
 *
 * Cases: (a) the histogram covers every coordinate → 'full'; (b) otherwise, if the potential is
 * separable between the histogram coordinates and the rest (checked numerically by finite
 * differences of the gradient), the others are fixed at a point where E is finite → 'separable';
 * (c) otherwise, for D ≤ 3, the other coordinates are integrated out numerically over a range found
 * by expanding bounds around where the weight is concentrated until the weight at the bounds is
 * below 1e-18 of the largest → 'integrated'; (d) otherwise a note.
 *
 * Non-finite energies count as E = +∞ (weight 0), except −∞ which gives a note.
 *
 * @param potential compiled potential (its float64 `energy` is used)
 * @param h histogram: `dims` (1 or 2 coordinate indices), `bins`, `low`, `high` per axis
 * @param temperature T in energy units (k_B = 1); must be finite and > 0
 * @param params parameter values (default: potential.paramValues)
 * @returns probabilities row-major over the histogram axes (last axis fastest), or `{ note }`
 * @example
 * const pot = compilePotential({ name: 'harmonic', params: { k: 1 } }, 1);
 * boltzmannReference(pot, { dims: [0], bins: [64], low: [-4], high: [4], from: 0, every: 1 }, 1);
 */
export function boltzmannReference(potential: CompiledPotential, h: HistogramSpec, temperature: number, params?: ArrayLike<number>): BoltzmannResult {
  const T = temperature;
  if (!Number.isFinite(T) || !(T > 0)) {
    return { note: `no Boltzmann reference at temperature ${T}: it needs a finite temperature > 0 (at T = 0 the distribution collapses onto the minima)` };
  }
  const D = potential.dims;
  const axes = h.dims;
  const k = axes.length;
  if (k < 1 || k > 2) return { note: `no Boltzmann reference: the histogram has ${k} axes; 1 or 2 are supported` };
  for (let a = 0; a < k; a++) {
    if (!Number.isInteger(axes[a]) || axes[a] < 0 || axes[a] >= D) return { note: `no Boltzmann reference: histogram axis ${a} is coordinate ${axes[a]}, outside 0…${D - 1}` };
    if (!Number.isInteger(h.bins[a]) || h.bins[a] < 1) return { note: `no Boltzmann reference: histogram bins[${a}] = ${h.bins[a]} must be a positive integer` };
    if (!Number.isFinite(h.low[a]) || !Number.isFinite(h.high[a]) || !(h.high[a] > h.low[a])) {
      return { note: `no Boltzmann reference: histogram axis ${a} has low = ${h.low[a]}, high = ${h.high[a]}; need finite low < high` };
    }
  }
  if (k === 2 && axes[0] === axes[1]) return { note: 'no Boltzmann reference: the two histogram axes are the same coordinate' };
  const p = params ?? potential.paramValues;
  const others: number[] = [];
  for (let d = 0; d < D; d++) if (!axes.includes(d)) others.push(d);

  let method: 'full' | 'separable' | 'integrated';
  const fixed = new Float64Array(D);
  if (others.length === 0) {
    method = 'full';
  } else if (isSeparable(potential, axes, others, h, p)) {
    method = 'separable';
    if (!pickFinitePoint(potential, axes, others, h, p, fixed)) {
      return { note: `no Boltzmann reference: the potential is separable, but no point of the other coordinates (${others.join(', ')}) gives a finite energy in the box` };
    }
  } else if (D <= 3) {
    method = 'integrated';
    const bins = h.bins.reduce((a, b) => a * b, 1);
    if (bins > MAX_INTEGRATED_BINS) {
      return {
        note:
          `no Boltzmann reference: the potential couples the histogram coordinates (${axes.join(', ')}) to the others, and integrating ` +
          `them out for ${bins} bins would take minutes (each bin costs thousands of energy evaluations); use at most ${MAX_INTEGRATED_BINS} bins`,
      };
    }
  } else {
    return {
      note:
        `no Boltzmann reference: the histogram covers ${k} of ${D} coordinates (${axes.join(', ')}), the potential couples them to the others ` +
        `(it is not separable: ∂²E/∂x_i∂x_j ≠ 0 between histogram and other coordinates), and integrating the other ${D - k} coordinates out ` +
        'numerically is only done for D ≤ 3',
    };
  }

  try {
    return method === 'integrated' ? integrated(potential, h, T, p, others) : direct(potential, h, T, p, fixed, method);
  } catch (e) {
    if (e instanceof Note) return { note: e.message };
    throw e;
  }
}

class Note extends Error {}

/** Sets `out` (other coordinates) to a point where E is finite at a few box points; false if none is found. */
function pickFinitePoint(potential: CompiledPotential, axes: number[], others: number[], h: HistogramSpec, p: ArrayLike<number>, out: Float64Array): boolean {
  const rand = mulberry32(0xf1ed);
  for (let attempt = 0; attempt < 64; attempt++) {
    for (const j of others) out[j] = attempt === 0 ? 0 : (2 * rand() - 1) * (1 + attempt / 8);
    let ok = true;
    for (let s = 0; s < 5 && ok; s++) {
      for (let a = 0; a < axes.length; a++) out[axes[a]] = h.low[a] + ((h.high[a] - h.low[a]) * (s + 0.5)) / 5;
      if (!Number.isFinite(potential.energy(out, p))) ok = false;
    }
    if (ok) return true;
  }
  return false;
}

/** Edges low + (high − low)·b/bins, b = 0…bins, with the last exactly high. */
function edges(h: HistogramSpec, a: number): Float64Array {
  const n = h.bins[a];
  const e = new Float64Array(n + 1);
  for (let b = 0; b <= n; b++) e[b] = h.low[a] + ((h.high[a] - h.low[a]) * b) / n;
  e[n] = h.high[a];
  return e;
}

/** Mutable energy reference shared by the weight closures. */
interface Ref {
  e: number;
}

function checkScanMinimum(emin: number): void {
  if (emin === -Infinity) throw new Note('no Boltzmann reference: the energy is −∞ somewhere in the box, so e^{−E/T} is not integrable');
  if (!Number.isFinite(emin)) throw new Note('no Boltzmann reference: the energy is not finite anywhere the scan of the box looked');
}

/** Cases 'full' and 'separable': integrate e^{−E/T} over each bin with the other coordinates at `fixed`. */
function direct(potential: CompiledPotential, h: HistogramSpec, T: number, p: ArrayLike<number>, fixed: Float64Array, method: 'full' | 'separable'): BoltzmannResult {
  const k = h.dims.length;
  const x = Float64Array.from(fixed);
  const d0 = h.dims[0];
  const d1 = k === 2 ? h.dims[1] : -1;
  const energy = (xx: Float64Array) => {
    const e = potential.energy(xx, p);
    return e === e ? e : Infinity;
  };
  const ref: Ref = { e: 0 };
  const invT = 1 / T;
  const weight = boltzmannWeight(ref, T);
  const f1: Integrand1 = (u) => {
    x[d0] = u;
    return weight(energy(x));
  };
  const f2: Integrand2 = (u, v) => {
    x[d0] = u;
    x[d1] = v;
    return weight(energy(x));
  };

  // Scan: midpoints of s sub-cells per bin and axis; per-bin minimum energy, E_min and a midpoint estimate of Z.
  const nb = h.bins;
  const total = k === 1 ? nb[0] : nb[0] * nb[1];
  const s = k === 1 ? [Math.max(4, Math.ceil(4096 / nb[0]))] : [Math.max(2, Math.ceil(256 / nb[0])), Math.max(2, Math.ceil(256 / nb[1]))];
  const ed = [edges(h, 0), k === 2 ? edges(h, 1) : new Float64Array(0)];
  const binMin = new Float64Array(total).fill(Infinity);
  let zRef = Infinity;
  let zSum = 0;
  const cell = k === 1 ? (h.high[0] - h.low[0]) / (nb[0] * s[0]) : ((h.high[0] - h.low[0]) / (nb[0] * s[0])) * ((h.high[1] - h.low[1]) / (nb[1] * s[1]));
  const addScan = (e: number, b: number) => {
    if (e < binMin[b]) binMin[b] = e;
    if (e === Infinity) return;
    if (e < zRef) {
      zSum = zRef === Infinity ? 0 : zSum * Math.exp((e - zRef) * invT);
      zRef = e;
    }
    zSum += Math.exp((zRef - e) * invT);
  };
  if (k === 1) {
    for (let b = 0; b < nb[0]; b++) {
      const a = ed[0][b];
      const w = (ed[0][b + 1] - a) / s[0];
      for (let i = 0; i < s[0]; i++) {
        x[d0] = a + (i + 0.5) * w;
        addScan(energy(x), b);
      }
    }
  } else {
    for (let b0 = 0; b0 < nb[0]; b0++) {
      const a0 = ed[0][b0];
      const w0 = (ed[0][b0 + 1] - a0) / s[0];
      for (let i = 0; i < s[0]; i++) {
        x[d0] = a0 + (i + 0.5) * w0;
        for (let b1 = 0; b1 < nb[1]; b1++) {
          const a1 = ed[1][b1];
          const w1 = (ed[1][b1 + 1] - a1) / s[1];
          const b = b0 * nb[1] + b1;
          for (let j = 0; j < s[1]; j++) {
            x[d1] = a1 + (j + 0.5) * w1;
            addScan(energy(x), b);
          }
        }
      }
    }
  }
  let emin = Infinity;
  for (let b = 0; b < total; b++) if (binMin[b] < emin) emin = binMin[b];
  checkScanMinimum(emin);
  ref.e = emin;
  let zEst = zSum * cell * Math.exp((emin - zRef) * invT);
  const scanDepth = Math.ceil(Math.log2(Math.max(...s)));

  // 2-D: 3×3 vs 6×6 nodes; for large grids (bins ≲ 1/256 of the box side) 2×2 vs 4×4 suffice.
  const n2 = total > 65536 ? 2 : 3;
  const lo = gaussLegendre(k === 1 ? 6 : n2);
  const hi = gaussLegendre(k === 1 ? 12 : 2 * n2);
  const out = new Float64Array(total);
  const acc: Tally = { err: 0, maxW: 0 };

  const pass = (): number => {
    acc.err = 0;
    const atol = ATOL_PER_BIN * zEst;
    const rtol = noiseTolerance(ref.e, T);
    let z = 0;
    for (let b = 0; b < total; b++) {
      let v: number;
      acc.maxW = 0;
      const wScan = Math.exp((ref.e - binMin[b]) * invT);
      if (k === 1) {
        const a = ed[0][b];
        const c = ed[0][b + 1];
        const i1 = ruleOnInterval(f1, lo, a, c, acc);
        const i2 = ruleOnInterval(f1, hi, a, c, acc);
        const flagged = wScan > 2 * acc.maxW && wScan * (c - a) > atol;
        const dd = Math.abs(i2 - i1);
        if (!flagged && (dd <= atol || dd <= rtol * Math.abs(i2))) {
          acc.err += dd;
          v = i2;
        } else {
          const m = 0.5 * (a + c);
          const md = flagged ? scanDepth : 0;
          v = adaptInterval(f1, lo, hi, a, m, atol / 2, rtol, 1, md, MAX_DEPTH_1D, acc) + adaptInterval(f1, lo, hi, m, c, atol / 2, rtol, 1, md, MAX_DEPTH_1D, acc);
        }
      } else {
        const b0 = Math.floor(b / nb[1]);
        const b1 = b - b0 * nb[1];
        const a0 = ed[0][b0];
        const c0 = ed[0][b0 + 1];
        const a1 = ed[1][b1];
        const c1 = ed[1][b1 + 1];
        const i1 = ruleOnRectangle(f2, lo, a0, c0, a1, c1, acc);
        const i2 = ruleOnRectangle(f2, hi, a0, c0, a1, c1, acc);
        const flagged = wScan > 2 * acc.maxW && wScan * (c0 - a0) * (c1 - a1) > atol;
        const dd = Math.abs(i2 - i1);
        if (!flagged && (dd <= atol || dd <= rtol * Math.abs(i2))) {
          acc.err += dd;
          v = i2;
        } else {
          v = adaptRectangle(f2, lo, hi, a0, c0, a1, c1, atol, rtol, 0, flagged ? scanDepth : 1, MAX_DEPTH_2D, acc);
        }
      }
      out[b] = v;
      z += v;
    }
    return z;
  };
  return normalise(out, method, pass, ref, T, () => zEst, (z) => (zEst = z), acc);
}

/**
 * e^{−(E − E_ref)/T}, relative to a reference energy that may still fall: an
 * energy far below it throws LowerEnergy so the caller restarts from there.
 */
function boltzmannWeight(ref: Ref, T: number): (e: number) => number {
  const invT = 1 / T;
  return (e) => {
    const a = (ref.e - e) * invT;
    if (a > MAX_EXPONENT) throw new LowerEnergy(e);
    return Math.exp(a);
  };
}

/**
 * Run `pass` (which fills `out` and returns its sum) until the reference energy is stable and the
 * absolute tolerance was set from a total no more than 10× too large; then normalise.
 */
function normalise(out: Float64Array, method: 'full' | 'separable' | 'integrated', pass: () => number, ref: Ref, T: number, getZ: () => number, setZ: (z: number) => void, acc: Tally): BoltzmannResult {
  const start = ref.e;
  for (let attempt = 0; attempt < 8; attempt++) {
    let z: number;
    try {
      z = pass();
    } catch (e) {
      if (!(e instanceof LowerEnergy)) throw e;
      if (e.energy === -Infinity) throw new Note('no Boltzmann reference: the energy is −∞ somewhere in the box, so e^{−E/T} is not integrable');
      setZ(getZ() * Math.exp((e.energy - ref.e) / T));
      ref.e = e.energy;
      continue;
    }
    if (!(z > 0) || !Number.isFinite(z)) {
      const found = ref.e < start ? `the quadrature found energies down to ${ref.e.toPrecision(4)}, far below the scan's minimum ${start.toPrecision(4)}` : `E_min = ${ref.e.toPrecision(4)} is the lowest energy the scan found`;
      return {
        note:
          `no Boltzmann reference: ∫ e^{−E/T} over the box came out ${z > 0 ? 'not finite' : '0'} relative to e^{−E_min/T} (${found}): ` +
          'the weight is concentrated where the quadrature cannot resolve it, or the energy is unbounded below (e.g. a 1/x² singularity) and e^{−E/T} is not integrable',
      };
    }
    if (z < 0.1 * getZ()) {
      setZ(z);
      continue;
    }
    for (let b = 0; b < out.length; b++) out[b] /= z;
    return { probabilities: out, method, errorEstimate: acc.err / z };
  }
  return { note: `no Boltzmann reference: the quadrature did not settle: the energy kept reaching lower values (down to ${ref.e.toPrecision(4)}, the scan's minimum was ${start.toPrecision(4)}); it may be unbounded below, and then e^{−E/T} is not integrable` };
}

/**
 * Case 'integrated' (D ≤ 3, not separable): the weight of a histogram point is the integral of
 * e^{−E/T} over the other coordinates, on a box found by `otherRange`.
 */
function integrated(potential: CompiledPotential, h: HistogramSpec, T: number, p: ArrayLike<number>, others: number[]): BoltzmannResult {
  const k = h.dims.length;
  const m = others.length;
  const D = potential.dims;
  const x = new Float64Array(D);
  const d0 = h.dims[0];
  const d1 = k === 2 ? h.dims[1] : -1;
  const o0 = others[0];
  const o1 = m === 2 ? others[1] : -1;
  const invT = 1 / T;
  const energy = () => {
    const e = potential.energy(x, p);
    return e === e ? e : Infinity;
  };
  const range = otherRange(h, T, x, energy, others);
  const ref: Ref = { e: range.emin };
  const weight = boltzmannWeight(ref, T);
  // Inner integrand over the other coordinates (histogram coordinates already set in x).
  const g1: Integrand1 = (y) => {
    x[o0] = y;
    return weight(energy());
  };
  const g2: Integrand2 = (y, z) => {
    x[o0] = y;
    x[o1] = z;
    return weight(energy());
  };
  const innerAcc: Tally = { err: 0, maxW: 0 };
  // Inner quadrature at one histogram point. A scan of NS (NS×NS) points over the range marks where
  // the weight exceeds INNER_CUT. One coordinate: the marked span, widened by one scan cell, is cut
  // into panels of about 3 scan cells, each integrated adaptively with 10 vs 20 Gauss–Legendre nodes.
  // Two coordinates: the range is tiled by blocks of 3×3 scan cells; a block is integrated (8×8 vs
  // 11×11 nodes, adaptive) only if a marked scan point lies on it or on the ring of points around it.
  const NS = m === 1 ? 33 : 19;
  const ilo = gaussLegendre(m === 1 ? 10 : 8);
  const ihi = gaussLegendre(m === 1 ? 20 : 11);
  const ylo = range.lo[0];
  const zlo = m === 2 ? range.lo[1] : 0;
  const sy = (range.hi[0] - ylo) / (NS - 1);
  const sz = m === 2 ? (range.hi[1] - zlo) / (NS - 1) : 0;
  const mask = new Uint8Array(NS * NS);
  const BLOCK = 3;
  const nBlocks = (NS - 1) / BLOCK;
  let innerTol = 0;
  let innerRtol = INNER_RTOL;
  const inner = (): number => {
    if (m === 1) {
      let i0 = NS;
      let i1 = -1;
      for (let i = 0; i < NS; i++) {
        if (g1(ylo + i * sy) >= INNER_CUT) {
          if (i < i0) i0 = i;
          i1 = i;
        }
      }
      if (i1 < 0) return 0;
      const a = Math.max(0, i0 - 1);
      const b = Math.min(NS - 1, i1 + 1);
      const panels = Math.max(1, Math.round((b - a) / 3));
      let s = 0;
      for (let q = 0; q < panels; q++) {
        const pa = ylo + sy * (a + ((b - a) * q) / panels);
        const pb = ylo + sy * (a + ((b - a) * (q + 1)) / panels);
        s += adaptInterval(g1, ilo, ihi, pa, pb, innerTol / panels, innerRtol, 0, 0, MAX_DEPTH_1D, innerAcc);
      }
      return s;
    }
    let any = false;
    for (let i = 0; i < NS; i++) {
      for (let j = 0; j < NS; j++) {
        const on = g2(ylo + i * sy, zlo + j * sz) >= INNER_CUT;
        mask[i * NS + j] = on ? 1 : 0;
        any ||= on;
      }
    }
    if (!any) return 0;
    let s = 0;
    const blockTol = innerTol / (nBlocks * nBlocks);
    for (let q = 0; q < nBlocks; q++) {
      for (let r = 0; r < nBlocks; r++) {
        let live = false;
        const i0 = Math.max(0, q * BLOCK - 1);
        const i1 = Math.min(NS - 1, (q + 1) * BLOCK + 1);
        const j0 = Math.max(0, r * BLOCK - 1);
        const j1 = Math.min(NS - 1, (r + 1) * BLOCK + 1);
        for (let i = i0; i <= i1 && !live; i++) for (let j = j0; j <= j1; j++) if (mask[i * NS + j]) live = true;
        if (!live) continue;
        s += adaptRectangle(g2, ilo, ihi, ylo + sy * q * BLOCK, ylo + sy * (q + 1) * BLOCK, zlo + sz * r * BLOCK, zlo + sz * (r + 1) * BLOCK, blockTol, innerRtol, 0, 0, MAX_DEPTH_2D, innerAcc);
      }
    }
    return s;
  };
  const f1: Integrand1 = (u) => {
    x[d0] = u;
    return inner();
  };
  const f2: Integrand2 = (u, v) => {
    x[d0] = u;
    x[d1] = v;
    return inner();
  };

  const nb = h.bins;
  const total = k === 1 ? nb[0] : nb[0] * nb[1];
  const ed = [edges(h, 0), k === 2 ? edges(h, 1) : new Float64Array(0)];
  // Outer rules: 5 vs 10 Gauss–Legendre nodes in 1-D (3 vs 6 beyond 256 bins, where bins are narrow);
  // in 2-D, where every node costs a whole inner integral (~200 energies), the 17-node Genz–Malik
  // pair (degree 7 vs 5) instead of 45 tensor nodes.
  const n1 = total > 256 ? 3 : 5;
  const lo = gaussLegendre(n1);
  const hi = gaussLegendre(2 * n1);
  const out = new Float64Array(total);
  const acc: Tally = { err: 0, maxW: 0 };
  let zEst = range.zEst;
  const pass = (): number => {
    acc.err = 0;
    innerTol = INNER_ATOL * range.innerScale * Math.exp((ref.e - range.emin) * invT);
    innerRtol = Math.max(INNER_RTOL, noiseTolerance(ref.e, T));
    const atol = ATOL_PER_BIN * zEst;
    const rtol = noiseTolerance(ref.e, T);
    let z = 0;
    for (let b = 0; b < total; b++) {
      let v: number;
      if (k === 1) {
        v = adaptInterval(f1, lo, hi, ed[0][b], ed[0][b + 1], atol, rtol, 0, 0, MAX_DEPTH_1D, acc);
      } else {
        const b0 = Math.floor(b / nb[1]);
        const b1 = b - b0 * nb[1];
        v = adaptGenzMalik(f2, ed[0][b0], ed[0][b0 + 1], ed[1][b1], ed[1][b1 + 1], atol, rtol, 0, 2 * MAX_DEPTH_2D, acc);
      }
      out[b] = v;
      z += v;
    }
    return z;
  };
  return normalise(out, 'integrated', pass, ref, T, () => zEst, (z) => (zEst = z), acc);
}

/**
 * The box of the coordinates to integrate out: a grid scan over (histogram box) × [c − R, c + R],
 * recentred on the lowest energy found and with R doubled along each coordinate whose bounds still
 * carry a weight ≥ 1e-18 of the largest; then shrunk to the grid cells where the weight is above
 * that level, plus one cell. Also estimates E_min, the total weight and the largest inner integral.
 */
function otherRange(
  h: HistogramSpec,
  T: number,
  x: Float64Array,
  energy: () => number,
  others: number[],
): { lo: number[]; hi: number[]; emin: number; zEst: number; innerScale: number } {
  const k = h.dims.length;
  const m = others.length;
  const gh = k === 1 ? 48 : 16;
  const go = m === 1 ? 65 : 25;
  const c = new Array<number>(m).fill(0);
  const R = new Array<number>(m).fill(1);
  const hPts: number[][] = [];
  for (let a = 0; a < k; a++) {
    const pts: number[] = [];
    for (let i = 0; i < gh; i++) pts.push(h.low[a] + ((h.high[a] - h.low[a]) * (i + 0.5)) / gh);
    hPts.push(pts);
  }
  const nh = k === 1 ? gh : gh * gh;
  const no = m === 1 ? go : go * go;
  const E = new Float64Array(nh * no);
  const setHist = (i: number) => {
    if (k === 1) x[h.dims[0]] = hPts[0][i];
    else {
      x[h.dims[0]] = hPts[0][Math.floor(i / gh)];
      x[h.dims[1]] = hPts[1][i % gh];
    }
  };
  const otherAt = (j: number, dim: number) => {
    const idx = m === 1 ? j : dim === 0 ? Math.floor(j / go) : j % go;
    return c[dim] - R[dim] + (2 * R[dim] * idx) / (go - 1);
  };
  const scan = () => {
    let emin = Infinity;
    let arg = 0;
    for (let i = 0; i < nh; i++) {
      setHist(i);
      for (let j = 0; j < no; j++) {
        for (let d = 0; d < m; d++) x[others[d]] = otherAt(j, d);
        const e = energy();
        E[i * no + j] = e;
        if (e < emin) {
          emin = e;
          arg = j;
        }
      }
    }
    return { emin, arg };
  };
  const onFace = (j: number, dim: number) => {
    const idx = m === 1 ? j : dim === 0 ? Math.floor(j / go) : j % go;
    return idx === 0 || idx === go - 1;
  };
  let res = scan();
  for (;;) {
    checkScanMinimum(res.emin);
    const decayed = new Array<boolean>(m).fill(true);
    for (let i = 0; i < nh; i++) {
      for (let j = 0; j < no; j++) {
        if ((E[i * no + j] - res.emin) / T > DECAY) continue;
        for (let d = 0; d < m; d++) if (onFace(j, d)) decayed[d] = false;
      }
    }
    if (decayed.every(Boolean)) break;
    for (let d = 0; d < m; d++) {
      if (decayed[d]) continue;
      // Expand; recentre first when the lowest energy lies in the outer quarter of the window.
      const at = otherAt(res.arg, d);
      if (Math.abs(at - c[d]) > 0.5 * R[d]) c[d] = at;
      R[d] *= 2;
    }
    if (R.some((r) => r > 1e12)) {
      const bad = others.filter((_, d) => !decayed[d]);
      throw new Note(`no Boltzmann reference: e^{−E/T} does not decay along coordinate(s) ${bad.join(', ')} (the weight at distance 1e12 is still above 1e-18 of its largest), so they cannot be integrated out`);
    }
    res = scan();
  }
  // Shrink to the cells where the weight is above the cut-off, plus one grid cell.
  const loIdx = new Array<number>(m).fill(go - 1);
  const hiIdx = new Array<number>(m).fill(0);
  let zSum = 0;
  let innerMax = 0;
  for (let i = 0; i < nh; i++) {
    let row = 0;
    for (let j = 0; j < no; j++) {
      const e = E[i * no + j];
      const wgt = Math.exp((res.emin - e) / T);
      row += wgt;
      if ((e - res.emin) / T > DECAY) continue;
      for (let d = 0; d < m; d++) {
        const idx = m === 1 ? j : d === 0 ? Math.floor(j / go) : j % go;
        if (idx < loIdx[d]) loIdx[d] = idx;
        if (idx > hiIdx[d]) hiIdx[d] = idx;
      }
    }
    zSum += row;
    if (row > innerMax) innerMax = row;
  }
  const lo: number[] = [];
  const hi: number[] = [];
  let cellO = 1;
  for (let d = 0; d < m; d++) {
    const step = (2 * R[d]) / (go - 1);
    lo.push(c[d] - R[d] + step * Math.max(0, loIdx[d] - 1));
    hi.push(c[d] - R[d] + step * Math.min(go - 1, hiIdx[d] + 1));
    cellO *= step;
  }
  let cellH = 1;
  for (let a = 0; a < k; a++) cellH *= (h.high[a] - h.low[a]) / gh;
  return { lo, hi, emin: res.emin, zEst: zSum * cellO * cellH, innerScale: innerMax * cellO };
}
