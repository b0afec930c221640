/**
 * The first-passage observer (spec `passage`, result `passage`) against exact references
 * (tests/kinetics/references.ts), CPU backend, fixed seeds. Every tolerance is 5 standard errors of the
 * quantity tested plus any deterministic bias, derived where it is used. Sizes are chosen so the whole file
 * runs in ~30 s on two cores (the em/lm generated kernel does ~2–3·10^7 particle-steps/s here).
 *
 * Units: k_B = 1, friction 1; overdamped dx = −E'(x) dt + √(2T) dW; one em step is dt time units.
 */
import { describe, expect, it } from 'vitest';
import { runAndRead } from '../support.ts';
import type { PassageSection } from '../../src/run/sections.ts';
import { escapeRateExact, freeSurvival, kramersRate, mfptExact, symmetricDoubleWell } from './references.ts';

/** Run on the CPU backend; return the result and the final positions. */
/** A CPU run's result and final positions (tests/support.ts). */
const run = (spec: Record<string, unknown>) => runAndRead(spec, 'cpu');

async function passageOf(spec: Record<string, unknown>): Promise<PassageSection> {
  const { result } = await run(spec);
  expect(result.passage).toBeDefined();
  return result.passage!;
}

/** The mean first-passage time, asserting every walker hit (the MFPT then exists). */
function mfptOf(p: PassageSection): { value: number; se: number } {
  expect(p.hit, 'every walker must hit for an MFPT').toBe(p.particles);
  expect(p.mfpt).not.toBeNull();
  return { value: p.mfpt!.value, se: p.mfpt!.standardError! };
}

describe('escapeRateExact (the rate reference these tests add to references.ts)', () => {
  it('free diffusion with a wall: λ₁ = Tπ²/(4ℓ²); high barrier: λ₁·MFPT → 1 and λ₁/k_Kramers → 1/1.0351', () => {
    // u'' T = −λu on [0, ℓ], u'(0) = 0, u(ℓ) = 0: u = cos(πx/2ℓ)
    for (const [T, l] of [
      [0.7, 2],
      [1.3, 0.5],
    ])
      expect(Math.abs(escapeRateExact(() => 0, T, l, 0) / ((T * Math.PI ** 2) / (4 * l * l)) - 1)).toBeLessThan(1e-9);
    // barrier 12 T: the slow mode dominates the MFPT from the well bottom, λ₁·τ = 1 + O(e^{−ΔE/T}); and
    // references.test.ts gives τ·k_Kramers = 1.0351 (its mpmath value 15593.32006394455 for τ)
    const dw = symmetricDoubleWell(1, 12);
    const lam = escapeRateExact(dw.E, 1, 1, -3);
    expect(Math.abs(lam * 15593.32006394455 - 1)).toBeLessThan(1e-4);
    expect(Math.abs(lam / kramersRate(dw.Emin2, dw.Esaddle2, dw.barrier, 1) - 1 / 1.0351)).toBeLessThan(1e-3);
  });
});

