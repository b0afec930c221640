/**
 * The tour's key numbers (tourSteps.ts): each measured on running simulations,
 * with an honest standard error, against a closed form that is exact for what
 * the ensemble does (tourExact.ts, src/stats). Reads are cheap: one moments
 * pass or histogram, or the positions of at most SAMPLE_MAX particles.
 */
import type { Simulation } from '../index.ts';
import type { IntegratorName } from '../spec.ts';
import { hessian, effectiveTemperature, sgdStationaryMoments, type LeastSquares } from '../stats/sgd.ts';
import { sgldStationaryMoments } from '../stats/sgld.ts';
import { baoabFreeMsd, EmPassage, gradientDescentGain, heavyBallGain, uniformSquare } from './tourExact.ts';
import { PASSAGE_DEMO } from './presets.ts';
import type { DemoHooks } from './hooks.ts';

/** The number a tour step is about, measured on the running ensemble(s), against the closed form its text states. */
export interface KeyNumber {
  /** what is measured, e.g. 'MSD / (2DTt)' */
  label: string;
  measured: number;
  /** standard error of `measured` (same units) */
  se: number;
  /** the closed form's value (same units) */
  exact: number;
}

/** At most this many particles' positions are read back for a key (the first ones: particles are independent and alike). */
export const SAMPLE_MAX = 100_000;

/** The first min(N, SAMPLE_MAX) particles' positions, D per particle, and the step they were read at. */
async function sample(sim: Simulation): Promise<{ x: ArrayLike<number>; n: number; D: number; step: number }> {
  const step = sim.step;
  const n = Math.min(sim.spec.particles, SAMPLE_MAX);
  return { x: await sim.backend.readPositions(0, n), n, D: sim.spec.dims, step };
}

/** Mean of per-particle values and its standard error sd/√n. */
function meanWithError(q: ArrayLike<number>): { mean: number; se: number } {
  const n = q.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += q[i];
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (q[i] - mean) ** 2;
  return { mean, se: Math.sqrt(v / (n - 1) / n) };
}

/** The time-independent temperature of a run, or undefined (a schedule, or T ≤ 0). */
function constantT(sim: Simulation): number | undefined {
  const T = sim.spec.temperature;
  return typeof T === 'number' && T > 0 ? T : undefined;
}

/**
 * Exact ⟨(x_n − x_0)²⟩ per coordinate of free particles after n steps of the run's integrator: EM 2Thn (Einstein,
 * for any h), LM (ξ_k + ξ_{k+1} noise) 2Thn − hT, BAOAB from a thermal start baoabFreeMsd; undefined for the others.
 */
export function freeMsdPerCoordinate(sim: Simulation, n: number): number | undefined {
  const T = constantT(sim);
  const h = sim.spec.dt;
  if (T === undefined || typeof h !== 'number' || n === 0) return undefined;
  return FREE_MSD[sim.spec.integrator]?.(sim, n, h, T);
}

/** Per integrator, the exact free MSD per coordinate after n steps of size h at temperature T (absent: not known here). */
const FREE_MSD: Partial<Record<IntegratorName, (sim: Simulation, n: number, h: number, T: number) => number | undefined>> = {
  em: (_, n, h, T) => 2 * T * h * n,
  lm: (_, n, h, T) => 2 * T * h * n - h * T,
  baoab: ({ spec: { velocity, mass, friction } }, n, h, T) =>
    velocity.kind === 'thermal' && mass.every((m) => m === mass[0]) ? baoabFreeMsd(n, h, friction, T, mass[0]) : undefined,
};

/**
 * MSD/(2DTt) of free particles from a point, t = nh: the measured mean squared displacement from the start over
 * Einstein's 2DTt, against the integrator's exact value (1 for EM). The displacement is Gaussian with variance
 * σ² per coordinate, so the MSD of N particles has standard error σ²√(2D/N).
 */
export async function diffusionKey(sim: Simulation): Promise<KeyNumber | null> {
  const init = sim.spec.init;
  const T = constantT(sim);
  const n = sim.step;
  const exact = freeMsdPerCoordinate(sim, n);
  if (sim.potential.name !== 'free' || init.kind !== 'point' || T === undefined || exact === undefined) return null;
  const m = await sim.moments();
  if (sim.step !== n || m.count === 0) return null;
  const D = sim.spec.dims;
  const msd = m.variance.reduce((a, v, d) => a + v + (m.mean[d] - init.x[d]) ** 2, 0);
  const einstein = 2 * D * T * (sim.spec.dt as number) * n;
  return {
    label: 'MSD / (2DTt)',
    measured: msd / einstein,
    se: (exact * Math.sqrt((2 * D) / m.count)) / einstein,
    exact: (D * exact) / einstein,
  };
}

