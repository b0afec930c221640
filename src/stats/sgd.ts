/**
 * Statistics of stochastic-gradient ensembles (README "Learning as Langevin").
 *
 * Effective temperature. Overdamped Langevin dynamics at temperature T in a
 * quadratic loss with Hessian H has the stationary covariance Σ = T H^{−1}
 * (small step limit), so tr(HΣ)/D = T. For an ensemble run without injected
 * noise (T = 0) whose spread comes from mini-batch noise alone, we report
 *
 *   T_eff = tr(H Σ) / D
 *
 * with Σ the ensemble covariance and H the Hessian of the full-data energy at
 * the ensemble mean (central differences of the float64 gradient): the
 * temperature at which Langevin dynamics would give the same H-weighted
 * spread. For SGD with small steps h, Σ solves HΣ + ΣH = h·C (C the covariance
 * of the mini-batch gradient at the minimum), so T_eff = h·tr(C)/(2D): with
 * rows drawn with replacement C = (N²/B)·Cov_i(∇example_i), T_eff ∝ h/B.
 */
import type { CompiledPotential } from '../potential/index.ts';

/**
 * Hessian of E at x by central differences of the float64 gradient,
 * symmetrised; step ε_d = 1e-4·max(1, |x_d|).
 */
export function hessian(potential: CompiledPotential, x: number[]): number[][] {
  const D = x.length;
  const gp = new Float64Array(D);
  const gm = new Float64Array(D);
  const H = Array.from({ length: D }, () => new Array<number>(D).fill(0));
  for (let b = 0; b < D; b++) {
    const eps = 1e-4 * Math.max(1, Math.abs(x[b]));
    const xp = x.slice();
    const xm = x.slice();
    xp[b] += eps;
    xm[b] -= eps;
    potential.gradient(xp, gp);
    potential.gradient(xm, gm);
    for (let a = 0; a < D; a++) H[a][b] = (gp[a] - gm[a]) / (2 * eps);
  }
  for (let a = 0; a < D; a++) {
    for (let b = a + 1; b < D; b++) H[a][b] = H[b][a] = (H[a][b] + H[b][a]) / 2;
  }
  return H;
}

/** tr(HΣ)/D: the Langevin temperature with the same H-weighted spread (energy units). */
export function effectiveTemperature(H: number[][], cov: number[][]): number {
  const D = H.length;
  let t = 0;
  for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) t += H[a][b] * cov[b][a];
  return t / D;
}

/** A least-squares problem: E(w) = (λ/2)|w|² + Σ_i ½(y_i − w·φ_i)². */
export interface LeastSquares {
  /** φ_i, N rows of D features */
  features: number[][];
  /** y_i, N targets */
  targets: number[];
  /** prior precision λ ≥ 0 */
  lambda: number;
}

type Mat = number[][];
const zeros = (D: number): Mat => Array.from({ length: D }, () => new Array<number>(D).fill(0));
const mul = (A: Mat, B: Mat): Mat => A.map((r) => B[0].map((_, j) => r.reduce((s, a, k) => s + a * B[k][j], 0)));
const add = (...Ms: Mat[]): Mat => Ms[0].map((r, i) => r.map((_, j) => Ms.reduce((s, M) => s + M[i][j], 0)));
const scale = (a: number, M: Mat): Mat => M.map((r) => r.map((v) => a * v));
const outer = (u: number[], v: number[]): Mat => u.map((a) => v.map((b) => a * b));
const transpose = (M: Mat): Mat => M[0].map((_, j) => M.map((r) => r[j]));

/**
 * Exact stationary mean and covariance of SGD on a least-squares problem:
 * EM at T = 0 with step h and the mini-batch gradient λw + (N/B) Σ_{j<B} φ_j(φ_j·w − y_j).
 * The update is linear in w with a random matrix, w' = A w + c, so the first
 * and second moments obey a closed recursion over the batch distribution
 * (with replacement: B independent rows; without: a uniform B-subset), whose
 * fixed point is solved here in float64 (a D² × D² linear system).
 * @param h step size (the learning rate for the summed loss)
 * @param B rows per batch
 * @example sgdStationaryMoments({features: [[1, 0.5], [1, -1]], targets: [1, 0], lambda: 0.1}, 0.01, 1, true)
 */
