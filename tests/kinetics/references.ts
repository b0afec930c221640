/**
 * Float64 reference values for the kinetics tests: closed forms and adaptive
 * quadrature for first-passage times, survival, rates and nonequilibrium work,
 * against which the engine's measured values are compared.
 *
 * Units throughout: k_B = 1 (temperature T is an energy), friction γ = 1 unless
 * a `gamma` argument says otherwise, so the overdamped dynamics is
 *   dx = −E'(x) dt + √(2T) dW        (diffusion coefficient D = T/γ = T),
 * and time is in the engine's units (energy/length² ⁻¹ · friction). Energies and
 * work are in the units of E; lengths in those of x.
 */
import { erf } from '../../src/stats/special.ts';

// Mean first-passage time by nested adaptive quadrature: src/stats/mfpt.ts (the engine prints it as
// the exact reference of a 1-D overdamped run; tested against scipy here)
export { logPartition1D, mfptExact } from '../../src/stats/mfpt.ts';

// ---------------------------------------------------------------------------
// Kramers, free survival
// ---------------------------------------------------------------------------

/**
 * Overdamped (Smoluchowski) Kramers escape rate over a barrier, friction 1, k_B = 1:
 *
 *   k = √(E''(a)·|E''(s)|) / (2π) · e^{−ΔE/T}
 *
 * (Kramers 1940; Hänggi, Talkner & Borkovec, Rev. Mod. Phys. 62, 251 (1990), eq. 4.8b with γ → ∞
 * and friction absorbed in the time unit). Asymptotic in ΔE/T → ∞: the exact MFPT from the well
 * to well past the saddle is 1/k · (1 + O(T/ΔE)). Units: 1/time.
 * @param Eminus2 E''(a) at the well minimum (> 0)
 * @param Esaddle2 |E''(s)| at the saddle (> 0)
 * @param barrier ΔE = E(s) − E(a) (energy)
 * @param T temperature (energy)
 */
export function kramersRate(Eminus2: number, Esaddle2: number, barrier: number, T: number): number {
  return (Math.sqrt(Eminus2 * Esaddle2) / (2 * Math.PI)) * Math.exp(-barrier / T);
}

/**
 * Survival probability at time t of free 1-D Brownian motion (D = T, friction 1) started at 0
 * with an absorbing point at b > 0 (method of images):
 *
 *   S(t) = erf(b / √(4 T t)),   S(0) = 1.
 *
 * (Redner, *A Guide to First-Passage Processes*, §2.2.) Units: dimensionless; b length, t time.
 * erf from src/stats/special.ts (~1e-15).
 */
export function freeSurvival(b: number, T: number, t: number): number {
  if (t <= 0) return 1;
  return erf(b / Math.sqrt(4 * T * t));
}

// ---------------------------------------------------------------------------
// Harmonic-trap work theorems: E(x; k, c) = (k/2)|x − c|² in D dimensions
// ---------------------------------------------------------------------------

/**
 * Free-energy change of a D-dimensional harmonic trap E = (k/2)|x − c|² when k0 → k1:
 *   ΔF = (D·T/2)·ln(k1/k0)   (Z ∝ (2πT/k)^{D/2}). Units: energy.
 */
export function stiffnessDeltaF(D: number, T: number, k0: number, k1: number): number {
  return ((D * T) / 2) * Math.log(k1 / k0);
}

/** Statistics of the work of an instantaneous stiffness switch; see `suddenSwitch`. */
export interface SuddenSwitch {
  /** ⟨W⟩ = D·T·(k1 − k0)/(2 k0) (energy) */
  meanWork: number;
  /** ⟨e^{−W/T}⟩ = (k0/k1)^{D/2} = e^{−ΔF/T} (Jarzynski, exact) */
  meanExp: number;
  /** Var W = D·T²·(k1 − k0)²/(2 k0²) (energy²) */
  workVariance: number;
}

