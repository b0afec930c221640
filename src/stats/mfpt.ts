/**
 * Exact references of the kinetics, by float64 quadrature: the mean
 * first-passage time of 1-D overdamped Langevin dynamics to a half-line, and
 * the log partition function ln Z(λ) = ln ∫ e^{−E(x;λ)/T} dx in 1-D and 2-D
 * (the exact free-energy change ΔF = −T ln(Z(λ_1)/Z(λ_0)) of a protocol).
 * Tested against scipy and closed forms (tests/kinetics/references.test.ts).
 */
import { adaptInterval } from './quadrature/adaptive.ts';
import { gaussLegendre } from './quadrature/gaussLegendre.ts';
import type { Tally } from './quadrature/tensorRule.ts';

/** Low/high Gauss–Legendre orders of the adaptive pairs (10 vs 20 nodes). */
const LO = gaussLegendre(10);
const HI = gaussLegendre(20);
/** Relative tolerance per accepted piece, both integrals. */
const RTOL = 1e-13;
/** Halving depth at which a piece is accepted regardless. */
const MAX_DEPTH = 40;
/** The left tail of e^{−(E − E_min)/T} is dropped where E − E_min exceeds this many T (e^{−60} ≈ 1e-26). */
const TAIL_KT = 60;
/** Grid points used to locate E's local extrema (the quadrature breakpoints) on [lower, b]. */
const SCAN = 4000;

/** ∫_a^b f by the adaptive 10/20-node Gauss–Legendre pair, relative tolerance RTOL per piece. */
/** Evaluations one reference may spend (~1 s here): a harder integrand gives no reference rather than a hang. */
export const EVALUATION_BUDGET = 4_000_000;

/** Thrown when a quadrature runs out of its evaluation budget (an integrand spanning too many orders of magnitude). */
export class QuadratureBudgetExceeded extends Error {}

/** An evaluation budget, shared by the integrals of one reference. */
export interface Budget {
  left: number;
}

function integrate(f: (x: number) => number, a: number, b: number, budget: Budget): number {
  if (!(b > a)) return 0;
  const tally: Tally = { err: 0, maxW: 0 };
  const counted = (x: number) => {
    if (--budget.left < 0) throw new QuadratureBudgetExceeded(`no quadrature within ${EVALUATION_BUDGET} evaluations`);
    return f(x);
  };
  return adaptInterval(counted, LO, HI, a, b, 0, RTOL, 0, 0, MAX_DEPTH, tally);
}

/**
 * The left end of the inner integral when no wall is given: steps outward from `start`
 * (doubling the step) until E exceeds the lowest energy seen by TAIL_KT·T while still
 * rising outward, so that the dropped tail ∫_{−∞}^{L} e^{−E/T} is below ~e^{−60} of the well's weight.
 * Throws when E does not confine (e^{−E/T} not integrable at −∞: the MFPT is infinite).
 */
function findLowerLimit(E: (x: number) => number, T: number, start: number, scale: number): number {
  let z = start;
  let step = scale;
  let eMin = E(start);
  let ePrev = eMin;
  for (let i = 0; i < 200; i++) {
    z -= step;
    const e = E(z);
    if (!Number.isFinite(e)) {
      if (e === Infinity) return z; // a hard wall: e^{−E/T} = 0 beyond
      throw new Error(`mfptExact: E(${z}) = ${e}`);
    }
    if (e < eMin) eMin = e;
    if (e - eMin > TAIL_KT * T && e >= ePrev) return z;
    ePrev = e;
    step *= 1.5;
  }
  throw new Error('mfptExact: E does not confine to the left (e^{−E/T} not integrable): the MFPT is infinite');
}

/**
 * Mean first-passage time of 1-D overdamped Langevin dynamics dx = −E'(x) dt + √(2T) dW
 * (friction 1, k_B = 1) from x0 to the absorbing half-line x ≥ b, with reflection at −∞
 * (or at a reflecting wall at `lower`):
 *
 *   MFPT(x0 → b) = ∫_{x0}^{b} dy (1/T) e^{E(y)/T} ∫_{L}^{y} e^{−E(z)/T} dz,   L = lower ?? −∞
 *
 * (the backward-Kolmogorov solution T τ'' − E' τ' = −1, τ(b) = 0, τ'(L) = 0;
 * Gardiner, *Handbook of Stochastic Methods*, §5.2.7; Risken, *The Fokker–Planck Equation*, §5.10).
 * Units: time, with E and T in the same energy units and x in length units (friction 1).
 *
 * Method: E is scanned on a grid over [L, b] to find its minimum E_min and local extrema, which
 * become breakpoints (on each sub-interval both integrands are monotone, so adaptive halving
 * cannot miss a peak). Energies are shifted by E_min, so the inner integrand e^{−(E − E_min)/T} ≤ 1
 * and the outer factor e^{(E − E_min)/T} stays finite for barriers up to ~700 T (the MFPT itself
 * is ~e^{ΔE/T}). Both integrals use adaptive 10/20-node Gauss–Legendre halving to 1e-13 relative
 * per piece; the inner integral is accumulated from the breakpoints so each outer node costs
 * one short inner integral. Accuracy ~1e-11 relative for smooth E.
 * Without `lower`, L is found by stepping outward until E − E_min > 60 T (dropped tail < e^{−60}).
 *
 * @param E potential energy (smooth on [L, b])
 * @param T temperature (energy units, > 0)
 * @param x0 start; returns 0 when x0 ≥ b
 * @param b absorbing threshold
 * @param lower optional reflecting wall (≤ x0)
 */