/**
 * The share of the x-marginal at x ≥ 0 (the right well), from the live histogram, against the Boltzmann reference's
 * share of the same bins at the run's temperature; binomial standard error √(p(1 − p)/n).
 */
export async function rightWellKey(sim: Simulation): Promise<KeyNumber | null> {
  const T = constantT(sim);
  const h = sim.spec.histogram;
  if (T === undefined || !h || h.dims.length !== 1) return null;
  const ref = sim.reference(T);
  if (!('probabilities' in ref)) return null;
  const { counts } = await sim.backend.histogram();
  const width = (h.high[0] - h.low[0]) / h.bins[0];
  let n = 0;
  let right = 0;
  let p = 0;
  counts.forEach((c, b) => {
    n += c;
    if (h.low[0] + b * width >= -1e-12 * width) {
      right += c;
      p += ref.probabilities[b];
    }
  });
  if (n === 0) return null;
  return { label: 'share in the right well (x > 0)', measured: right / n, se: Math.sqrt((p * (1 - p)) / n), exact: p };
}

/**
 * Configurational temperature ⟨|∇E|²⟩/⟨ΔE⟩ of a sample against the temperature T(n) of the last step. Integration
 * by parts makes the two equal for e^{−E/T} restricted to any region whose boundary has ∇E·n = 0 (for a separable
 * potential like Rastrigin's: the cells between maxima), so it needs only local equilibrium, whatever the share
 * of each cell. ΔE by central differences of the float64 gradient; standard error of the ratio by the delta method.
 */
export async function configurationalTemperatureKey(sim: Simulation): Promise<KeyNumber | null> {
  if (sim.step === 0) return null;
  const { x, n, D, step } = await sample(sim);
  const g = new Float64Array(D);
  const gp = new Float64Array(D);
  const gm = new Float64Array(D);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const p = new Array<number>(D);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < D; d++) p[d] = x[i * D + d];
    sim.potential.gradient(p, g);
    let lap = 0;
    for (let d = 0; d < D; d++) {
      const eps = 1e-4 * Math.max(1, Math.abs(p[d]));
      const c = p[d];
      p[d] = c + eps;
      sim.potential.gradient(p, gp);
      p[d] = c - eps;
      sim.potential.gradient(p, gm);
      p[d] = c;
      lap += (gp[d] - gm[d]) / (2 * eps);
    }
    a[i] = g.reduce((s, v) => s + v * v, 0);
    b[i] = lap;
  }
  const A = meanWithError(a);
  const B = meanWithError(b);
  const R = A.mean / B.mean;
  // delta method: Var(Ā/B̄) ≈ Var(a − R b)/(n B̄²)
  const r = a.map((ai, i) => ai - R * b[i]);
  return { label: 'T_conf = ⟨|∇E|²⟩/⟨ΔE⟩', measured: R, se: meanWithError(r).se / Math.abs(B.mean), exact: sim.temperatureAfter(step) };
}

/** Curvatures k_d of a separable quadratic potential (its Hessian at the origin), or undefined where it couples coordinates. */
function curvatures(sim: Simulation): number[] | undefined {
  const H = hessian(sim.potential, new Array<number>(sim.spec.dims).fill(0));
  const scale = Math.max(...H.map((r, d) => Math.abs(r[d])));
  return H.every((r, a) => r.every((v, b) => a === b || Math.abs(v) < 1e-9 * scale)) ? H.map((r, d) => r[d]) : undefined;
}

/**
 * ⟨E⟩ of heavy-ball momentum over ⟨E⟩ of gradient descent, both at T = 0 on E = Σ (k_d/2) x_d² from the same uniform
 * start (the lanes share the seed): each lane's ⟨E_n⟩ = Σ_d (k_d/2)·gain_d(n)·X_d with X_d the sample mean of x_{0,d}²,
 * so the ratio's standard error follows from Var(x²) = 4a⁴/45 of a uniform start by the delta method.
 */
