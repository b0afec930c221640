/**
 * Checks of the float64 references in references.ts, each against something independent:
 * closed forms, high-precision values computed once with scipy/mpmath (commands quoted),
 * or a second derivation (explicit linear forms, limits h → 0, N → ∞, τ → ∞).
 */
import { describe, expect, it } from 'vitest';
import { adaptInterval } from '../../src/stats/quadrature/adaptive.ts';
import { gaussLegendre } from '../../src/stats/quadrature/gaussLegendre.ts';
import {
  draggedTrapMeanWork,
  draggedTrapMeanWorkEM,
  draggedTrapWorkVariance,
  draggedTrapWorkVarianceEM,
  freeSurvival,
  kramersRate,
  logPartition1D,
  mfptExact,
  stiffnessDeltaF,
  stiffnessQuasiStaticWorkEM,
  stiffnessRampMeanWork,
  stiffnessRampMeanWorkEM,
  suddenSwitch,
  symmetricDoubleWell,
} from './references.ts';

const rel = (x: number, ref: number): number => Math.abs(x - ref) / Math.abs(ref);

/** ∫_a^b f, adaptive 8/16-node Gauss–Legendre to 1e-15 absolute (for O(1) integrals; independent of mfptExact's setup). */
function quad(f: (x: number) => number, a: number, b: number): number {
  return adaptInterval(f, gaussLegendre(8), gaussLegendre(16), a, b, 1e-15, 1e-14, 0, 2, 40, { err: 0, maxW: 0 });
}

/*
 * MFPT reference values: scipy dblquad of (1/T) e^{(E(y) − E(z))/T} over L < z < y, x0 < y < b,
 * cross-checked with mpmath (30 digits) on (−∞, y] split at the extrema; both agree to ≤ 1e-15:
 *
 * python3 -c "
 * import numpy as np, mpmath as mp; from scipy import integrate; mp.mp.dps = 30
 * def sp(E,T,x0,b,L): return integrate.dblquad(lambda z,y: np.exp((E(y)-E(z))/T)/T, x0, b, lambda y: L, lambda y: y, epsabs=0, epsrel=1e-13)[0]
 * def mq(E,T,x0,b,pts): return mp.quad(lambda y: mp.exp(E(y)/T)*mp.quad(lambda z: mp.exp(-E(z)/T), [-mp.inf]+[p for p in pts if p<y]+[y])/T, [x0]+[p for p in pts if x0<p<b]+[b])
 * h = lambda x: x*x/2; dw = lambda x: 5*(x*x-1)**2; dw12 = lambda x: 12*(x*x-1)**2
 * print(sp(h,1.0,0.0,1.0,-40), mq(h,1,0,1,[0]))                      # 2.0934066496783217  2.09340664967832180692016181125
 * print(sp(h,0.5,-1.0,1.5,-40), mq(h,mp.mpf('0.5'),-1,mp.mpf('1.5'),[0]))  # 14.075402623816117 14.0754026238161158828355984327
 * print(sp(dw,1.0,-1.0,0.0,-4), mq(dw,1,-1,0,[-1,0,1]))              # 18.095187975046223 18.0951879750462182775592123213
 * print(sp(dw,1.0,-1.0,1.0,-4), mq(dw,1,-1,1,[-1,0,1]))              # 36.48353459711614  36.483534597116139940927106335
 * print(mq(dw12,1,-1,1,[-1,0,1]))                                    # 15593.3200639445498500001433641
 * "
 */
