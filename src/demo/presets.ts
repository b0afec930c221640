/**
 * Demo presets: each tells one story of the physics. A preset is a run spec
 * plus what to show (view box, energy range, contour spacing).
 */
import type { View } from '../gpu/render/view.ts';
import sgdExample from '../../examples/sgd-temperature.json';
import { effectiveTemperature, sgdStationaryMoments } from '../stats/sgd.ts';
import { logPartition1D } from '../stats/mfpt.ts';
import { paramAt } from '../run/paramProtocol.ts';
import type { ParamSchedule } from '../spec/types.ts';

export interface Preset {
  id: string;
  title: string;
  /** the spec; `particles` and `seed` may be overridden from the URL */
  spec: Record<string, unknown> & { particles: number; seed: number; dims: number };
  view: View;
  /** energy between contour lines */
  contour: number;
  stepsPerFrame: number;
  /**
   * Ensembles shown side by side, each the preset's spec with these changes
   * (e.g. two cooling schedules); absent: one ensemble. Every lane gets the
   * controls' particle count, seed and step size.
   */
  lanes?: { label: string; spec: Record<string, unknown> }[];
  /** paths of the first `tracked` particles, `length` frames long */
  trails?: { tracked: number; length: number };
  /** start in the 3-D view (D ≥ 3) */
  view3d?: boolean;
  /** one or two sentences on what the viewer sees, shown over the canvas */
  story?: string;
  /**
   * Presets whose potential parameters follow a schedule: the exact free-energy change ΔF = F(λ_step) − F(λ_0)
   * (energy units) of the preset's own potential at temperature T, drawn against the work (src/demo/work.ts).
   */
  exactDeltaF?: (step: number, T: number) => number;
}

/** Long enough to run for as long as a person watches; schedules are laid out over it. */
const FOREVER = 2 ** 31;

/**
 * SGD against Langevin on the linear regression of examples/sgd-temperature.json:
 * the temperature at which full-gradient Langevin dynamics spreads like SGD
 * with step h and batch B, from the exact stationary SGD covariance Σ:
 * T_eff = tr(HΣ)/D, H the Hessian of the full-data loss (src/stats/sgd.ts).
 */
export const SGD_DEMO = (() => {
  const h = 0.004;
  const batch = 4;
  const rows = sgdExample.potential.data.rows;
  const lambda = sgdExample.potential.params.lambda;
  const features = rows.map(([u]) => [1, u]);
  const H = [0, 1].map((a) => [0, 1].map((b) => features.reduce((s, f) => s + f[a] * f[b], 0) + (a === b ? lambda : 0)));
  const exact = sgdStationaryMoments({ features, targets: rows.map(([, v]) => v), lambda }, h, batch, true);
  return { h, batch, temperature: effectiveTemperature(H, exact.covariance), exact, hessian: H };
})();

/**
 * The work theorem on a tilted double well E = (x² − 1)² + y²/2 + s·a·x: the tilt a follows a sine
 * (amplitude 0.5, period 4000 steps), switched on by s (a table: 0 for the first 2000 steps, then 1) when
 * a = 0, so that the cloud first settles at λ_0 (a symmetric start, so both wells fill equally) and the switch
 * itself does no work. Jarzynski's equality needs that equilibrium start: `Simulation.advance`, which the demo
 * steps with, runs no `init.kind: "equilibrium"` equilibration. Two periods of the tilt follow; ΔF is exact
 * from a 1-D quadrature of x's factor of Z (y's Gaussian factor does not depend on a).
 */
export const WORK_DEMO = (() => {
  const period = 4000;
  const steps = 5 * (period / 2) - 1; // the table's 5 segments are period/2 steps each: ⌊j·5/(steps + 1)⌋
  const tilt: ParamSchedule = { schedule: 'sine', mean: 0, amplitude: 0.5, period, phase: Math.PI };
  const on: ParamSchedule = { schedule: 'table', values: [0, 1, 1, 1, 1] };
  const tiltAt = (j: number) => paramAt(on, j, steps) * paramAt(tilt, j, steps);
  const lnZ = (a: number, T: number) => logPartition1D((x) => (x * x - 1) ** 2 + a * x, T, -1);
  const lnZ0 = new Map<number, number>();
  const deltaF = (j: number, T: number) => {
    if (!lnZ0.has(T)) lnZ0.set(T, lnZ(0, T));
    const a = tiltAt(j);
    return a === 0 ? 0 : -T * (lnZ(a, T) - lnZ0.get(T)!);
  };
  return { period, steps, tilt, on, tiltAt, deltaF, temperature: 0.4 };
})();

