/**
 * Honest diagnostics and the memory preflight (issue 14, items 2 and 4), on
 * the CPU backend: a blow-up hint only when a step made a finite particle
 * non-finite; NaN from the potential's own domain and an energy overflow at
 * step 0 said as such, with an example position; a KL that cannot be computed
 * explained in the notes; too many particles refused before allocating,
 * naming `particles` and how many would fit.
 */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';
import { hostMemory, MEMORY_SHARE } from '../../src/run/memory.ts';

const run = async (spec: object) => {
  const sim = await Simulation.create(spec, { backend: 'cpu' });
  try {
    return await sim.run();
  } finally {
    sim.destroy();
  }
};

/** The position a message quotes, e.g. `x = [-0.5, 1.2]`. */
function quoted(message: string): number[] {
  const m = /x = \[([^\]]*)\]/.exec(message);
  if (!m) throw new Error(`no position in: ${message}`);
  return m[1].split(', ').map(Number);
}

describe('non-finite particles: the cause, not always the step size', () => {
  it('an energy that overflows f32 at the initial positions is reported at step 0, before any step, with no "lower dt"', async () => {
    // E = e^{x² + 90} > 3.4e38 everywhere: every particle is non-finite before it moves
    const r = await run({ dims: 1, particles: 200, potential: { expr: 'exp(x^2 + 90)' }, dt: 0.01, steps: 0, seed: 1 });
    expect(r.final.nonFinite).toBe(200);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^200 of 200 particles are non-finite at step 0, before any step, because the energy overflows f32 at x = \[/,
    );
    expect(r.warnings.join(' ')).not.toContain('lower dt');
    // the quoted position is one where the energy really overflows f32
    const [x] = quoted(r.warnings[0]);
    expect(Math.exp(x * x + 90)).toBeGreaterThan(3.4028234663852886e38);
    expect(r.notes.join(' ')).toContain('every particle is non-finite: final.mean, final.variance and final.meanEnergy are unknown (null)');
  });

  it('NaN from the potential itself (sqrt of a negative x) is blamed on the domain, with a position where it is NaN', async () => {
    // √x is NaN for x < 0: walkers started at x = 1.5 ± 0.25 (all at x > 0) are pushed towards 0 by the force
    // −1/(2√x), cross it and become NaN there, whatever dt
    const r = await run({
      dims: 2,
      particles: 400,
      potential: { expr: 'sqrt(x) + y^2' },
      dt: 0.001,
      temperature: 1,
      steps: 300,
      seed: 3,
      init: { kind: 'normal', mean: [1.5, 0], std: 0.25 },
    });
    expect(r.final.nonFinite).toBeGreaterThan(10);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/particles became non-finite during the run because the potential is NaN at x = \[/);
    expect(r.warnings[0]).toContain('this is not the step size');
    expect(r.warnings[0]).not.toContain('lower dt');
    const x = quoted(r.warnings[0]);
    expect(x[0]).toBeLessThan(0);
    expect(Math.sqrt(x[0]) + x[1] ** 2).toBeNaN();
  });

  it('a real blow-up (EM on a stiff spring at h·k > 2) still says to lower dt, and only that', async () => {
    const r = await run({ dims: 1, particles: 100, potential: { name: 'harmonic', params: { k: 100 } }, dt: 3, steps: 100, seed: 1 });
    expect(r.final.nonFinite).toBe(100);
    expect(r.warnings).toEqual(['100 of 100 particles became non-finite: the step is too large for this potential; lower dt (now 3).']);
  });

  it('particles non-finite from the start are not counted again as a blow-up', async () => {
    // E = 1e30·x² overflows f32 for |x| > x* = √(3.4e38/1e30) ≈ 18439; at T = 0 and h = 1e-36 a step moves a
    // particle by h·2e30·x ≈ 4e-2, so none crosses into the overflow and some leave it: no step makes one non-finite
    const r = await run({
      dims: 1,
      particles: 300,
      potential: { expr: '1e30*x^2' },
      dt: 1e-36,
      temperature: 0,
      steps: 20,
      seed: 2,
      init: { kind: 'uniform', low: 16000, high: 20000 },
    });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^\d+ of 300 particles are non-finite at step 0, before any step, because the energy overflows f32/);
    const start = Number(r.warnings[0].split(' ')[0]);
    expect(r.final.nonFinite).toBeLessThanOrEqual(start);
    // the share of the box past x*, within 5 binomial standard deviations
    const p = (20000 - Math.sqrt(3.4028234663852886e38 / 1e30)) / 4000;
    expect(Math.abs(start - 300 * p)).toBeLessThan(5 * Math.sqrt(300 * p * (1 - p)));
  });
});

describe('a KL that cannot be computed says why', () => {
  it('trace rows and snapshots with no particle in the histogram box: no kl, no divergence, and notes saying so', async () => {
    const r = await run({
      dims: 1,
      particles: 200,
      potential: { name: 'harmonic' },
      dt: 0.01,
      steps: 20,
      seed: 4,
      histogram: { dims: [0], bins: [8], low: [100], high: [101], from: 10, every: 10 },
      observe: { every: 10 },
    });
    expect(r.trace!.map((row) => row.kl)).toEqual([undefined, undefined, undefined]);
    expect(r.histogram!.samples).toBe(0);
    expect(r.divergence).toBeUndefined();
    expect(r.boltzmann).toBeDefined();
    expect(r.notes).toContain('trace rows at steps 0, 10, 20 have no kl: no particle was inside the histogram box then');
    expect(r.notes).toContain('no divergence: no particle was inside the histogram box at any snapshot (400 finite samples outside it)');
  });
});

describe('memory preflight', () => {
  const spec = { dims: 2, particles: 100_000, potential: { name: 'harmonic' }, dt: 0.01, steps: 1 };

  it('refuses, before allocating, a CPU run that needs more than its share of the memory, naming particles and how many fit', async () => {
    // 10^5 particles × 2 × 8 bytes = 1.6 MB against half of 1 MB
    const made = Simulation.create(spec, { backend: 'cpu', memory: 1e6 });
    await expect(made).rejects.toBeInstanceOf(SpecError);
    await expect(made).rejects.toThrow(`particles: got 100000; needs 0.001 GiB for the float64 positions of the CPU backend`);
    await expect(made).rejects.toThrow(`at most ${Math.floor((MEMORY_SHARE * 1e6) / 16)} particles fit`);
    // velocities double it for baoab
    await expect(Simulation.create({ ...spec, integrator: 'baoab' }, { backend: 'cpu', memory: 4e6 })).rejects.toThrow(
      `float64 positions and velocities of the CPU backend, more than the 0.002 GiB this run may use (50 % of the 0.004 GiB available); at most ${Math.floor((MEMORY_SHARE * 4e6) / 32)} particles fit`,
    );
    // and with enough memory it runs
    const ok = await Simulation.create(spec, { backend: 'cpu', memory: 4e6 });
    ok.destroy();
  });

  // on a machine with twice the need free such a run is allowed (and would allocate it): these are about machines like this one
  const free = hostMemory() ?? 0;
  for (const [particles, gib] of [
    [2 ** 31 - 1, '32.0'],
    [1e9, '14.9'],
  ] as const) {
    it.skipIf(16 * particles <= MEMORY_SHARE * free)(
      `refuses particles: ${particles} on the CPU of this machine instead of allocating`,
      async () => {
        await expect(Simulation.create({ ...spec, particles }, { backend: 'cpu' })).rejects.toThrow(
          new RegExp(`^particles: got ${particles}; needs ${gib} GiB`),
        );
      },
    );
  }
});