describe('mfptExact', () => {
  it('free diffusion with a reflecting wall at 0: (b² − x0²)/(2T)', () => {
    expect(
      rel(
        mfptExact(() => 0, 1, 0, 1, 0),
        0.5,
      ),
    ).toBeLessThan(1e-12);
    expect(
      rel(
        mfptExact(() => 0, 0.7, 0, 2, 0),
        4 / 1.4,
      ),
    ).toBeLessThan(1e-12);
    expect(
      rel(
        mfptExact(() => 0, 2, 0.5, 3, 0),
        (9 - 0.25) / 4,
      ),
    ).toBeLessThan(1e-12);
  });

  it('linear force with a wall at 0: (1/F)[(T/F)(e^{Fb/T} − e^{Fx0/T}) − (b − x0)]', () => {
    const F = 1.3;
    const T = 0.6;
    const [x0, b] = [0.2, 2.5];
    const exact = ((T / F) * (Math.exp((F * b) / T) - Math.exp((F * x0) / T)) - (b - x0)) / F;
    expect(
      rel(
        mfptExact((x) => F * x, T, x0, b, 0),
        exact,
      ),
    ).toBeLessThan(1e-11);
  });

  it('harmonic E = x²/2 against scipy/mpmath', () => {
    const E = (x: number): number => (x * x) / 2;
    expect(rel(mfptExact(E, 1, 0, 1), 2.0934066496783218)).toBeLessThan(1e-11);
    expect(rel(mfptExact(E, 0.5, -1, 1.5), 14.075402623816116)).toBeLessThan(1e-11);
  });

  it('double well, barrier/T = 5, against scipy/mpmath', () => {
    const dw = symmetricDoubleWell(1, 5);
    expect(rel(mfptExact(dw.E, 1, -1, 0), 18.09518797504622)).toBeLessThan(1e-9);
    expect(rel(mfptExact(dw.E, 1, -1, 1), 36.48353459711614)).toBeLessThan(1e-9);
    // scaling check: E(x; a) = E(x/a; 1) ⇒ times scale by a²
    const dw2 = symmetricDoubleWell(2, 5);
    expect(rel(mfptExact(dw2.E, 1, -2, 2), 4 * 36.48353459711614)).toBeLessThan(1e-9);
  });

  it('large barriers: 1/kramersRate with relative correction O(T/ΔE)', () => {
    const ratio = (barrier: number): number => {
      const dw = symmetricDoubleWell(1, barrier);
      const tau = mfptExact(dw.E, 1, -1, 1);
      if (barrier === 12) expect(rel(tau, 15593.32006394455)).toBeLessThan(1e-9); // mpmath, above
      return tau * kramersRate(dw.Emin2, dw.Esaddle2, dw.barrier, 1);
    };
    const r12 = ratio(12); // 1.0351
    const r30 = ratio(30); // 1.0130
    expect(Math.abs(r12 - 1)).toBeLessThan(0.05);
    expect(Math.abs(r30 - 1)).toBeLessThan(0.02);
    // 1 + c·T/ΔE with the same c ≈ 0.4 at both barriers
    expect(rel((r30 - 1) * 30, (r12 - 1) * 12)).toBeLessThan(0.1);
  });

  it('returns 0 at or past the threshold and refuses a non-confining potential', () => {
    expect(mfptExact((x) => x * x, 1, 2, 1)).toBe(0);
    expect(() => mfptExact(() => 0, 1, 0, 1)).toThrow(/infinite/);
  });
});

describe('kramersRate and symmetricDoubleWell', () => {
  it('curvatures of the double well by finite differences, and the rate formula', () => {
    const dw = symmetricDoubleWell(1.7, 3.2);
    const d2 = (x: number, e = 1e-4): number => (dw.E(x + e) - 2 * dw.E(x) + dw.E(x - e)) / (e * e);
    expect(rel(d2(1.7), dw.Emin2)).toBeLessThan(1e-6);
    expect(rel(d2(-1.7), dw.Emin2)).toBeLessThan(1e-6);
    expect(rel(-d2(0), dw.Esaddle2)).toBeLessThan(1e-6);
    expect(dw.E(1.7)).toBe(0);
    expect(dw.E(0)).toBe(3.2);
    expect(rel(dw.dE(0.9), (dw.E(0.9 + 1e-6) - dw.E(0.9 - 1e-6)) / 2e-6)).toBeLessThan(1e-8);
    expect(rel(kramersRate(8, 4, 5, 1), (Math.sqrt(32) / (2 * Math.PI)) * Math.exp(-5))).toBeLessThan(1e-15);
  });
});

/*
 * python3 -c "
 * import numpy as np; from scipy import special
 * for b,T,t in [(1.0,1.0,0.1),(1.0,0.5,2.0),(2.0,1.0,0.05),(0.3,2.0,10.0)]: print(repr(special.erf(b/np.sqrt(4*T*t))))"
 * → 0.9746526813225317, 0.5204998778130465, 0.9999999997460371, 0.03783279999859267
 */
describe('freeSurvival', () => {
  it('matches scipy.special.erf', () => {
    const cases: [number, number, number, number][] = [
      [1, 1, 0.1, 0.9746526813225317],
      [1, 0.5, 2, 0.5204998778130465],
      [2, 1, 0.05, 0.9999999997460371],
      [0.3, 2, 10, 0.03783279999859267],
    ];
    for (const [b, T, t, ref] of cases) expect(rel(freeSurvival(b, T, t), ref)).toBeLessThan(1e-14);
    expect(freeSurvival(1, 1, 0)).toBe(1);
  });

  it('equals the integral of the method-of-images density', () => {
    // S(t) = ∫_{−∞}^{b} [G(x, t) − G(x − 2b, t)] dx, G the heat kernel with D = T
    const [b, T, t] = [1.3, 0.8, 0.4];
    const G = (x: number): number => Math.exp(-(x * x) / (4 * T * t)) / Math.sqrt(4 * Math.PI * T * t);
    const lo = -b - 40 * Math.sqrt(T * t);
    expect(Math.abs(quad((x) => G(x) - G(x - 2 * b), lo, b) - freeSurvival(b, T, t))).toBeLessThan(1e-13);
  });
});

