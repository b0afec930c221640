/**
 * Adaptive Gauss–Legendre quadrature on an interval (halving) or a rectangle
 * (quartering). Each piece is integrated with a low- and a high-order rule
 * (typically n and 2n nodes); the piece is accepted when they differ by at
 * most its share of the absolute tolerance (tol, split evenly among the
 * children at every subdivision) or by at most rtol relative, or when it lies
 * at maxDepth; otherwise it is subdivided. The high-order value is returned,
 * and Σ |I_high − I_low| over the accepted pieces is added to `tally.err`: a
 * conservative bound, as the high-order values are usually far more accurate.
 */
import type { Rule } from './gaussLegendre.ts';
import { ruleOnInterval, ruleOnRectangle, type Integrand1, type Integrand2, type Tally } from './tensorRule.ts';

/**
 * ∫_a^b f, adaptively: `lo` vs `hi` on [a, b], halving where they disagree.
 * @param tol absolute tolerance for [a, b]; each half gets tol/2
 * @param rtol relative tolerance per piece
 * @param depth depth of [a, b] (0 for the caller's whole interval)
 * @param minDepth halve unconditionally down to this depth (to resolve a feature the rules would miss)
 * @param maxDepth accept whatever the rules give at this depth
 */
export function adaptInterval(
  f: Integrand1,
  lo: Rule,
  hi: Rule,
  a: number,
  b: number,
  tol: number,
  rtol: number,
  depth: number,
  minDepth: number,
  maxDepth: number,
  tally: Tally,
): number {
  if (depth >= minDepth) {
    const i1 = ruleOnInterval(f, lo, a, b, tally);
    const i2 = ruleOnInterval(f, hi, a, b, tally);
    const d = Math.abs(i2 - i1);
    if (d <= tol || d <= rtol * Math.abs(i2) || depth >= maxDepth) {
      tally.err += d;
      return i2;
    }
  }
  const m = 0.5 * (a + b);
  const left = adaptInterval(f, lo, hi, a, m, tol / 2, rtol, depth + 1, minDepth, maxDepth, tally);
  return left + adaptInterval(f, lo, hi, m, b, tol / 2, rtol, depth + 1, minDepth, maxDepth, tally);
}

/**
 * ∫_{a0}^{b0} ∫_{a1}^{b1} f, adaptively: the `lo` vs `hi` tensor rules on the rectangle,
 * quartering it where they disagree. Parameters as `adaptInterval`'s; each quarter gets tol/4.
 */
export function adaptRectangle(
  f: Integrand2,
  lo: Rule,
  hi: Rule,
  a0: number,
  b0: number,
  a1: number,
  b1: number,
  tol: number,
  rtol: number,
  depth: number,
  minDepth: number,
  maxDepth: number,
  tally: Tally,
): number {
  if (depth >= minDepth) {
    const i1 = ruleOnRectangle(f, lo, a0, b0, a1, b1, tally);
    const i2 = ruleOnRectangle(f, hi, a0, b0, a1, b1, tally);
    const d = Math.abs(i2 - i1);
    if (d <= tol || d <= rtol * Math.abs(i2) || depth >= maxDepth) {
      tally.err += d;
      return i2;
    }
  }
  const m0 = 0.5 * (a0 + b0);
  const m1 = 0.5 * (a1 + b1);
  const t = tol / 4;
  const dd = depth + 1;
  return (
    adaptRectangle(f, lo, hi, a0, m0, a1, m1, t, rtol, dd, minDepth, maxDepth, tally) +
    adaptRectangle(f, lo, hi, a0, m0, m1, b1, t, rtol, dd, minDepth, maxDepth, tally) +
    adaptRectangle(f, lo, hi, m0, b0, a1, m1, t, rtol, dd, minDepth, maxDepth, tally) +
    adaptRectangle(f, lo, hi, m0, b0, m1, b1, t, rtol, dd, minDepth, maxDepth, tally)
  );
}
