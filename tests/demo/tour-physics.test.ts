/**
 * The tour's physics (src/demo/tourSteps.ts, tourKeys.ts, tourExact.ts, src/stats/sgld.ts) on the float64 CPU
 * backend through the public Simulation API: every step's key number, measured on the step's own lanes (its
 * preset with its URL settings, built by the demo's specFor) after its test step count, lies within 5 standard
 * errors of the closed form its text states; and the closed forms themselves against brute-force sums and
 * their continuum limits. Fixed seeds; 10 000 particles per lane (half the browser test's count: its standard errors are √2 larger).
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine.ts';
import { PASSAGE_DEMO, presetById, WORK_DEMO } from '../../src/demo/presets.ts';
import { readParams, specFor, lanesOf } from '../../src/demo/params.ts';
import { TOUR, type KeyNumber, type TourStep, type TourStepId } from '../../src/demo/tourSteps.ts';
import { baoabFreeMsd, EmPassage, heavyBallGain, uniformSquare } from '../../src/demo/tourExact.ts';
import { mfptExact } from '../../src/stats/mfpt.ts';
import { configurationalTemperatureKey, exactSamplerKey, sgldKey, regressionOf } from '../../src/demo/tourKeys.ts';
import { sgldStationaryMoments } from '../../src/stats/sgld.ts';
import type { DemoState, Running } from '../../src/demo/state.ts';
import type { DemoHooks } from '../../src/demo/hooks.ts';

const SEED = 11;
/** particles per lane here: half the browser test's, to keep the file at seconds on a shared machine */
const PARTICLES = 10_000;

/** A tour step's lanes on the CPU, advanced `steps` steps, with the state its key reads (the work as work.ts shows it). */
async function runStep(step: TourStep, steps = step.test.steps, seed = SEED): Promise<{ state: DemoState; r: Running }> {
  const query = new URLSearchParams({ preset: step.preset, particles: String(PARTICLES), seed: String(seed), ...step.query });
  const params = readParams(query);
  const preset = presetById(step.preset);
  expect(preset.id).toBe(step.preset);
  const lanes = await Promise.all(
    lanesOf(preset).map(async (l, i) => ({
      label: l.label,
      sim: await Simulation.create(specFor(preset, params, undefined, i), { backend: 'cpu' }),
    })),
  );
  for (const { sim } of lanes) await sim.advance(steps);
  const hooks = { params } as unknown as DemoHooks;
  const sim = lanes[0].sim;
  if (sim.spec.schedules) {
    const j = (await sim.kinetics()).work!.jarzynski!;
    hooks.work = {
      deltaF: j.deltaF,
      standardError: j.standardError,
      exactDeltaF: WORK_DEMO.deltaF(sim.step, WORK_DEMO.temperature),
    } as DemoHooks['work'];
  }
  return { state: { params, preset, hooks } as unknown as DemoState, r: { lanes, size: 0 } };
}

function destroy(r: Running): void {
  for (const l of r.lanes) l.sim.destroy();
}

const byId = (id: TourStepId) => TOUR.find((s) => s.id === id)!;

/** |measured − exact| ≤ 5 se, with a positive, finite se. */
function expectWithin(k: KeyNumber | null, what: string): KeyNumber {
  expect(k, what).not.toBeNull();
  const { measured, se, exact } = k!;
  expect(se, `${what}: se`).toBeGreaterThan(0);
  expect(Number.isFinite(measured) && Number.isFinite(exact), what).toBe(true);
  expect(Math.abs(measured - exact), `${what}: ${measured} ± ${se} vs exact ${exact}`).toBeLessThanOrEqual(5 * se);
  return k!;
}

describe('tour: the steps', () => {
  it('ten steps in the issue’s order, each on a preset that exists, with a MathML formula and a test within the browser’s means', () => {
    expect(TOUR.map((s) => s.id)).toEqual([
      'brownian',
      'langevin',
      'relaxation',
      'annealing',
      'momentum',
      'sgd',
      'sgld',
      'samplers',
      'passage',
      'work',
    ]);
    for (const s of TOUR) {
      expect(presetById(s.preset).id, s.id).toBe(s.preset);
      expect(s.formula, s.id).toMatch(/^<math display="block">.*<\/math>$/s);
      expect(s.text.split(/[.!?](\s|$)/).filter((t) => t.trim().length > 1).length, s.id).toBeLessThanOrEqual(4);
      expect(s.test.particles, s.id).toBeLessThanOrEqual(50_000);
    }
  });
});