describe('harmonic trap: stiffness switch', () => {
  it('suddenSwitch moments against 1-D/2-D quadrature over the Boltzmann density, and Jarzynski', () => {
    const [T, k0, k1] = [0.7, 1.5, 4];
    // D = 1: x ~ N(0, T/k0), W = ((k1 − k0)/2) x²
    const sd = Math.sqrt(T / k0);
    const p = (x: number): number => Math.exp(-(x * x) / (2 * sd * sd)) / Math.sqrt(2 * Math.PI * sd * sd);
    const W = (x: number): number => ((k1 - k0) / 2) * x * x;
    const L = 40 * sd;
    const m1 = quad((x) => p(x) * W(x), -L, L);
    const m2 = quad((x) => p(x) * W(x) ** 2, -L, L);
    const me = quad((x) => p(x) * Math.exp(-W(x) / T), -L, L);
    const s1 = suddenSwitch(1, T, k0, k1);
    expect(rel(s1.meanWork, m1)).toBeLessThan(1e-12);
    expect(rel(s1.workVariance, m2 - m1 * m1)).toBeLessThan(1e-11);
    expect(rel(s1.meanExp, me)).toBeLessThan(1e-12);
    // D = 2: r² = |x|² ~ Exp(mean 2T/k0), density (k0/2T) e^{−k0 r²/2T} in u = r²
    const q = (u: number): number => (k0 / (2 * T)) * Math.exp(-(k0 * u) / (2 * T));
    const U = 200 * (T / k0);
    const s2 = suddenSwitch(2, T, k0, k1);
    const n1 = quad((u) => q(u) * ((k1 - k0) / 2) * u, 0, U);
    const n2 = quad((u) => q(u) * (((k1 - k0) / 2) * u) ** 2, 0, U);
    expect(rel(s2.meanWork, n1)).toBeLessThan(1e-12);
    expect(rel(s2.workVariance, n2 - n1 * n1)).toBeLessThan(1e-11);
    for (const D of [1, 2, 3])
      expect(rel(suddenSwitch(D, T, k0, k1).meanExp, Math.exp(-stiffnessDeltaF(D, T, k0, k1) / T))).toBeLessThan(1e-14);
  });

  it('EM ramp with N = 1 is the sudden switch exactly', () => {
    for (const D of [1, 3]) {
      expect(rel(stiffnessRampMeanWorkEM(D, 1.2, 1, 4, 0.1, 1), suddenSwitch(D, 1.2, 1, 4).meanWork)).toBeLessThan(1e-15);
      expect(rel(stiffnessRampMeanWorkEM(D, 0.5, 3, 1, 0.01, 1), suddenSwitch(D, 0.5, 3, 1).meanWork)).toBeLessThan(1e-15);
    }
  });

  it('EM ramp at fixed h → its quasi-static limit ΔF + (DT/2) ln((1 − hk0/2)/(1 − hk1/2)) with error ∝ 1/N', () => {
    const [D, T, k0, k1, h] = [3, 1, 1, 4, 0.05];
    const qs = stiffnessQuasiStaticWorkEM(D, T, k0, k1, h);
    const e1 = stiffnessRampMeanWorkEM(D, T, k0, k1, h, 2000) - qs;
    const e2 = stiffnessRampMeanWorkEM(D, T, k0, k1, h, 20000) - qs;
    expect(e1).toBeGreaterThan(0); // dissipated work
    expect(rel(e1 / e2, 10)).toBeLessThan(0.05);
    expect(qs - stiffnessDeltaF(D, T, k0, k1)).toBeGreaterThan(0.05); // the O(h) EM bias is real
  });

  it('EM ramp → continuous (RK4) ramp as h → 0 with O(h) error; continuous → ΔF as τ → ∞ with excess ∝ 1/τ', () => {
    const [D, T, k0, k1] = [3, 1, 1, 4];
    const tau = 10;
    const c = stiffnessRampMeanWork(D, T, k0, k1, tau);
    const err = (h: number): number => stiffnessRampMeanWorkEM(D, T, k0, k1, h, Math.round(tau / h)) - c;
    const [ea, eb, ec] = [err(0.01), err(0.005), err(0.0025)];
    expect(rel(ea / eb, 2)).toBeLessThan(0.03);
    expect(rel(eb / ec, 2)).toBeLessThan(0.02);
    const dF = stiffnessDeltaF(D, T, k0, k1);
    const x10 = (c - dF) * 10;
    const x100 = (stiffnessRampMeanWork(D, T, k0, k1, 100) - dF) * 100;
    expect(c - dF).toBeGreaterThan(0);
    expect(rel(x100, x10)).toBeLessThan(0.1);
    // τ → 0: the continuous ramp becomes the sudden switch
    expect(rel(stiffnessRampMeanWork(D, T, k0, k1, 1e-6), suddenSwitch(D, T, k0, k1).meanWork)).toBeLessThan(1e-5);
  });
});

