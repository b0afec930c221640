/**
 * The kinetics (first passage, parameter schedules and work) across the ways of running one spec: CPU float64
 * against WebGPU f32 (same seed, same random streams), steps per dispatch, shards merged, and the CPU's
 * generated kernel against its float64 reference step. WebGPU runs on SwiftShader here (~10^6–10^7
 * particle-steps/s), so its runs are small; the whole file takes ~30 s.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type Prepared, type RunResult } from '../../src/engine.ts';
import type { BackendKind } from '../../src/backend.ts';
import type { CpuBackend } from '../../src/cpu/backend.ts';
import { mergeShards, type ShardResult } from '../../src/run/merge.ts';
import { shardRange, shardSection } from '../../src/run/shards.ts';
import { PARTICLE_BLOCK } from '../../src/sums.ts';
import { gpu } from '../gpu/harness.ts';
import { BACKENDS, runAndRead, sameBits } from '../support.ts';

type Spec = Record<string, unknown>;

/** Walkers hit by each survival point, from the survival fractions (exact: S = survivors/N). */
const hitsBy = (r: RunResult) => r.passage!.survival.S.map((S) => Math.round((1 - S) * r.passage!.particles));

/**
 * A 2-D double well whose tilt follows a schedule (work), watched for first passage into the right well's box
 * x ≥ 0.5 (bridge) — both kinetics in one run.
 */
const both = (over: Spec = {}): Spec => ({
  dims: 2,
  particles: 4096,
  potential: { expr: '(x^2 - 1)^2 + s*x + y^2/2', params: { s: { schedule: 'linear', from: 0, to: -0.6 } } },
  integrator: 'em',
  dt: 0.01,
  temperature: 0.5,
  steps: 300,
  seed: 17,
  init: { kind: 'normal', mean: [-1, 0], std: 0.3 },
  passage: { region: { low: [0.5, null], high: [null, null] } },
  observe: { every: 20 },
  ...over,
});

