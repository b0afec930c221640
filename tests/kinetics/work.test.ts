/**
 * Work under parameter schedules (spec `potential.params` schedules, `protocol`, result `work`) against exact
 * references (tests/kinetics/references.ts), CPU backend, fixed seeds. Tolerances are 5 standard errors of the
 * quantity tested plus any deterministic bias, each derived where it is used.
 *
 * Units: k_B = 1, friction 1 (em), friction γ = 1 and mass 1 (baoab); energies and work in the units of E.
 * The discrete process is what the references describe: step n switches λ_n → λ_{n+1} at fixed x_n, adding
 * E(x_n; λ_{n+1}) − E(x_n; λ_n) to W, then moves under λ_{n+1}. So the em and baoab references are exact for the
 * chains the engine runs (no O(h) allowance is needed when comparing with them); the continuum values (ΔF) are
 * compared with the discretisation bias the exact chain references put on them.
 *
 * Jarzynski's estimator ΔF̂ = −T ln(mean e^{−W/T}) is biased at finite n by ≈ T·Var(e^{−W/T})/(2n⟨e^{−W/T}⟩²)
 * = deltaMethodError²/(2T) (second-order delta method): it is added to every Jarzynski tolerance (it is ≲ 1e-4 here).
 */
import { describe, expect, it } from 'vitest';
import { runAndRead } from '../support.ts';
import { crooksAnalysis } from '../../src/stats/crooks.ts';
import type { WorkSection } from '../../src/run/sections.ts';
import {
  draggedTrapMeanWorkEM,
  draggedTrapWorkVarianceEM,
  stiffnessDeltaF,
  stiffnessRampBAOAB,
  stiffnessRampJarzynskiEM,
  stiffnessRampMeanWorkEM,
  suddenSwitch,
} from './references.ts';

/** A CPU run's result and final positions (tests/support.ts). */
const run = (spec: Record<string, unknown>) => runAndRead(spec, 'cpu');

async function workOf(spec: Record<string, unknown>): Promise<WorkSection> {
  const { result } = await run(spec);
  expect(result.work).toBeDefined();
  expect(result.work!.nonFinite).toBe(0);
  return result.work!;
}

/** |ΔF̂ − ref| is within 5 bootstrap SE plus the estimator's own bias deltaMethodError²/(2T). */
function expectJarzynski(w: WorkSection, ref: number, extra = 0): void {
  const j = w.jarzynski!;
  expect(j.replicates).toBe(32);
  const bias = j.deltaMethodError! ** 2 / (2 * w.temperature);
  expect(Math.abs(j.deltaF - ref), `ΔF̂ = ${j.deltaF} ± ${j.standardError} vs ${ref}`).toBeLessThan(5 * j.standardError! + bias + extra);
}

/** Standard error of the sample variance of n Gaussian samples of variance v (tests/support.ts varianceSE). */
const varianceSE = (v: number, n: number) => v * Math.sqrt(2 / (n - 1));