/**
 * First passage over a barrier (the tour's 'passage' step): overdamped Euler–Maruyama on the separable double well
 * E = (x² − 1)² + y²/2 (barrier 1 at x = 0, minima at x = ±1) at T = 0.5 (ΔE/T = 2), every particle from the left
 * minimum (x0, 0) to the half-plane x ≥ threshold. x moves independently of y, so its first passage is a 1-D chain
 * (src/demo/tourExact.ts EmPassage): mean first-passage time 4.4394 at h = 0.02 (4.6065 as h → 0, mfptExact).
 */
export const PASSAGE_DEMO = { expr: '(x^2 - 1)^2 + y^2/2', temperature: 0.5, dt: 0.02, x0: -1, threshold: 0 };

export const PRESETS: Preset[] = [
  {
    id: 'brownian',
    title: 'Brownian motion: free particles spread as 2DTt',
    spec: {
      dims: 2,
      particles: 200_000,
      potential: { name: 'free' },
      integrator: 'em',
      dt: 0.001,
      temperature: 0.5,
      steps: FOREVER,
      seed: 1,
      init: { kind: 'point', x: [0, 0] },
    },
    view: { dims: [0, 1], box: [-3, 3, -3, 3], energyRange: [0, 1] },
    contour: 1,
    stepsPerFrame: 4,
    trails: { tracked: 24, length: 300 },
  },
  {
    id: 'double-well',
    title: 'Boltzmann in a double well: the cloud relaxes to exp(−E/T)/Z',
    spec: {
      dims: 2,
      particles: 1_000_000,
      potential: { name: 'double-well' },
      integrator: 'lm',
      dt: 0.01,
      temperature: 0.5,
      steps: FOREVER,
      seed: 1,
      init: { kind: 'normal', mean: [-1, 0], std: 0.1 },
    },
    view: { dims: [0, 1], box: [-2.2, 2.2, -2.2, 2.2], energyRange: [0, 3] },
    contour: 0.25,
    stepsPerFrame: 4,
  },
  {
    id: 'mueller-brown',
    title: 'Annealing on Müller–Brown: cooling finds the global minimum',
    spec: {
      dims: 2,
      particles: 500_000,
      potential: { name: 'mueller-brown' },
      integrator: 'em',
      dt: 1e-4,
      temperature: { schedule: 'geometric', from: 30, to: 0.3 },
      steps: 6000,
      seed: 1,
      init: { kind: 'uniform', low: [-1.5, -0.5], high: [1.2, 2] },
    },
    view: { dims: [0, 1], box: [-1.5, 1.2, -0.5, 2], energyRange: [-150, 100] },
    contour: 20,
    stepsPerFrame: 10,
  },
  {
    id: 'rastrigin',
    title: 'Rastrigin: slow (Hajek) cooling against fast cooling',
    spec: {
      dims: 2,
      particles: 500_000,
      potential: { name: 'rastrigin' },
      integrator: 'em',
      dt: 0.002,
      temperature: { schedule: 'log', c: 10, n0: 2 },
      steps: FOREVER,
      seed: 1,
      init: { kind: 'uniform', low: -5, high: 5 },
    },
    view: { dims: [0, 1], box: [-5.12, 5.12, -5.12, 5.12], energyRange: [0, 80] },
    contour: 5,
    stepsPerFrame: 4,
    lanes: [
      { label: 'Hajek: T = 10 / ln(n + 2), for ever', spec: {} },
      {
        label: 'fast: T from 14.4 to 0.05 in 1500 steps, geometric',
        spec: { temperature: { schedule: 'geometric', from: 10 / Math.LN2, to: 0.05 }, steps: 1500 },
      },
    ],
  },
  {
    id: 'momentum',
    title: 'Momentum against gradient descent at T = 0 in a narrow valley (E = 0.05x² + 10y²)',
    spec: {
      dims: 2,
      particles: 200_000,
      potential: { expr: '0.05*x^2 + 10*y^2' },
      integrator: 'em',
      dt: 0.09,
      temperature: 0,
      steps: 4000,
      seed: 1,
      init: { kind: 'uniform', low: [-4, -1], high: [4, 1] },
    },
    view: { dims: [0, 1], box: [-4.5, 4.5, -4.5, 4.5], energyRange: [0, 4] },
    contour: 0.2,
    stepsPerFrame: 1,
    lanes: [
      // the largest stable gradient step is 2/20 = 0.1; the slow direction then relaxes as (1 − 0.009)^n
      { label: 'gradient descent: em, T = 0, dt = 0.09', spec: { integrator: 'em', dt: 0.09 } },
      // heavy ball (Newton with friction, no noise): γ = 2√0.1 damps the slow direction critically, e^(−γ dt/2) per step
      { label: 'momentum: baoab, T = 0, γ = 0.63, dt = 0.3', spec: { integrator: 'baoab', dt: 0.3, friction: 0.63 } },
    ],
  },
  {
    id: 'sgd-vs-langevin',
    title: `SGD against Langevin: mini-batch noise is a temperature (linear regression, 32 points)`,
    spec: {
      dims: 2,
      particles: 200_000,
      potential: sgdExample.potential,
      integrator: 'em',
      dt: SGD_DEMO.h,
      temperature: 0,
      steps: FOREVER,
      seed: 1,
      init: sgdExample.init,
    },
    view: { dims: [0, 1], box: [0.22, 0.82, 0.62, 1.22], energyRange: [1.6, 3] },
    contour: 0.05,
    stepsPerFrame: 2,
    lanes: [
      { label: `Langevin: full gradient, T = T_eff = ${SGD_DEMO.temperature.toFixed(4)}`, spec: { temperature: SGD_DEMO.temperature } },
      { label: `SGD: T = 0, batch ${SGD_DEMO.batch} of 32, dt = ${SGD_DEMO.h}`, spec: { temperature: 0, batch: SGD_DEMO.batch } },
    ],
  },
  {
    id: 'cloud-3d',
    title: 'A 3-D double well: drag to orbit, wheel to zoom',
    spec: {
      dims: 3,
      particles: 1_000_000,
      potential: { expr: '(x^2 - 1)^2 + y^2 + 2*z^2' },
      integrator: 'lm',
      dt: 0.01,
      temperature: 0.4,
      steps: FOREVER,
      seed: 1,
      init: { kind: 'normal', mean: [-1, 0, 0], std: 0.1 },
    },
    view: { dims: [0, 1], box: [-2, 2, -2, 2], energyRange: [0, 3] },
    contour: 0.25,
    stepsPerFrame: 4,
    view3d: true,
  },
  {
    id: 'work-theorem',
    title: 'Work theorem: a tilted double well',
    spec: {
      dims: 2,
      particles: 100_000,
      potential: { expr: '(x^2 - 1)^2 + y^2/2 + s*a*x', params: { a: WORK_DEMO.tilt, s: WORK_DEMO.on } },
      integrator: 'lm',
      dt: 0.01,
      temperature: WORK_DEMO.temperature,
      steps: WORK_DEMO.steps,
      seed: 1,
      init: { kind: 'normal', mean: [0, 0], std: [0.7, Math.sqrt(WORK_DEMO.temperature)] },
    },
    view: { dims: [0, 1], box: [-2.2, 2.2, -2.2, 2.2], energyRange: [-0.5, 3] },
    contour: 0.25,
    stepsPerFrame: 5,
    story:
      `Tilting this double well back and forth (E = (x² − 1)² + y²/2 + a·x; a is held at 0 for ${(WORK_DEMO.period / 2).toLocaleString('en')} steps while the cloud settles, then swings between ±0.5) does work W on every particle: in the plots its histogram fills, the mean ⟨W⟩ stays above the free-energy change ΔF (the rest is dissipated as heat), and yet Jarzynski’s average −T ln⟨e^(−W/T)⟩ recovers the exact ΔF. ` +
      `The protocol ends at step ${WORK_DEMO.steps.toLocaleString('en')} with the tilt back at 0 (ΔF = 0), and the cloud stops there.`,
    exactDeltaF: WORK_DEMO.deltaF,
  },
  {
    id: 'langevin-mass',
    title: 'The Langevin equation: inertia against the overdamped (small-mass) limit',
    spec: {
      dims: 2,
      particles: 200_000,
      potential: { name: 'free' },
      integrator: 'em',
      dt: 0.01,
      temperature: 0.5,
      steps: FOREVER,
      seed: 1,
      init: { kind: 'point', x: [0, 0] },
    },
    view: { dims: [0, 1], box: [-6, 6, -6, 6], energyRange: [0, 1] },
    contour: 1,
    stepsPerFrame: 4,
    // the friction coefficient m·γ is 1 in every lane, the overdamped one's: all diffuse as 2DTt once t ≫ m
    lanes: [
      { label: 'overdamped (m → 0): em', spec: { integrator: 'em' } },
      { label: 'm = 1, γ = 1/m: baoab', spec: { integrator: 'baoab', mass: 1, friction: 1 } },
      { label: 'm = 0.1, γ = 1/m: baoab', spec: { integrator: 'baoab', mass: 0.1, friction: 10 } },
    ],
  },
  {
    id: 'sgld-posterior',
    title: 'SGLD: mini-batch Langevin at T = 1 samples the posterior of a Bayesian regression',
    spec: {
      dims: 2,
      particles: 200_000,
      potential: sgdExample.potential,
      integrator: 'em',
      batch: 4,
      dt: 0.004,
      temperature: 1,
      steps: FOREVER,
      seed: 1,
      init: sgdExample.init,
    },
    view: { dims: [0, 1], box: [-0.5, 1.5, 0, 2], energyRange: [1.6, 8] },
    contour: 0.5,
    stepsPerFrame: 2,
  },
  {
    id: 'samplers',
    title: 'Exact samplers: MALA and HMC against Euler–Maruyama at a large step (E = 2x² + y²/2, T = 1)',
    spec: {
      dims: 2,
      particles: 200_000,
      potential: { expr: '2*x^2 + y^2/2' },
      integrator: 'em',
      dt: 0.3,
      temperature: 1,
      steps: FOREVER,
      seed: 1,
      init: { kind: 'normal', mean: [1.5, 1.5], std: 0.1 },
    },
    view: { dims: [0, 1], box: [-4, 4, -4, 4], energyRange: [0, 8] },
    contour: 0.5,
    stepsPerFrame: 2,
    lanes: [
      // EM's stationary variance is T/(k(1 − hk/2)): 2.5 times T/k along x at h·k = 1.2
      { label: 'Euler–Maruyama: biased', spec: { integrator: 'em', dt: 0.3 } },
      { label: 'MALA: exact', spec: { integrator: 'mala', dt: 0.3 } },
      { label: 'HMC (3 leapfrog steps): exact', spec: { integrator: 'hmc', dt: 0.3, leapfrogSteps: 3 } },
    ],
  },
  {
    id: 'first-passage',
    title: 'First passage over a barrier: Kramers’ escape from the left well (E = (x² − 1)² + y²/2, T = 0.5)',
    spec: {
      dims: 2,
      particles: 200_000,
      potential: { expr: PASSAGE_DEMO.expr },
      integrator: 'em',
      dt: PASSAGE_DEMO.dt,
      temperature: PASSAGE_DEMO.temperature,
      steps: FOREVER,
      seed: 1,
      init: { kind: 'point', x: [PASSAGE_DEMO.x0, 0] },
      // the right half x ≥ 0, past the barrier top; each particle's first hit step is kept (the Brownian bridge counts crossings within a step)
      passage: { region: { low: [PASSAGE_DEMO.threshold, null], high: [null, null] } },
    },
    view: { dims: [0, 1], box: [-2.2, 2.2, -2.2, 2.2], energyRange: [0, 3] },
    contour: 0.25,
    stepsPerFrame: 2,
    story:
      'Every particle starts at the bottom of the left well and waits for the kicks that carry it over the barrier (height 1 = 2T) into x > 0; ' +
      'the tour’s key number is the mean time of that first passage.',
  },
];

export function presetById(id: string | null): Preset {
  return PRESETS.find((p) => p.id === id) ?? PRESETS[1];
}