describe('CPU float64 ≡ WebGPU f32 within f32 tolerance', () => {
  it('double-well passage: the survival counts differ by at most a handful of walkers', async () => {
    /*
     * 1-D E = (x² − 1)², T = 0.5, em, h = 0.01, 4096 walkers from x = −1 into x ≥ 0 (the saddle) with the bridge,
     * 1000 steps (~85 % hit). Both backends draw the same Philox numbers; the GPU keeps f32 positions and its
     * normals are good to 2^-11·(1 + |ξ|), so the trajectories differ by ~2.5e-5 (median; 1e-3 at the 99th
     * percentile, measured at this spec). A walker's hit step changes only if a test is decided differently:
     * its position lies within that mismatch of b = 0 on the step it enters (the step spreads positions over
     * √(2Th) = 0.1: chance ~2.5e-4 per decisive step), or the bridge's uniform lies within the change of
     * p = exp(−dd'/(Th)) (a relative change ~(d + d')δ/(Th) ~ 1e-3 of p). With a few decisive tests per walker that
     * is ~1e-3 of the walkers, 4 of 4096; the bound is 12 (3e-3·N). Chaos does not add to it: a trajectory
     * diverges only near the saddle, and there the walker has already hit. Each walker whose hit step moves
     * changes the cumulative count at each point by at most 1.
     */
    const spec = {
      dims: 1,
      particles: 4096,
      potential: { expr: '(x^2 - 1)^2' },
      integrator: 'em',
      dt: 0.01,
      temperature: 0.5,
      steps: 1000,
      seed: 9,
      init: { kind: 'point', x: [-1] },
      passage: { region: { low: [0], high: [null] } },
      observe: { every: 50 },
    };
    const [c, g] = [await runAndRead(spec, 'cpu'), await runAndRead(spec, 'webgpu')];
    expect(g.result.backend).toBe('webgpu');
    const [hc, hg] = [hitsBy(c.result), hitsBy(g.result)];
    expect(hc.length).toBe(21);
    expect(hc[hc.length - 1]).toBeGreaterThan(3000);
    const worst = Math.max(...hc.map((h, j) => Math.abs(h - hg[j])));
    expect(worst).toBeLessThanOrEqual(12);
    expect(Math.abs(c.result.passage!.hit - g.result.passage!.hit)).toBeLessThanOrEqual(12);
    // the restricted mean moves by at most (walkers moved)·horizon/N
    const rc = c.result.passage!.restrictedMean!;
    expect(Math.abs(rc.value - g.result.passage!.restrictedMean!.value)).toBeLessThanOrEqual((12 * rc.horizon) / 4096);
  });

  it('scheduled work: deterministic (T = 0) to f32 rounding; with noise to the normals’ 2^-11', async () => {
    /*
     * E = k|x|²/2 in 2-D, k linear 1 → 4 over 200 em steps of h = 0.01.
     * T = 0 from the point (1, 0.5): no noise, so the only difference is f32 arithmetic. Each work increment is the
     * difference of two f32 energies ≤ E_max = 0.625 (≲ 4 roundings of 2^-24 each) and the sum adds one rounding
     * of |W| per step: |ΔW| ≤ 200·2^-24·(4·0.625 + |W|) = 3.7e-5, ~1e-4·|W| (|W| = 0.33).
     * T = 1, x_0 ~ N(0, I), 4096 walkers: the GPU normals are good to 2^-11(1 + |ξ|), so each |x_n|² — and each
     * increment (Δk/2)|x_n|² — is off by ≲ 2^-10·|x_n|(1 + |z_n|)sd_n, z = x/sd; averaged over walkers
     * ⟨|x|sd + x²⟩ = 1.8 sd², so the mean work moves by at most 1.8·2^-10·⟨W⟩ ≈ 1.8e-3 relative (errors adding
     * coherently along a path; measured 1.3e-4). Jarzynski's ΔF̂ moves by the e^{−W/T}-weighted mean of ΔW, at
     * most the same 1.8·2^-10·⟨W⟩ (the weights favour small W).
     */
    const trap = (T: number, init: Spec): Spec => ({
      dims: 2,
      particles: T === 0 ? 64 : 4096,
      potential: { expr: 'k*(x^2 + y^2)/2', params: { k: { schedule: 'linear', from: 1, to: 4 } } },
      integrator: 'em',
      dt: 0.01,
      temperature: T,
      steps: 200,
      seed: 19,
      init,
    });
    const cold = trap(0, { kind: 'point', x: [1, 0.5] });
    const [c0, g0] = [await runAndRead(cold, 'cpu'), await runAndRead(cold, 'webgpu')];
    const w0 = c0.result.work!.mean!;
    expect(w0).toBeGreaterThan(0.3);
    expect(c0.result.work!.jarzynski).toBeNull(); // no exponential average at T = 0
    expect(Math.abs(g0.result.work!.mean! - w0)).toBeLessThan(1e-4 * w0);
    const warm = trap(1, { kind: 'normal', mean: [0, 0], std: 1 });
    const [c1, g1] = [await runAndRead(warm, 'cpu'), await runAndRead(warm, 'webgpu')];
    const [wc, wg] = [c1.result.work!, g1.result.work!];
    const bound = 1.8 * 2 ** -10 * wc.mean!;
    expect(Math.abs(wg.mean! - wc.mean!)).toBeLessThan(bound);
    expect(Math.abs(wg.jarzynski!.deltaF - wc.jarzynski!.deltaF)).toBeLessThan(bound);
    expect(wg.particles).toBe(4096);
  });
});

describe.each(BACKENDS)('%s: the kinetics do not depend on the steps per dispatch', (backend) => {
  // 100 steps: each WebGPU simulation costs ~3 s of pipeline setup on SwiftShader, and 100 single-step dispatches more
  it('stepsPerDispatch 1, 7 and the default give bit-identical passage and work sections', async () => {
    const runs = [];
    for (const k of [1, 7, undefined])
      runs.push(await runAndRead(both({ steps: 100, ...(k === undefined ? {} : { stepsPerDispatch: k }) }), backend));
    expect(Math.max(...runs[0].dispatchSteps)).toBe(1);
    expect(Math.max(...runs[1].dispatchSteps)).toBe(7);
    expect(Math.max(...runs[2].dispatchSteps)).toBeGreaterThan(7);
    const [a, b, c] = runs.map((r) => r.result);
    expect(a.passage!.hit).toBeGreaterThan(20);
    expect(a.passage!.hit).toBeLessThan(4000);
    expect(a.work!.mean).not.toBe(0);
    expect(b.passage).toEqual(a.passage);
    expect(c.passage).toEqual(a.passage);
    expect(b.work).toEqual(a.work);
    expect(c.work).toEqual(a.work);
    expect(sameBits(runs[1].positions, runs[0].positions)).toBe(true);
    expect(sameBits(runs[2].positions, runs[0].positions)).toBe(true);
  });
});

/*
 * CPU only: the same merge on WebGPU is covered for the other sections by tests/shards/merge.test.ts, and three
 * more WebGPU simulations would cost ~12 s of SwiftShader setup here.
 */
