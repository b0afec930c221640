/**
 * Closed forms behind the tour's key numbers (tourKeys.ts), each exact for the
 * discrete integrator at the step size used, not only in the limit h → 0.
 */
import { gaussLegendre } from '../stats/quadrature/gaussLegendre.ts';

/**
 * Mean squared displacement per coordinate of a free particle under BAOAB with a thermal start (v ~ N(0, T/m)).
 * With no force, step k moves x by (h/2)(u_k + u_{k+1}), where u_k is the velocity after k O-steps: a stationary
 * AR(1) sequence with variance T/m and correlation c1^|i−j|, c1 = e^{−γh}. So x_n − x_0 = (h/2)·Σ w_k u_k with
 * w = (1, 2, …, 2, 1), and its variance is (h²/4)(T/m)·Σ_ij w_i w_j c1^|i−j|, summed here in closed form.
 * As h → 0 it tends to 2(T/(mγ))·(t − (1 − e^{−γt})/γ), t = nh: ballistic (T/m)t² for t ≪ 1/γ, diffusive 2(T/(mγ))t for t ≫ 1/γ.
 * @param n steps done
 * @param h step size, time units
 * @param gamma friction γ, 1/time
 * @param T temperature, energy units
 * @param m mass, energy·time²/length²
 * @returns ⟨(x_n − x_0)²⟩ per coordinate, length²
 */
export function baoabFreeMsd(n: number, h: number, gamma: number, T: number, m: number): number {
  if (n === 0) return 0;
  const r = Math.exp(-gamma * h);
  const M = n + 1;
  let S: number;
  if (1 - r < 1e-9)
    S = 4 * n * n; // γ = 0: one velocity throughout, Σ w = 2n
  else {
    // Σ_{i,j<M} r^|i−j|, and Σ_j r^j over one end
    const all = (M * (1 + r)) / (1 - r) - (2 * r * (1 - r ** M)) / (1 - r) ** 2;
    const end = (1 - r ** M) / (1 - r);
    S = 4 * all - 8 * end + 2 + 2 * r ** n;
  }
  return ((h * h) / 4) * (T / m) * S;
}

/**
 * Gradient descent (EM at T = 0) on E = (k/2)x²: x_n = (1 − hk)^n x_0, so ⟨x_n²⟩/⟨x_0²⟩ = (1 − hk)^{2n}.
 * @param k curvature, energy/length²
 */
export function gradientDescentGain(n: number, h: number, k: number): number {
  return (1 - h * k) ** (2 * n);
}

/**
 * Heavy-ball momentum (BAOAB at T = 0) on E = (k/2)x² from rest: the position is linear in x_0,
 * x_n = a_n x_0, with (x, v) propagated through the B, A, O, A, B maps from (1, 0); returns a_n² = ⟨x_n²⟩/⟨x_0²⟩.
 * @param gamma friction γ, 1/time (unit mass)
 */
export function heavyBallGain(n: number, h: number, gamma: number, k: number): number {
  const c1 = Math.exp(-gamma * h);
  let x = 1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    v -= (h / 2) * k * x;
    x += (h / 2) * v;
    v *= c1;
    x += (h / 2) * v;
    v -= (h / 2) * k * x;
  }
  return x * x;
}

/** Mean and variance of x² for x uniform on [low, high]: ⟨x²⟩ = (u³ − l³)/(3(u − l)), ⟨x⁴⟩ = (u⁵ − l⁵)/(5(u − l)). */
export function uniformSquare(low: number, high: number): { mean: number; variance: number } {
  const w = high - low;
  const mean = (high ** 3 - low ** 3) / (3 * w);
  return { mean, variance: (high ** 5 - low ** 5) / (5 * w) - mean * mean };
}

/** Gauss–Legendre nodes per panel of the first-passage chain's quadrature grid (EmPassage). */
const PASSAGE_NODES = 8;
/** Most grid nodes an EmPassage may use (its cost is nodes² per step). */
export const PASSAGE_MAX_NODES = 600;
/** The chain's iteration stops where the survival falls below this (the rest of Σ S_k is below ~10⁻¹⁵ of the MFPT). */
const PASSAGE_SURVIVAL_FLOOR = 1e-18;

