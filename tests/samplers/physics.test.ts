/**
 * The physics of the inertial and Metropolis integrators. One test body per
 * physics check runs on both backends (the float64 CPU reference and f32
 * WebGPU, STYLE.md point 8): BAOAB's harmonic moments and its covariance
 * recursion under cooling, the energy of velocity Verlet, and exactness of MALA
 * and HMC at step sizes where Euler–Maruyama is visibly biased. On the CPU
 * only, at the end: the trace of acceptance rates, the EM controls showing
 * that the MALA and HMC tests can fail, and the checks that need float64
 * itself (the reference step called directly over 10^5 steps, the heavy-ball
 * recursion to 1e-12).
 * Fixed seeds; statistical tolerances are 5 standard errors from the sample
 * size, the same on both backends. The CPU-vs-GPU agreement and the GPU's
 * bit-reproducibility are in tests/gpu/samplers.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { prepare, Simulation, type RunResult } from '../../src/engine.ts';
import { advanceBaoab } from '../../src/integrators/inertial.ts';
import { inverseMass } from '../../src/integrators/reference.ts';
import { coefficientTable } from '../../src/integrators/table.ts';
import { NormalStream, Stream, seedKey } from '../../src/rng/philox.ts';
import { temperatureAt } from '../../src/schedule.ts';
import { divergences, klFloor } from '../../src/stats/divergence.ts';
import { erf } from '../../src/stats/special.ts';
import { BACKENDS, runAndRead, simulation, varianceSE } from '../support.ts';

/** KL bound for one snapshot of n independent samples over B populated bins: floor mean + 5 sd. */
function klBound(bins: number, n: number): number {
  const f = klFloor(bins, n);
  return f.mean + 5 * f.sd;
}

/** Bin probabilities of N(0, v) over `bins` equal bins of [lo, hi], renormalised to the box. */
function gaussianBins(v: number, bins: number, lo: number, hi: number): number[] {
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const cdf = (x: number) => 0.5 * (1 + erf(x / Math.sqrt(2 * v)));
  const p = edges.slice(1).map((e, i) => cdf(e) - cdf(edges[i]));
  const z = cdf(hi) - cdf(lo);
  return p.map((q) => q / z);
}

// MALA at a large step: E = ½kx² with k = 1, T = 1, h = 1.5, started off-centre (x = 2)
const GAUSSIAN = {
  dims: 1,
  particles: 20000,
  potential: { name: 'harmonic', params: { k: 1 } },
  dt: 1.5,
  temperature: 1,
  steps: 120,
  seed: 21,
  init: { kind: 'point', x: 2 },
  histogram: { dims: [0], bins: 30, low: -3.5, high: 3.5 },
};
/** The exact N(0, T/k) over GAUSSIAN's histogram bins. */
const GAUSSIAN_BINS = gaussianBins(1, 30, -3.5, 3.5);

// The tilted double well at h = 0.1, where EM is visibly biased
const TILTED = {
  dims: 1,
  particles: 10000,
  potential: { name: 'tilted-double-well' },
  dt: 0.1,
  temperature: 1,
  steps: 300,
  seed: 7,
  init: { kind: 'uniform', low: -2, high: 2 },
  histogram: { dims: [0], bins: 40, low: -2.5, high: 2.5 },
  leapfrogSteps: 4,
};
/** The KL bound of a TILTED run's final snapshot: over the bins the Boltzmann reference populates. */
function tiltedKlBound(result: RunResult): number {
  return klBound(result.boltzmann!.probabilities.filter((p) => p > 0).length, result.histogram!.samples);
}