export function sgdStationaryMoments(
  problem: LeastSquares,
  h: number,
  B: number,
  replace: boolean,
): { mean: number[]; covariance: number[][] } {
  const { features: phi, targets: y, lambda } = problem;
  const N = phi.length;
  const D = phi[0].length;
  const kappa = N / B;
  const X = phi.map((f) => outer(f, f));
  const z = phi.map((f, i) => f.map((v) => v * y[i]));
  const sumX = add(...X);
  const sumZ = z.reduce((s, v) => s.map((a, d) => a + v[d]), new Array<number>(D).fill(0));
  const I = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => (i === j ? 1 : 0)));
  const a0 = 1 - h * lambda;
  // pair average of f(i, k) = U_i W V_k over distinct draws j ≠ k: Σ_iΣ_k from the sums, minus the diagonal without replacement
  const pair = (all: Mat, diag: Mat): Mat => (replace ? scale(1 / (N * N), all) : scale(1 / (N * (N - 1)), add(all, scale(-1, diag))));
  const single = (diag: Mat) => scale(1 / N, diag);
  const zz = add(...z.map((v) => outer(v, v)));
  const Ecc = scale(h * h * kappa * kappa, add(scale(B, single(zz)), scale(B * (B - 1), pair(outer(sumZ, sumZ), zz))));
  const EM = scale(B / N, sumX);
  const EZ = sumZ.map((v) => (B / N) * v);
  // The fixed point, solved directly: m = (I − E[A])⁻¹ h κ E[Z]; then S = L(S) + c(m), L linear in S.
  const EA = add(scale(a0, I), scale(-h * kappa, EM));
  const m = solveLinear(
    add(I, scale(-1, EA)),
    EZ.map((v) => h * kappa * v),
  );
  const mcol = m.map((v) => [v]);
  const XmZ = add(...X.map((Xi, i) => mul(mul(Xi, mcol), [z[i]])));
  const EMmZ = add(scale(B, single(XmZ)), scale(B * (B - 1), pair(mul(mul(sumX, mcol), [sumZ]), XmZ)));
  const EAmc = add(scale(a0 * h * kappa, outer(m, EZ)), scale(-h * h * kappa * kappa, EMmZ));
  const c = add(EAmc, transpose(EAmc), Ecc);
  const L = (S: Mat): Mat => {
    const XSX = add(...X.map((Xi) => mul(mul(Xi, S), Xi)));
    const EMSM = add(scale(B, single(XSX)), scale(B * (B - 1), pair(mul(mul(sumX, S), sumX), XSX)));
    return add(scale(a0 * a0, S), scale(-a0 * h * kappa, add(mul(EM, S), mul(S, EM))), scale(h * h * kappa * kappa, EMSM));
  };
  const S = fixedPointOf(L, c);
  const cov = add(S, scale(-1, outer(m, m)));
  // symmetrise the rounding
  return { mean: m, covariance: cov.map((r, a) => r.map((v, b) => (v + cov[b][a]) / 2)) };
}

/**
 * The D × D matrix S with S = L(S) + C, for a linear map L of matrices (a moment recursion's stationary point):
 * (I − L) vec(S) = vec(C), with L's matrix built from its action on the basis matrices.
 */
export function fixedPointOf(L: (S: Mat) => Mat, C: Mat): Mat {
  const D = C.length;
  const n = D * D;
  const A = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let k = 0; k < n; k++) {
    const E = zeros(D);
    E[Math.floor(k / D)][k % D] = 1;
    const LE = L(E);
    for (let r = 0; r < n; r++) A[r][k] = (r === k ? 1 : 0) - LE[Math.floor(r / D)][r % D];
  }
  const v = solveLinear(A, C.flat());
  return Array.from({ length: D }, (_, a) => v.slice(a * D, (a + 1) * D));
}

/** Solve A x = b by Gaussian elimination with partial pivoting (float64). */
export function solveLinear(A: Mat, b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[piv][col])) piv = r;
    [M[col], M[piv]] = [M[piv], M[col]];
    for (let r = col + 1; r < n; r++) {
      const f = M[r][col] / M[col][col];
      for (let k = col; k <= n; k++) M[r][k] -= f * M[col][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let v = M[r][n];
    for (let k = r + 1; k < n; k++) v -= M[r][k] * x[k];
    x[r] = v / M[r][r];
  }
  return x;
}
