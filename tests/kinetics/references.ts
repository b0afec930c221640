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