describe.each(BACKENDS)('inertial and Metropolis samplers (%s backend)', (backend) => {
  describe('BAOAB on a harmonic well', () => {
    // E = ½ Σ k_d x_d², masses m_d: ω_d² = k_d/m_d. BAOAB's invariant measure:
    // ⟨x_d²⟩ = T/k_d exactly, ⟨v_d²⟩ = (T/m_d)(1 − h²ω_d²/4), for every γ.
    const k = [4, 1];
    const mass = [1, 2];
    const T = 0.7;
    // h ω₀ = 1.2 (stable below 2): the velocity factors 1 − h²ω²/4 = 0.64 and 0.955 are far from 1, so a wrong factor shows
    const h = 0.6;
    // N = 20000 makes every moment's tolerance 5·√(2/N) = 5 % relative. 100 steps (two dispatches on either
    // backend) suffice: x starts exact and only ⟨v²⟩ starts
    // off (at T/m); the slowest BAOAB eigenvalue here is 0.89 per step (γ = 4, ω² = ½), and the covariance
    // recursion of the cooling test below, at constant T, is within 1e-12 relative of the invariant moments by then
    const N = 20000;
    const steps = 100;
    it.each([0.5, 4])('γ = %s: ⟨x²⟩ = T/k and ⟨v²⟩ = (T/m)(1 − h²ω²/4) within 5 standard errors', async (friction) => {
      const spec = {
        dims: 2,
        particles: N,
        potential: { name: 'harmonic', params: { k } },
        integrator: 'baoab',
        dt: h,
        temperature: T,
        steps,
        seed: 11,
        mass,
        friction,
        init: { kind: 'normal', std: k.map((kd) => Math.sqrt(T / kd)) },
      };
      const { result } = await runAndRead(spec, backend);
      const f = result.final;
      for (let d = 0; d < 2; d++) {
        const vx = T / k[d];
        expect(Math.abs(f.variance[d] - vx)).toBeLessThan(5 * varianceSE(vx, N));
        const w2 = k[d] / mass[d];
        const vv = (T / mass[d]) * (1 - (h * h * w2) / 4);
        expect(Math.abs(f.velocityVariance![d] - vv)).toBeLessThan(5 * varianceSE(vv, N));
      }
      // kinetic temperature Σ m⟨v²⟩/D is T times the mean factor (1 − h²ω²/4); total energy adds the potential
      const factors = [0, 1].map((d) => 1 - (h * h * k[d]) / mass[d] / 4);
      const kt = (T * (factors[0] + factors[1])) / 2;
      // m_d v_d² has mean T·f_d and sd √2·T·f_d: the mean over N particles and D = 2 coordinates
      expect(Math.abs(f.kineticTemperature! - kt)).toBeLessThan(5 * T * Math.sqrt((factors[0] ** 2 + factors[1] ** 2) / (2 * N)));
      // potential energy Σ k⟨x²⟩/2 = D·T/2 = T exactly (sd of one particle's E: T); total = that + D·kt/2
      expect(Math.abs(f.meanEnergy - T)).toBeLessThan((5 * T) / Math.sqrt(N));
      expect(Math.abs(f.totalEnergy! - (T + kt))).toBeLessThan(
        (5 * T) / Math.sqrt(N) + 5 * T * Math.sqrt((factors[0] ** 2 + factors[1] ** 2) / (2 * N)),
      );
      expect(f.energyDrift).toBeUndefined();
      expect(f.nonFinite).toBe(0);
    });
  });

  describe('BAOAB under a cooling schedule: the covariance recursion', () => {
    // On E = ½kx² every BAOAB sub-step is linear in (x, v): B and A are shears, O
    // scales v by c1 and adds variance c2²/m. So the ensemble covariance C of
    // (x, v) follows C ← L C Lᵀ (+ diag(0, c2_n²/m) at O) exactly, whatever T_n does.
    // In f32 the rounding is far below the 5-SE tolerance, so the recursion is checked on both backends.
    it('⟨x²⟩, ⟨xv⟩, ⟨v²⟩ after geometric cooling match the recursion within 5 standard errors', async () => {
      const k = 2;
      const m = 0.5;
      const friction = 1.5;
      const h = 0.15;
      const steps = 200;
      const N = 20000;
      const schedule = { schedule: 'geometric', from: 2, to: 0.05 } as const;
      const spec = {
        dims: 1,
        particles: N,
        potential: { name: 'harmonic', params: { k } },
        integrator: 'baoab',
        dt: h,
        temperature: schedule,
        steps,
        seed: 9,
        mass: m,
        friction,
        init: { kind: 'normal', std: 0.5, velocity: 'thermal' },
      };
      const sim = await simulation(spec, backend);
      let result, x, v;
      try {
        result = await sim.run();
        x = await sim.backend.readPositions();
        v = (await sim.backend.readVelocities())!;
      } finally {
        sim.destroy();
      }
      type C = [number, number, number]; // (xx, xv, vv)
      const shear = (c: C, p: number, q: number): C => {
        // (x, v) ← (x + p v, v + q x) applied as one of: p = 0 (B) or q = 0 (A)
        if (q === 0) return [c[0] + 2 * p * c[1] + p * p * c[2], c[1] + p * c[2], c[2]];
        return [c[0], c[1] + q * c[0], c[2] + 2 * q * c[1] + q * q * c[0]];
      };
      const T0 = temperatureAt(schedule, 0, steps);
      let c: C = [0.25, 0, T0 / m];
      const a = h / 2;
      const w2 = k / m;
      for (let n = 0; n < steps; n++) {
        const T = temperatureAt(schedule, n, steps);
        const c1 = Math.exp(-friction * h);
        c = shear(c, 0, -a * w2);
        c = shear(c, a, 0);
        c = [c[0], c1 * c[1], c1 * c1 * c[2] + (T * (1 - c1 * c1)) / m];
        c = shear(c, a, 0);
        c = shear(c, 0, -a * w2);
      }
      expect(result.final.temperature).toBeCloseTo(0.05, 12);
      expect(Math.abs(result.final.variance[0] - c[0])).toBeLessThan(5 * varianceSE(c[0], N));
      expect(Math.abs(result.final.velocityVariance![0] - c[2])).toBeLessThan(5 * varianceSE(c[2], N));
      // the cross moment: its standard error is √((⟨x²⟩⟨v²⟩ + ⟨xv⟩²)/N) for a Gaussian pair
      let xv = 0;
      for (let i = 0; i < N; i++) xv += x[i] * v[i];
      expect(Math.abs(xv / N - c[1])).toBeLessThan(5 * Math.sqrt((c[0] * c[2] + c[1] * c[1]) / N));
      // and the ensemble did cool (⟨v²⟩ fell from T0/m = 4), but lags behind the schedule: the
      // quasi-static answer (equilibrium at the last T) is more than 5 standard errors away
      expect(c[2]).toBeLessThan(0.2);
      expect(Math.abs(c[0] - 0.05 / k)).toBeGreaterThan(5 * varianceSE(c[0], N));
      expect(Math.abs(c[2] - (0.05 / m) * (1 - (h * h * w2) / 4))).toBeGreaterThan(5 * varianceSE(c[2], N));
    });
  });

  describe('velocity Verlet (BAOAB, γ = 0) on a double well', () => {
    it('the engine reports energyDrift ≈ 0 (ensemble mean of H) and totalEnergy measured from step 0', async () => {
      const h = 0.01;
      // 256 particles (four full workgroups of 64) over 5000 steps; K = 500 steps per dispatch spares
      // SwiftShader 79 dispatches and changes no result
      const spec = {
        dims: 2,
        particles: 256,
        potential: { name: 'double-well' },
        integrator: 'baoab',
        friction: 0,
        dt: h,
        temperature: 0.5,
        steps: 5000,
        seed: 4,
        init: { kind: 'normal', mean: [1, 0], std: 0.3 },
        stepsPerDispatch: 500,
      };
      const sim = await simulation(spec, backend);
      let H0 = 0;
      let result;
      try {
        // the ensemble's mean total energy at step 0, in float64 from the initial state (as stored: f32 on the GPU)
        const [x0, v0] = [await sim.backend.readPositions(), (await sim.backend.readVelocities())!];
        for (let i = 0; i < spec.particles; i++)
          H0 += sim.potential.energy([x0[2 * i], x0[2 * i + 1]]) + 0.5 * (v0[2 * i] ** 2 + v0[2 * i + 1] ** 2);
        H0 /= spec.particles;
        result = await sim.run();
      } finally {
        sim.destroy();
      }
      // Velocity Verlet's H oscillates by O(h²) with no secular growth (the CPU-only test below bounds each
      // particle's |ΔH| by 10h² over 10^5 steps). Each backend keeps its bound: the CPU's float64 ensemble mean
      // meets a fixed 1e-3; the GPU's mean is f32 energies summed in f32, so it is held to the O(h²) bound 10h²
      // the CPU proves per particle (the same 1e-3 at h = 0.01, but a different claim)
      expect(Math.abs(result.final.energyDrift!)).toBeLessThan(backend === 'cpu' ? 1e-3 : 10 * h * h);
      expect(result.final.nonFinite).toBe(0);
      // energyDrift is measured from that H0: totalEnergy − energyDrift recovers it, to float64 rounding on the CPU;
      // the GPU's step-0 total sums f32 energies and v² in f32 (a tree of ≤ 8 levels per workgroup, then float64),
      // well within 64·2^−24 relative (H ≥ 0 on this well)
      const recovered = result.final.totalEnergy! - result.final.energyDrift!;
      if (backend === 'cpu') expect(recovered).toBeCloseTo(H0, 10);
      else expect(Math.abs(recovered - H0)).toBeLessThan(64 * 2 ** -24 * Math.max(1, Math.abs(H0)));
    });
  });

  describe('MALA and HMC are exact at large steps', () => {
    it('MALA on a Gaussian at h·k = 1.5 passes χ² against N(0, T/k)', async () => {
      const mala = (await runAndRead({ ...GAUSSIAN, integrator: 'mala' }, backend)).result;
      expect(divergences(mala.histogram!.counts, GAUSSIAN_BINS).pValue).toBeGreaterThan(1e-3);
      expect(mala.final.acceptanceRate!).toBeGreaterThan(0.2);
      expect(mala.final.acceptanceRate!).toBeLessThan(0.95);
      expect(mala.trace).toBeUndefined();
    });

    // the trace of acceptance rates is bookkeeping, checked on the CPU only, below
    it.each(['mala', 'hmc'])('%s on the tilted double well at h = 0.1 (where EM is biased): KL at the floor', async (integrator) => {
      const { result } = await runAndRead({ ...TILTED, integrator }, backend);
      expect(result.divergence!.kl).toBeLessThan(tiltedKlBound(result));
    });
  });
});

