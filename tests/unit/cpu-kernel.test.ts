/**
 * The fast CPU path (generated range kernel, worker threads) against the
 * reference step (src/integrators/overdamped.ts): the same bits, not merely
 * close. Any reordering of float64 operations or any slip in the random
 * stream would show up as a differing bit somewhere in ~10^4 particles.
 */
import { describe, expect, it } from 'vitest';
import { KAT } from '../fixtures/philox-kat.ts';
import { rng } from '../fixtures/random.ts';
import { Simulation } from '../../src/engine.ts';
import { instantiatePhiloxWasm, philoxWasmBytes } from '../../src/cpu/philoxWasm.ts';
import { buildKernel } from '../../src/cpu/kernels/parts.ts';
import { overdampedKernelSource } from '../../src/cpu/kernels/overdamped.ts';
import { hmcKernelSource, malaKernelSource } from '../../src/cpu/kernels/metropolis.ts';
import { compilePotential } from '../../src/potential/index.ts';
import { advanceOverdamped } from '../../src/integrators/overdamped.ts';
import { advanceHmc, advanceMala } from '../../src/integrators/metropolis.ts';
import { inverseMass, makeScratch } from '../../src/integrators/reference.ts';
import { coefficientTable } from '../../src/integrators/table.ts';
import { CHUNK, addInOrder } from '../../src/cpu/pool.ts';
import { NormalStream, Stream, philox4x32 } from '../../src/rng/philox.ts';
import { sameBits } from '../support.ts';

