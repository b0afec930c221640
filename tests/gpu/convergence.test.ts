import { describe, expect, it } from 'vitest';
import { BACKENDS, runAndRead } from '../support.ts';
import { klFloor, divergences } from '../../src/stats/divergence.ts';
import { erf } from '../../src/stats/special.ts';
import { boltzmannReference } from '../../src/stats/boltzmann.ts';
import { prepare } from '../../src/engine.ts';

/** KL bound for one snapshot of n independent samples over B populated bins: floor mean + 5 sd. */
function klBound(bins: number, n: number): number {
  const f = klFloor(bins, n);
  return f.mean + 5 * f.sd;
}

describe.each(BACKENDS)('convergence to exp(−E/T)/Z (%s backend)', (backend) => {
  const N = 20000;

  it('1-D tilted double well: KL of the final snapshot is at the statistical floor; the reference at a wrong T is rejected', async () => {
    const spec = {
      dims: 1,
      particles: N,
      potential: { name: 'tilted-double-well' },
      integrator: 'lm',
      dt: 0.02,
      temperature: 1,
      steps: 600,
      seed: 31,
      init: { kind: 'uniform', low: -2, high: 2 },
      histogram: { dims: [0], bins: 40, low: -2.5, high: 2.5 },
    };
    const { result } = await runAndRead(spec, backend);
    const populated = result.boltzmann!.probabilities.filter((p) => p > 0).length;
    expect(result.histogram!.snapshots).toEqual([600]);
    expect(result.divergence!.note).toBeUndefined();
    expect(result.divergence!.kl).toBeLessThan(klBound(populated, result.histogram!.samples));
    expect(result.divergence!.pValue).toBeGreaterThan(1e-4);
    // power: the same counts against the reference at T = 1.25 fail clearly
    const wrong = boltzmannReference(prepare(spec).potential, prepare(spec).spec.histogram!, 1.25);
    if (!('probabilities' in wrong)) throw new Error(wrong.note);
    const d = divergences(result.histogram!.counts, wrong.probabilities);
    expect(d.kl).toBeGreaterThan(2 * klBound(populated, result.histogram!.samples));
    expect(d.pValue).toBeLessThan(1e-10);
  });

  it('2-D coupled double well (non-separable): KL at the floor over a 24 × 24 histogram', async () => {
    const spec = {
      dims: 2,
      particles: N,
      potential: { expr: '(x^2 - 1)^2 + 0.5*(y - 0.5*x)^2' },
      integrator: 'lm',
      dt: 0.02,
      temperature: 0.8,
      steps: 600,
      seed: 5,
      init: { kind: 'uniform', low: [-1.5, -1.5], high: [1.5, 1.5] },
      histogram: { dims: [0, 1], bins: [24, 24], low: [-2.2, -3], high: [2.2, 3] },
    };
    const { result } = await runAndRead(spec, backend);
    expect(result.boltzmann!.method).toBe('full');
    const populated = result.boltzmann!.probabilities.filter((p) => p > 1e-12).length;
    expect(result.divergence!.kl).toBeLessThan(klBound(populated, result.histogram!.samples));
  });

  it('harmonic, EM: snapshots pass the χ² test against N(0, T/(k(1 − hk/2))) and fail against N(0, T/k)', async () => {
    const h = 0.3;
    const k = 2;
    const T = 0.6;
    const spec = {
      dims: 1,
      particles: N,
      potential: { name: 'harmonic', params: { k } },
      integrator: 'em',
      dt: h,
      temperature: T,
      steps: 80,
      seed: 77,
      histogram: { dims: [0], bins: 30, low: -2, high: 2 },
    };
    const { result } = await runAndRead(spec, backend);
    const gaussianBins = (v: number) => {
      const edges = Array.from({ length: 31 }, (_, i) => -2 + (4 * i) / 30);
      const cdf = (x: number) => 0.5 * (1 + erf(x / Math.sqrt(2 * v)));
      const p = edges.slice(1).map((e, i) => cdf(e) - cdf(edges[i]));
      const z = cdf(2) - cdf(-2);
      return p.map((q) => q / z);
    };
    const em = divergences(result.histogram!.counts, gaussianBins(T / (k * (1 - (h * k) / 2))));
    const exact = divergences(result.histogram!.counts, gaussianBins(T / k));
    expect(em.pValue).toBeGreaterThan(1e-4);
    expect(exact.pValue).toBeLessThan(1e-6);
  });
});