export async function momentumKey(gd: Simulation, ball: Simulation): Promise<KeyNumber | null> {
  const k = curvatures(gd);
  const init = gd.spec.init;
  const n = gd.step;
  const still = gd.spec.temperature === 0 && ball.spec.temperature === 0 && ball.spec.mass.every((m) => m === 1);
  if (!k || init.kind !== 'uniform' || ball.step !== n || n === 0 || !still) return null;
  const [mg, mb] = await Promise.all([gd.moments(), ball.moments()]);
  const hg = gd.spec.dt as number;
  const hb = ball.spec.dt as number;
  const a = k.map((kd) => (kd / 2) * heavyBallGain(n, hb, ball.spec.friction, kd));
  const b = k.map((kd) => (kd / 2) * gradientDescentGain(n, hg, kd));
  const X = k.map((_, d) => uniformSquare(init.low[d], init.high[d]));
  const num = a.reduce((s, v, d) => s + v * X[d].mean, 0);
  const den = b.reduce((s, v, d) => s + v * X[d].mean, 0);
  // below 10⁻³⁰ (from step ~360 here) the heavy ball's energy nears the end of f32's normal range on the GPU: not measurable
  if (num < 1e-30) return null;
  const R = num / den;
  const variance = k.reduce((s, _, d) => s + ((a[d] - R * b[d]) / den) ** 2 * (X[d].variance / mg.count), 0);
  return { label: '⟨E⟩ momentum / ⟨E⟩ gradient descent', measured: mb.meanEnergy / mg.meanEnergy, se: Math.sqrt(variance), exact: R };
}

/** The example and prior of the demo's regressions (examples/sgd-temperature.json): a least-squares problem in (x, y). */
const REGRESSION = { example: '(v - x - y*u)^2/2', prior: 'lambda*(x^2 + y^2)/2', columns: 'u,v' };

/** The least-squares problem of a run on the demo's regression (features (1, u), targets v, prior precision λ), or undefined. */
export function regressionOf(sim: Simulation): LeastSquares | undefined {
  const { data, example, prior, params } = sim.spec.potential;
  const lambda = params.lambda;
  if (!data || example !== REGRESSION.example || prior !== REGRESSION.prior || data.columns.join() !== REGRESSION.columns) return undefined;
  if (typeof lambda !== 'number') return undefined;
  return { features: data.rows.map(([u]) => [1, u]), targets: data.rows.map(([, v]) => v), lambda };
}

/** Per-particle values of a quadratic form (x − m)ᵀQ(x − m)/D over a sample, m its mean. */
function quadraticForm(x: ArrayLike<number>, n: number, D: number, Q: number[][]): Float64Array {
  const m = new Array<number>(D).fill(0);
  for (let i = 0; i < n; i++) for (let d = 0; d < D; d++) m[d] += x[i * D + d] / n;
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let a = 0; a < D; a++) for (let b = 0; b < D; b++) s += (x[i * D + a] - m[a]) * Q[a][b] * (x[i * D + b] - m[b]);
    q[i] = s / D;
  }
  return q;
}

/**
 * SGD's effective temperature tr(HΣ)/D (src/stats/sgd.ts) of a T = 0 mini-batch run on the demo's regression: the
 * sample's per-particle (x − x̄)ᵀH(x − x̄)/D averaged (its standard error from their spread), against the exact
 * stationary SGD covariance of the run's step and batch (measured after the run has relaxed).
 */
export async function effectiveTemperatureKey(sim: Simulation): Promise<KeyNumber | null> {
  const problem = regressionOf(sim);
  const batch = sim.spec.batch;
  const h = sim.spec.dt;
  if (!problem || !batch || typeof h !== 'number' || sim.spec.temperature !== 0 || sim.step === 0) return null;
  const H = hessian(sim.potential, new Array<number>(sim.spec.dims).fill(0));
  const exact = effectiveTemperature(H, sgdStationaryMoments(problem, h, batch.size, batch.replace).covariance);
  const { x, n, D } = await sample(sim);
  const q = meanWithError(quadraticForm(x, n, D, H));
  return { label: 'T_eff = tr(HΣ)/D of SGD', measured: q.mean, se: q.se, exact };
}

/** A sample's variance of coordinate d, with its standard error from the sample's fourth moment: √((m₄ − s⁴)/n). */
function varianceWithError(x: ArrayLike<number>, n: number, D: number, d: number): { mean: number; se: number } {
  const Q = Array.from({ length: D }, (_, a) => Array.from({ length: D }, (_, b) => (a === d && b === d ? D : 0)));
  return meanWithError(quadraticForm(x, n, D, Q));
}

/**
 * SGLD on the Bayesian regression: the sample's variance of the intercept x against the exact stationary variance
 * of the SGLD recursion at the run's step, batch and T (src/stats/sgld.ts), which tends to the posterior's T·(H⁻¹)ₓₓ as h → 0.
 */
export async function sgldKey(sim: Simulation): Promise<KeyNumber | null> {
  const problem = regressionOf(sim);
  const batch = sim.spec.batch;
  const h = sim.spec.dt;
  const T = constantT(sim);
  if (!problem || !batch?.replace || typeof h !== 'number' || T === undefined || sim.step === 0) return null;
  const exact = sgldStationaryMoments(problem, h, batch.size, T).covariance[0][0];
  const { x, n, D } = await sample(sim);
  const v = varianceWithError(x, n, D, 0);
  return { label: 'Var(intercept) under SGLD', measured: v.mean, se: v.se, exact };
}