/**
 * First passage of the Euler–Maruyama chain x_{n+1} = x_n − hE′(x_n) + √(2Th)·ξ_n (friction 1) from x0 over the
 * threshold b, counted as the engine counts it (src/integrators/passage.ts): a walker hits at step n + 1 when
 * x_{n+1} ≥ b, or, both ends below b, with the Brownian bridge's probability e^{−(b − x_n)(b − x_{n+1})/(Th)}.
 * So the survivors' density after n steps obeys v_{n+1}(y) = ∫_{−∞}^{b} v_n(x) K(x, y) dx with
 * K(x, y) = N(y; x − hE′(x), 2Th)·(1 − e^{−(b − x)(b − y)/(Th)}), exact for the step size h (not only as h → 0).
 * Nyström discretisation: Gauss–Legendre panels (8 nodes) of width ≤ √(2Th) on [L, b], L where E exceeds its minimum by
 * 40 T (the density there is below e^{−40}); the densities are smooth, so the quadrature converges spectrally.
 * Survival S_n = ∫ v_n, restricted mean E[min(τ, nh)] = h Σ_{k<n} S_k, and the MFPT h·(1 + ∫K(x0, ·)u) with
 * (I − K)u = 1 solved directly. Times in time units, E and T in energy units, x in length units.
 */
export class EmPassage {
  /** nodes, ascending, on [L, b] */
  readonly nodes: Float64Array;
  private readonly weights: Float64Array;
  /** A[i·M + j] = w_j K(y_i, y_j) */
  private readonly A: Float64Array;
  /** w_j K(x0, y_j): the first step */
  private readonly first: Float64Array;
  /** survivors' density (times the weights) after the last step iterated */
  private v: Float64Array;
  /** cum[n] = Σ_{k<n} S_k (steps) */
  private readonly cum: number[] = [0, 1];
  private done = false;

  /**
   * @param E the energy along x (energy units), dE its derivative; T temperature (energy); h step (time)
   * @throws RangeError when T·h ≤ 0, x0 ≥ b, or the grid would need more than PASSAGE_MAX_NODES nodes
   */
  constructor(
    E: (x: number) => number,
    dE: (x: number) => number,
    readonly T: number,
    readonly h: number,
    readonly x0: number,
    readonly b: number,
  ) {
    if (!(T > 0 && h > 0) || !(x0 < b)) throw new RangeError(`EmPassage: needs T > 0, h > 0 and x0 < b (T ${T}, h ${h}, x0 ${x0}, b ${b})`);
    const L = lowerEnd(E, T, x0);
    const sigma = Math.sqrt(2 * T * h);
    const panels = Math.ceil((b - L) / sigma);
    const M = panels * PASSAGE_NODES;
    if (M > PASSAGE_MAX_NODES)
      throw new RangeError(`EmPassage: ${M} nodes (over ${PASSAGE_MAX_NODES}): the step h = ${h} is too small for this grid`);
    const rule = gaussLegendre(PASSAGE_NODES);
    const half = (b - L) / panels / 2;
    this.nodes = new Float64Array(M);
    this.weights = new Float64Array(M);
    for (let p = 0; p < panels; p++)
      for (let i = 0; i < PASSAGE_NODES; i++) {
        this.nodes[p * PASSAGE_NODES + i] = L + (2 * p + 1) * half + half * rule.x[i];
        this.weights[p * PASSAGE_NODES + i] = half * rule.w[i];
      }
    this.A = new Float64Array(M * M);
    for (let i = 0; i < M; i++) this.A.set(this.row(dE, this.nodes[i]), i * M);
    this.first = this.row(dE, x0);
    this.v = this.first.slice();
  }

