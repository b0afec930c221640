/**
 * SGLD (Welling & Teh 2011) on their mixture posterior: θ1 ~ N(0, 10),
 * θ2 ~ N(0, 1), x_i ~ ½N(θ1, 2) + ½N(θ1 + θ2, 2), 100 points
 * (examples/sgld-mixture.csv). EM at T = 1 with 10-row mini-batches: the
 * 2-D histogram of the ensemble matches the exact posterior (Boltzmann
 * quadrature of the full-data energy) within a KL bound from the sample size,
 * and both modes (θ2 > 0 and θ2 < 0) hold their posterior mass, reached from
 * a start with only 20 % of the particles at θ2 > 0 (12 000 steps: 6000 were
 * measured too few for the modes' shares to equilibrate).
 *
 * Step h = 5·10⁻⁴: the mini-batch noise heats the ensemble by about
 * h·Var(ĝ)/2 ≈ 0.1 (Var(ĝ) = (N²/B)·Var_i ∇example_i ≈ 500), which moves the
 * KL by ~D·0.1²/4 ≈ 5·10⁻³. That is a systematic shift of about 1.7 standard
 * deviations of the sampling KL (sd √(2(B−1))/(2n) ≈ 3·10⁻³ for ~150 populated
 * bins and n = 3000), so the floor + 5 sd bound below leaves about 3.3 sd for
 * the sampling noise itself; a smaller h would buy margin at the price of
 * more steps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine.ts';
import { parseCsv } from '../../src/data.ts';

const data = parseCsv(readFileSync(new URL('../../examples/sgld-mixture.csv', import.meta.url), 'utf8'), 'sgld-mixture.csv');

describe('SGLD on the Welling–Teh mixture', () => {
  it('the histogram matches the exact posterior within the sample-size KL bound; both modes in proportion', async () => {
    const particles = 3000;
    const bins = [16, 16];
    const sim = await Simulation.create(
      {
        dims: 2,
        particles,
        integrator: 'em',
        batch: 10,
        dt: 5e-4,
        temperature: 1,
        steps: 12000,
        seed: 11,
        potential: { data, example: '-log(0.5*exp(-(d - x)^2/4) + 0.5*exp(-(d - x - y)^2/4))', prior: 'x^2/20 + y^2/2' },
        // off balance: Φ(−0.5/0.6) = 20 % start at θ2 > 0, far from the posterior's share, so matching it needs particles to cross
        init: { kind: 'normal', mean: [0.2, -0.5], std: [0.6, 0.6] },
        histogram: { dims: [0, 1], bins, low: [-1.5, -3], high: [2.5, 3] },
      },
      { backend: 'cpu' },
    );
    const result = await sim.run();
    sim.destroy();
    const n = result.histogram!.samples;
    expect(n).toBeGreaterThan(0.999 * particles);
    const p = result.boltzmann!.probabilities;
    // KL of n independent samples from p: ≈ χ²_{B−1}/(2n), mean (B−1)/(2n), sd √(2(B−1))/(2n)
    const populated = p.filter((x) => x > 0).length;
    const bound = (populated - 1 + 5 * Math.sqrt(2 * (populated - 1))) / (2 * n);
    expect(result.divergence!.kl).toBeLessThan(bound);
    // modes: θ2 > 0 is the upper half of the y bins (the last axis is fastest)
    const upper = (v: number[]) => v.reduce((s, x, i) => s + (i % bins[1] >= bins[1] / 2 ? x : 0), 0);
    const pUp = upper(p);
    const qUp = upper(result.histogram!.counts) / n;
    // the start's share is many standard errors from the posterior's: a run that did not mix would fail below
    expect(Math.abs(0.2 - pUp)).toBeGreaterThan(10 * Math.sqrt((pUp * (1 - pUp)) / n));
    expect(Math.abs(qUp - pUp)).toBeLessThan(5 * Math.sqrt((pUp * (1 - pUp)) / n));
    // and the posterior really is bimodal: the two modes' bins each hold more than the saddle between them
    const at = (x: number, y: number) => Math.floor(((x + 1.5) / 4) * bins[0]) * bins[1] + Math.floor(((y + 3) / 6) * bins[1]);
    expect(p[at(-0.4, 1.2)]).toBeGreaterThan(p[at(0.2, 0.05)]);
    expect(p[at(0.8, -1.2)]).toBeGreaterThan(p[at(0.2, 0.05)]);
  }, 600_000); // 3.6·10⁸ example gradients in float64 JS: about two minutes, more on a loaded machine
});