describe('the chain references added to references.ts', () => {
  it('EM Jarzynski: N = 1 is exact; N = 2 equals the explicit 2 × 2 Gaussian determinant; O(h) as h → 0', () => {
    const dF = stiffnessDeltaF(2, 1, 1, 4);
    expect(Math.abs(stiffnessRampJarzynskiEM(2, 1, 1, 4, 0.3, 1) - dF)).toBeLessThan(1e-14);
    // N = 2, D = 1: W/T = c0 x0² + c1 x1², x0 = √s0 u, x1 = a1 x0 + σξ (u, ξ standard normal):
    // W/T = (u, ξ) P (u, ξ)ᵀ and ⟨e^{−W/T}⟩ = det(I + 2P)^{−1/2}
    const [T, k0, k1, h] = [0.7, 1.5, 3.5, 0.1];
    const km = (k0 + k1) / 2;
    const [s0, a1, sig] = [T / k0, 1 - h * km, Math.sqrt(2 * h * T)];
    const [c0, c1] = [(km - k0) / (2 * T), (k1 - km) / (2 * T)];
    const P = [c0 * s0 + c1 * a1 * a1 * s0, c1 * a1 * Math.sqrt(s0) * sig, c1 * sig * sig];
    const det = (1 + 2 * P[0]) * (1 + 2 * P[2]) - 4 * P[1] * P[1];
    expect(Math.abs(stiffnessRampJarzynskiEM(1, T, k0, k1, h, 2) - 0.5 * T * Math.log(det))).toBeLessThan(1e-14);
    // τ = 1 fixed, h → 0: the excess over ΔF halves with h
    const ex = (hh: number) => stiffnessRampJarzynskiEM(2, 1, 1, 4, hh, Math.round(1 / hh)) - dF;
    expect(Math.abs(ex(0.002) / ex(0.001) - 2)).toBeLessThan(0.01);
  });

  it('BAOAB ramp: N = 1 is the sudden switch; the quasi-static limit is ΔF exactly; Jarzynski is O(h²)', () => {
    const s = stiffnessRampBAOAB(2, 1, 1, 4, 0.05, 1);
    expect(s.meanWork).toBeCloseTo(suddenSwitch(2, 1, 1, 4).meanWork, 13);
    expect(Math.abs(s.jarzynski - stiffnessDeltaF(2, 1, 1, 4))).toBeLessThan(1e-14);
    // BAOAB samples a harmonic trap's positions exactly: ⟨W⟩ = ΔF + c/N (dissipation); Richardson in N
    const dF = stiffnessDeltaF(1, 0.8, 2, 5);
    const [wa, wb] = [stiffnessRampBAOAB(1, 0.8, 2, 5, 0.1, 100000).meanWork, stiffnessRampBAOAB(1, 0.8, 2, 5, 0.1, 200000).meanWork];
    expect(Math.abs(2 * wb - wa - dF)).toBeLessThan(1e-7);
    expect(wa - dF).toBeGreaterThan(1e-5);
    // at τ = 1 the Jarzynski bias of BAOAB is O(h²): quarters when h halves
    const jz = (hh: number) => stiffnessRampBAOAB(2, 1, 1, 4, hh, Math.round(1 / hh)).jarzynski - stiffnessDeltaF(2, 1, 1, 4);
    expect(Math.abs(jz(0.02) / jz(0.01) - 4)).toBeLessThan(0.1);
  });
});