describe('tour: each key number within 5 standard errors of its closed form (CPU, float64)', () => {
  it('brownian: MSD/(2DTt) = 1 exactly for Euler–Maruyama', async () => {
    const { state, r } = await runStep(byId('brownian'));
    const k = expectWithin(await byId('brownian').key(state, r), 'brownian');
    expect(k.exact).toBe(1);
    // a relative standard error of √(2/(DN)): a 3 % error in the slope would be caught
    expect(k.se).toBeCloseTo(Math.sqrt(2 / (2 * PARTICLES)), 6);
    destroy(r);
  });

  it('langevin: the m = 1 lane’s MSD/(2DTt) is BAOAB’s exact value, far below the overdamped 1 at t = 4m', async () => {
    const step = byId('langevin');
    const { state, r } = await runStep(step);
    const k = expectWithin(await step.key(state, r), 'langevin');
    // the continuum law 1 − (m/t)(1 − e^{−t/m}) at t = 4, m = 1, to the step's O(h²)
    expect(k.exact).toBeCloseTo(1 - (1 - Math.exp(-4)) / 4, 4);
    expect(1 - k.exact).toBeGreaterThan(20 * k.se);
    destroy(r);
  });

  it('relaxation: the right well holds Boltzmann’s half after the cloud crossed the barrier', async () => {
    const step = byId('relaxation');
    const { state, r } = await runStep(step);
    const k = expectWithin(await step.key(state, r), 'relaxation');
    expect(k.exact).toBeCloseTo(0.5, 9); // a symmetric well: the quadrature's half
    destroy(r);
    // at the start every particle is in the left well: many standard errors away (the key can fail)
    const early = await runStep(step, 100);
    const e = (await step.key(early.state, early.r))!;
    expect(e.exact - e.measured).toBeGreaterThan(20 * e.se);
    destroy(early.r);
  });

  it('annealing: the Hajek lane’s configurational temperature is T(n) under LM; Euler–Maruyama’s at the same step reads far hotter', async () => {
    const step = byId('annealing');
    const { state, r } = await runStep(step);
    const k = expectWithin(await step.key(state, r), 'annealing');
    expect(k.exact).toBeCloseTo(10 / Math.log(step.test.steps - 1 + 2), 12); // T of the last step taken, n = steps − 1
    destroy(r);
    // the key can fail: the preset's own integrator (EM) at h·E'' ≈ 0.8 is far from Boltzmann within the cells
    const em = await runStep({ ...step, query: {} }, 250);
    const e = (await step.key(em.state, em.r))!;
    expect(e.measured - e.exact).toBeGreaterThan(20 * e.se);
    destroy(em.r);
  });

  it('momentum: ⟨E⟩ heavy ball / ⟨E⟩ gradient descent follows the exact linear recursions', async () => {
    const step = byId('momentum');
    const { state, r } = await runStep(step);
    const k = expectWithin(await step.key(state, r), 'momentum');
    expect(k.exact).toBeLessThan(0.1); // the story: momentum is far ahead
    destroy(r);
  });

  it('sgd: SGD’s T_eff = tr(HΣ)/D is the exact stationary one', async () => {
    const step = byId('sgd');
    const { state, r } = await runStep(step);
    const k = expectWithin(await step.key(state, r), 'sgd');
    expect(k.exact).toBeCloseTo(0.0313832, 6);
    destroy(r);
  });

  it('sgld: the intercept’s variance is the SGLD recursion’s exact one, measurably wider than the posterior at h = 0.004', async () => {
    const step = byId('sgld');
    const { state, r } = await runStep(step);
    const k = expectWithin(await step.key(state, r), 'sgld');
    const problem = regressionOf(r.lanes[0].sim)!;
    const N = problem.features.length;
    const posterior = 1 / (N + problem.lambda); // H = diag(N + λ, Σu² + λ) here (Σu = 0)
    expect(k.exact - posterior).toBeGreaterThan(5 * k.se);
    destroy(r);
  });

  it('samplers: MALA and HMC sample T/k exactly; Euler–Maruyama’s variance is T/(k(1 − hk/2))', async () => {
    const step = byId('samplers');
    const { state, r } = await runStep(step);
    expectWithin(await step.key(state, r), 'samplers (MALA)');
    expectWithin(await exactSamplerKey(r.lanes[2].sim), 'samplers (HMC)');
    const em = (await exactSamplerKey(r.lanes[0].sim))!;
    const h = 0.3;
    const kx = 4;
    expect(Math.abs(em.measured - 1 / (kx * (1 - (h * kx) / 2)))).toBeLessThan(5 * em.se);
    expect(em.measured - em.exact).toBeGreaterThan(20 * em.se);
    destroy(r);
  });

  it('work: Jarzynski’s average is the exact ΔF while the tilt is on', async () => {
    const step = byId('work');
    const { state, r } = await runStep(step);
    const k = expectWithin(await step.key(state, r), 'work');
    expect(Math.abs(k.exact)).toBeGreaterThan(10 * k.se); // the tilt is on: ΔF ≠ 0
    destroy(r);
    // before the tilt is switched on (step 2000) every particle's work is 0: nothing to measure, no key
    const early = await runStep(step, 500);
    expect(await step.key(early.state, early.r)).toBeNull();
    destroy(early.r);
  });
});

