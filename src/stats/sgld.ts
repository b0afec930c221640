/**
 * The exact stationary covariance of SGLD (Welling & Teh 2011: EM at T > 0 with
 * a mini-batch gradient) on a least-squares problem, the negative log posterior
 * of Bayesian linear regression with unit noise variance and prior precision λ.
 *
 * The step is w' = A w + c + √(2hT) ξ with A = (1 − hλ)I − hκ Σ_{j<B} φ_jφ_jᵀ and
 * c = hκ Σ_j y_j φ_j (κ = N/B, rows drawn with replacement). The noise is
 * independent of (A, c) and of w, so the second moments obey SGD's recursion
 * (src/stats/sgd.ts) plus 2hT·I: the covariance is SGD's plus the solution of
 * the linear equation Σ_T = E[A Σ_T Aᵀ] + 2hT·I, solved here (a D² system).
 * As h → 0 it tends to the posterior covariance T·H⁻¹.
 */
import { fixedPointOf, sgdStationaryMoments, type LeastSquares } from './sgd.ts';

type Mat = number[][];
const zeros = (D: number): Mat => Array.from({ length: D }, () => new Array<number>(D).fill(0));
const mul = (A: Mat, B: Mat): Mat => A.map((r) => B[0].map((_, j) => r.reduce((s, a, k) => s + a * B[k][j], 0)));

/**
 * Exact stationary mean and covariance of SGLD with step h, batch B (rows with replacement) and temperature T.
 * @param h step size (the learning rate for the summed loss), time units
 * @param B rows per batch
 * @param T temperature of the injected noise, energy units (1: the posterior)
 */
export function sgldStationaryMoments(problem: LeastSquares, h: number, B: number, T: number): { mean: number[]; covariance: number[][] } {
  const sgd = sgdStationaryMoments(problem, h, B, true);
  const { features: phi, lambda } = problem;
  const N = phi.length;
  const D = phi[0].length;
  const kappa = N / B;
  const a0 = 1 - h * lambda;
  const X = phi.map((f) => f.map((a) => f.map((b) => a * b)));
  const sumX = zeros(D).map((r, a) => r.map((_, b) => X.reduce((s, Xi) => s + Xi[a][b], 0)));
  // E[A S Aᵀ] for a symmetric S: a0²S − a0hκ(E[M]S + S E[M]) + h²κ²(B/N Σ_i X_i S X_i + B(B−1)/N² ΣX S ΣX), E[M] = (B/N)ΣX
  const L = (S: Mat): Mat => {
    const XSX = X.map((Xi) => mul(mul(Xi, S), Xi));
    const SXS = mul(mul(sumX, S), sumX);
    const MS = mul(sumX, S);
    const SM = mul(S, sumX);
    return S.map((r, a) =>
      r.map(
        (s, b) =>
          a0 * a0 * s -
          a0 * h * kappa * (B / N) * (MS[a][b] + SM[a][b]) +
          h * h * kappa * kappa * ((B / N) * XSX.reduce((t, M) => t + M[a][b], 0) + ((B * (B - 1)) / (N * N)) * SXS[a][b]),
      ),
    );
  };
  const noise = zeros(D).map((r, a) => r.map((_, b) => (a === b ? 2 * h * T : 0)));
  const s = fixedPointOf(L, noise);
  const cov = sgd.covariance.map((r, a) => r.map((v, b) => v + (s[a][b] + s[b][a]) / 2));
  return { mean: sgd.mean, covariance: cov };
}
