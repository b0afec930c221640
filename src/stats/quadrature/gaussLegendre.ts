/**
 * Gauss–Legendre rules on [−1, 1]: the n-node rule integrates polynomials of
 * degree ≤ 2n − 1 exactly. Nodes are the roots of P_n found by Newton's method
 * to |Δz| < 1e-17 (a few ulps), weights w = 2/((1 − x²) P_n'(x)²); both are
 * exactly symmetric about 0. Rules are built once per order and cached.
 */

/** An n-node rule on [−1, 1]: nodes `x` in increasing order, weights `w`. */
export interface Rule {
  x: Float64Array;
  w: Float64Array;
}

/** P_n(z) and its derivative P_n'(z), by the three-term recurrence. */
function legendre(n: number, z: number): { p: number; dp: number } {
  let p0 = 1;
  let p1 = z;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return { p: p1, dp: n === 1 ? 1 : (n * (z * p1 - p0)) / (z * z - 1) };
}

/** The n-node rule, computed: Newton's method on P_n from the asymptotic guesses cos(π(i + ¾)/(n + ½)), one symmetric pair at a time. */
function computeRule(n: number): Rule {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      const { p, dp } = legendre(n, z);
      const dz = p / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-17) break;
    }
    const { dp } = legendre(n, z); // at the converged node
    const wi = 2 / ((1 - z * z) * dp * dp);
    x[i] = -z;
    x[n - 1 - i] = z;
    w[i] = wi;
    w[n - 1 - i] = wi;
  }
  if (n % 2 === 1) x[(n - 1) / 2] = 0;
  return { x, w };
}

/** Rules already computed, by number of nodes (never modified once stored). */
const RULES = new Map<number, Rule>();

/**
 * The n-node Gauss–Legendre rule on [−1, 1] (cached: callers must not modify it).
 * @param n number of nodes, an integer ≥ 1
 */
export function gaussLegendre(n: number): Rule {
  let r = RULES.get(n);
  if (!r) RULES.set(n, (r = computeRule(n)));
  return r;
}