// CPU only: controls that the MALA and HMC tests above can fail. EM at the same steps is biased, so it must fail them;
// that is a property of the parameters (h, N, bins), not of the backend, and it costs SwiftShader two more runs
// (the GPU's EM closed forms are tested in tests/gpu/harmonic.test.ts)
describe('controls: EM at the same step sizes fails the MALA and HMC tests', () => {
  it('EM on the Gaussian at h·k = 1.5 fails the χ² test (its variance is T/(k(1 − hk/2)) = 4T/k)', async () => {
    const em = (await runAndRead({ ...GAUSSIAN, integrator: 'em' }, 'cpu')).result;
    expect(divergences(em.histogram!.counts, GAUSSIAN_BINS).pValue).toBeLessThan(1e-10);
    expect(em.final.acceptanceRate).toBeUndefined();
  });

  it('EM on the tilted double well at h = 0.1: KL ≫ floor', async () => {
    const { result } = await runAndRead({ ...TILTED, integrator: 'em' }, 'cpu');
    expect(result.divergence!.kl).toBeGreaterThan(10 * tiltedKlBound(result));
  });
});

// CPU only: the trace's bookkeeping, not physics. The GPU's per-interval acceptance rates are checked against the
// CPU's (to 0.01) in tests/gpu/samplers.test.ts, and the trace rows cost SwiftShader read-backs (about 1 s a run here)
describe('the trace of a Metropolis run on the tilted double well', () => {
  it.each(['mala', 'hmc'])('%s: the trace carries the acceptance rate of each interval', async (integrator) => {
    const { result } = await runAndRead({ ...TILTED, integrator, observe: { every: 100 } }, 'cpu');
    const rates = result.trace!.slice(1).map((r) => r.acceptanceRate!);
    expect(rates).toHaveLength(3);
    for (const r of rates) expect(r).toBeGreaterThan(0.5);
    expect(result.trace![0].acceptanceRate).toBeUndefined();
  });
});

