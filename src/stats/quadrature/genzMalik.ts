/**
 * Genz–Malik cubature on a rectangle, for integrands so costly that node
 * count matters (each node of the 'integrated' Boltzmann case is a whole
 * inner integral): a degree-7 rule of 17 nodes with an embedded degree-5 rule
 * on the same nodes for the error estimate, against 45 nodes for the 3×3 vs
 * 6×6 Gauss–Legendre pair. The adaptive driver halves a rectangle along the
 * axis with the larger fourth difference until |I7 − I5| is within tolerance
 * (absolute, halved at every split, or relative), as adaptive.ts does for
 * Gauss–Legendre; Σ |I7 − I5| over the accepted pieces goes to `tally.err`.
 *
 * Reference: A. C. Genz and A. A. Malik, J. Comput. Appl. Math. 6 (1980) 295–302, here for n = 2.
 */
import type { Integrand2, Tally } from './tensorRule.ts';

/**
 * The rule's constants for n = 2 dimensions: nodes at the centre, ±λ2 and ±λ3 along each axis,
 * (±λ4, ±λ4) and (±λ5, ±λ5) with λ2 = √(9/70), λ3 = λ4 = √(9/10), λ5 = √(9/19); weights w of
 * the degree-7 rule and v of the degree-5 rule per node class; `ratio` = λ2²/λ3² for the
 * fourth differences.
 */
const GM = (() => {
  const n = 2;
  const l2 = Math.sqrt(9 / 70);
  const l3 = Math.sqrt(9 / 10);
  const l5 = Math.sqrt(9 / 19);
  return {
    l2,
    l3,
    l5,
    ratio: (l2 * l2) / (l3 * l3),
    w1: (12824 - 9120 * n + 400 * n * n) / 19683,
    w2: 980 / 6561,
    w3: (1820 - 400 * n) / 19683,
    w4: 200 / 19683,
    w5: 6859 / 19683 / 4,
    v1: (729 - 950 * n + 50 * n * n) / 729,
    v2: 245 / 486,
    v3: (265 - 100 * n) / 1458,
    v4: 25 / 729,
  };
})();

/** One application of the rule: the degree-7 value, |I7 − I5|, and the axis to split (0 or 1). */
interface GenzMalikEstimate {
  value: number;
  diff: number;
  axis: number;
}

/** The degree-7 and degree-5 rules on [a0, b0] × [a1, b1] (17 evaluations of f). */
function genzMalik(f: Integrand2, a0: number, b0: number, a1: number, b1: number, tally: Tally): GenzMalikEstimate {
  const c0 = 0.5 * (a0 + b0);
  const h0 = 0.5 * (b0 - a0);
  const c1 = 0.5 * (a1 + b1);
  const h1 = 0.5 * (b1 - a1);
  const track = (v: number) => {
    if (v > tally.maxW) tally.maxW = v;
    return v;
  };
  const fc = track(f(c0, c1));
  const p20 = track(f(c0 + GM.l2 * h0, c1)) + track(f(c0 - GM.l2 * h0, c1));
  const p21 = track(f(c0, c1 + GM.l2 * h1)) + track(f(c0, c1 - GM.l2 * h1));
  const p30 = track(f(c0 + GM.l3 * h0, c1)) + track(f(c0 - GM.l3 * h0, c1));
  const p31 = track(f(c0, c1 + GM.l3 * h1)) + track(f(c0, c1 - GM.l3 * h1));
  const u4 = GM.l3 * h0;
  const v4 = GM.l3 * h1;
  const s4 = track(f(c0 + u4, c1 + v4)) + track(f(c0 + u4, c1 - v4)) + track(f(c0 - u4, c1 + v4)) + track(f(c0 - u4, c1 - v4));
  const u5 = GM.l5 * h0;
  const v5 = GM.l5 * h1;
  const s5 = track(f(c0 + u5, c1 + v5)) + track(f(c0 + u5, c1 - v5)) + track(f(c0 - u5, c1 + v5)) + track(f(c0 - u5, c1 - v5));
  const vol = 4 * h0 * h1;
  const p2 = p20 + p21;
  const p3 = p30 + p31;
  const i7 = vol * (GM.w1 * fc + GM.w2 * p2 + GM.w3 * p3 + GM.w4 * s4 + GM.w5 * s5);
  const i5 = vol * (GM.v1 * fc + GM.v2 * p2 + GM.v3 * p3 + GM.v4 * s4);
  // Fourth differences along each axis: the split goes where the integrand is least polynomial.
  const d0 = Math.abs(p20 - 2 * fc - GM.ratio * (p30 - 2 * fc));
  const d1 = Math.abs(p21 - 2 * fc - GM.ratio * (p31 - 2 * fc));
  return { value: i7, diff: Math.abs(i7 - i5), axis: d1 > d0 ? 1 : 0 };
}

/**
 * ∫_{a0}^{b0} ∫_{a1}^{b1} f by adaptive Genz–Malik cubature: accept a rectangle when
 * |I7 − I5| ≤ tol or ≤ rtol·|I7| or at maxDepth, else halve it along the axis of larger
 * fourth difference (each half gets tol/2) and recurse.
 * @param depth depth of the rectangle (0 for the caller's whole rectangle)
 */
export function adaptGenzMalik(
  f: Integrand2,
  a0: number,
  b0: number,
  a1: number,
  b1: number,
  tol: number,
  rtol: number,
  depth: number,
  maxDepth: number,
  tally: Tally,
): number {
  const { value, diff, axis } = genzMalik(f, a0, b0, a1, b1, tally);
  if (diff <= tol || diff <= rtol * Math.abs(value) || depth >= maxDepth) {
    tally.err += diff;
    return value;
  }
  if (axis === 0) {
    const m = 0.5 * (a0 + b0);
    return (
      adaptGenzMalik(f, a0, m, a1, b1, tol / 2, rtol, depth + 1, maxDepth, tally) +
      adaptGenzMalik(f, m, b0, a1, b1, tol / 2, rtol, depth + 1, maxDepth, tally)
    );
  }
  const m = 0.5 * (a1 + b1);
  return (
    adaptGenzMalik(f, a0, b0, a1, m, tol / 2, rtol, depth + 1, maxDepth, tally) +
    adaptGenzMalik(f, a0, b0, m, b1, tol / 2, rtol, depth + 1, maxDepth, tally)
  );
}