/**
 * Work W = ((k1 − k0)/2)|x − c|² of switching a D-dimensional harmonic trap from k0 to k1
 * instantaneously, x drawn from equilibrium at k0 (|x − c|² = (T/k0)·χ²_D):
 *   ⟨W⟩ = D T (k1 − k0)/(2k0), Var W = D T² (k1 − k0)²/(2k0²),
 *   ⟨e^{−W/T}⟩ = (1 + (k1 − k0)/k0)^{−D/2} = (k0/k1)^{D/2} = e^{−ΔF/T}  (k1 > 0).
 * Units: energy, energy², dimensionless.
 */
export function suddenSwitch(D: number, T: number, k0: number, k1: number): SuddenSwitch {
  const dk = k1 - k0;
  return {
    meanWork: (D * T * dk) / (2 * k0),
    meanExp: Math.pow(k0 / k1, D / 2),
    workVariance: (D * T * T * dk * dk) / (2 * k0 * k0),
  };
}

/**
 * Mean work of dragging an overdamped harmonic trap E = (k/2)(x − c)², c(t) = v·t, for a time τ,
 * starting from equilibrium at c = 0 (friction γ; dynamics γ dx = −k(x − c) dt + √(2γT) dW):
 *
 *   ⟨W⟩(τ) = γ v² [τ − (γ/k)(1 − e^{−kτ/γ})]
 *
 * (the mean lag obeys γ dy/dt = −k y − γ v, y(0) = 0, and dW = −k v (x − c) dt; Mazonka & Jarzynski,
 * arXiv:cond-mat/9912121; van Zon & Cohen, PRE 67, 046102 (2003)). Independent of T and of the
 * trap's transverse dimensions (drag along one axis). Units: energy.
 */
export function draggedTrapMeanWork(k: number, v: number, tau: number, gamma = 1): number {
  const r = (k * tau) / gamma;
  return gamma * v * v * (tau + (gamma / k) * Math.expm1(-r));
}

/**
 * Variance of the dragged-trap work (see `draggedTrapMeanWork`), continuous time:
 *
 *   Var W = 2 T ⟨W⟩
 *
 * W is a linear functional of the Gaussian Ornstein–Uhlenbeck path, hence Gaussian; Jarzynski's
 * ⟨e^{−W/T}⟩ = e^{−ΔF/T} = 1 (ΔF = 0 for a translated trap) then forces
 * −⟨W⟩/T + Var W/(2T²) = 0 (van Zon & Cohen 2003). Units: energy².
 */
export function draggedTrapWorkVariance(k: number, v: number, tau: number, T: number, gamma = 1): number {
  return 2 * T * draggedTrapMeanWork(k, v, tau, gamma);
}

/**
 * Exact mean of the discrete work of a dragged 1-D harmonic trap under Euler–Maruyama, friction 1,
 * as the engine defines work. Protocol λ_n = c_n = v·h·n (n = 0…N); step n (0…N−1):
 *   1. switch λ_n → λ_{n+1} at fixed x_n:  W += E(x_n; c_{n+1}) − E(x_n; c_n)
 *      = (k/2)δ² − kδ·y_n,  δ = v·h, y_n = x_n − c_n;
 *   2. EM step in the new potential:  x_{n+1} = x_n − h k (x_n − c_{n+1}) + √(2hT) ξ_n,
 *      so y_{n+1} = (1 − hk)(y_n − δ) + √(2hT) ξ_n.
 * Taking means (the increment is linear in x_n, so only ⟨y_n⟩ enters and T drops out):
 *   m_0 = 0,  m_{n+1} = (1 − hk)(m_n − δ),  ⟨W_N⟩ = Σ_{n<N} [(k/2)δ² − kδ m_n].
 * Tends to `draggedTrapMeanWork(k, v, N h)` as h → 0 with error O(h). Units: energy.
 * `T` is accepted for symmetry with the variance and does not enter the mean.
 */
export function draggedTrapMeanWorkEM(k: number, v: number, h: number, N: number, T: number): number {
  void T;
  const a = 1 - h * k;
  const d = v * h;
  let m = 0;
  let W = 0;
  for (let n = 0; n < N; n++) {
    W += 0.5 * k * d * d - k * d * m;
    m = a * (m - d);
  }
  return W;
}

