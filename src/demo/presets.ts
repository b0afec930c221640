/**
 * Demo presets: each tells one story of the physics. A preset is a run spec
 * plus what to show (view box, energy range, contour spacing).
 */
import type { View } from '../gpu/render/view.ts';

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
}

/** Long enough to run for as long as a person watches; schedules are laid out over it. */
const FOREVER = 2 ** 31;

export const PRESETS: Preset[] = [
  {
    id: 'brownian',
    title: 'Brownian motion: free particles spread as 2DTt',
    spec: { dims: 2, particles: 200_000, potential: { name: 'free' }, integrator: 'em', dt: 0.001, temperature: 0.5, steps: FOREVER, seed: 1, init: { kind: 'point', x: [0, 0] } },
    view: { dims: [0, 1], box: [-3, 3, -3, 3], energyRange: [0, 1] },
    contour: 1,
    stepsPerFrame: 4,
    trails: { tracked: 24, length: 300 },
  },
  {
    id: 'double-well',
    title: 'Boltzmann in a double well: the cloud relaxes to exp(−E/T)/Z',
    spec: { dims: 2, particles: 1_000_000, potential: { name: 'double-well' }, integrator: 'lm', dt: 0.01, temperature: 0.5, steps: FOREVER, seed: 1, init: { kind: 'normal', mean: [-1, 0], std: 0.1 } },
    view: { dims: [0, 1], box: [-2.2, 2.2, -2.2, 2.2], energyRange: [0, 3] },
    contour: 0.25,
    stepsPerFrame: 4,
  },
  {
    id: 'mueller-brown',
    title: 'Annealing on Müller–Brown: cooling finds the global minimum',
    spec: { dims: 2, particles: 500_000, potential: { name: 'mueller-brown' }, integrator: 'em', dt: 1e-4, temperature: { schedule: 'geometric', from: 30, to: 0.3 }, steps: 6000, seed: 1, init: { kind: 'uniform', low: [-1.5, -0.5], high: [1.2, 2] } },
    view: { dims: [0, 1], box: [-1.5, 1.2, -0.5, 2], energyRange: [-150, 100] },
    contour: 20,
    stepsPerFrame: 10,
  },
  {
    id: 'rastrigin',
    title: 'Rastrigin: slow (Hajek) cooling against fast cooling',
    spec: { dims: 2, particles: 500_000, potential: { name: 'rastrigin' }, integrator: 'em', dt: 0.002, temperature: { schedule: 'log', c: 10, n0: 2 }, steps: FOREVER, seed: 1, init: { kind: 'uniform', low: -5, high: 5 } },
    view: { dims: [0, 1], box: [-5.12, 5.12, -5.12, 5.12], energyRange: [0, 80] },
    contour: 5,
    stepsPerFrame: 4,
    lanes: [
      { label: 'Hajek: T = 10 / ln(n + 2), for ever', spec: {} },
      { label: 'fast: T from 14.4 to 0.05 in 1500 steps, geometric', spec: { temperature: { schedule: 'geometric', from: 10 / Math.LN2, to: 0.05 }, steps: 1500 } },
    ],
  },
  {
    id: 'momentum',
    title: 'Momentum against gradient descent at T = 0 in a narrow valley (E = 0.05x² + 10y²)',
    spec: { dims: 2, particles: 200_000, potential: { expr: '0.05*x^2 + 10*y^2' }, integrator: 'em', dt: 0.09, temperature: 0, steps: 4000, seed: 1, init: { kind: 'uniform', low: [-4, -1], high: [4, 1] } },
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
    id: 'cloud-3d',
    title: 'A 3-D double well: drag to orbit, wheel to zoom',
    spec: { dims: 3, particles: 1_000_000, potential: { expr: '(x^2 - 1)^2 + y^2 + 2*z^2' }, integrator: 'lm', dt: 0.01, temperature: 0.4, steps: FOREVER, seed: 1, init: { kind: 'normal', mean: [-1, 0, 0], std: 0.1 } },
    view: { dims: [0, 1], box: [-2, 2, -2, 2], energyRange: [0, 3] },
    contour: 0.25,
    stepsPerFrame: 4,
    view3d: true,
  },
];

export function presetById(id: string | null): Preset {
  return PRESETS.find((p) => p.id === id) ?? PRESETS[1];
}
