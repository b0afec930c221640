/**
 * The guided tour's physics (issue 18): ten steps in the order of the seeds' ideas, each a preset with
 * two or three sentences, the formula (MathML), the plot that makes the point, and its key number measured
 * on the running ensemble(s) against the closed form the text states (exact for the step size used).
 * The tour's UI (tour.ts) shows them; this module only says what they are.
 */
import type { Simulation } from '../index.ts';
import type { DemoState, Running } from './state.ts';
import {
  configurationalTemperatureKey,
  diffusionKey,
  effectiveTemperatureKey,
  exactSamplerKey,
  jarzynskiKey,
  momentumKey,
  passageKey,
  rightWellKey,
  sgldKey,
  type KeyNumber,
} from './tourKeys.ts';
import { avg, ddot, dot, exp, frac, int, math, mi, mn, mo, mspace, msd, row, sub, sup } from './tourMath.ts';

export type TourStepId =
  'brownian' | 'langevin' | 'relaxation' | 'annealing' | 'momentum' | 'sgd' | 'sgld' | 'samplers' | 'passage' | 'work';

/** The number a tour step is about (declared in tourKeys.ts, which computes them). */
export type { KeyNumber };

export interface TourStep {
  id: TourStepId;
  title: string;
  /** preset id in PRESETS */
  preset: string;
  /** extra demo URL settings (keys of src/demo/params.ts, e.g. { T: '0.5' }), optional */
  query?: Record<string, string>;
  /** two or three sentences */
  text: string;
  /** the formula, as MathML markup: '<math display="block">…</math>' (Chromium renders MathML natively) */
  formula: string;
  /** which plot makes the point: one of the demo's plots (src/demo/plots.ts, workPlots.ts) or 'key' (the key number against time, drawn by the tour UI) */
  plot: 'marginal' | 'relaxation' | 'energy' | 'diffusion' | 'work' | 'key';
  /** the key number now, or null while it is not yet measurable (e.g. before the first observation) */
  key(state: DemoState, r: Running): Promise<KeyNumber | null>;
  /** the browser test's settings: particle count (≤ 50 000: SwiftShader is slow) and the step count after which the key number must be within 5 se of exact */
  test: { particles: number; steps: number };
}

/** A key read from lanes `lanes` of the run, or null where the run is not the step's (a custom expression, other lanes). */
function fromLanes(lanes: number[], f: (...sims: Simulation[]) => Promise<KeyNumber | null>): TourStep['key'] {
  return async (state, r) => {
    if (state.params.expr.trim() !== '' || lanes.some((l) => l >= r.lanes.length)) return null;
    return f(...lanes.map((l) => r.lanes[l].sim));
  };
}