/**
 * Exact variance of the discrete dragged-trap work of `draggedTrapMeanWorkEM`. W_N is linear in the
 * Gaussian (y_0, ξ_0, …, ξ_{N−1}), so Var W follows from a recursion on the covariance of (y_n, W_n),
 * with a = 1 − hk, δ = v h, σ² = 2hT:
 *   V_{n+1} = V_n − 2kδ C_n + k²δ² s_n,
 *   C_{n+1} = a C_n − a kδ s_n,            (C = Cov(W_n, y_n))
 *   s_{n+1} = a² s_n + σ²,                 (s = Var y_n)
 * from V_0 = C_0 = 0, s_0 = `initialVariance`. The default T/k is the exact Boltzmann variance;
 * EM's own stationary variance is T/(k(1 − hk/2)) (pass it to start in the chain's equilibrium).
 * Tends to 2T·draggedTrapMeanWork(k, v, N h) as h → 0. Units: energy².
 */
export function draggedTrapWorkVarianceEM(k: number, v: number, h: number, N: number, T: number, initialVariance = T / k): number {
  const a = 1 - h * k;
  const d = v * h;
  const sig2 = 2 * h * T;
  let s = initialVariance;
  let C = 0;
  let V = 0;
  for (let n = 0; n < N; n++) {
    const kd = k * d;
    V += -2 * kd * C + kd * kd * s;
    C = a * C - a * kd * s;
    s = a * a * s + sig2;
  }
  return V;
}

/**
 * Exact mean work of a linear stiffness ramp k_n = k0 + (k1 − k0)·n/N (n = 0…N) of a D-dimensional
 * harmonic trap E = (k/2)|x − c|² under Euler–Maruyama with step h, friction 1, started in the
 * Boltzmann distribution at k0. Step n switches k_n → k_{n+1} at fixed x_n, adding
 * ((k_{n+1} − k_n)/2)|x_n − c|², then takes the EM step x_{n+1} − c = (1 − h k_{n+1})(x_n − c) + √(2hT) ξ.
 * Per dimension the variance s_n = ⟨(x_n − c)²⟩ obeys exactly
 *   s_0 = T/k0,  s_{n+1} = (1 − h k_{n+1})² s_n + 2hT,
 * and ⟨W⟩ = D Σ_{n<N} ((k_{n+1} − k_n)/2)·s_n.
 * N = 1 reproduces `suddenSwitch(D, T, k0, k1).meanWork` exactly. Note EM's stationary variance at
 * fixed k is 2hT/(1 − (1 − hk)²) = T/(k(1 − hk/2)), not T/k, so even a quasi-static EM ramp
 * gives `stiffnessQuasiStaticWorkEM` = ΔF + O(h), not ΔF; the finite-N (finite-time) ⟨W⟩ exceeds it
 * by the dissipated work. Requires 0 < h k < 2 (EM stability). Units: energy.
 */
export function stiffnessRampMeanWorkEM(D: number, T: number, k0: number, k1: number, h: number, N: number): number {
  let s = T / k0;
  let W = 0;
  const dk = (k1 - k0) / N;
  for (let n = 0; n < N; n++) {
    W += 0.5 * dk * s;
    const kNext = k0 + ((k1 - k0) * (n + 1)) / N;
    const a = 1 - h * kNext;
    s = a * a * s + 2 * h * T;
  }
  return D * W;
}

/**
 * The N → ∞ (quasi-static) limit of `stiffnessRampMeanWorkEM` at fixed step h: the variance
 * follows EM's stationary T/(k(1 − hk/2)), so
 *   ⟨W⟩ = (D/2) ∫_{k0}^{k1} T/(k(1 − hk/2)) dk = (D T/2)[ln(k1/k0) + ln((1 − h k0/2)/(1 − h k1/2))]
 *       = ΔF + (D T/2) ln((1 − h k0/2)/(1 − h k1/2)) = ΔF + O(h).
 * Units: energy.
 */
export function stiffnessQuasiStaticWorkEM(D: number, T: number, k0: number, k1: number, h: number): number {
  return ((D * T) / 2) * (Math.log(k1 / k0) + Math.log1p(-(h * k0) / 2) - Math.log1p(-(h * k1) / 2));
}