export function mfptExact(E: (x: number) => number, T: number, x0: number, b: number, lower?: number): number {
  if (!(T > 0)) throw new Error('mfptExact: T must be > 0');
  if (x0 >= b) return 0;
  if (lower !== undefined && lower > x0) throw new Error('mfptExact: lower must be ≤ x0');
  const budget: Budget = { left: EVALUATION_BUDGET };
  const width = b - x0;

  // A first scan over [x0 − width, b] (or [lower, b]) gives where the well is, then L.
  const scan = (a: number): { xs: Float64Array; es: Float64Array } => {
    const xs = new Float64Array(SCAN + 1);
    const es = new Float64Array(SCAN + 1);
    for (let i = 0; i <= SCAN; i++) {
      xs[i] = a + ((b - a) * i) / SCAN;
      es[i] = E(xs[i]);
    }
    return { xs, es };
  };
  let L: number;
  if (lower !== undefined) L = lower;
  else {
    const first = scan(x0 - width);
    let iMin = 0;
    for (let i = 1; i <= SCAN; i++) if (first.es[i] < first.es[iMin]) iMin = i;
    L = findLowerLimit(E, T, Math.min(first.xs[iMin], x0), Math.max(width, 1e-3));
  }

  // Breakpoints: the local extrema of E on the grid over [L, b], and x0.
  const { xs, es } = scan(L);
  let eMin = Infinity;
  for (let i = 0; i <= SCAN; i++) if (es[i] < eMin) eMin = es[i];
  const bps = new Set<number>([L, x0, b]);
  for (let i = 1; i < SCAN; i++) {
    const d1 = es[i] - es[i - 1];
    const d2 = es[i + 1] - es[i];
    if (d1 * d2 <= 0 && !(d1 === 0 && d2 === 0)) bps.add(xs[i]);
  }
  const pts = [...bps].sort((p, q) => p - q);

  const inner = (z: number): number => Math.exp(-(E(z) - eMin) / T);
  // J(p_k) = ∫_L^{p_k} e^{−(E − E_min)/T} at every breakpoint.
  const J = new Float64Array(pts.length);
  for (let k = 1; k < pts.length; k++) J[k] = J[k - 1] + integrate(inner, pts[k - 1], pts[k], budget);

  // Outer integral over [x0, b], piece by piece between breakpoints.
  let total = 0;
  for (let k = 0; k < pts.length - 1; k++) {
    const a = pts[k];
    const c = pts[k + 1];
    if (c <= x0 || a >= b) continue;
    const Ja = J[k];
    const outer = (y: number): number => (Math.exp((E(y) - eMin) / T) * (Ja + integrate(inner, a, y, budget))) / T;
    total += integrate(outer, a, c, budget);
  }
  return total;
}

/**
 * ln Z = ln ∫ e^{−E(x)/T} dx of a 1-D energy that confines on both sides (energy and length units):
 * the integration range reaches where E exceeds the lowest energy seen by 60 T on each side, the
 * extrema on a grid are breakpoints, and the integral of e^{−(E − E_min)/T} uses the same adaptive
 * Gauss–Legendre pair as `mfptExact` (relative accuracy ~1e-11).
 * @param start a point in the well (e.g. where the particles start)
 * @throws Error when E does not confine (Z infinite); QuadratureBudgetExceeded past EVALUATION_BUDGET evaluations
 */
export function logPartition1D(E: (x: number) => number, T: number, start = 0): number {
  if (!(T > 0)) throw new Error('logPartition1D: T must be > 0');
  const budget: Budget = { left: EVALUATION_BUDGET };
  const L = findLowerLimit(E, T, start, 1);
  const R = -findLowerLimit((x) => E(-x), T, -start, 1);
  const xs = Array.from({ length: SCAN + 1 }, (_, i) => L + ((R - L) * i) / SCAN);
  const es = xs.map(E);
  const eMin = Math.min(...es);
  const pts = [L];
  for (let i = 1; i < SCAN; i++) if ((es[i] - es[i - 1]) * (es[i + 1] - es[i]) <= 0) pts.push(xs[i]);
  pts.push(R);
  const f = (z: number): number => Math.exp(-(E(z) - eMin) / T);
  let total = 0;
  for (let k = 0; k + 1 < pts.length; k++) total += integrate(f, pts[k], pts[k + 1], budget);
  return Math.log(total) - eMin / T;
}