/** A Metropolis sampler (MALA, HMC) on a separable quadratic: the sample's variance of x against the exact Boltzmann T/k_x. */
export async function exactSamplerKey(sim: Simulation): Promise<KeyNumber | null> {
  const k = curvatures(sim);
  const T = constantT(sim);
  if (!k || T === undefined || sim.step === 0) return null;
  const { x, n, D } = await sample(sim);
  const v = varianceWithError(x, n, D, 0);
  return { label: `Var(x) under ${sim.spec.integrator.toUpperCase()}`, measured: v.mean, se: v.se, exact: T / k[0] };
}

/**
 * Jarzynski's −T ln⟨e^{−W/T}⟩ with its bootstrap standard error, as the demo last read it (`hooks.work`, work.ts),
 * against the exact ΔF of the preset's potential at that step; null before the work has any spread.
 */
export function jarzynskiKey(hooks: DemoHooks): KeyNumber | null {
  const w = hooks.work;
  // no spread (the protocol has not moved yet: W = 0 for every particle): nothing measured
  if (!w || w.deltaF === null || !w.standardError || w.exactDeltaF === undefined) return null;
  return { label: 'ΔF = −T ln⟨e^(−W/T)⟩', measured: w.deltaF, se: w.standardError, exact: w.exactDeltaF };
}

/** The integrators whose first passage is EmPassage's chain: Euler–Maruyama only (LM's noise (ξ_n + ξ_{n+1})/2 makes x_n no Markov chain). */
const CHAIN_INTEGRATORS: Partial<Record<IntegratorName, true>> = { em: true };

/** First-passage chains by (T, h, x0, b): the demo reads the key once a second, and a chain iterates on from its last reading. */
const CHAINS = new Map<string, EmPassage>();
/** chains kept (the oldest is dropped) */
const CHAINS_KEPT = 4;

/** The 1-D chain of x (the preset's separable potential along y = 0, …), or undefined where its grid would be too fine (a small dt). */
function chainFor(sim: Simulation, T: number, h: number, x0: number, b: number): EmPassage | undefined {
  const id = [T, h, x0, b].join();
  let chain = CHAINS.get(id);
  if (chain) return chain;
  const p = new Float64Array(sim.spec.dims);
  const g = new Float64Array(sim.spec.dims);
  const E = (x: number) => ((p[0] = x), sim.potential.energy(p));
  const dE = (x: number) => ((p[0] = x), sim.potential.gradient(p, g), g[0]);
  try {
    chain = new EmPassage(E, dE, T, h, x0, b);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
  if (CHAINS.size >= CHAINS_KEPT) CHAINS.delete(CHAINS.keys().next().value!);
  CHAINS.set(id, chain);
  return chain;
}

/**
 * The mean first-passage time so far, E[min(τ, t)] at t = nh, over the half-plane x ≥ b of the first-passage preset
 * (Euler–Maruyama, the Brownian bridge on, a point start): the engine's restricted mean (`Simulation.kinetics()`:
 * the walkers not yet across counted at t, standard error sd/√N of min(τ, t)) against the exact value of the
 * Euler–Maruyama chain of x at this step size (tourExact.ts EmPassage; x moves independently of y). Once every
 * walker has crossed it is the mean first-passage time itself. Null for any other run, and at step 0.
 */
export async function passageKey(sim: Simulation): Promise<KeyNumber | null> {
  const { spec } = sim;
  const { passage, init } = spec;
  const T = constantT(sim);
  const h = spec.dt;
  const ours = spec.potential.expr === PASSAGE_DEMO.expr && CHAIN_INTEGRATORS[spec.integrator] && !spec.batch && !spec.schedules;
  if (!ours || !passage?.bridge || passage.region.kind !== 'box' || init.kind !== 'point' || T === undefined || typeof h !== 'number')
    return null;
  const { low, high } = passage.region;
  const b = low[0];
  const halfPlane = high[0] === Infinity && low.every((l, d) => d === 0 || l === -Infinity) && high.every((u) => u === Infinity);
  if (!halfPlane || !Number.isFinite(b) || !(init.x[0] < b) || sim.step === 0) return null;
  const chain = chainFor(sim, T, h, init.x[0], b);
  const r = (await sim.kinetics()).passage?.restrictedMean;
  // no spread yet (no walker across): nothing measured
  if (!chain || !r || !r.standardError) return null;
  return {
    label: 'mean first-passage time so far, E[min(τ, t)]',
    measured: r.value,
    se: r.standardError,
    exact: chain.restrictedMean(Math.round(r.horizon / h)),
  };
}