describe('harmonic trap: dragged centre', () => {
  /** W_N of the EM drag as an explicit affine form in (y_0, ξ_0, …, ξ_{N−1}): [constant, coefficients]. */
  function explicitWork(k: number, v: number, h: number, N: number, T: number): { c: number; g: Float64Array } {
    const a = 1 - h * k;
    const d = v * h;
    const sig = Math.sqrt(2 * h * T);
    let yc = 0; // ⟨y_0⟩ = 0
    let yg = new Float64Array(N + 1);
    yg[0] = 1; // y_0 itself
    let Wc = 0;
    const Wg = new Float64Array(N + 1);
    for (let n = 0; n < N; n++) {
      Wc += 0.5 * k * d * d - k * d * yc;
      for (let j = 0; j <= N; j++) Wg[j] -= k * d * yg[j];
      const ng = new Float64Array(N + 1);
      for (let j = 0; j <= N; j++) ng[j] = a * yg[j];
      ng[n + 1] += sig; // ξ_n
      yc = a * (yc - d);
      yg = ng;
    }
    return { c: Wc, g: Wg };
  }

  it('EM mean and variance recursions match the explicit linear form of W', () => {
    const [k, v, h, N, T] = [2, 1.5, 0.03, 150, 0.8];
    const { c, g } = explicitWork(k, v, h, N, T);
    for (const s0 of [T / k, T / (k * (1 - (h * k) / 2))]) {
      let varW = s0 * g[0] * g[0];
      for (let j = 1; j <= N; j++) varW += g[j] * g[j];
      expect(rel(draggedTrapWorkVarianceEM(k, v, h, N, T, s0), varW)).toBeLessThan(1e-12);
    }
    expect(rel(draggedTrapMeanWorkEM(k, v, h, N, T), c)).toBeLessThan(1e-12);
  });

  it('EM mean and variance → continuous ⟨W⟩ and 2T⟨W⟩ as h → 0, errors halving with h', () => {
    const [k, v, tau, T] = [2, 1.5, 3, 0.9];
    const W = draggedTrapMeanWork(k, v, tau);
    const V = draggedTrapWorkVariance(k, v, tau, T);
    expect(V).toBe(2 * T * W);
    const em = (h: number): [number, number] => {
      const N = Math.round(tau / h);
      return [draggedTrapMeanWorkEM(k, v, h, N, T) - W, draggedTrapWorkVarianceEM(k, v, h, N, T) - V];
    };
    const [[m1, v1], [m2, v2], [m3, v3]] = [em(0.01), em(0.005), em(0.0025)];
    expect(rel(m1 / m2, 2)).toBeLessThan(0.01);
    expect(rel(m2 / m3, 2)).toBeLessThan(0.01);
    expect(rel(v1 / v2, 2)).toBeLessThan(0.02);
    expect(rel(v2 / v3, 2)).toBeLessThan(0.01);
    expect(Math.abs(m3 / W)).toBeLessThan(0.01);
  });

  it('continuous ⟨W⟩: slow-drag and short-time limits, friction scaling', () => {
    const [k, v] = [2, 1.5];
    // τ ≫ 1/k: steady lag v/k, ⟨W⟩ → v²(τ − 1/k)
    expect(rel(draggedTrapMeanWork(k, v, 50), v * v * (50 - 1 / k))).toBeLessThan(1e-14);
    // τ ≪ 1/k: ⟨W⟩ ≈ k v² τ²/2
    expect(rel(draggedTrapMeanWork(k, v, 1e-5), (k * v * v * 1e-10) / 2)).toBeLessThan(1e-4);
    // γ dx = −k y dt is friction 1 with k/γ, and W = γ·(k/γ)∫(−v y) dt
    const g = 2.5;
    expect(rel(draggedTrapMeanWork(k, v, 1.7, g), g * draggedTrapMeanWork(k / g, v, 1.7))).toBeLessThan(1e-14);
  });
});

describe('logPartition1D', () => {
  it('gives the Gaussian integral of a harmonic well, ln √(2πT/k), and the quartic integral', () => {
    for (const [k, T, c] of [
      [1, 1, 0],
      [4, 0.3, 2.5],
      [0.01, 2, -40],
    ])
      expect(logPartition1D((x) => (k / 2) * (x - c) ** 2, T, 0)).toBeCloseTo(0.5 * Math.log((2 * Math.PI * T) / k), 10);
    // ∫ e^{−x⁴} dx = 2Γ(5/4) = 1.8128049541109541 (scipy.special.gamma(1.25)*2)
    expect(logPartition1D((x) => x ** 4, 1)).toBeCloseTo(Math.log(1.8128049541109541), 10);
  });
});