describe('mean first-passage time in a double well, with and without the Brownian bridge', () => {
  /*
   * E = ((x/2)² − 1)² (symmetricDoubleWell(2, 1): minima ±2, barrier 1 at x = 0), T = 1, from x0 = −2 to the
   * half-line x ≥ 0 (the saddle): exact MFPT τ = 5.7434 (mfptExact). The escape rate into x ≥ 0 is
   * λ₁ = 0.187, so by t = 100 a walker survives with probability ~e^{−18.7}: all N = 16384 hit (the MFPT exists).
   * SE of the MFPT ≈ τ/√N ≈ 0.045 (0.8 %).
   *
   * Step sizes h = 0.04 and h/4 = 0.01 (h·E''(±2) = 0.08: EM is well inside its stability range).
   * - bridged: bias c·h + O(h²) (EM's weak error plus the bridge's neglect of the drift within a step).
   *   Richardson τ_R = (4τ(h/4) − τ(h))/3 removes c·h; its SE is √(16 SE(h/4)² + SE(h)²)/3 (independent runs:
   *   the two step sizes use different noise). Measured c ≈ −4 (the bridged MFPT is 2.6 % low at h = 0.04).
   * - no bridge: the discrete check misses excursions beyond 0 within a step, delaying the hit by
   *   a√h (Broadie–Glasserman–Kou: the threshold moves out by 0.5826·√(2Th), so a√h ≈ 0.5826·√(2Th)·τ'(0) = 0.88
   *   at h = 0.04, 15 % of τ).
   * The same seed gives bridged and unbridged runs the same paths (the bridge's uniforms are Philox stream 5,
   * the noise stream 0), and the bridge only adds hits: per walker t_nb ≥ t_br, so the paired difference
   * Δ = τ_nb − τ_br is the mean of d = t_nb − t_br ≥ 0 and has the exact bound
   *   E[d²] ≤ E[d² + 2 t_br d] = E[t_nb²] − E[t_br²]
   * (empirical moments from each run's mean and SE), which gives Δ a standard error without the joint law.
   */
  const dw = symmetricDoubleWell(2, 1);
  const T = 1;
  const N = 16384;
  const exact = mfptExact(dw.E, T, -2, 0);
  const spec = (h: number, bridge: boolean) => ({
    dims: 1,
    particles: N,
    potential: { expr: '(x^2/4 - 1)^2' },
    integrator: 'em',
    dt: h,
    temperature: T,
    steps: Math.round(100 / h),
    seed: 3,
    init: { kind: 'point', x: [-2] },
    passage: { region: { low: [0], high: [null] }, bridge },
  });

  it('bridged MFPT → exact (O(h)); unbridged visibly biased, its bias ∝ √h (ratio 2 from h to h/4)', async () => {
    const h = 0.04;
    const [br1, nb1, br4, nb4] = await Promise.all([
      passageOf(spec(h, true)),
      passageOf(spec(h, false)),
      passageOf(spec(h / 4, true)),
      passageOf(spec(h / 4, false)),
    ]);
    expect(br1.bridge.applied).toBe(true);
    expect(nb1.bridge.applied).toBe(false);
    // the engine's own reference is the same quadrature
    expect(Math.abs(br1.reference!.mfpt / exact - 1)).toBeLessThan(1e-9);
    const [b1, n1, b4, n4] = [br1, nb1, br4, nb4].map(mfptOf);

    // bridged: Richardson extrapolation to h → 0 within 5 of its SE
    const rich = (4 * b4.value - b1.value) / 3;
    const richSE = Math.sqrt(16 * b4.se ** 2 + b1.se ** 2) / 3;
    expect(Math.abs(rich - exact)).toBeLessThan(5 * richSE);
    // …and at h/4 itself: within 5 SE plus the O(h) bias there, estimated as (τ(h) − τ(h/4))/3 (± its own 5 SE)
    const bias4 = (b1.value - b4.value) / 3;
    const bias4SE = Math.hypot(b1.se, b4.se) / 3;
    expect(Math.abs(b4.value - exact)).toBeLessThan(5 * b4.se + Math.abs(bias4) + 5 * bias4SE);

    // the O(h) bias of the bridged runs at h, 4·bias4 (Richardson), with its SE
    const bias1 = 4 * bias4;
    const bias1SE = 4 * bias4SE;
    // bridged at h: consistent with exact given that O(h) bias
    expect(Math.abs(b1.value - exact)).toBeLessThan(5 * Math.hypot(b1.se, bias1SE) + Math.abs(bias1));
    // no bridge at h: above exact by more than 5 SE …
    expect(n1.value - exact).toBeGreaterThan(5 * n1.se);
    // the bridge only adds hits: at every survival point the unbridged survival is at least the bridged one
    for (const [nb, br] of [
      [nb1, br1],
      [nb4, br4],
    ]) {
      expect(nb.survival.steps).toEqual(br.survival.steps);
      nb.survival.S.forEach((S, j) => expect(S).toBeGreaterThanOrEqual(br.survival.S[j]));
    }

    // √h: the paired delay Δ(h) = τ_nb − τ_br, its SE from E[d²] ≤ E[t_nb²] − E[t_br²]
    const paired = (nb: { value: number; se: number }, br: { value: number; se: number }) => {
      const second = (m: { value: number; se: number }) => m.value ** 2 + m.se ** 2 * (N - 1); // empirical E[t²]
      const d2 = second(nb) - second(br);
      return { value: nb.value - br.value, se: Math.sqrt(Math.max(d2, 0) / (N - 1)) };
    };
    const [d1, d4] = [paired(n1, b1), paired(n4, b4)];
    // … and the delay the missing bridge adds is far more than 5 SE plus the whole O(h) bias of the bridged run
    expect(d1.value).toBeGreaterThan(5 * d1.se + Math.abs(bias1) + 5 * bias1SE);
    const ratio = d1.value / d4.value;
    const ratioSE = ratio * Math.hypot(d1.se / d1.value, d4.se / d4.value);
    expect(Math.abs(ratio - 2)).toBeLessThan(5 * ratioSE); // √4 = 2 (an O(h) delay would give 4)
    expect(ratioSE).toBeLessThan(0.4); // the test can tell 2 from 4
  });
});

