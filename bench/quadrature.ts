/**
 * Speed of the Boltzmann reference (float64 quadrature on the host).
 *
 *   node bin/run-ts.js bench/quadrature.ts
 *
 * Prints the median of 3 timings per case after one warm-up.
 */
import { compilePotential } from '../src/potential/index.ts';
import { boltzmannReference } from '../src/stats/boltzmann.ts';
import type { HistogramSpec } from '../src/spec.ts';

const hist = (dims: number[], bins: number[], low: number[], high: number[]): HistogramSpec => ({
  dims,
  bins,
  low,
  high,
  from: 0,
  every: 1,
});

const cases: [string, () => unknown][] = [
  [
    'double well 1-D, 1000 bins (full)',
    () => boltzmannReference(compilePotential({ name: 'double-well' }, 1), hist([0], [1000], [-2.5], [2.5]), 0.3),
  ],
  [
    'Müller–Brown 64 × 64 (full)',
    () => boltzmannReference(compilePotential({ name: 'mueller-brown' }, 2), hist([0, 1], [64, 64], [-1.5, -0.5], [1.2, 2]), 15),
  ],
  [
    'harmonic 1024 × 1024 (full)',
    () =>
      boltzmannReference(
        compilePotential({ name: 'harmonic', params: { k: [1, 3] } }, 2),
        hist([0, 1], [1024, 1024], [-4, -3], [4, 2]),
        0.7,
      ),
  ],
  [
    'harmonic 3-D, 2-D histogram 1024 × 1024 (separable)',
    () => boltzmannReference(compilePotential({ name: 'harmonic' }, 3), hist([2, 0], [1024, 1024], [-3, -3], [3, 3]), 1),
  ],
  [
    'coupled 2-D, x marginal, 1000 bins (integrated)',
    () => boltzmannReference(compilePotential({ expr: '0.5*(x^2 + y^2 + 1.6*x*y)' }, 2), hist([0], [1000], [-4], [4]), 1),
  ],
  [
    'coupled 3-D, 64 × 64 (integrated)',
    () =>
      boltzmannReference(
        compilePotential({ expr: '0.5*(x^2 + 2*y^2) + 0.5*(z - 1.5*x*y)^2' }, 3),
        hist([0, 1], [64, 64], [-3, -3], [3, 3]),
        1,
      ),
  ],
];

for (const [name, f] of cases) {
  f();
  const t: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = f() as { note?: string };
    t.push(performance.now() - t0);
    if (r.note) throw new Error(`${name}: ${r.note}`);
  }
  t.sort((a, b) => a - b);
  process.stdout.write(`${name.padEnd(56)} ${(t[1] / 1000).toFixed(3)} s  (${(t[0] / 1000).toFixed(3)}–${(t[2] / 1000).toFixed(3)})\n`);
}
