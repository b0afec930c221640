/**
 * BAOAB, MALA and HMC on the GPU against the float64 CPU reference (same seed,
 * same random streams): trajectories to f32 tolerance on a convex potential,
 * the same accept decisions in almost every particle, and bit-identical results
 * whatever the chunking and sharding. The physics itself (closed forms, KL at
 * the floor) is one test body over both backends in tests/samplers/physics.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { runAndRead, simulation, varianceSE } from '../support.ts';
import { maxAbsDiff } from '../stats/helpers.ts';

// A strongly convex potential: trajectory differences contract instead of growing.
const base = {
  dims: 2,
  particles: 1000, // not a multiple of the workgroup size (64)
  potential: { expr: '0.25*x^4 + 0.5*x^2 + y^2 + 0.3*x*y' },
  dt: 0.05,
  temperature: 0.5,
  steps: 100,
  seed: 7,
  mass: [1, 2],
  leapfrogSteps: 3,
  init: { kind: 'normal', mean: [-1, 0], std: 0.3 },
  observe: { every: 50 },
};

/** Fraction of particles whose coordinates all agree within tol. */
function agreeing(a: ArrayLike<number>, b: ArrayLike<number>, dims: number, tol: number): number {
  let n = 0;
  for (let i = 0; i < a.length / dims; i++) {
    let ok = true;
    for (let d = 0; d < dims; d++) ok = ok && Math.abs(a[i * dims + d] - b[i * dims + d]) < tol;
    if (ok) n++;
  }
  return n / (a.length / dims);
}

describe('GPU against the CPU reference: inertial and Metropolis integrators', () => {
  it.each([
    ['baoab', 1],
    ['baoab', 0],
  ])('%s, γ = %s: positions and velocities agree to f32 tolerance; the kinetic results too', async (integrator, friction) => {
    const spec = { ...base, integrator, friction };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    expect(maxAbsDiff(cpu.positions, gpu.positions)).toBeLessThan(2e-3);
    expect(maxAbsDiff(cpu.positions, gpu.positions)).toBeGreaterThan(0);
    expect(maxAbsDiff(cpu.velocities!, gpu.velocities!)).toBeLessThan(5e-3);
    expect(maxAbsDiff(cpu.velocities!, gpu.velocities!)).toBeGreaterThan(0);
    const [fc, fg] = [cpu.result.final, gpu.result.final];
    expect(fg.kineticTemperature!).toBeCloseTo(fc.kineticTemperature!, 3);
    expect(fg.velocityVariance![1]).toBeCloseTo(fc.velocityVariance![1], 3);
    expect(fg.totalEnergy!).toBeCloseTo(fc.totalEnergy!, 3);
    if (friction === 0) expect(fg.energyDrift!).toBeCloseTo(fc.energyDrift!, 3);
    else expect(fg.energyDrift).toBeUndefined();
  });

  it.each(['mala', 'hmc'])('%s: the same accept decisions in almost every particle, the same acceptance rate', async (integrator) => {
    const spec = { ...base, integrator, dt: integrator === 'mala' ? 0.4 : 0.3 };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    // a differing decision moves a particle by O(σ) ≈ 0.5; the rest agree to f32 tolerance
    const agree = agreeing(cpu.positions, gpu.positions, 2, 2e-3);
    expect(agree).toBeGreaterThan(0.98);
    const [rc, rg] = [cpu.result.final.acceptanceRate!, gpu.result.final.acceptanceRate!];
    expect(rc).toBeGreaterThan(0.3);
    expect(rc).toBeLessThan(0.99);
    // a decision flips only where |ln α − ln u| is within the f32 error of ΔE: rare, but not counted by the
    // positions (the same noise can pull two trajectories back together after one), so the rates get 1 %
    expect(Math.abs(rg - rc)).toBeLessThan(0.01);
    // per trace interval too
    const tc = cpu.result.trace!.map((r) => r.acceptanceRate);
    const tg = gpu.result.trace!.map((r) => r.acceptanceRate);
    expect(tg[0]).toBeUndefined();
    for (let i = 1; i < tc.length; i++) expect(Math.abs(tg[i]! - tc[i]!)).toBeLessThan(0.01);
  });

  it('thermal initial velocities: the GPU draws the CPU reference (stream 2) to normal tolerance', async () => {
    const spec = { ...base, integrator: 'hmc', steps: 0, temperature: 2 };
    const sims = await Promise.all([simulation(spec, 'cpu'), simulation(spec, 'webgpu')]);
    const [vc, vg] = await Promise.all(sims.map((s) => s.backend.readVelocities()));
    sims.forEach((s) => s.destroy());
    // v = √(T/m_d)·z with normals good to 2^-11 (1 + |z|) (DESIGN §2), plus the f32 rounding of v
    let outside = 0;
    for (let i = 0; i < vc!.length; i++) {
      const scale = Math.sqrt(2 / base.mass[i % 2]);
      const bound = 2 ** -11 * (1 + Math.abs(vc![i]) / scale) * scale + 2 ** -23 * Math.abs(vc![i]);
      if (!(Math.abs(vc![i] - vg![i]) <= bound)) outside++;
    }
    expect(outside).toBe(0);
    expect(maxAbsDiff(vc!, vg!)).toBeGreaterThan(0);
    // and they are thermal: ⟨v_d²⟩ = T/m_d
    const N = 1000;
    for (let d = 0; d < 2; d++) {
      let s2 = 0;
      for (let i = 0; i < N; i++) s2 += vc![i * 2 + d] ** 2;
      const v = 2 / base.mass[d];
      expect(Math.abs(s2 / N - v)).toBeLessThan(5 * varianceSE(v, N));
    }
  });
});

describe('reproducibility of the samplers on the GPU', () => {
  it.each(['baoab', 'mala', 'hmc'])('%s: K = 1 and K = 40 per dispatch, one buffer and ten, give identical bits', async (integrator) => {
    const spec = { ...base, integrator, steps: 40, observe: { every: 0 } };
    const a = await runAndRead({ ...spec, stepsPerDispatch: 40 }, 'webgpu');
    const b = await runAndRead({ ...spec, stepsPerDispatch: 1 }, 'webgpu');
    const c = await runAndRead({ ...spec, stepsPerDispatch: 40 }, 'webgpu', { maxShardBytes: 4 * 2 * 100 });
    expect([a.dispatchSteps, b.dispatchSteps.length, Math.max(...b.dispatchSteps)]).toEqual([[40], 40, 1]);
    // (K + 1 gradients per dispatch: the gradient kept from the last step equals the recomputed one bit for bit)
    expect(Buffer.from(b.positions.buffer).equals(Buffer.from(a.positions.buffer))).toBe(true);
    expect(Buffer.from(c.positions.buffer).equals(Buffer.from(a.positions.buffer))).toBe(true);
    if (integrator !== 'mala') {
      // the velocities too (a wrong closing half-kick would leave the positions alone)
      const bits = (r: typeof a) => Buffer.from(r.velocities!.buffer, r.velocities!.byteOffset, r.velocities!.byteLength);
      expect(bits(b).equals(bits(a))).toBe(true);
      expect(bits(c).equals(bits(a))).toBe(true);
    }
    if (integrator !== 'baoab') {
      expect(b.result.final.acceptanceRate).toBe(a.result.final.acceptanceRate);
      expect(c.result.final.acceptanceRate).toBe(a.result.final.acceptanceRate);
    }
  });
});