describe('Philox4x32-10 in WebAssembly (src/cpu/philoxWasm.ts), against src/rng/philox.ts', () => {
  const { blocks, words } = instantiatePhiloxWasm();

  it.each(KAT)('known-answer vector %#', (c, k, expected) => {
    // the counter's second and third words are the call index (low, high)
    blocks(c[0], c[1], c[2], c[3], k[0], k[1], 1);
    expect(Array.from(words.subarray(0, 4))).toEqual(expected);
  });

  it("equals the reference on 6·10^4 blocks: random and extreme counters and keys, 1 to 5 blocks per call, with the carry into the call's high word", () => {
    const r = rng(5);
    const word = () => Math.floor(r() * 2 ** 32);
    const b = new Uint32Array(4);
    let mismatches = 0;
    let compared = 0;
    const edges = [0, 1, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 0xfffffffe, 0xffffffff];
    for (let t = 0; t < 20_000; t++) {
      const w =
        t < 4096
          ? [edges[t % 8], edges[(t >> 3) % 8], edges[(t >> 6) % 8], word(), edges[(t >> 9) % 8], word()]
          : [word(), word(), word(), word(), word(), word()];
      const count = 1 + (t % 5);
      blocks(w[0], w[1], w[2], w[3], w[4], w[5], count);
      for (let c = 0; c < count; c++) {
        const lo = w[1] + c; // the call's low word, carrying into the high word (mod 2^32)
        philox4x32(w[0], lo % 2 ** 32, (w[2] + Math.floor(lo / 2 ** 32)) % 2 ** 32, w[3], w[4], w[5], b);
        for (let q = 0; q < 4; q++) if (words[4 * c + q] !== b[q]) mismatches++;
        compared++;
      }
    }
    expect(compared).toBe(60_000); // Σ (1 + t mod 5)
    expect(mismatches).toBe(0);
  });

  it('blocksWord2 steps the third counter word: the mini-batch draws (particle, step, ⌊j/4⌋, 4) of src/rng/batch.ts', () => {
    const { blocksWord2, words: w2 } = instantiatePhiloxWasm();
    const b = new Uint32Array(4);
    let mismatches = 0;
    for (const [c0, c1, k0, k1, count] of [
      [0, 0, 0, 0, 1],
      [7, 0xffffffff, 99, 5, 9],
      [0x80000000, 123456, 0xffffffff, 0xfffffffe, 64],
    ]) {
      blocksWord2(c0, c1, 0, 4, k0, k1, count);
      for (let q = 0; q < count; q++) {
        philox4x32(c0, c1, q, 4, k0, k1, b);
        for (let w = 0; w < 4; w++) if (w2[4 * q + w] !== b[w]) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });

  it("stays below 4 KB, so a page's main thread may compile it synchronously (Chrome's limit for new WebAssembly.Module)", () => {
    expect(philoxWasmBytes(1).length).toBeLessThan(4096);
  });
});

/** Final positions (and velocities, for BAOAB) of a CPU run with the given thread setting (0 = reference step). */
async function positions(
  spec: object,
  threads: number,
): Promise<{ x: Float64Array; v?: Float64Array; device: string; resultDevice: string; mean: number[]; acceptanceRate?: number }> {
  const sim = await Simulation.create(spec, { backend: 'cpu', cpu: { threads } });
  try {
    const result = await sim.run();
    const v = (await sim.backend.readVelocities()) as Float64Array | undefined;
    return {
      x: (await sim.backend.readPositions()) as Float64Array,
      v,
      device: sim.backend.device,
      resultDevice: result.device,
      mean: result.final.mean,
      acceptanceRate: result.final.acceptanceRate,
    };
  } finally {
    sim.destroy();
  }
}

// 3 chunks and a ragged tail: three workers each get work, and the last chunk is partial
const N = 3 * CHUNK + 123;

const CASES: [string, object][] = [
  ['EM, 2-D double well', { dims: 2, potential: { name: 'double-well' }, integrator: 'em', dt: 0.01 }],
  ['LM, 2-D double well', { dims: 2, potential: { name: 'double-well' }, integrator: 'lm', dt: 0.01 }],
  [
    'EM, Müller–Brown (exp)',
    {
      dims: 2,
      potential: { name: 'mueller-brown' },
      integrator: 'em',
      dt: 1e-4,
      init: { kind: 'uniform', low: [-1, 0], high: [0.5, 1.5] },
    },
  ],
  [
    'LM, 3-D expression with parameters (phases of the normal stream not aligned to steps)',
    { dims: 3, potential: { expr: 'a*x^4 + 0.5*y^2 + b*z^2 + 0.1*x*z', params: { a: 1.5, b: 0.3 } }, integrator: 'lm', dt: 0.01 },
  ],
  [
    'EM, 1-D harmonic, cooling schedule',
    { dims: 1, potential: { name: 'harmonic' }, integrator: 'em', dt: 0.05, temperature: { schedule: 'geometric', from: 2, to: 0.1 } },
  ],
  [
    'LM, 5-D Rastrigin (sin, cos in the gradient)',
    { dims: 5, potential: { name: 'rastrigin' }, integrator: 'lm', dt: 0.002, init: { kind: 'uniform', low: -3, high: 3 } },
  ],
  [
    'BAOAB, 2-D double well, masses 1 and 3 (1/3 and 1/√3 pasted as literals), friction 0.7',
    { dims: 2, potential: { name: 'double-well' }, integrator: 'baoab', dt: 0.05, mass: [1, 3], friction: 0.7 },
  ],
  [
    'BAOAB, 3-D expression with parameters and exp, thermal velocities, cooling',
    {
      dims: 3,
      potential: { expr: 'a*x^4 - x^2 + 0.5*y^2 + b*z^2 + 0.1*x*z + exp(-y^2)', params: { a: 0.5, b: 0.3 } },
      integrator: 'baoab',
      dt: 0.02,
      mass: 0.5,
      friction: 2,
      temperature: { schedule: 'geometric', from: 2, to: 0.1 },
    },
  ],
  [
    'BAOAB at T = 0 (heavy-ball momentum descent, c2 = 0), 1-D harmonic',
    { dims: 1, potential: { name: 'harmonic' }, integrator: 'baoab', dt: 0.1, friction: 0.5, temperature: 0 },
  ],
  // steps large enough that both branches of the accept test run
  [
    'MALA, 2-D double well, h = 0.2 (accept and reject both common)',
    { dims: 2, potential: { name: 'double-well' }, integrator: 'mala', dt: 0.2 },
  ],
  [
    'MALA, 3-D expression with parameters and exp, cooling to T = 0.05',
    {
      dims: 3,
      potential: { expr: 'a*x^4 - x^2 + 0.5*y^2 + b*z^2 + 0.1*x*z + exp(-y^2)', params: { a: 0.5, b: 0.3 } },
      integrator: 'mala',
      dt: 0.05,
      temperature: { schedule: 'geometric', from: 2, to: 0.05 },
    },
  ],
  // at T = 0 the move y = (1 − hk)x lowers E along x (k = 1) and raises it along y (k = 4, |1 − 2.4| > 1): accepted or not by position
  [
    'MALA at T = 0 (accept iff E does not rise), 2-D anisotropic harmonic',
    { dims: 2, potential: { name: 'harmonic', params: { k: [1, 4] } }, integrator: 'mala', dt: 0.6, temperature: 0 },
  ],
  [
    'HMC, 2-D Müller–Brown, 5 leapfrog steps, masses 1 and 2',
    {
      dims: 2,
      potential: { name: 'mueller-brown' },
      integrator: 'hmc',
      dt: 1e-2,
      leapfrogSteps: 5,
      mass: [1, 2],
      temperature: 10,
      init: { kind: 'uniform', low: [-1, 0], high: [0.5, 1.5] },
    },
  ],
  [
    'HMC, 5-D Rastrigin, 3 leapfrog steps (rejections refresh v)',
    {
      dims: 5,
      potential: { name: 'rastrigin' },
      integrator: 'hmc',
      dt: 0.05,
      leapfrogSteps: 3,
      init: { kind: 'uniform', low: -3, high: 3 },
    },
  ],
];

// a potential from data: linear regression v = x + y·u with a Gaussian prior, 12 rows
const ROWS = Array.from({ length: 12 }, (_, i) => [i / 6 - 1, 0.3 + 0.8 * (i / 6 - 1) + 0.1 * Math.sin(7 * i)]);
const REGRESSION = {
  data: { columns: ['u', 'v'], rows: ROWS },
  example: '(v - x - y*u)^2/(2*s2)',
  prior: '(x^2 + y^2)/2',
  params: { s2: 0.25 },
};
CASES.push(
  ['EM, potential from data, full batch (12 rows, columns bound per row)', { dims: 2, potential: REGRESSION, integrator: 'em', dt: 0.005 }],
  [
    'LM, potential from data, mini-batch of 5 with replacement',
    { dims: 2, potential: REGRESSION, integrator: 'lm', dt: 0.005, batch: 5, replace: true },
  ],
  [
    'EM, potential from data, mini-batch of 7 without replacement (Floyd)',
    { dims: 2, potential: REGRESSION, integrator: 'em', dt: 0.005, batch: 7, replace: false },
  ],
  [
    'BAOAB with a mini-batch of 4 (momentum SGD: the batch of step n at the position of step n)',
    { dims: 2, potential: REGRESSION, integrator: 'baoab', dt: 0.01, friction: 1, batch: 4, replace: false },
  ],
  [
    'MALA on a potential from data (energy and gradient loop over the 12 rows), h = 0.02',
    { dims: 2, potential: REGRESSION, integrator: 'mala', dt: 0.02, temperature: 1 },
  ],
  [
    'HMC on a potential from data, 4 leapfrog steps, masses 1 and 2',
    { dims: 2, potential: REGRESSION, integrator: 'hmc', dt: 0.03, leapfrogSteps: 4, mass: [1, 2], temperature: 1 },
  ],
);

describe('CPU backend: generated kernel and worker threads against the reference step, bit for bit', () => {
  it.each(CASES)('%s', async (_, extra) => {
    // 37 steps in dispatches of 15: step0 = 0, 15, 30 and a partial last chunk, so the normal stream starts mid-block
    // (phase step0·D mod 4 ≠ 0) and the accept uniforms too (step0 mod 4 = 3, 2)
    const spec = {
      particles: N,
      temperature: 0.7,
      steps: 37,
      stepsPerDispatch: 15,
      seed: 2 ** 40 + 99,
      init: { kind: 'normal', mean: 0.2, std: 1 },
      ...extra,
    };
    const ref = await positions(spec, 0);
    const one = await positions(spec, 1);
    const three = await positions(spec, 3);
    expect(ref.device).toMatch(/reference/);
    expect(one.device).toMatch(/generated kernel, one thread/);
    expect(three.device).toMatch(/3 worker threads/);
    expect(sameBits(one.x, ref.x)).toBe(true);
    expect(sameBits(three.x, ref.x)).toBe(true);
    expect(three.mean).toEqual(ref.mean);
    if (ref.v) {
      expect(sameBits(one.v!, ref.v)).toBe(true);
      expect(sameBits(three.v!, ref.v)).toBe(true);
    }
    if (ref.acceptanceRate !== undefined) {
      // the accepted counts the kernels return, summed over chunks and threads, are the reference's
      expect([one.acceptanceRate, three.acceptanceRate]).toEqual([ref.acceptanceRate, ref.acceptanceRate]);
      // and both branches of the test ran, hundreds of times each
      const proposed = N * 37;
      expect(ref.acceptanceRate * proposed).toBeGreaterThan(100);
      expect((1 - ref.acceptanceRate) * proposed).toBeGreaterThan(100);
    }
    // and the particles moved: the comparison is not between two untouched arrays
    const start = await positions({ ...spec, steps: 1 }, 0);
    expect(sameBits(start.x, ref.x)).toBe(false);
  });

  // a kernel fills its noise buffer up to 4096 normals at a time: 818 LM steps in 5-D, 256 EM steps in 16-D, so these refill within a dispatch
  it.each([
    ['LM, 5-D, 1024 steps per dispatch (the noise buffer refills after step 818)', { dims: 5, integrator: 'lm', steps: 1100 }],
    ['EM, 16-D, 1024 steps per dispatch (refills every 256 steps)', { dims: 16, integrator: 'em', steps: 1030 }],
    ['BAOAB, 16-D, 1024 steps per dispatch (refills every 256 steps)', { dims: 16, integrator: 'baoab', steps: 1030, friction: 1 }],
    [
      'MALA, 5-D, h = 0.6, 1024 steps per dispatch (noise and accept uniforms refill every 819 steps)',
      { dims: 5, integrator: 'mala', steps: 1100, dt: 0.6 },
    ],
  ])('%s', async (_, extra) => {
    const spec = {
      particles: 301,
      potential: { name: 'harmonic' },
      dt: 0.01,
      temperature: 0.7,
      stepsPerDispatch: 1024,
      seed: 77,
      ...extra,
    };
    const ref = await positions(spec, 0);
    const one = await positions(spec, 1);
    expect(one.device).toMatch(/generated kernel, one thread/);
    expect(sameBits(one.x, ref.x)).toBe(true);
    if (ref.v) expect(sameBits(one.v!, ref.v)).toBe(true);
    expect(one.acceptanceRate).toBe(ref.acceptanceRate);
  });

  it("at step indices whose random-number calls pass 2^32 (the counter's high word, carrying within one fill), kernels match the reference steps", () => {
    const [k0, k1] = [0x89abcdef, 0x1234];
    const n = 50;
    const K = 64;
    const [hs, Ts] = [new Array(K).fill(0.3), new Array(K).fill(0.6)];
    const coef = coefficientTable('em', hs, Ts, { friction: 0, leapfrogSteps: 3 });
    // EM in 2-D: normal m = n·D + d of call ⌊m/4⌋ = 2^32 − 2 at the first step, so the fill crosses into high word 1;
    // and a start past it (call 2^32 + 3: the high word comes from the host)
    for (const step0 of [2 ** 33 - 4, 2 ** 33 + 6]) {
      const pot = compilePotential({ name: 'double-well' }, 2);
      const x = Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(i));
      const y = x.slice();
      buildKernel(overdampedKernelSource(2, { kind: 'expression', js: pot.gradientJs! }, false))(
        [x],
        0,
        n,
        step0,
        coef,
        pot.paramValues,
        k0,
        k1,
        0,
      );
      const ns = new NormalStream(k0, k1, Stream.noise);
      for (let i = 0; i < n; i++) {
        ns.seek(i, step0 * 2);
        advanceOverdamped(
          false,
          y.subarray(2 * i, 2 * i + 2),
          ns,
          coef,
          (a, g, p) => pot.gradient(a, g, p),
          pot.paramValues,
          makeScratch(2),
          step0,
        );
      }
      expect(sameBits(x, y), `EM from step ${step0}`).toBe(true);
    }
    // MALA and HMC in 1-D: both the noise (normal n) and the accept uniform (uniform n) of step n come from call ⌊n/4⌋: 2^32 − 2 and 2^32 + 3
    for (const [integrator, step0] of [
      ['mala', 2 ** 34 - 8],
      ['hmc', 2 ** 34 - 8],
      ['mala', 2 ** 34 + 12],
      ['hmc', 2 ** 34 + 12],
    ] as const) {
      const pot = compilePotential({ name: 'double-well' }, 1);
      const c4 = coefficientTable(integrator, hs, Ts, { friction: 0, leapfrogSteps: 3 });
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
      const v = new Float64Array(n);
      const [y, w] = [x.slice(), v.slice()];
      const [energy, gradient] = [{ kind: 'expression', js: pot.energyJs! } as const, { kind: 'expression', js: pot.gradientJs! } as const];
      const src = integrator === 'mala' ? malaKernelSource(1, energy, gradient) : hmcKernelSource(1, energy, gradient, [1], 3);
      const [accepted] = buildKernel(src)(integrator === 'hmc' ? [x, v] : [x], 0, n, step0, c4, pot.paramValues, k0, k1, 0);
      const ns = new NormalStream(k0, k1, Stream.noise);
      const scratch = makeScratch(1);
      let refAccepted = 0;
      for (let i = 0; i < n; i++) {
        ns.seek(i, step0);
        const rng = { k0, k1, particle: i, step0, ns };
        const [xi, vi] = [y.subarray(i, i + 1), w.subarray(i, i + 1)];
        refAccepted +=
          integrator === 'mala'
            ? advanceMala(xi, rng, c4, pot.energy, pot.gradient, pot.paramValues, scratch)
            : advanceHmc(xi, vi, rng, c4, 3, pot.energy, pot.gradient, pot.paramValues, inverseMass([1]), scratch);
      }
      expect(sameBits(x, y), integrator).toBe(true);
      if (integrator === 'hmc') {
        expect(sameBits(v, w), integrator).toBe(true);
        expect(
          v.some((q) => q !== 0),
          'the velocities were refreshed',
        ).toBe(true);
      }
      expect(accepted).toBe(refAccepted);
      // both branches of the test ran
      expect(refAccepted).toBeGreaterThan(0);
      expect(refAccepted).toBeLessThan(n * K);
    }
  });

  it('the thread count and the chunk order change no bit (2 vs 3 workers)', async () => {
    const spec = {
      dims: 2,
      particles: 3 * CHUNK + 1,
      potential: { name: 'double-well' },
      integrator: 'em',
      dt: 0.01,
      temperature: 1,
      steps: 20,
      seed: 3,
    };
    const [two, three] = [await positions(spec, 2), await positions(spec, 3)];
    // the result names the threads that stepped the particles, as the backend does after the run
    expect([two.resultDevice, three.resultDevice]).toEqual([two.device, three.device]);
    expect([two.device, three.device]).toEqual([
      'CPU (JavaScript float64, generated kernel, 2 worker threads)',
      'CPU (JavaScript float64, generated kernel, 3 worker threads)',
    ]);
    expect(sameBits(two.x, three.x)).toBe(true);
  });

  it('per-chunk sums add up in chunk order whatever thread reported them', () => {
    expect(
      addInOrder([
        [2, [0.1]],
        [0, [1e16]],
        [1, [-1e16]],
      ]),
    ).toEqual(
      addInOrder([
        [0, [1e16]],
        [1, [-1e16]],
        [2, [0.1]],
      ]),
    );
    expect(
      addInOrder([
        [1, [-1e16]],
        [0, [1e16]],
        [2, [0.1]],
      ])[0],
    ).toBe(0.1);
  });

  it('rejects a bad thread count, naming the field and what is allowed', async () => {
    await expect(
      Simulation.create({ dims: 2, potential: { name: 'harmonic' }, dt: 0.01, steps: 1 }, { backend: 'cpu', cpu: { threads: 1.5 } }),
    ).rejects.toThrow(/cpu\.threads: got 1\.5; expected 'auto', 0 .* or a whole number/);
  });
});