describe('relaxation and annealing (webgpu)', () => {
  it('the relaxation curve from a point start falls to the floor', async () => {
    const N = 10000;
    const spec = {
      dims: 1,
      particles: N,
      potential: { name: 'double-well' },
      integrator: 'lm',
      dt: 0.02,
      temperature: 0.7,
      steps: 800,
      seed: 8,
      init: { kind: 'point', x: 1.5 },
      histogram: { dims: [0], bins: 40, low: -2.2, high: 2.2 },
      observe: { every: 40 },
    };
    const { result } = await runAndRead(spec, 'webgpu');
    const kl = result.trace!.map((r) => r.kl!);
    expect(kl.length).toBe(21);
    const bound = klBound(40, N);
    expect(kl[0]).toBeGreaterThan(1); // a point mass is far from equilibrium
    // falls: each row below the one before until the floor is reached (then it stays at the floor)
    for (let i = 1; i < kl.length; i++) {
      if (kl[i - 1] > bound) expect(kl[i]).toBeLessThan(kl[i - 1]);
      else expect(kl[i]).toBeLessThan(bound);
    }
    expect(kl[kl.length - 1]).toBeLessThan(bound);
    expect(result.trace!.every((r) => r.temperature === 0.7)).toBe(true);
  });

  it('geometric cooling on Müller–Brown finds the global minimum −146.70 at (−0.558, 1.442)', async () => {
    const spec = {
      dims: 2,
      particles: 4096,
      potential: { name: 'mueller-brown' },
      integrator: 'em',
      dt: 1e-4,
      steps: 3000,
      seed: 1,
      temperature: { schedule: 'geometric', from: 30, to: 0.3 },
      init: { kind: 'uniform', low: [-1.5, -0.5], high: [1.2, 2] },
      observe: { every: 500, target: [-0.558, 1.442], radius: 0.15 },
    };
    const { result } = await runAndRead(spec, 'webgpu');
    expect(result.best.energy).toBeGreaterThan(-146.71);
    expect(result.best.energy).toBeLessThan(-146.6);
    expect(Math.hypot(result.best.x[0] + 0.558, result.best.x[1] - 1.442)).toBeLessThan(0.02);
    // most walkers end in the global basin (the others in the two local minima)
    expect(result.target!.fraction).toBeGreaterThan(0.5);
    expect(result.trace!.map((r) => r.inTarget!).at(-1)).toBe(result.target!.fraction);
    // best energy never rises along the trace
    const best = result.trace!.map((r) => r.bestEnergy);
    best.slice(1).forEach((b, i) => expect(b).toBeLessThanOrEqual(best[i]));
  });

  it('10-D Rastrigin: the best energy falls as the schedule slows', async () => {
    const best: number[] = [];
    const mean: number[] = [];
    for (const steps of [200, 1000, 5000]) {
      const spec = {
        dims: 10,
        particles: 1000,
        potential: { name: 'rastrigin' },
        integrator: 'em',
        dt: 0.002,
        steps,
        seed: 3,
        temperature: { schedule: 'geometric', from: 20, to: 0.05 },
        init: { kind: 'uniform', low: -5, high: 5 },
      };
      const { result } = await runAndRead(spec, 'webgpu');
      best.push(result.best.energy);
      mean.push(result.final.meanEnergy);
    }
    expect(best[1]).toBeLessThan(best[0]);
    expect(best[2]).toBeLessThan(best[1]);
    // the ensemble as a whole too (the best of 1000 walkers is a noisy extreme)
    expect(mean[1]).toBeLessThan(mean[0]);
    expect(mean[2]).toBeLessThan(mean[1]);
  });
});
