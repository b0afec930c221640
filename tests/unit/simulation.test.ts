import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';

describe('Simulation: live changes without recompilation', () => {
  it('setTemperature and setStepSize take effect from the next step (EM harmonic recursion)', async () => {
    const N = 20000;
    const sim = await Simulation.create(
      {
        dims: 1,
        particles: N,
        potential: { name: 'harmonic' },
        integrator: 'em',
        dt: 0.2,
        temperature: 1,
        steps: 400,
        seed: 4,
        init: { kind: 'point', x: 0 },
      },
      { backend: 'cpu' },
    );
    await sim.advance(100);
    sim.setTemperature(0.25);
    sim.setStepSize(0.1);
    await sim.advance(30);
    // exact: v' = (1 − h)² v + 2hT, from v after 100 steps at (h = 0.2, T = 1)
    let v = 0;
    for (let n = 0; n < 100; n++) v = 0.8 ** 2 * v + 2 * 0.2 * 1;
    for (let n = 0; n < 30; n++) v = 0.9 ** 2 * v + 2 * 0.1 * 0.25;
    const m = await sim.moments();
    expect(Math.abs(m.variance[0] - v)).toBeLessThan(5 * v * Math.sqrt(2 / (N - 1)));
    expect(sim.temperatureAfter(sim.step)).toBe(0.25);
    expect(() => sim.setTemperature(-1)).toThrow(SpecError);
    expect(() => sim.setStepSize(0)).toThrow(/dt: got 0; must be a finite number > 0/);
    sim.destroy();
  });
});