/** The first-passage preset's x-dynamics: E(x) = (x² − 1)², E′(x) = 4x³ − 4x (y is a separate Gaussian factor). */
const wellE = (x: number) => (x * x - 1) ** 2;
const wellDE = (x: number) => 4 * x ** 3 - 4 * x;

describe('tour: first passage over the barrier (CPU, float64)', () => {
  const step = () => byId('passage');
  const chain = new EmPassage(wellE, wellDE, PASSAGE_DEMO.temperature, PASSAGE_DEMO.dt, PASSAGE_DEMO.x0, PASSAGE_DEMO.threshold);

  it('the restricted mean E[min(τ, t)] is the Euler–Maruyama chain’s, and once every walker has crossed the MFPT is too', async () => {
    const { state, r } = await runStep(step());
    const sim = r.lanes[0].sim;
    const k = expectWithin(await step().key(state, r), 'passage');
    expect(k.exact).toBeCloseTo(chain.restrictedMean(step().test.steps), 12);
    // by t = 40 (~9 mean passage times) the restricted mean is within 10⁻³ of the MFPT: the key is the MFPT to well inside its se
    expect(chain.mfpt() - k.exact).toBeLessThan(1e-3);
    expect(k.se / k.measured).toBeLessThan(0.015); // ~1/√N: a 7 % error would be caught
    // run on until every walker has hit (at most 1000 more steps: S(t) ~ e^{−t/4.4} there), then the MFPT itself
    for (let i = 0; i < 10 && (await sim.kinetics()).passage!.mfpt === null; i++) await sim.advance(100);
    const p = (await sim.kinetics()).passage!;
    expect(p.hit).toBe(p.particles);
    expectWithin({ label: 'MFPT', measured: p.mfpt!.value, se: p.mfpt!.standardError!, exact: chain.mfpt() }, 'passage: MFPT');
    destroy(r);
  });

  it('the key can fail: early on, and without the Brownian bridge, the measured times are many se from the chain’s', async () => {
    // at step 100 (t = 2) most walkers are still in the left well: E[min(τ, t)] is near t, far below the MFPT
    const early = await runStep(step(), 100);
    const e = expectWithin(await step().key(early.state, early.r), 'passage at step 100');
    expect(chain.mfpt() - e.exact).toBeGreaterThan(20 * e.se);
    destroy(early.r);
    // the bridge off: the discrete check misses crossings within a step, delaying every hit by O(√h)
    const params = readParams(new URLSearchParams({ preset: 'first-passage', particles: String(PARTICLES), seed: String(SEED) }));
    const spec = specFor(presetById('first-passage'), params);
    const sim = await Simulation.create({ ...spec, passage: { ...(spec.passage as object), bridge: false } }, { backend: 'cpu' });
    await sim.advance(step().test.steps);
    const late = (await sim.kinetics()).passage!.restrictedMean!;
    expect(late.value - chain.restrictedMean(step().test.steps)).toBeGreaterThan(5 * late.standardError!);
    sim.destroy();
  });
});