describe('free diffusion: the survival curve', () => {
  /*
   * E = 0, T = 1, from x = 0 to x ≥ b = 1: S(t) = erf(b/√(4Tt)) (freeSurvival). For free Brownian motion the
   * em step is exact in law at the grid times, and the bridge's crossing probability exp(−d·d'/(T h)) is the
   * exact law of the maximum of the Brownian bridge (reflection principle): the bridged survival has NO
   * discretisation bias at any h, so each point is a binomial proportion: |S − S_exact| ≤ 5·√(S(1 − S)/N).
   * N = 65536: SE ≤ 0.002. Without the bridge, S is biased up by ≈ S'(b)·0.5826·√(2Th) (discrete monitoring):
   * 0.039 at t = 2, h = 0.02, i.e. ~20 SE. As above, bridged and unbridged runs share their paths, so
   * S_nb(t) − S_br(t) is exactly the fraction of walkers with t_br ≤ t < t_nb: a binomial proportion p with
   * SE √(p(1 − p)/N), whose expectation is the unbridged bias; its ratio between h and h/4 must be √4 = 2.
   * Points every 0.1 time units to t = 2 (observe.every sets them).
   */
  const N = 65536;
  const spec = (h: number, bridge: boolean) => ({
    dims: 1,
    particles: N,
    potential: { name: 'free' },
    integrator: 'em',
    dt: h,
    temperature: 1,
    steps: Math.round(2 / h),
    seed: 4,
    init: { kind: 'point', x: [0] },
    passage: { region: { low: [1], high: [null] }, bridge },
    observe: { every: Math.round(0.1 / h) },
  });

  it('bridged S(t) equals erf(b/√(4Tt)) at every trace step within 5 binomial SE; unbridged is biased ∝ √h', async () => {
    const h = 0.02;
    const [br1, nb1, br4, nb4] = await Promise.all([
      passageOf(spec(h, true)),
      passageOf(spec(h, false)),
      passageOf(spec(h / 4, true)),
      passageOf(spec(h / 4, false)),
    ]);
    for (const p of [br1, br4]) {
      expect(p.survival.steps.length).toBe(21);
      expect(p.survival.S[0]).toBe(1);
      p.survival.S.forEach((S, j) => {
        const t = p.survival.time[j];
        expect(t).toBeCloseTo(0.1 * j, 12);
        const e = freeSurvival(1, 1, t);
        expect(Math.abs(S - e), `t = ${t}`).toBeLessThanOrEqual(5 * Math.sqrt((e * (1 - e)) / N));
      });
    }
    // the same times at both step sizes
    expect(br4.survival.time.map((t) => +t.toFixed(12))).toEqual(br1.survival.time.map((t) => +t.toFixed(12)));
    // unbridged: biased up by far more than 5 SE at t = 2 (the test has the power to see a missing bridge)
    const last = br1.survival.S.length - 1;
    const e2 = freeSurvival(1, 1, 2);
    expect(nb1.survival.S[last] - e2).toBeGreaterThan(5 * Math.sqrt((e2 * (1 - e2)) / N));
    // paired differences: non-negative everywhere, ratio 2 at t = 2
    for (const [nb, br] of [
      [nb1, br1],
      [nb4, br4],
    ])
      nb.survival.S.forEach((S, j) => expect(S).toBeGreaterThanOrEqual(br.survival.S[j]));
    const p1 = nb1.survival.S[last] - br1.survival.S[last];
    const p4 = nb4.survival.S[last] - br4.survival.S[last];
    const ratio = p1 / p4;
    const ratioSE = ratio * Math.hypot(Math.sqrt((1 - p1) / (p1 * N)), Math.sqrt((1 - p4) / (p4 * N)));
    expect(Math.abs(ratio - 2)).toBeLessThan(5 * ratioSE);
    expect(ratioSE).toBeLessThan(0.2);
  });
});