// CPU only: it calls the float64 reference step (advanceBaoab) directly; the engine-level drift test runs on both backends
describe('velocity Verlet (BAOAB, γ = 0) on a double well', () => {
  it('energy error stays bounded over 10^5 steps: no secular growth', () => {
    const { potential } = prepare({ dims: 1, potential: { name: 'double-well' }, dt: 1, steps: 1 });
    const P = 16;
    const steps = 100000;
    const h = 0.02;
    const [k0, k1] = seedKey(3);
    const m = inverseMass([1]);
    const c4 = coefficientTable('baoab', new Array(1000).fill(h), new Array(1000).fill(0), { friction: 0, leapfrogSteps: 1 });
    const ns = new NormalStream(k0, k1, Stream.noise); // never read: c2 = 0
    const g = new Float64Array(1);
    const H = (x: Float64Array, v: Float64Array) => potential.energy(x) + 0.5 * v[0] * v[0];
    let earlyMax = 0;
    let lateMax = 0;
    let allMax = 0;
    for (let i = 0; i < P; i++) {
      // energies from below to above the barrier (E(0) = 1)
      const x = Float64Array.of(-1.5 + (3 * i) / P);
      const v = Float64Array.of(0.3 + 0.1 * i);
      const H0 = H(x, v);
      for (let n = 0; n < steps; n += 1000) {
        ns.seek(i, n);
        advanceBaoab(x, v, ns, c4, potential.gradient, potential.paramValues, m, g);
        const err = Math.abs(H(x, v) - H0) / Math.max(1, Math.abs(H0));
        allMax = Math.max(allMax, err);
        if (n < steps / 10) earlyMax = Math.max(earlyMax, err);
        if (n >= (9 * steps) / 10) lateMax = Math.max(lateMax, err);
      }
    }
    // symplectic: O(h²) bounded oscillation of H (here ~h²·|E''|·|v|² scale), same size late as early
    expect(allMax).toBeLessThan(10 * h * h);
    expect(lateMax).toBeLessThan(2 * earlyMax + 1e-12);
  });
});