describe('stiffness ramp k0 → k1 of a harmonic trap (linear schedule)', () => {
  const [T, k0, k1] = [1, 1, 4];

  it('em, D = 2: ⟨W⟩ exact for the chain (both directions), Jarzynski → ΔF, BAR → ΔF', async () => {
    /*
     * h = 0.002, N = 500 steps (τ = 1), n = 65536 walkers each way, from the Boltzmann distribution of the start
     * (normal, std √(T/k)): SE⟨W⟩ ≈ 0.005 forward, 0.0025 reverse; bootstrap SE of ΔF̂ ≈ 0.003.
     * EM's kernel leaves N(0, T/(k(1 − hk/2))) invariant, not the Boltzmann law, so Jarzynski's average of the
     * chain is stiffnessRampJarzynskiEM = ΔF + 0.0016 here (O(h); ≈ 0.5 SE) — compared with that exactly, and with
     * ΔF within 5 SE plus that bias. BAR pools both directions: its bias lies within the two directions' chain
     * biases (forward +0.0016, reverse −(−ΔF_J^R) − ΔF = +0.0045), so its tolerance is 5 barError plus the larger;
     * its histogram-binning error O(width²/T) with width ≤ T/64 is < 1e-4.
     */
    const [D, h, N, n] = [2, 0.002, 500, 65536];
    const spec = (protocol: 'forward' | 'reverse') => ({
      dims: D,
      particles: n,
      potential: { expr: 'k*(x^2 + y^2)/2', params: { k: { schedule: 'linear', from: k0, to: k1 } } },
      integrator: 'em',
      dt: h,
      temperature: T,
      steps: N,
      seed: 5,
      protocol,
      init: { kind: 'normal', mean: [0, 0], std: Math.sqrt(T / (protocol === 'forward' ? k0 : k1)) },
    });
    const [fw, rv] = await Promise.all([workOf(spec('forward')), workOf(spec('reverse'))]);
    expect([fw.protocol, rv.protocol, fw.particles, fw.temperature]).toEqual(['forward', 'reverse', n, T]);
    const dF = stiffnessDeltaF(D, T, k0, k1);
    // mean work: exact for the EM chain
    const meanF = stiffnessRampMeanWorkEM(D, T, k0, k1, h, N);
    const meanR = stiffnessRampMeanWorkEM(D, T, k1, k0, h, N);
    expect(Math.abs(fw.mean! - meanF)).toBeLessThan(5 * fw.standardError!);
    expect(Math.abs(rv.mean! - meanR)).toBeLessThan(5 * rv.standardError!);
    // Jarzynski: exact for the chain, and ΔF up to the chain's O(h) bias
    const jzF = stiffnessRampJarzynskiEM(D, T, k0, k1, h, N);
    const jzR = -stiffnessRampJarzynskiEM(D, T, k1, k0, h, N); // the reverse chain's estimate of ΔF, negated back
    expectJarzynski(fw, jzF);
    expectJarzynski(fw, dF, Math.abs(jzF - dF));
    expect(Math.abs(-rv.jarzynski!.deltaF - jzR)).toBeLessThan(
      5 * rv.jarzynski!.standardError! + rv.jarzynski!.deltaMethodError! ** 2 / (2 * T),
    );
    // BAR from both directions
    const c = crooksAnalysis(fw, rv, T);
    expect(c.deltaF.bar).not.toBeNull();
    expect(Math.abs(c.deltaF.bar! - dF)).toBeLessThan(5 * c.deltaF.barError! + Math.max(Math.abs(jzF - dF), Math.abs(jzR - dF)));
    expect(c.deltaF.barError!).toBeLessThan(0.005);
  });

  it('baoab, D = 1: ⟨W⟩ and Jarzynski exact for the chain; BAR and work.reference → ΔF', async () => {
    /*
     * h = 0.01, N = 100 (τ = 1), γ = 1, n = 16384 each way (the kinetics path of baoab is the float64 reference
     * step, ~2·10^6 particle-steps/s): SE⟨W⟩ ≈ 0.013, SE ΔF̂ ≈ 0.006. Start: positions N(0, T/k), velocities
     * thermal N(0, T) (the default), i.e. the Boltzmann law of the start. The BAOAB chain's Jarzynski average
     * differs from ΔF by O(h²) (8e-6 here: stiffnessRampBAOAB), so ΔF is the reference for BAR directly.
     */
    const [D, h, N, n] = [1, 0.01, 100, 16384];
    const spec = (protocol: 'forward' | 'reverse') => ({
      dims: D,
      particles: n,
      potential: { expr: 'k*x^2/2', params: { k: { schedule: 'linear', from: k0, to: k1 } } },
      integrator: 'baoab',
      dt: h,
      temperature: T,
      steps: N,
      seed: 8,
      protocol,
      init: { kind: 'normal', mean: [0], std: Math.sqrt(T / (protocol === 'forward' ? k0 : k1)) },
    });
    const [fw, rv] = await Promise.all([workOf(spec('forward')), workOf(spec('reverse'))]);
    const dF = stiffnessDeltaF(D, T, k0, k1);
    // the engine's own 1-D quadrature of ΔF
    expect(Math.abs(fw.reference!.deltaF / dF - 1)).toBeLessThan(1e-9);
    expect(Math.abs(rv.reference!.deltaF / -dF - 1)).toBeLessThan(1e-9);
    const refF = stiffnessRampBAOAB(D, T, k0, k1, h, N);
    const refR = stiffnessRampBAOAB(D, T, k1, k0, h, N);
    expect(Math.abs(fw.mean! - refF.meanWork)).toBeLessThan(5 * fw.standardError!);
    expect(Math.abs(rv.mean! - refR.meanWork)).toBeLessThan(5 * rv.standardError!);
    expectJarzynski(fw, refF.jarzynski);
    expect(Math.abs(refF.jarzynski - dF)).toBeLessThan(1e-4);
    const c = crooksAnalysis(fw, rv, T);
    expect(Math.abs(c.deltaF.bar! - dF)).toBeLessThan(
      5 * c.deltaF.barError! + Math.abs(refF.jarzynski - dF) + Math.abs(refR.jarzynski + dF),
    );
  });
});