/**
 * Continuous-time mean work of the linear stiffness ramp k(t) = k0 + (k1 − k0) t/τ over time τ
 * (overdamped, friction 1, D dimensions, from equilibrium at k0): per dimension
 *   ds/dt = −2k(t) s + 2T,  s(0) = T/k0,   ⟨W⟩ = (D/2) ∫_0^τ k'(t) s(t) dt,
 * integrated by classical RK4 with step halving until two successive results agree to 1e-12
 * relative (RK4's O(Δt⁴) error). Tends to ΔF = (D T/2) ln(k1/k0) as τ → ∞ (excess O(1/τ)),
 * and is the h → 0 limit of `stiffnessRampMeanWorkEM(D, T, k0, k1, τ/N, N)`. Units: energy.
 */
export function stiffnessRampMeanWork(D: number, T: number, k0: number, k1: number, tau: number): number {
  const kdot = (k1 - k0) / tau;
  const kmax = Math.max(Math.abs(k0), Math.abs(k1));
  const run = (steps: number): number => {
    const dt = tau / steps;
    // y = (s, W): s' = −2k s + 2T, W' = (D/2) k' s
    const fs = (t: number, s: number): number => -2 * (k0 + kdot * t) * s + 2 * T;
    let s = T / k0;
    let W = 0;
    for (let i = 0; i < steps; i++) {
      const t = i * dt;
      const s1 = fs(t, s);
      const sa = s + 0.5 * dt * s1;
      const s2 = fs(t + 0.5 * dt, sa);
      const sb = s + 0.5 * dt * s2;
      const s3 = fs(t + 0.5 * dt, sb);
      const sc = s + dt * s3;
      const s4 = fs(t + dt, sc);
      W += (dt / 6) * 0.5 * D * kdot * (s + 2 * sa + 2 * sb + sc);
      s += (dt / 6) * (s1 + 2 * s2 + 2 * s3 + s4);
    }
    return W;
  };
  let steps = Math.max(64, Math.ceil(4 * kmax * tau));
  let prev = run(steps);
  for (let it = 0; it < 12; it++) {
    steps *= 2;
    const cur = run(steps);
    if (Math.abs(cur - prev) <= 1e-12 * Math.abs(cur)) return cur;
    prev = cur;
  }
  return prev;
}

// ---------------------------------------------------------------------------
// Double well
// ---------------------------------------------------------------------------

/** A symmetric quartic double well and the curvatures Kramers' formula needs; see `symmetricDoubleWell`. */
export interface DoubleWell {
  /** E(x) = barrier·((x/a)² − 1)² */
  E: (x: number) => number;
  /** E'(x) = 4·barrier·x·((x/a)² − 1)/a² */
  dE: (x: number) => number;
  /** minima at ∓a (E = 0), saddle at 0 (E = barrier) */
  minima: [number, number];
  /** ΔE = barrier */
  barrier: number;
  /** E''(±a) = 8·barrier/a² */
  Emin2: number;
  /** |E''(0)| = 4·barrier/a² */
  Esaddle2: number;
}

/**
 * The symmetric double well E(x) = barrier·((x/a)² − 1)², minima at ±a, barrier ΔE = barrier at x = 0,
 * curvatures E''(±a) = 8·barrier/a², |E''(0)| = 4·barrier/a². Units: energy, length.
 */
export function symmetricDoubleWell(a: number, barrier: number): DoubleWell {
  const a2 = a * a;
  return {
    E: (x) => {
      const u = (x * x) / a2 - 1;
      return barrier * u * u;
    },
    dE: (x) => (4 * barrier * x * ((x * x) / a2 - 1)) / a2,
    minima: [-a, a],
    barrier,
    Emin2: (8 * barrier) / a2,
    Esaddle2: (4 * barrier) / a2,
  };
}

// ---------------------------------------------------------------------------
// Escape rate: the lowest eigenvalue of the absorbing generator
// ---------------------------------------------------------------------------

