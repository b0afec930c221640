/**
 * Deterministic kinetics (T = 0) on both backends, against values known exactly: hit steps of a constant
 * force (every position a multiple of 1/4, exact in f32 too), the step-0 hit, a run of 0 steps, absorption,
 * the equilibration (its own steps count no passage and no work), and the work of a stiffness ramp against
 * the float64 recursion of switch-then-move, forward and reverse. These pin what the statistical tests cannot:
 * an off-by-one in the hit steps (the GPU keeps hit + 1), a parameter row shifted by one, work or hits
 * counted during the equilibration.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS, runAndRead } from '../support.ts';

const N = 4096;
/** E = −x: the force is +1, so at T = 0 and h = 1/4 a walker from 0 is at n/4 after n steps (exact). */
const drift = (patch: Record<string, unknown>) => ({
  dims: 1,
  particles: N,
  potential: { expr: '-x' },
  dt: 0.25,
  temperature: 0,
  steps: 16,
  init: { kind: 'point', x: 0 },
  observe: { every: 4 },
  ...patch,
});

describe.each(BACKENDS)('%s: exact hit steps at T = 0', (backend) => {
  it('a constant force reaches x ≥ 2 at step 8: MFPT 2 exactly, S = 1 up to step 4, 0 from step 8', async () => {
    const r = (await runAndRead(drift({ passage: { region: { low: [2], high: [null] } } }), backend)).result;
    expect(r.passage!.mfpt).toEqual({ value: 2, standardError: 0, kind: 'all hit' });
    expect(r.passage!.survival.S).toEqual([1, 1, 0, 0, 0]);
  });

  it('a walker that starts inside has hit step 0, also in a run of 0 steps', async () => {
    for (const steps of [0, 5]) {
      const r = (await runAndRead(drift({ steps, passage: { region: { low: [-1], high: [null] } } }), backend)).result;
      expect(r.passage!.hit).toBe(N);
      expect(r.passage!.mfpt!.value).toBe(0);
    }
  });

  it('absorb: the walkers stop at the end of the step that hit (x = 1.25 in the ball of radius 0.3 about 1.5)', async () => {
    const region = { center: [1.5], radius: 0.3 };
    const free = await runAndRead(drift({ passage: { region } }), backend);
    const held = await runAndRead(drift({ passage: { region, absorb: true } }), backend);
    expect(free.result.passage!.mfpt!.value).toBe(1.25);
    expect(held.result.passage!.mfpt!.value).toBe(1.25);
    expect(Array.from(free.positions).every((x) => x === 4)).toBe(true);
    expect(Array.from(held.positions).every((x) => x === 1.25)).toBe(true);
  });

  it('the equilibration counts no passage: 4 steps take the walkers to 1, past 0.5 (hit step 0, not 2) and 1 short of 2 (step 4)', async () => {
    const init = { kind: 'equilibrium', steps: 4, from: { kind: 'point', x: 0 } };
    const near = (await runAndRead(drift({ init, passage: { region: { low: [0.5], high: [null] } } }), backend)).result;
    const far = (await runAndRead(drift({ init, passage: { region: { low: [2], high: [null] } } }), backend)).result;
    expect(near.passage!.mfpt!.value).toBe(0);
    expect(far.passage!.mfpt!.value).toBe(1);
  });
});

/**
 * The work of E = k x²/2 under k: linear k_a → k_b over `steps` steps at T = 0 from x0 = 1 (EM), in float64 as the
 * engine defines it: step n adds E(x_n; k_{n+1}) − E(x_n; k_n), then moves x ← x − h k_{n+1} x.
 */
function rampWork(ka: number, kb: number, steps: number, h: number, x0: number): number {
  let x = x0;
  let W = 0;
  const k = (j: number) => ka + (kb - ka) * (j / steps);
  for (let n = 0; n < steps; n++) {
    W += (k(n + 1) * x ** 2) / 2 - (k(n) * x ** 2) / 2;
    x = x - h * k(n + 1) * x;
  }
  return W;
}

describe.each(BACKENDS)('%s: the work of a stiffness ramp at T = 0 against its recursion', (backend) => {
  const ramp = (protocol: string, init: unknown) => ({
    dims: 1,
    particles: N,
    potential: { expr: 'k*x^2/2', params: { k: { schedule: 'linear', from: 1, to: 3 } } },
    dt: 0.1,
    temperature: 0,
    steps: 50,
    protocol,
    init,
  });
  // f32 on the GPU: each of the 50 switches and moves rounds at ~2^-24 relative
  const tolerance = backend === 'cpu' ? 1e-12 : 1e-5;

  it('forward (k 1 → 3) and reverse (k 3 → 1): every walker holds the W of the recursion', async () => {
    for (const [protocol, ka, kb] of [
      ['forward', 1, 3],
      ['reverse', 3, 1],
    ] as const) {
      const r = (await runAndRead(ramp(protocol, { kind: 'point', x: 1 }), backend)).result;
      const W = rampWork(ka, kb, 50, 0.1, 1);
      expect(Math.abs(r.work!.mean! - W)).toBeLessThan(tolerance * Math.abs(W));
      // all walkers alike: no spread beyond rounding
      expect(r.work!.variance!).toBeLessThan((tolerance * W) ** 2 + 1e-30);
    }
  });

  it('after an equilibration (10 steps at k = 1 from x = 1: x = 0.9^10), the work starts from there and the equilibration adds none', async () => {
    const r = (await runAndRead(ramp('forward', { kind: 'equilibrium', steps: 10, from: { kind: 'point', x: 1 } }), backend)).result;
    const W = rampWork(1, 3, 50, 0.1, 0.9 ** 10);
    expect(Math.abs(r.work!.mean! - W)).toBeLessThan(tolerance * Math.abs(W) + 1e-15);
  });
});