describe('escape rate of a symmetric double well', () => {
  /*
   * E = barrier·(x² − 1)² with barrier 1, from the well bottom x0 = −1 into the other well, x ≥ 1. The fitted
   * rate (`passage.rate`: the pooled hazard over the window where ln S is linear) estimates λ₁, the lowest
   * eigenvalue of the absorbing generator (escapeRateExact). It is not 1/MFPT: at ΔE/T = 2, λ₁·τ = 1.072 (the
   * fast intra-well modes carry 7 % of the MFPT); at ΔE/T = 4, 1.015.
   * N = 16384 walkers to t = 40: ~16000 (ΔE/T = 2) and ~7300 (ΔE/T = 4) events, rate SE k/√events ≈ 0.8 %, 1.2 %.
   * EM's O(h) bias (measured ~+1.5 % at h = 0.01, ΔE/T = 4) is removed by Richardson extrapolation from
   * h = 0.02 and h/4: k_R = (4k(h/4) − k(h))/3, SE_R = √(16 SE(h/4)² + SE(h)²)/3 (independent runs).
   */
  const rateAt = async (T: number, h: number) => {
    const p = await passageOf({
      dims: 1,
      particles: 16384,
      potential: { name: 'double-well' },
      integrator: 'em',
      dt: h,
      temperature: T,
      steps: Math.round(40 / h),
      seed: 2,
      init: { kind: 'point', x: [-1] },
      passage: { region: { low: [1], high: [null] } },
    });
    expect(p.rate, p.notes.join('; ')).not.toBeNull();
    expect(p.rate!.events).toBeGreaterThan(5000);
    return p.rate!;
  };
  const extrapolated = async (T: number) => {
    const h = 0.02;
    const [k1, k4] = await Promise.all([rateAt(T, h), rateAt(T, h / 4)]);
    return { value: (4 * k4.value - k1.value) / 3, se: Math.sqrt(16 * k4.standardError ** 2 + k1.standardError ** 2) / 3 };
  };
  const dw = symmetricDoubleWell(1, 1);

  it('ΔE/T = 2: the fitted rate equals λ₁ within 5 SE, and 1/MFPT within 5 SE plus |λ₁ − 1/MFPT|', async () => {
    const T = 0.5;
    const k = await extrapolated(T);
    const lam = escapeRateExact(dw.E, T, 1, -3);
    const tau = mfptExact(dw.E, T, -1, 1);
    expect(Math.abs(k.value - lam)).toBeLessThan(5 * k.se);
    expect(Math.abs(lam * tau - 1)).toBeGreaterThan(0.05); // the correction is real here …
    expect(Math.abs(k.value - 1 / tau)).toBeLessThan(5 * k.se + Math.abs(lam - 1 / tau)); // … and accounts for the difference
  });

  it('ΔE/T = 4: the fitted rate equals λ₁ within 5 SE, and Kramers up to its O(T/ΔE) correction', async () => {
    const T = 0.25;
    const k = await extrapolated(T);
    const lam = escapeRateExact(dw.E, T, 1, -3);
    expect(Math.abs(k.value - lam)).toBeLessThan(5 * k.se);
    /*
     * Kramers' formula is asymptotic: references.test.ts finds τ·k_K = 1 + c·T/ΔE with c ≈ 0.42 (from ΔE/T = 12
     * and 30), which predicts k_K/λ₁ ≈ 1.105 here; the exact λ₁/k_K = 0.889 (a 12.5 % correction: the higher
     * orders in T/ΔE are not small at ΔE/T = 4). So the fitted rate is compared with k_K/(1 + c·T/ΔE) within
     * 5 SE plus the remaining |λ₁(1 + c·T/ΔE)/k_K − 1| (1.8 %), which is itself checked to be below 2.5 %.
     */
    const kK = kramersRate(dw.Emin2, dw.Esaddle2, dw.barrier, T);
    const corrected = kK / (1 + 0.42 * (T / dw.barrier));
    const remainder = Math.abs(lam / corrected - 1);
    expect(remainder).toBeLessThan(0.025);
    expect(Math.abs(k.value / corrected - 1)).toBeLessThan((5 * k.se) / corrected + remainder);
  });
});