/** λ₁ on one grid of M cells (see `escapeRateExact`). */
function lowestEigenvalue(E: (x: number) => number, T: number, b: number, lower: number, M: number): number {
  const d = (b - lower) / (M + 0.5);
  // cell centres x_i = lower + (i + ½)d, i = 0 … M − 1; x_M = b is the absorbing node (u = 0)
  const e = new Float64Array(M + 1);
  for (let i = 0; i <= M; i++) e[i] = E(lower + (i + 0.5) * d);
  const c = T / (d * d);
  const diag = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    let s = Math.exp(-(e[i + 1] - e[i]) / (2 * T));
    if (i > 0) s += Math.exp(-(e[i - 1] - e[i]) / (2 * T));
    diag[i] = c * s;
  }
  const off2 = c * c;
  // Sturm count: the number of eigenvalues below mu (negative pivots of the LDLᵀ of S − mu)
  const below = (mu: number): number => {
    let n = 0;
    let q = diag[0] - mu;
    if (q < 0) n++;
    for (let i = 1; i < M; i++) {
      q = diag[i] - mu - off2 / (q === 0 ? Number.MIN_VALUE : q);
      if (q < 0) n++;
    }
    return n;
  };
  let lo = 0;
  let hi = 1;
  while (below(hi) === 0) hi *= 2;
  for (let it = 0; it < 2000; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (below(mid) > 0) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * The exact escape rate of 1-D overdamped dynamics dx = −E'(x) dt + √(2T) dW (friction 1, k_B = 1) into the
 * half-line x ≥ b, with a reflecting wall at `lower` < b: the lowest eigenvalue λ₁ of the backward generator
 *
 *   T u'' − E' u' = −λ u,   u'(lower) = 0,   u(b) = 0,
 *
 * so that the survival from any start decays as S(t) ∝ e^{−λ₁ t} once the faster modes (λ₂, …) have died out
 * (Gardiner, *Handbook of Stochastic Methods*, §5.2; Risken §5.10). It differs from 1/MFPT by the weight of the
 * fast modes: λ₁·MFPT(x0) − 1 = O(relaxation time within the well / MFPT), and from `kramersRate` by
 * O(T/ΔE) (see tests/kinetics/references.test.ts). Units: 1/time.
 *
 * Method: the self-adjoint form (1/w)(T w u')' with w = e^{−E/T}, finite volumes on M cells of width
 * d = (b − lower)/(M + ½) (centres lower + (i + ½)d, a zero-flux face at `lower`, the absorbing node on b),
 * face weights √(w_i w_{i+1}); symmetrised by u = v/√w into a tridiagonal matrix with off-diagonal −T/d² and
 * diagonal (T/d²)(e^{−(E_{i−1} − E_i)/2T} + e^{−(E_{i+1} − E_i)/2T}) (only energy differences: no overflow).
 * λ₁ by Sturm-count bisection to the last bit; the grid error is O(d²), removed by Richardson extrapolation
 * from M and 2M cells, (4λ(2M) − λ(M))/3, leaving O(d⁴). Rounding limits the accuracy to about
 * ε·4T/(d²λ₁) relative (the bisection resolves eigenvalues to ε times the matrix norm 4T/d²): ~1e-9 for the free
 * case λ₁ = Tπ²/(4(b − lower)²) and the double wells of tests/kinetics/passage.test.ts (which check it), ~1e-6
 * for λ₁ ~ 1e-4 (barrier 12 T) with the default M = 1000.
 * `lower` must lie where e^{−(E − E_min)/T} is negligible when it stands for −∞.
 * @param E potential energy (smooth on [lower, b])
 * @param T temperature (energy, > 0)
 * @param b the threshold (length)
 * @param lower the reflecting wall (length), < b
 * @param cells M (≥ 100)
 */
export function escapeRateExact(E: (x: number) => number, T: number, b: number, lower: number, cells = 1000): number {
  if (!(T > 0 && b > lower && cells >= 100)) throw new RangeError(`escapeRateExact: need T > 0, b > lower, cells ≥ 100`);
  return (4 * lowestEigenvalue(E, T, b, lower, 2 * cells) - lowestEigenvalue(E, T, b, lower, cells)) / 3;
}

// ---------------------------------------------------------------------------
// Jarzynski's average of the discrete stiffness ramp, EM and BAOAB
// ---------------------------------------------------------------------------

/** The stiffness k_j = k0 + (k1 − k0)·j/N of a linear ramp (the engine's linear schedule). */
const rampAt = (k0: number, k1: number, N: number, j: number): number => k0 + (k1 - k0) * (j / N);

/**
 * Exact Jarzynski free energy −T ln⟨e^{−W/T}⟩ of the discrete Euler–Maruyama stiffness ramp of
 * `stiffnessRampMeanWorkEM` (D dimensions, friction 1, x_0 ~ N(0, s0) per coordinate, default the Boltzmann
 * s0 = T/k0). Equals ΔF = `stiffnessDeltaF` only up to O(h): EM's kernel at fixed k leaves N(0, T/(k(1 − hk/2)))
 * invariant, not the Boltzmann distribution, so Jarzynski's equality holds for the chain only as h → 0.
 *
 * Method: W/T = Σ_{n<N} α_n x_n² with α_n = (k_{n+1} − k_n)/(2T), x_{n+1} = a_n x_n + σ ξ_n, a_n = 1 − h k_{n+1},
 * σ² = 2hT. Per coordinate, f_n(x) = E[e^{−Σ_{m≥n} α_m x_m²} | x_n = x] = C_n e^{−β_n x²} with β_N = 0 and
 *   β_n = α_n + a_n² β_{n+1}/(1 + 2σ²β_{n+1}),   ln C_n = ln C_{n+1} − ½ ln(1 + 2σ²β_{n+1})
 * (a Gaussian integral over ξ_n), and ln⟨e^{−W/T}⟩ = D·[ln C_0 − ½ ln(1 + 2 s0 β_0)]. N = 1 gives the sudden switch,
 * (k0/k1)^{D/2}, exactly. Needs every 1 + 2σ²β > 0 (always true for a rising ramp). Units: energy.
 */
export function stiffnessRampJarzynskiEM(D: number, T: number, k0: number, k1: number, h: number, N: number, s0 = T / k0): number {
  const sig2 = 2 * h * T;
  let beta = 0;
  let logC = 0;
  for (let n = N - 1; n >= 0; n--) {
    const kNext = rampAt(k0, k1, N, n + 1);
    const a = 1 - h * kNext;
    const q = 1 + 2 * sig2 * beta;
    logC -= 0.5 * Math.log(q);
    beta = (kNext - rampAt(k0, k1, N, n)) / (2 * T) + (a * a * beta) / q;
  }
  return -T * D * (logC - 0.5 * Math.log1p(2 * s0 * beta));
}

/** Mean work and Jarzynski free energy of the discrete BAOAB stiffness ramp; see `stiffnessRampBAOAB`. */
export interface RampStatistics {
  /** ⟨W⟩ (energy) */
  meanWork: number;
  /** −T ln⟨e^{−W/T}⟩ (energy) */
  jarzynski: number;
}

/**
 * Exact ⟨W⟩ and −T ln⟨e^{−W/T}⟩ of a linear stiffness ramp k_j = k0 + (k1 − k0)j/N (j = 0…N) of a D-dimensional
 * trap E = (k/2)|x|² under the engine's BAOAB (src/integrators/inertial.ts; mass 1, friction γ), started from
 * x_0 ~ N(0, T/k0), v_0 ~ N(0, T) per coordinate (Boltzmann at k0, the "thermal" velocity init). Step n adds
 * ((k_{n+1} − k_n)/2)|x_n|² to W at fixed (x_n, v_n), then takes one BAOAB step with k_{n+1} in both B's:
 *   B: v −= (h/2)k x,  A: x += (h/2)v,  O: v ← c1 v + c2 ξ (c1 = e^{−γh}, c2 = √(T(1 − c1²))),  A,  B.
 * Per coordinate the step is z' = A z + b ξ with z = (x, v), A = B·A·O·A·B (2 × 2) and b = B·A·(0, c2)ᵀ.
 * ⟨W⟩ = D Σ (Δk_n/2) Σ_n[x,x] with the covariance recursion Σ' = AΣAᵀ + bbᵀ. The exponential average is the
 * Gaussian integral of `stiffnessRampJarzynskiEM` with a 2 × 2 form: f_n(z) = C_n e^{−zᵀQ_n z}, Q_N = 0,
 *   s = 1 + 2bᵀQ_{n+1}b,  Q_n = α_n e₁e₁ᵀ + Aᵀ(Q_{n+1} − (2/s) Q_{n+1}b bᵀQ_{n+1})A,  ln C_n = ln C_{n+1} − ½ ln s,
 * and ln⟨e^{−W/T}⟩ = D·[ln C_0 − ½ ln det(I + 2Σ_0 Q_0)].
 * BAOAB samples the positions of a harmonic trap exactly at any stable h (Leimkuhler & Matthews 2013), so the
 * quasi-static limit N → ∞ of both is ΔF exactly; at finite N Jarzynski's equality still fails by O(h²) because
 * the kernel's stationary velocity law depends on k (checked in tests/kinetics/work.test.ts). Units: energy.
 */
export function stiffnessRampBAOAB(D: number, T: number, k0: number, k1: number, h: number, N: number, gamma = 1): RampStatistics {
  type M2 = [number, number, number, number]; // row-major [a b; c d]
  const mul = (p: M2, q: M2): M2 => [
    p[0] * q[0] + p[1] * q[2],
    p[0] * q[1] + p[1] * q[3],
    p[2] * q[0] + p[3] * q[2],
    p[2] * q[1] + p[3] * q[3],
  ];
  const c1 = Math.exp(-gamma * h);
  const c2 = Math.sqrt(T * (1 - c1 * c1));
  const step = (k: number): { A: M2; b: [number, number] } => {
    const Bm: M2 = [1, 0, -0.5 * h * k, 1];
    const Am: M2 = [1, 0.5 * h, 0, 1];
    const Om: M2 = [1, 0, 0, c1];
    const BA = mul(Bm, Am);
    return { A: mul(BA, mul(Om, mul(Am, Bm))), b: [BA[1] * c2, BA[3] * c2] };
  };
  // mean work: forward covariance recursion
  let [sxx, sxv, svv] = [T / k0, 0, T];
  let W = 0;
  for (let n = 0; n < N; n++) {
    const kNext = rampAt(k0, k1, N, n + 1);
    W += 0.5 * (kNext - rampAt(k0, k1, N, n)) * sxx;
    const { A, b } = step(kNext);
    const [a, bb, c, d] = A;
    [sxx, sxv, svv] = [
      a * a * sxx + 2 * a * bb * sxv + bb * bb * svv + b[0] * b[0],
      a * c * sxx + (a * d + bb * c) * sxv + bb * d * svv + b[0] * b[1],
      c * c * sxx + 2 * c * d * sxv + d * d * svv + b[1] * b[1],
    ];
  }
  // exponential average: backward recursion of the quadratic form Q = [q11 q12; q12 q22]
  let [q11, q12, q22] = [0, 0, 0];
  let logC = 0;
  for (let n = N - 1; n >= 0; n--) {
    const kNext = rampAt(k0, k1, N, n + 1);
    const { A, b } = step(kNext);
    const r1 = q11 * b[0] + q12 * b[1];
    const r2 = q12 * b[0] + q22 * b[1];
    const s = 1 + 2 * (b[0] * r1 + b[1] * r2);
    logC -= 0.5 * Math.log(s);
    const [p11, p12, p22] = [q11 - (2 / s) * r1 * r1, q12 - (2 / s) * r1 * r2, q22 - (2 / s) * r2 * r2];
    const [a, bb, c, d] = A;
    // AᵀPA
    q11 = a * a * p11 + 2 * a * c * p12 + c * c * p22 + (kNext - rampAt(k0, k1, N, n)) / (2 * T);
    q12 = a * bb * p11 + (a * d + bb * c) * p12 + c * d * p22;
    q22 = bb * bb * p11 + 2 * bb * d * p12 + d * d * p22;
  }
  const [sx, sv] = [T / k0, T];
  const det = (1 + 2 * sx * q11) * (1 + 2 * sv * q22) - 4 * sx * sv * q12 * q12;
  return { meanWork: D * W, jarzynski: -T * D * (logC - 0.5 * Math.log(det)) };
}
