/**
 * The Boltzmann reference of a histogram (DESIGN §1): for each bin b of the
 * histogram box B, p_b = ∫_b e^{−E/T} / ∫_B e^{−E/T}, by adaptive quadrature
 * in float64 over the histogram's axes (src/stats/quadrature), with weights
 * e^{−(E − E_ref)/T} relative to the lowest energy found, so that nothing
 * under- or overflows however small T is (boltzmannQuadrature.ts).
 *
 * This module checks the input and chooses how to treat the coordinates
 * outside the histogram: none ('full') or, if E separates (checked
 * numerically), fixed at a point ('separable'): boltzmannDirect.ts; else, for
 * D ≤ 3, integrated out ('integrated'): boltzmannIntegrated.ts; else a note.
 *
 * Bin edges are the exact float64 edges low + (high − low)·b/bins; the
 * f32 binning of binning.ts moves an edge by ~1e-7·|edge|, far below the
 * statistical resolution of any histogram.
 */
import type { CompiledPotential } from '../potential/index.ts';
import type { HistogramSpec } from '../spec.ts';
import { direct } from './boltzmannDirect.ts';
import { integrated } from './boltzmannIntegrated.ts';
import { NoReference } from './boltzmannQuadrature.ts';
import { mulberry32 } from './prng.ts';

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
export type BoltzmannResult =
  { probabilities: Float64Array; method: 'full' | 'separable' | 'integrated'; errorEstimate?: number } | { note: string };

/** Largest histogram for which other coordinates are integrated out numerically (64×64 takes ~1 s, 256² ~18 s). */
export const MAX_INTEGRATED_BINS = 128 * 128;

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
export function boltzmannReference(
  potential: CompiledPotential,
  h: HistogramSpec,
  temperature: number,
  params?: ArrayLike<number>,
): BoltzmannResult {
  const T = temperature;
  const problem = inputProblem(potential, h, T);
  if (problem) return { note: problem };
  const p = params ?? potential.paramValues;
  const others: number[] = [];
  for (let d = 0; d < potential.dims; d++) if (!h.dims.includes(d)) others.push(d);
  const plan = chooseMethod(potential, h, p, others);
  if ('note' in plan) return plan;
  try {
    const r = plan.method === 'integrated' ? integrated(potential, h, T, p, others) : direct(potential, h, T, p, plan.fixed);
    return { probabilities: r.probabilities, method: plan.method, errorEstimate: r.errorEstimate };
  } catch (e) {
    if (e instanceof NoReference) return { note: e.message };
    throw e;
  }
}

/** Why there can be no reference for this temperature and histogram, or undefined if there can. */
function inputProblem(potential: CompiledPotential, h: HistogramSpec, T: number): string | undefined {
  if (!Number.isFinite(T) || !(T > 0)) {
    return `no Boltzmann reference at temperature ${T}: it needs a finite temperature > 0 (at T = 0 the distribution collapses onto the minima)`;
  }
  const D = potential.dims;
  const axes = h.dims;
  const k = axes.length;
  if (k < 1 || k > 2) return `no Boltzmann reference: the histogram has ${k} axes; 1 or 2 are supported`;
  for (let a = 0; a < k; a++) {
    if (!Number.isInteger(axes[a]) || axes[a] < 0 || axes[a] >= D)
      return `no Boltzmann reference: histogram axis ${a} is coordinate ${axes[a]}, outside 0…${D - 1}`;
    if (!Number.isInteger(h.bins[a]) || h.bins[a] < 1)
      return `no Boltzmann reference: histogram bins[${a}] = ${h.bins[a]} must be a positive integer`;
    if (!Number.isFinite(h.low[a]) || !Number.isFinite(h.high[a]) || !(h.high[a] > h.low[a])) {
      return `no Boltzmann reference: histogram axis ${a} has low = ${h.low[a]}, high = ${h.high[a]}; need finite low < high`;
    }
  }
  if (k === 2 && axes[0] === axes[1]) return 'no Boltzmann reference: the two histogram axes are the same coordinate';
  return undefined;
}

/**
 * How to treat the coordinates `others` outside the histogram: 'full' (there are none),
 * 'separable' (with the point `fixed` they are held at), 'integrated', or a note saying why none applies.
 */
function chooseMethod(
  potential: CompiledPotential,
  h: HistogramSpec,
  p: ArrayLike<number>,
  others: number[],
): { method: 'full' | 'separable' | 'integrated'; fixed: Float64Array } | { note: string } {
  const D = potential.dims;
  const axes = h.dims;
  const fixed = new Float64Array(D);
  if (others.length === 0) return { method: 'full', fixed };
  if (isSeparable(potential, axes, others, h, p)) {
    if (pickFinitePoint(potential, axes, others, h, p, fixed)) return { method: 'separable', fixed };
    return {
      note: `no Boltzmann reference: the potential is separable, but no point of the other coordinates (${others.join(', ')}) gives a finite energy in the box`,
    };
  }
  if (D > 3) {
    return {
      note:
        `no Boltzmann reference: the histogram covers ${axes.length} of ${D} coordinates (${axes.join(', ')}), the potential couples them to the others ` +
        `(it is not separable: ∂²E/∂x_i∂x_j ≠ 0 between histogram and other coordinates), and integrating the other ${D - axes.length} coordinates out ` +
        'numerically is only done for D ≤ 3',
    };
  }
  const bins = h.bins.reduce((a, b) => a * b, 1);
  if (bins > MAX_INTEGRATED_BINS) {
    return {
      note:
        `no Boltzmann reference: the potential couples the histogram coordinates (${axes.join(', ')}) to the others, and integrating ` +
        `them out for ${bins} bins would take minutes (each bin costs thousands of energy evaluations); use at most ${MAX_INTEGRATED_BINS} bins`,
    };
  }
  return { method: 'integrated', fixed };
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

/** Sets `out` (other coordinates) to a point where E is finite at a few box points; false if none is found. */
function pickFinitePoint(
  potential: CompiledPotential,
  axes: number[],
  others: number[],
  h: HistogramSpec,
  p: ArrayLike<number>,
  out: Float64Array,
): boolean {
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