describe('passage.reference: the wiring of the engine quadrature', () => {
  /*
   * The engine computes the exact MFPT for 1-D em/lm runs from a point start into a half-line (src/run/kinetics.ts),
   * with the same mfptExact: the numbers agree to 1e-9 when the region, start, T and potential parameters are
   * passed right. A short run suffices (the reference does not depend on the walkers).
   */
  const base = {
    dims: 1,
    particles: 64,
    potential: { expr: 'a*(x^2 - 1)^2 + s*x', params: { a: 1.5, s: 0.3 } },
    integrator: 'em',
    dt: 0.01,
    temperature: 0.7,
    steps: 2,
    seed: 1,
  };
  const E = (x: number) => 1.5 * (x * x - 1) ** 2 + 0.3 * x;

  it('upper half-line, lower half-line (mirrored), lm; none for 2-D, a normal start, a bounded box or baoab', async () => {
    const up = await passageOf({ ...base, init: { kind: 'point', x: [-1] }, passage: { region: { low: [0.4], high: [null] } } });
    expect(Math.abs(up.reference!.mfpt / mfptExact(E, 0.7, -1, 0.4) - 1)).toBeLessThan(1e-9);
    // x ≤ −0.2 from x0 = 1: the MFPT of the mirrored potential E(−y) from −1 to 0.2 (the tilt makes the two differ)
    const down = await passageOf({ ...base, init: { kind: 'point', x: [1] }, passage: { region: { low: [null], high: [-0.2] } } });
    const mirrored = mfptExact((y) => E(-y), 0.7, -1, 0.2);
    expect(Math.abs(down.reference!.mfpt / mirrored - 1)).toBeLessThan(1e-9);
    expect(Math.abs(mirrored / mfptExact(E, 0.7, -1, 0.2) - 1)).toBeGreaterThan(0.01);
    const lm = await passageOf({
      ...base,
      integrator: 'lm',
      init: { kind: 'point', x: [-1] },
      passage: { region: { low: [0.4], high: [null] } },
    });
    expect(lm.reference!.mfpt).toBe(up.reference!.mfpt);
    // where no quadrature applies, no reference
    const none = [
      { ...base, init: { kind: 'normal', mean: [-1], std: 0.1 }, passage: { region: { low: [0.4], high: [null] } } },
      { ...base, init: { kind: 'point', x: [-1] }, passage: { region: { low: [0.4], high: [0.6] } } },
      { ...base, integrator: 'baoab', init: { kind: 'point', x: [-1] }, passage: { region: { low: [0.4], high: [null] } } },
      {
        ...base,
        dims: 2,
        potential: { expr: '(x^2 - 1)^2 + y^2' },
        init: { kind: 'point', x: [-1, 0] },
        passage: { region: { low: [0.4, null], high: [null, null] } },
      },
    ];
    for (const s of none) expect((await passageOf(s)).reference).toBeUndefined();
  });
});