  /** w_j K(x, y_j) over the nodes. */
  private row(dE: (x: number) => number, x: number): Float64Array {
    const { T, h, b, nodes, weights } = this;
    const mu = x - h * dE(x);
    const s2 = 2 * T * h;
    const out = new Float64Array(nodes.length);
    for (let j = 0; j < nodes.length; j++) {
      const y = nodes[j];
      out[j] =
        (weights[j] * Math.exp(-((y - mu) ** 2) / (2 * s2)) * -Math.expm1(-((b - x) * (b - y)) / (T * h))) / Math.sqrt(2 * Math.PI * s2);
    }
    return out;
  }

  /** S_n: the probability that a walker from x0 has not hit within n steps. */
  survival(n: number): number {
    this.extend(n + 1);
    return n + 1 < this.cum.length ? this.cum[n + 1] - this.cum[n] : 0;
  }

  /** E[min(τ, nh)] (time units): the restricted mean first-passage time at step n. */
  restrictedMean(n: number): number {
    this.extend(n);
    return this.h * this.cum[Math.min(n, this.cum.length - 1)];
  }

  /** Iterate the survivors' density until cum holds Σ_{k<n} S_k (or the survival is below the floor). */
  private extend(n: number): void {
    const M = this.nodes.length;
    while (!this.done && this.cum.length <= n) {
      let S = 0;
      for (let j = 0; j < M; j++) S += this.v[j];
      this.cum.push(this.cum[this.cum.length - 1] + S);
      if (S < PASSAGE_SURVIVAL_FLOOR) this.done = true;
      const next = new Float64Array(M);
      for (let i = 0; i < M; i++) {
        const vi = this.v[i];
        if (vi === 0) continue;
        const off = i * M;
        for (let j = 0; j < M; j++) next[j] += vi * this.A[off + j];
      }
      this.v = next;
    }
  }

  /** The mean first-passage time (time units), h·(1 + Σ_j w_j K(x0, y_j) u_j) with (I − A)u = 1. */
  mfpt(): number {
    const M = this.nodes.length;
    const a = new Float64Array(M * M);
    for (let i = 0; i < M * M; i++) a[i] = (i % (M + 1) === 0 ? 1 : 0) - this.A[i];
    const u = solve(a, new Float64Array(M).fill(1), M);
    return this.h * (1 + this.first.reduce((s, f, j) => s + f * u[j], 0));
  }
}

/** Where E(x) (x ≤ x0) first exceeds its lowest value so far by 40 T, stepping left from x0. */
function lowerEnd(E: (x: number) => number, T: number, x0: number): number {
  let low = E(x0);
  for (let x = x0, step = 0.01; step < 1e6; step *= 1.2) {
    x -= step;
    const e = E(x);
    low = Math.min(low, e);
    if (e - low > 40 * T) return x;
  }
  throw new RangeError('EmPassage: E does not confine to the left of x0');
}

/** Solve a·u = r (a: M×M row-major, overwritten) by Gaussian elimination with partial pivoting. */
function solve(a: Float64Array, r: Float64Array, M: number): Float64Array {
  for (let c = 0; c < M; c++) {
    let p = c;
    for (let i = c + 1; i < M; i++) if (Math.abs(a[i * M + c]) > Math.abs(a[p * M + c])) p = i;
    if (p !== c) {
      for (let j = 0; j < M; j++) [a[c * M + j], a[p * M + j]] = [a[p * M + j], a[c * M + j]];
      [r[c], r[p]] = [r[p], r[c]];
    }
    for (let i = c + 1; i < M; i++) {
      const f = a[i * M + c] / a[c * M + c];
      if (f === 0) continue;
      for (let j = c; j < M; j++) a[i * M + j] -= f * a[c * M + j];
      r[i] -= f * r[c];
    }
  }
  const u = new Float64Array(M);
  for (let i = M - 1; i >= 0; i--) {
    let s = r[i];
    for (let j = i + 1; j < M; j++) s -= a[i * M + j] * u[j];
    u[i] = s / a[i * M + i];
  }
  return u;
}