describe('tour: closed forms', () => {
  it('EmPassage: the chain’s MFPT tends to the continuum’s double integral (mfptExact) as O(h); iterated and solved MFPTs agree', () => {
    const T = PASSAGE_DEMO.temperature;
    const exact = mfptExact(wellE, T, -1, 0);
    const [a, b, c] = [0.02, 0.01, 0.005].map((h) => new EmPassage(wellE, wellDE, T, h, -1, 0).mfpt());
    // first order: the error halves with h (ratio 2 up to O(h)); Richardson's 2τ(h/2) − τ(h) within 0.2 %, and to
    // second order, (8τ(h/4) − 6τ(h/2) + τ(h))/3, within 0.05 %
    for (const [p, q] of [
      [a, b],
      [b, c],
    ]) {
      expect((exact - p) / (exact - q)).toBeGreaterThan(2);
      expect((exact - p) / (exact - q)).toBeLessThan(2.5);
    }
    expect(Math.abs((2 * c - b) / exact - 1)).toBeLessThan(2e-3);
    expect(Math.abs((8 * c - 6 * b + a) / 3 / exact - 1)).toBeLessThan(5e-4);
    // the chain below the continuum: the bridge neglects the drift within a step (h·E′′ = 0.16 at the minimum)
    expect(exact - a).toBeGreaterThan(0.03 * exact);
    const chain = new EmPassage(wellE, wellDE, T, 0.02, -1, 0);
    expect(chain.survival(0)).toBe(1);
    expect(chain.restrictedMean(1)).toBeCloseTo(0.02, 15);
    for (let n = 1; n < 50; n++) expect(chain.survival(n)).toBeLessThan(chain.survival(n - 1));
    // Σ_k S_k by iteration (to S < 10⁻¹⁸) against the linear solve (I − K)u = 1
    expect(Math.abs(chain.restrictedMean(1e6) / chain.mfpt() - 1)).toBeLessThan(1e-10);
  });

  it('BAOAB’s free MSD equals the brute-force double sum and tends to 2(T/(mγ))(t − (1 − e^{−γt})/γ)', () => {
    for (const [n, h, g, T, m] of [
      [1, 0.1, 1, 1, 1],
      [7, 0.05, 3, 0.5, 2],
      [200, 0.01, 10, 0.5, 0.1],
    ]) {
      const r = Math.exp(-g * h);
      const w = Array.from({ length: n + 1 }, (_, i) => (i === 0 || i === n ? 1 : 2));
      let S = 0;
      for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) S += w[i] * w[j] * r ** Math.abs(i - j);
      expect(baoabFreeMsd(n, h, g, T, m)).toBeCloseTo(((h * h) / 4) * (T / m) * S, 12);
    }
    const t = 3;
    const n = 30_000;
    expect(baoabFreeMsd(n, t / n, 2, 0.7, 0.5) / (2 * (0.7 / (0.5 * 2)) * (t - (1 - Math.exp(-2 * t)) / 2)) - 1).toBeLessThan(1e-6);
    expect(baoabFreeMsd(5, 0.1, 0, 1, 1)).toBeCloseTo((5 * 0.1) ** 2, 12); // γ = 0: ballistic, (vt)² with ⟨v²⟩ = T/m
  });

  it('heavy-ball gain: a critically damped slow mode decays as e^{−γt/2}·(1 + γt/2) in the continuum', () => {
    const k = 0.1;
    const gamma = 2 * Math.sqrt(k);
    const t = 20;
    const n = 20_000;
    const a = Math.sqrt(heavyBallGain(n, t / n, gamma, k));
    expect(a / (Math.exp((-gamma * t) / 2) * (1 + (gamma * t) / 2)) - 1).toBeLessThan(1e-6);
  });

  it('uniformSquare: moments of x² for a uniform x by quadrature', () => {
    const [l, u] = [-1, 3];
    const M = 200_000;
    let m2 = 0;
    let m4 = 0;
    for (let i = 0; i < M; i++) {
      const x = l + ((i + 0.5) * (u - l)) / M;
      m2 += x * x;
      m4 += x ** 4;
    }
    const q = uniformSquare(l, u);
    expect(q.mean).toBeCloseTo(m2 / M, 6);
    expect(q.variance).toBeCloseTo(m4 / M - (m2 / M) ** 2, 5);
  });

  it('SGLD’s stationary covariance tends to the posterior T·H⁻¹ as h → 0, and solves its own moment recursion', () => {
    const rows = [
      [-1, 0.2],
      [-0.3, 0.1],
      [0.4, 1.2],
      [1, 1.1],
    ];
    const problem = { features: rows.map(([u]) => [1, u]), targets: rows.map(([, v]) => v), lambda: 0.5 };
    const H = [
      [4.5, 0.1],
      [0.1, 1 + 0.09 + 0.16 + 1 + 0.5],
    ];
    const det = H[0][0] * H[1][1] - H[0][1] ** 2;
    const T = 0.7;
    const small = sgldStationaryMoments(problem, 1e-7, 2, T).covariance;
    expect(small[0][0]).toBeCloseTo((T * H[1][1]) / det, 5);
    expect(small[0][1]).toBeCloseTo((-T * H[0][1]) / det, 5);
    // the fixed point by brute force: iterate the exact second-moment map over every batch of B = 2 rows (with replacement)
    const h = 0.05;
    const B = 2;
    const N = rows.length;
    const exact = sgldStationaryMoments(problem, h, B, T);
    let m = [0, 0];
    let S = [
      [0, 0],
      [0, 0],
    ];
    for (let it = 0; it < 3000; it++) {
      const m2 = [0, 0];
      const S2 = [
        [2 * h * T, 0],
        [0, 2 * h * T],
      ];
      for (let i = 0; i < N; i++)
        for (let j = 0; j < N; j++) {
          // w' = A w + c, A = (1 − hλ)I − h(N/B)(X_i + X_j), c = h(N/B)(y_i φ_i + y_j φ_j), each pair with weight 1/N²
          const A = [0, 1].map((a) =>
            [0, 1].map(
              (b) =>
                (a === b ? 1 - h * 0.5 : 0) - h * (N / B) * [i, j].reduce((s, r) => s + problem.features[r][a] * problem.features[r][b], 0),
            ),
          );
          const c = [0, 1].map((a) => h * (N / B) * [i, j].reduce((s, r) => s + problem.targets[r] * problem.features[r][a], 0));
          const Am = [0, 1].map((a) => A[a][0] * m[0] + A[a][1] * m[1]);
          for (let a = 0; a < 2; a++) {
            m2[a] += (Am[a] + c[a]) / (N * N);
            for (let b = 0; b < 2; b++) {
              let ASA = 0;
              for (let p = 0; p < 2; p++) for (let q = 0; q < 2; q++) ASA += A[a][p] * S[p][q] * A[b][q];
              S2[a][b] += (ASA + Am[a] * c[b] + c[a] * Am[b] + c[a] * c[b]) / (N * N);
            }
          }
        }
      m = m2;
      S = S2;
    }
    for (let a = 0; a < 2; a++) {
      expect(m[a]).toBeCloseTo(exact.mean[a], 10);
      for (let b = 0; b < 2; b++) expect(S[a][b] - m[a] * m[b]).toBeCloseTo(exact.covariance[a][b], 10);
    }
  });

  it('the SGLD key reads the posterior problem of the preset: the exact SGLD covariance for its step and batch', async () => {
    const sim = await Simulation.create(
      specFor(presetById('sgld-posterior'), readParams(new URLSearchParams('preset=sgld-posterior&particles=1000'))),
      {
        backend: 'cpu',
      },
    );
    await sim.advance(1);
    const k = (await sgldKey(sim))!;
    expect(k.exact).toBeCloseTo(sgldStationaryMoments(regressionOf(sim)!, 0.004, 4, 1).covariance[0][0], 12);
    sim.destroy();
  });
});