// CPU only: the trajectory must follow the heavy-ball recursion to 1e-12 relative, which f32 (2^-24 ≈ 6e-8) cannot meet
describe('momentum descent (BAOAB at T = 0) on a quadratic', () => {
  // One BAOAB step at T = 0 on E = ½kx² is the linear map with
  // det = β = e^{−γh} and trace = 1 + β − (h²ω²/2)(1 + β): Polyak's heavy ball
  // x_{n+1} = x_n − α k x_n + β (x_n − x_{n−1}) with α = h²(1 + β)/(2m).
  // It converges at the spectral radius of that recursion (√β when underdamped).
  it.each([
    [0.5, 0.2],
    [3, 0.2],
  ])('γ = %s, h = %s: trajectory = heavy-ball recursion, |x_n| decays at its eigenvalue', async (friction, h) => {
    const k = [1, 10];
    const steps = 400;
    const spec = {
      dims: 2,
      particles: 1,
      potential: { name: 'harmonic', params: { k } },
      integrator: 'baoab',
      friction,
      dt: h,
      temperature: 0,
      steps,
      seed: 1,
      init: { kind: 'point', x: [1, 1], velocity: 'zero' },
      stepsPerDispatch: 1,
    };
    const sim = await Simulation.create(prepare(spec), { backend: 'cpu' });
    const traj: number[][] = [await sim.backend.readParticle(0)];
    for (let n = 0; n < steps; n++) {
      await sim.advance(1);
      traj.push(await sim.backend.readParticle(0));
    }
    sim.destroy();
    const beta = Math.exp(-friction * h);
    for (let d = 0; d < 2; d++) {
      const alpha = (h * h * (1 + beta)) / 2;
      const a = 1 + beta - alpha * k[d];
      // heavy ball from x_0, x_1
      let prev = traj[0][d];
      let cur = traj[1][d];
      for (let n = 1; n < steps; n++) {
        const next = a * cur - beta * prev;
        // relative to the size of the iterates (they decay below any absolute tolerance)
        expect(Math.abs(traj[n + 1][d] - next)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(cur), Math.abs(prev)));
        prev = cur;
        cur = traj[n + 1][d];
      }
      // spectral radius of λ² − aλ + β = 0
      const disc = a * a - 4 * beta;
      const rho = disc < 0 ? Math.sqrt(beta) : (Math.abs(a) + Math.sqrt(disc)) / 2;
      // envelope: the largest |x| over the last 50 steps, against ρ^n times a bounded prefactor
      const tail = traj.slice(steps - 50).map((x) => Math.abs(x[d]));
      const rate = Math.pow(Math.max(...tail) / Math.max(...traj.slice(0, 50).map((x) => Math.abs(x[d]))), 1 / (steps - 50));
      expect(rate).toBeLessThan(rho * 1.01);
      expect(rate).toBeGreaterThan(rho * 0.97);
    }
  });
});