describe.each(['cpu'] as BackendKind[])('%s: shards merged equal the single run', (backend) => {
  /** 2 tiles and 1001 particles: shards of whole tiles, neither a multiple of the other. */
  const N = 2 * PARTICLE_BLOCK + 1001;
  const options = () => ({ backend, gpu: backend === 'webgpu' ? gpu : undefined, webgpu: { ownsDevice: false } });

  it('two shards of 9193 walkers, merged in reverse order: passage and work sections equal (toEqual)', async () => {
    const spec = both({ particles: N, steps: 200 });
    const whole = await runAndRead(spec, backend);
    const parts: ShardResult[] = [];
    for (const index of [0, 1]) {
      const range = shardRange(N, index, 2);
      const sim = await Simulation.create(spec as unknown as Prepared, { ...options(), range });
      try {
        const result = await sim.run();
        parts.push({ ...result, shard: await shardSection(result, index, 2, sim.shardLog!) });
      } finally {
        sim.destroy();
      }
    }
    expect(parts.map((p) => p.shard.particles)).toEqual([0, 1].map((i) => shardRange(N, i, 2).count));
    expect(parts[0].shard.first % PARTICLE_BLOCK === 0 && parts[1].shard.first % PARTICLE_BLOCK === 0).toBe(true);
    // each shard reports its own walkers
    expect(parts[0].passage!.particles + parts[1].passage!.particles).toBe(N);
    const merged = await mergeShards(parts.reverse().map((p, i) => ({ name: `part-${i}.json`, json: JSON.parse(JSON.stringify(p)) })));
    expect(merged.passage!.particles).toBe(N);
    expect(merged.passage).toEqual(whole.result.passage);
    expect(merged.work).toEqual(whole.result.work);
  });
});

describe('CPU: the generated kernel ≡ the float64 reference step, bit for bit', () => {
  /*
   * cpu.threads: 0 steps each particle with the integrator's reference step and src/cpu/kinetics.ts around it;
   * 1 runs the generated kernel on this thread; 2 over two worker threads (≥ 2·4096 walkers make the pool worth
   * starting). 8969 walkers (not a multiple of the 4096-walker chunk), 200 steps.
   */
  const N = 2 * PARTICLE_BLOCK + 777;
  const cases: [string, Spec][] = [
    ['box with bridge and a schedule', {}],
    [
      'ball, absorbing, a schedule',
      {
        passage: { region: { center: [0.9, 0.1], radius: 0.4 }, absorb: true },
        potential: { name: 'double-well', params: { h: { schedule: 'linear', from: 1, to: 0.7 } } },
      },
    ],
    [
      'box with bridge, absorbing, a schedule of a centre, equilibrium init',
      {
        potential: { expr: '(x^2 - 1)^2 + (y - c)^2/2', params: { c: { schedule: 'linear', from: 0, to: 1 } } },
        passage: { region: { low: [0.5, -1], high: [2, 1.5] }, absorb: true },
        init: { kind: 'equilibrium', steps: 20, from: { kind: 'normal', mean: [-1, 0], std: 0.3 } },
      },
    ],
  ];

  async function cpuRun(spec: Spec, threads: number) {
    const sim = await Simulation.create(spec as unknown as Prepared, { backend: 'cpu', cpu: { threads } });
    try {
      const result = await sim.run();
      return {
        result,
        positions: await sim.backend.readPositions(),
        threads: (sim.backend as CpuBackend).threads,
        device: sim.backend.device,
      };
    } finally {
      sim.destroy();
    }
  }

  for (const integrator of ['em', 'lm'])
    it.each(cases)(`${integrator}: %s`, async (_name, over) => {
      const spec = both({ particles: N, steps: 200, integrator, ...over });
      const [ref, one, two] = [await cpuRun(spec, 0), await cpuRun(spec, 1), await cpuRun(spec, 2)];
      expect(ref.device).toMatch(/reference step/);
      expect(one.device).toMatch(/generated kernel/);
      expect([one.threads, two.threads]).toEqual([1, 2]);
      expect(ref.result.passage!.hit).toBeGreaterThan(50);
      expect(ref.result.passage!.hit).toBeLessThan(N - 50);
      // every case has a schedule: the work is compared, not two undefineds
      expect(ref.result.work!.particles).toBe(N);
      for (const r of [one, two]) {
        expect(sameBits(r.positions, ref.positions)).toBe(true);
        expect(r.result.passage).toEqual(ref.result.passage);
        expect(r.result.work).toEqual(ref.result.work);
      }
    });
});