describe('a ball region in 2-D, absorbing', () => {
  /*
   * Built-in 2-D double well (minima (±1, 0)), T = 0.5, walkers from N((−1, 0.3), 0.4²); the ball of radius 0.45
   * around (−0.9, 0.6) lies in the left well near the start, so a few thousand walkers start inside, most of the
   * others enter within 300 steps, and without absorption many leave again.
   * No bridge for a ball: a walker is hit exactly when it is seen inside the closed ball after a step, or at
   * step 0 (hit step 0). With `absorb`, a hit walker never moves again, so at the end it is inside; a walker never
   * hit was never seen inside, in particular not at the end: the number inside at the end equals passage.hit
   * exactly. Absorption changes nothing before the hit, so the hit steps (the whole summary) equal those of the
   * run without absorb, and a walker never hit ends where it ends without absorb (same noise).
   */
  const N = 8192;
  const spec = (absorb: boolean, steps = 300) => ({
    dims: 2,
    particles: N,
    potential: { name: 'double-well' },
    integrator: 'em',
    dt: 0.01,
    temperature: 0.5,
    steps,
    seed: 6,
    init: { kind: 'normal', mean: [-1, 0.3], std: 0.4 },
    passage: { region: { center: [-0.9, 0.6], radius: 0.45 }, absorb },
  });
  /** Whether (x, y) is in the closed ball, as src/integrators/passage.ts inRegion tests it (the same float64 sum). */
  const inBall = (x: number, y: number) => {
    let s = 0;
    s += (x - -0.9) * (x - -0.9);
    s += (y - 0.6) * (y - 0.6);
    return s <= 0.45 * 0.45;
  };
  const insideCount = (p: Float64Array | Float32Array) => {
    let n = 0;
    for (let i = 0; i < p.length; i += 2) if (inBall(p[i], p[i + 1])) n++;
    return n;
  };

  it('absorbing ball: walkers inside at the end = passage.hit exactly; same hits as without absorb', async () => {
    const [abs, free, start] = await Promise.all([run(spec(true)), run(spec(false)), run(spec(true, 0))]);
    const pa = abs.result.passage!;
    const pf = free.result.passage!;
    expect(pa.bridge.applied).toBe(false);
    expect(pa.region).toEqual({ center: [-0.9, 0.6], radius: 0.45 });
    expect(pa.fraction).toBeGreaterThan(0.5);
    expect(pa.fraction).toBeLessThan(0.99);
    // walkers inside at step 0 have hit step 0: S at step 0 is the fraction outside the ball initially
    const initiallyInside = insideCount(start.positions);
    expect(initiallyInside).toBeGreaterThan(500);
    expect(pa.survival.steps[0]).toBe(0);
    expect(pa.survival.S[0]).toBe((N - initiallyInside) / N);
    // absorbed walkers stay
    expect(insideCount(abs.positions)).toBe(pa.hit);
    expect(pa.fraction).toBe(pa.hit / N);
    // without absorb the same walkers hit at the same steps, and many have left by the end
    const { absorb: absorbA, ...restA } = pa;
    const { absorb: absorbF, ...restF } = pf;
    expect([absorbA, absorbF]).toEqual([true, false]);
    expect(restA).toEqual(restF);
    expect(insideCount(free.positions)).toBeLessThan(pf.hit - 500);
    // a walker outside at the end of the absorbing run was never hit: it ends where the free run's walker ends
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const [x, y] = [abs.positions[2 * i], abs.positions[2 * i + 1]];
      if (inBall(x, y)) continue;
      outside++;
      expect([x, y]).toEqual([free.positions[2 * i], free.positions[2 * i + 1]]);
    }
    expect(outside).toBe(N - pa.hit);
  });

  it('steps: 0 — a walker that starts inside has hit step 0 (spec), so S[0] and hit count it', async () => {
    // The spec: "0 if it starts inside". With no steps at all the run still observes step 0.
    const start = await run(spec(false, 0));
    const inside = insideCount(start.positions);
    expect(inside).toBeGreaterThan(500);
    expect(start.result.passage!.survival.steps).toEqual([0]);
    expect(start.result.passage!.hit).toBe(inside);
    expect(start.result.passage!.survival.S).toEqual([(N - inside) / N]);
  });
});