export const TOUR: TourStep[] = [
  {
    id: 'brownian',
    title: 'Brownian motion',
    preset: 'brownian',
    text:
      'Free particles started at one point spread by random kicks alone: overdamped Langevin dynamics with no force. ' +
      'Their mean squared displacement grows linearly in time with slope 2DT (D dimensions, temperature T, unit friction), Einstein’s relation. ' +
      'The Euler–Maruyama steps add independent Gaussian kicks of variance 2Th, so the law holds exactly at every step, whatever h.',
    formula: math(msd, mo('='), mn('2'), mi('D'), mi('T'), mi('t')),
    plot: 'diffusion',
    key: fromLanes([0], diffusionKey),
    test: { particles: 20_000, steps: 400 },
  },
  {
    id: 'langevin',
    title: 'The Langevin equation and its small-mass limit',
    preset: 'langevin-mass',
    text:
      'Newton’s law with friction and noise: a particle of mass m first flies ballistically (MSD ≈ D(T/m)t²) and only diffuses once t ≫ m, lagging the overdamped 2DTt by 2DTm. ' +
      'With the friction coefficient mγ held at 1, the lanes m = 1 and m = 0.1 approach the overdamped Brownian motion of the first step as m → 0. ' +
      'The key number is the m = 1 lane’s MSD over 2DTt, against the BAOAB integrator’s exact value at this step size.',
    formula: math(
      mi('m'),
      ddot('x'),
      mo('='),
      mo('−'),
      mo('∇'),
      mi('E'),
      mo('−'),
      mi('m'),
      mi('γ'),
      dot('x'),
      mo('+'),
      `<msqrt>${mn('2')}${mi('m')}${mi('γ')}${mi('T')}</msqrt>`,
      mi('ξ'),
      mo(','),
      mspace(),
      msd,
      mo('='),
      mn('2'),
      mi('D'),
      mi('T'),
      row(mo('('), mi('t'), mo('−'), mi('m'), row(mo('('), mn('1'), mo('−'), exp(mo('−'), mi('t'), mo('/'), mi('m')), mo(')')), mo(')')),
    ),
    plot: 'key',
    key: fromLanes([1], diffusionKey),
    test: { particles: 20_000, steps: 400 },
  },
  {
    id: 'relaxation',
    title: 'Relaxation to Boltzmann',
    preset: 'double-well',
    query: { T: '0.6', dt: '0.02' },
    text:
      'Started in the left well, the cloud spreads over both wells until its density is the Boltzmann distribution e^(−E/T)/Z. ' +
      'The Kullback–Leibler divergence KL(t) of its histogram from that density falls exponentially, at the rate of barrier crossings, to the floor set by sampling noise. ' +
      'The key number is the share of particles in the right well, against Boltzmann’s ½.',
    formula: math(
      mi('ρ'),
      mo('('),
      mi('x'),
      mo(')'),
      mo('='),
      frac(exp(mo('−'), mi('E'), mo('('), mi('x'), mo(')'), mo('/'), mi('T')), mi('Z')),
      mo(','),
      mspace(),
      mi('KL'),
      mo('('),
      mi('t'),
      mo(')'),
      mo('='),
      `<munder>${mo('∑')}${mi('b')}</munder>`,
      sub(mi('q'), mi('b')),
      mi('ln'),
      frac(sub(mi('q'), mi('b')), sub(mi('p'), mi('b'))),
    ),
    plot: 'relaxation',
    key: fromLanes([0], rightWellKey),
    test: { particles: 20_000, steps: 1600 },
  },
  {
    id: 'annealing',
    title: 'Simulated annealing: Hajek’s log schedule against fast cooling',
    preset: 'rastrigin',
    query: { integrator: 'lm' },
    text:
      'Cooling as T(n) = c/ln(n + n₀) is slow enough for the cloud to keep up with the temperature, so it settles into the deepest minima of Rastrigin’s egg box (Hajek); fast geometric cooling freezes it where it happens to be. ' +
      'Keeping up means equilibrium within each cell of the lattice: there the configurational temperature ⟨|∇E|²⟩/⟨ΔE⟩ equals T(n), which the key number checks on the slow lane. ' +
      'The tour steps with Leimkuhler–Matthews, whose configurational averages are exact to O(h²); Euler–Maruyama at this step would read about 50 % hotter.',
    formula: math(
      mi('T'),
      mo('('),
      mi('n'),
      mo(')'),
      mo('='),
      frac(mi('c'), row(mi('ln'), mo('('), mi('n'), mo('+'), sub(mi('n'), mn('0')), mo(')'))),
      mo(','),
      mspace(),
      frac(avg(sup(row(mo('|'), mo('∇'), mi('E'), mo('|')), mn('2'))), avg(mo('Δ'), mi('E'))),
      mo('='),
      mi('T'),
    ),
    plot: 'energy',
    key: fromLanes([0], configurationalTemperatureKey),
    test: { particles: 20_000, steps: 1000 },
  },
  {
    id: 'momentum',
    title: 'Gradient descent as Newton’s law with friction',
    preset: 'momentum',
    text:
      'Gradient descent is the overdamped limit of a ball rolling downhill; its step is limited by the steep direction of a narrow valley, so it crawls along the flat one. ' +
      'Keeping the mass (heavy-ball momentum: Newton’s law with friction γ, no noise) and damping the flat direction critically, γ = 2√k, runs down it far faster. ' +
      'At T = 0 both are linear maps, so each lane’s ⟨E⟩ follows an exact recursion; the key number is their ratio.',
    formula: math(
      ddot('x'),
      mo('='),
      mo('−'),
      mo('∇'),
      mi('E'),
      mo('−'),
      mi('γ'),
      dot('x'),
      mo(','),
      mspace(),
      mi('γ'),
      mo('='),
      mn('2'),
      `<msqrt>${mi('k')}</msqrt>`,
    ),
    plot: 'energy',
    key: fromLanes([0, 1], momentumKey),
    test: { particles: 20_000, steps: 60 },
  },
  {
    id: 'sgd',
    title: 'SGD’s mini-batch noise is a temperature',
    preset: 'sgd-vs-langevin',
    text:
      'Stochastic gradient descent at T = 0 still spreads out: a gradient from a few rows is a noisy estimate of the full one. ' +
      'Its stationary cloud matches full-gradient Langevin dynamics at the effective temperature T_eff = tr(HΣ)/D, which grows as learning rate over batch size. ' +
      'The key number is SGD’s T_eff, against the exact stationary covariance of the SGD recursion at this step and batch.',
    formula: math(
      sub(mi('T'), mi('eff')),
      mo('='),
      frac(row(mi('tr'), mo('('), mi('H'), mi('Σ'), mo(')')), mi('D')),
      mo('≈'),
      frac(row(mi('η'), mo('·'), mi('tr'), mi('C')), row(mn('2'), mi('D'))),
      mo('∝'),
      frac(mi('η'), mi('B')),
    ),
    plot: 'marginal',
    key: fromLanes([1], effectiveTemperatureKey),
    test: { particles: 20_000, steps: 400 },
  },
  {
    id: 'sgld',
    title: 'SGLD samples a posterior (Welling & Teh)',
    preset: 'sgld-posterior',
    text:
      'Mini-batch gradient steps on the negative log posterior plus Gaussian noise at T = 1 sample the Bayesian posterior, here of a linear regression (Welling & Teh’s stochastic gradient Langevin dynamics). ' +
      'At a finite step the cloud is a little wider than the posterior (the intercept’s variance is 0.0348 at h = 0.004 against the posterior’s 0.0308), by the step’s discretisation and the mini-batch noise, and both vanish as h → 0. ' +
      'The key number is that variance, against the exact stationary covariance of the SGLD recursion.',
    formula: math(
      sub(mi('θ'), row(mi('n'), mo('+'), mn('1'))),
      mo('='),
      sub(mi('θ'), mi('n')),
      mo('−'),
      mi('h'),
      mo('∇'),
      sub(`<mover>${mi('U')}<mo>^</mo></mover>`, mi('B')),
      mo('('),
      sub(mi('θ'), mi('n')),
      mo(')'),
      mo('+'),
      `<msqrt>${mn('2')}${mi('h')}${mi('T')}</msqrt>`,
      sub(mi('ξ'), mi('n')),
    ),
    plot: 'marginal',
    key: fromLanes([0], sgldKey),
    test: { particles: 20_000, steps: 400 },
  },
  {
    id: 'samplers',
    title: 'Exact samplers (MALA, HMC) against a biased step',
    preset: 'samplers',
    text:
      'At a large step Euler–Maruyama samples the wrong distribution: in a harmonic well its variance is T/(k(1 − hk/2)), here 2.5 times the Boltzmann T/k along x. ' +
      'A Metropolis test on each step (MALA) or on Hamiltonian trajectories (HMC) makes e^(−E/T)/Z exactly stationary, whatever the step. ' +
      'The key number is the MALA lane’s variance of x, against T/k.',
    formula: math(
      sub(sup(mi('σ'), mn('2')), mi('EM')),
      mo('='),
      frac(mi('T'), row(mi('k'), mo('('), mn('1'), mo('−'), mi('h'), mi('k'), mo('/'), mn('2'), mo(')'))),
      mo(','),
      mspace(),
      sub(sup(mi('σ'), mn('2')), mi('MALA')),
      mo('='),
      frac(mi('T'), mi('k')),
    ),
    plot: 'marginal',
    key: fromLanes([1], exactSamplerKey),
    test: { particles: 20_000, steps: 400 },
  },
  {
    id: 'passage',
    title: 'First passage over a barrier (Kramers)',
    preset: 'first-passage',
    text:
      'Started at the bottom of the left well, each particle waits for the rare run of kicks that carries it over the barrier into x > 0: Kramers’ escape, at a rate ∝ e^(−ΔE/T) (here ΔE = 1, T = 0.5). ' +
      'A large ensemble measures the whole distribution of first-passage times, its survival curve and its mean, where one trajectory gives a single sample. ' +
      'The key number is the mean first-passage time so far, E[min(τ, t)] (the mean itself once all have crossed), against the exact value for the Euler–Maruyama chain at this step, 3.6 % below the continuum’s 4.607.',
    formula: math(
      mi('τ'),
      mo('('),
      sub(mi('x'), mn('0')),
      mo(')'),
      mo('='),
      int(sub(mi('x'), mn('0')), mn('0')),
      frac(row(mi('d'), mi('y')), mi('T')),
      exp(mi('E'), mo('('), mi('y'), mo(')'), mo('/'), mi('T')),
      int(row(mo('−'), mi('∞')), mi('y')),
      exp(mo('−'), mi('E'), mo('('), mi('z'), mo(')'), mo('/'), mi('T')),
      mi('d'),
      mi('z'),
      mo(','),
      mspace(),
      mi('k'),
      mo('∝'),
      exp(mo('−'), mi('Δ'), mi('E'), mo('/'), mi('T')),
    ),
    plot: 'key',
    key: fromLanes([0], passageKey),
    // t = 40 at h = 0.02, about 9 mean passage times: ~1 in 10⁴ walkers still short of x = 0 (counted at t, as E[min(τ, t)] does)
    test: { particles: 10_000, steps: 2000 },
  },
  {
    id: 'work',
    title: 'Work theorem',
    preset: 'work-theorem',
    text:
      'Tilting a double well back and forth does work W on each particle; on average more than the free-energy change ΔF, the rest dissipated as heat. ' +
      'Yet Jarzynski’s exponential average recovers ΔF exactly from an equilibrium start, however fast the driving. ' +
      'The key number is that average, against ΔF from a quadrature of the partition function.',
    formula: math(
      avg(exp(mo('−'), mi('W'), mo('/'), mi('T'))),
      mo('='),
      exp(mo('−'), mi('Δ'), mi('F'), mo('/'), mi('T')),
      mo(','),
      mspace(),
      avg(mi('W')),
      mo('≥'),
      mi('Δ'),
      mi('F'),
    ),
    plot: 'work',
    key: async (state) => (state.params.expr.trim() !== '' ? null : jarzynskiKey(state.hooks)),
    // the tilt is switched on at step 2000 (a = 0 before: W = 0, nothing to measure); at 2500 it is 0.35
    test: { particles: 10_000, steps: 2500 },
  },
];

/** The tour step with this id, or undefined. */
export function tourStep(id: string | null): TourStep | undefined {
  return TOUR.find((s) => s.id === id);
}
