/**
 * One fixed Gauss–Legendre rule applied to an integrand: mapped onto an
 * interval [a, b], or as the n×n tensor rule on a rectangle. Exact for
 * polynomials of degree ≤ 2n − 1 in each variable; the adaptive schemes
 * (adaptive.ts) compare an n- and a 2n-node application to estimate the error.
 * Every evaluation also raises `Tally.maxW`, the largest integrand value seen,
 * which callers use to detect features the rule's nodes missed.
 */
import type { Rule } from './gaussLegendre.ts';

/** An integrand of one variable. */
export type Integrand1 = (u: number) => number;
/** An integrand of two variables. */
export type Integrand2 = (u: number, v: number) => number;

/** What a quadrature reports besides its value; callers reset the fields when they want a fresh count. */
export interface Tally {
  /** Σ |I_high − I_low| over the accepted pieces: the error estimate */
  err: number;
  /** the largest integrand value at any node evaluated */
  maxW: number;
}

/** ∫_a^b f by the rule `r` mapped onto [a, b]. */
export function ruleOnInterval(f: Integrand1, r: Rule, a: number, b: number, tally: Tally): number {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  const { x, w } = r;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = f(c + h * x[i]);
    if (v > tally.maxW) tally.maxW = v;
    s += w[i] * v;
  }
  return s * h;
}

/** ∫_{a0}^{b0} ∫_{a1}^{b1} f by the tensor product of `r` with itself (the second variable innermost). */
export function ruleOnRectangle(f: Integrand2, r: Rule, a0: number, b0: number, a1: number, b1: number, tally: Tally): number {
  const c0 = 0.5 * (a0 + b0);
  const h0 = 0.5 * (b0 - a0);
  const c1 = 0.5 * (a1 + b1);
  const h1 = 0.5 * (b1 - a1);
  const { x, w } = r;
  const n = x.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const u = c0 + h0 * x[i];
    let row = 0;
    for (let j = 0; j < n; j++) {
      const v = f(u, c1 + h1 * x[j]);
      if (v > tally.maxW) tally.maxW = v;
      row += w[j] * v;
    }
    s += w[i] * row;
  }
  return s * h0 * h1;
}