describe('sudden switch: one step of a linear schedule k0 → k1', () => {
  it('⟨W⟩, Var W and ⟨e^{−W/T}⟩ of W = ((k1 − k0)/2)|x_0|² over the Boltzmann start (D = 2)', async () => {
    /*
     * steps = 1: λ_0 = k0, λ_1 = k1 and W = ((k1 − k0)/2)|x_0|² with x_0 ~ N(0, T/k0 · I) (the init): exact for any
     * integrator and h (this checks the switch and its accumulation alone). W = c·χ²_2, c = T(k1 − k0)/(2k0) = 1:
     * ⟨W⟩ = 2, Var W = 4, SE of the sample variance √((μ4 − σ⁴)/n) = c²√((8D² + 48D)/n) (central moments of χ²_D).
     * n = 131072: SE⟨W⟩ = 0.0055, SE(Var) = 0.031, SE ΔF̂ ≈ 0.0025.
     */
    const [D, T, k0, k1, n] = [2, 1, 1, 3, 131072];
    const w = await workOf({
      dims: D,
      particles: n,
      potential: { expr: 'k*(x^2 + y^2)/2', params: { k: { schedule: 'linear', from: k0, to: k1 } } },
      integrator: 'em',
      dt: 0.01,
      temperature: T,
      steps: 1,
      seed: 12,
      init: { kind: 'normal', mean: [0, 0], std: Math.sqrt(T / k0) },
    });
    const s = suddenSwitch(D, T, k0, k1);
    expect(Math.abs(w.mean! - s.meanWork)).toBeLessThan(5 * w.standardError!);
    const c = (T * (k1 - k0)) / (2 * k0);
    expect(Math.abs(w.variance! - s.workVariance)).toBeLessThan(5 * c * c * Math.sqrt((8 * D * D + 48 * D) / n));
    // Jarzynski: −T ln⟨e^{−W/T}⟩ = −T ln (k0/k1)^{D/2} = ΔF exactly
    expect(Math.abs(-T * Math.log(s.meanExp) - stiffnessDeltaF(D, T, k0, k1))).toBeLessThan(1e-14);
    expectJarzynski(w, -T * Math.log(s.meanExp));
    // the histogram holds every walker, from W = 0 up
    expect(w.histogram.counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect(w.fine.counts.reduce((a, b) => a + b, 0)).toBe(n);
    expect(w.fine.low).toBe(0);
  });
});

describe('dragged trap E = k(x − c)²/2, c: linear from 0 to vτ (em)', () => {
  it('ΔF = 0; ⟨W⟩ and Var W exact for the chain; Jarzynski; Crooks slope 1/T; BAR', async () => {
    /*
     * k = 2, v = 1, τ = 1 (h = 0.01, N = 100), T = 1, n = 65536 each way. The EM work is a linear functional of
     * Gaussians, hence Gaussian with mean μ_h = draggedTrapMeanWorkEM = 0.572 and variance V_h =
     * draggedTrapWorkVarianceEM (start in the Boltzmann law, variance T/k) = 1.135: SE⟨W⟩ = 0.0042,
     * SE(Var) = V√(2/(n−1)) = 0.0063. Exactly, then, for the chain:
     *   −T ln⟨e^{−W/T}⟩ = μ_h − V_h/(2T) = ΔF + O(h) (ΔF = 0; here −0.0035, below 1 SE of ΔF̂),
     *   ln(P_F(W)/P_R(−W)) = 2μ_h W/V_h (the reverse drag, from the Boltzmann law at vτ, has the same law of W
     *   by reflection), so the Crooks slope of the chain is 2μ_h/V_h = 1/T + O(h) (here 1.0078, vs slopeError ≈ 0.01).
     */
    const [k, v, tau, T, h, n] = [2, 1, 1, 1, 0.01, 65536];
    const N = Math.round(tau / h);
    const spec = (protocol: 'forward' | 'reverse') => ({
      dims: 1,
      particles: n,
      potential: { expr: 'k*(x - c)^2/2', params: { k, c: { schedule: 'linear', from: 0, to: v * tau } } },
      integrator: 'em',
      dt: h,
      temperature: T,
      steps: N,
      seed: 13,
      protocol,
      init: { kind: 'normal', mean: [protocol === 'forward' ? 0 : v * tau], std: Math.sqrt(T / k) },
    });
    const [fw, rv] = await Promise.all([workOf(spec('forward')), workOf(spec('reverse'))]);
    for (const w of [fw, rv]) expect(Math.abs(w.reference!.deltaF)).toBeLessThan(1e-9);
    const mu = draggedTrapMeanWorkEM(k, v, h, N, T);
    const V = draggedTrapWorkVarianceEM(k, v, h, N, T);
    for (const w of [fw, rv]) {
      expect(Math.abs(w.mean! - mu)).toBeLessThan(5 * w.standardError!);
      expect(Math.abs(w.variance! - V)).toBeLessThan(5 * varianceSE(V, n));
    }
    const jz = mu - V / (2 * T);
    expectJarzynski(fw, jz);
    expectJarzynski(fw, 0, Math.abs(jz));
    const c = crooksAnalysis(fw, rv, T);
    expect(c.crooks).not.toBeNull();
    const slope = (2 * mu) / V;
    expect(Math.abs(c.crooks!.slope - 1 / T)).toBeLessThan(5 * c.crooks!.slopeError + Math.abs(slope - 1 / T));
    expect(Math.abs(c.crooks!.slope - slope)).toBeLessThan(5 * c.crooks!.slopeError);
    expect(c.crooks!.slopeError).toBeLessThan(0.03);
    expect(c.crooks!.expectedSlope).toBe(1 / T);
    // BAR: ΔF = 0 up to the chain's bias (the same |μ_h − V_h/2T| each way by symmetry)
    expect(Math.abs(c.deltaF.bar!)).toBeLessThan(5 * c.deltaF.barError! + Math.abs(jz));
  });
});

describe('init.kind "equilibrium"', () => {
  /*
   * EM on E = k x²/2 is x' = a x + √(2hT) ξ, a = 1 − hk: from a point x_s the law after m steps is
   * N(a^m x_s, s_∞(1 − a^{2m})) with s_∞ = 2hT/(1 − a²) = T/(k(1 − hk/2)), EM's stationary variance.
   * k = 2, h = 0.05, T = 1: a = 0.9, s_∞ = 0.5263 (T/k = 0.5 is 9 SE away with n = 65536: SE(var) = 0.0029);
   * from x_s = 3 after m = 300 steps the mean 3·0.9^300 ≈ 5e-14 and the variance deficit s_∞·0.9^600 are nil.
   */
  const [k, h, T, n] = [2, 0.05, 1, 65536];
  const sInf = (kk: number) => T / (kk * (1 - (h * kk) / 2));

  it('a harmonic trap equilibrated from a point has EM stationary variance T/(k(1 − hk/2)) (steps: 0)', async () => {
    const { positions } = await run({
      dims: 1,
      particles: n,
      potential: { expr: 'k*x^2/2', params: { k } },
      integrator: 'em',
      dt: h,
      temperature: T,
      steps: 0,
      seed: 21,
      init: { kind: 'equilibrium', steps: 300, from: { kind: 'point', x: [3] } },
    });
    let [m, s] = [0, 0];
    for (const x of positions) m += x;
    m /= n;
    for (const x of positions) s += (x - m) ** 2;
    s /= n - 1;
    expect(Math.abs(m)).toBeLessThan(5 * Math.sqrt(sInf(k) / n));
    expect(Math.abs(s - sInf(k))).toBeLessThan(5 * varianceSE(sInf(k), n));
    expect(s - T / k).toBeGreaterThan(5 * varianceSE(sInf(k), n)); // EM's, not Boltzmann's
  });

  it('equilibrates at λ_0 with no work: one switch k0 → k1 after it gives ⟨W⟩ = ((k1 − k0)/2)·s_∞(k0); reverse at k1', async () => {
    /*
     * steps = 1, k: linear 2 → 5. Forward: equilibrium at λ_0 = 2, then W = (3/2) x_0², ⟨W⟩ = 1.5·s_∞(2) = 0.789
     * (equilibrating at 5 would give 0.343; any work during the equilibration would add to it). Reverse: λ^R_0 = 5,
     * W = −(3/2) x_0², ⟨W⟩ = −1.5·s_∞(5) = −0.343. W/1.5 is s_∞·χ²_1: SE⟨W⟩ = 1.5·s_∞·√(2/n).
     */
    const spec = (protocol: 'forward' | 'reverse') => ({
      dims: 1,
      particles: n,
      potential: { expr: 'k*x^2/2', params: { k: { schedule: 'linear', from: 2, to: 5 } } },
      integrator: 'em',
      dt: h,
      temperature: T,
      steps: 1,
      seed: 22,
      protocol,
      init: { kind: 'equilibrium', steps: 300, from: { kind: 'point', x: [3] } },
    });
    const [fw, rv] = await Promise.all([workOf(spec('forward')), workOf(spec('reverse'))]);
    const expectMean = (w: WorkSection, s: number, sign: number) => {
      expect(Math.abs(w.mean! - sign * 1.5 * s)).toBeLessThan(5 * 1.5 * s * Math.sqrt(2 / n));
      expect(Math.abs(w.standardError! / (1.5 * s * Math.sqrt(2 / n)) - 1)).toBeLessThan(0.05);
    };
    expectMean(fw, sInf(2), 1);
    expectMean(rv, sInf(5), -1);
  });
});
