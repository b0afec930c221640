/**
 * Ensembles past 2^32 particles: the random numbers' counter holds a
 * particle's low 32 bits in word 0 and its high bits in the stream word
 * (stream + 256·⌊i/2^32⌋; docs/ARCHITECTURE.md "Random numbers"). Known
 * answers from philox4x32 itself, distinct streams for i and 2^32 + i, the
 * generated CPU kernels against the reference step bit for bit across the
 * 2^32 boundary, the GPU (its carry from the low word into the high word)
 * against the CPU, and global best and non-finite indices past 2^32.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, prepare } from '../../src/engine.ts';
import { WebGpuBackend } from '../../src/gpu/backend.ts';
import { initParticle } from '../../src/init.ts';
import { boxMuller, philox4x32, seedKey, Stream, streamWord } from '../../src/rng/philox.ts';
import { gpu } from './harness.ts';

const BOUNDARY = 2 ** 32;
/** Two tiles: 4096 particles below 2^32 and 4096 above, of an ensemble of 2^32 + 8192. */
const RANGE = { first: BOUNDARY - 4096, count: 8192 };
const spec = (integrator: string) => ({
  dims: 2,
  particles: BOUNDARY + 8192,
  potential: { name: 'double-well' },
  integrator,
  dt: integrator === 'hmc' ? 0.1 : 0.02,
  temperature: 0.5,
  steps: 6,
  seed: 2024,
  init: { kind: 'normal', mean: [0, 0], std: 0.7 },
});

describe('the counter past 2^32 particles', () => {
  it('streamWord: the stream below 2^32; stream + 256 × the high bits above', () => {
    expect(streamWord(Stream.noise, BOUNDARY - 1)).toBe(0);
    expect(streamWord(Stream.accept, 12345)).toBe(3);
    expect(streamWord(Stream.init, BOUNDARY)).toBe(1 + 256);
    expect(streamWord(Stream.batch, 3 * BOUNDARY + 7)).toBe(4 + 3 * 256);
    expect(streamWord(Stream.velocity, 2 ** 40 - 1)).toBe(2 + 255 * 256);
  });

  it('an initial position past 2^32 is Box–Muller of the Philox block (i mod 2^32, 0, 0, 1 + 256·⌊i/2^32⌋)', () => {
    const [k0, k1] = seedKey(2024);
    for (const i of [BOUNDARY + 5, 3 * BOUNDARY + 7, 2 ** 40 - 1]) {
      const block = new Uint32Array(4);
      philox4x32(i % BOUNDARY, 0, 0, 1 + 256 * Math.floor(i / BOUNDARY), k0, k1, block);
      const z = new Float64Array(4);
      boxMuller(block[0], block[1], z, 0);
      const x = new Float64Array(2);
      initParticle({ kind: 'normal', mean: [1, -1], std: [0.5, 2] }, i, k0, k1, x);
      expect(Array.from(x)).toEqual([1 + 0.5 * z[0], -1 + 2 * z[1]]);
      // particle i mod 2^32 has other numbers: the high bits are part of the counter
      const y = new Float64Array(2);
      initParticle({ kind: 'normal', mean: [1, -1], std: [0.5, 2] }, i % BOUNDARY, k0, k1, y);
      expect(y[0]).not.toBe(x[0]);
    }
  });
});

/** Positions (and velocities) of the range after the spec's steps, on a backend. */
async function evolve(integrator: string, backend: 'cpu' | 'webgpu', threads?: number) {
  const sim = await Simulation.create(prepare(spec(integrator)), {
    backend,
    range: RANGE,
    cpu: threads === undefined ? undefined : { threads },
    gpu: backend === 'webgpu' ? gpu : undefined,
    webgpu: { ownsDevice: false },
  });
  try {
    const x0 = await sim.backend.readPositions();
    await sim.advance();
    return { x0, x: await sim.backend.readPositions() };
  } finally {
    sim.destroy();
  }
}

describe.each(['em', 'lm', 'baoab', 'mala', 'hmc'])('%s across the 2^32 boundary', (integrator) => {
  it('the generated CPU kernel equals the reference step bit for bit', async () => {
    const ref = await evolve(integrator, 'cpu', 0);
    const gen = await evolve(integrator, 'cpu', 1);
    expect(Buffer.from(gen.x.buffer).equals(Buffer.from(ref.x.buffer))).toBe(true);
  });

  it('the GPU follows the same random numbers as the CPU (its carry into the high word included)', async () => {
    const cpu = await evolve(integrator, 'cpu', 1);
    const gpuRun = await evolve(integrator, 'webgpu');
    // initial positions: WGSL's f32 Box–Muller agrees with the float64 one to ~2^−11 (1 + |z|) (docs/ARCHITECTURE.md,
    // SwiftShader's log near 1 the worst); a wrong counter would give another normal, O(1) away
    let initErr = 0;
    let err = 0;
    for (let j = 0; j < cpu.x.length; j++) {
      initErr = Math.max(initErr, Math.abs(cpu.x0[j] - gpuRun.x0[j]) / (1 + Math.abs(cpu.x0[j])));
      err = Math.max(err, Math.abs(cpu.x[j] - gpuRun.x[j]) / (1 + Math.abs(cpu.x[j])));
    }
    expect(initErr).toBeLessThan(2 ** -10);
    // a few steps in f32: a Metropolis decision flips where the f32 and float64 energies straddle ln u (a few
    // particles in a thousand); a wrong counter above 2^32 would move half of the 8192 particles
    const far = new Set(
      Array.from(cpu.x, (v, j) => (Math.abs(v - gpuRun.x[j]) / (1 + Math.abs(v)) > 1e-2 ? j >> 1 : -1)).filter((i) => i >= 0),
    ).size;
    expect(far).toBeLessThanOrEqual(integrator === 'mala' || integrator === 'hmc' ? RANGE.count / 200 : 0);
    if (integrator !== 'mala' && integrator !== 'hmc') expect(err).toBeLessThan(1e-2);
  });
});

describe('global indices past 2^32 in the reductions', () => {
  it('best and first non-finite particle carry their global index on both backends', async () => {
    const positions = new Float64Array(2 * RANGE.count).map((_, j) => 2 + (j % 7) * 0.01);
    positions.set([1, 0], 2 * 5000); // the minimum of the double well, E = 0: global 2^32 + 904
    positions.set([NaN, 0], 2 * 6000); // global 2^32 + 1904
    positions.set([NaN, 1], 2 * 7000);
    for (const backend of ['cpu', 'webgpu'] as const) {
      const sim = await Simulation.create(prepare(spec('em')), { backend, range: RANGE, gpu, webgpu: { ownsDevice: false } });
      try {
        if (backend === 'cpu') await sim.backend.restoreState({ positions });
        else (sim.backend as WebGpuBackend).writePositions(Float32Array.from(positions));
        const m = await sim.moments();
        expect(m.best.index, backend).toBe(RANGE.first + 5000);
        expect(m.best.x).toEqual([1, 0]);
        expect(m.firstNonFinite, backend).toBe(RANGE.first + 6000);
        expect(m.nonFinite).toBe(2);
        expect(await sim.backend.readParticle(RANGE.first + 5000)).toEqual([1, 0]);
      } finally {
        sim.destroy();
      }
    }
  });
});
