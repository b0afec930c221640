/**
 * Ensembles larger than memory: a run whose particles exceed a forced small
 * memory share runs in blocks of whole tiles and gives the single run's
 * result bit for bit; a memory too small for one tile is refused.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, prepare, type RunResult } from '../../src/engine.ts';
import { blockParticles, runInBlocks } from '../../src/run/blocks.ts';
import { cpuNeed } from '../../src/run/memory.ts';
import { PARTICLE_BLOCK } from '../../src/sums.ts';
import { gpu } from '../gpu/harness.ts';

const N = 5 * PARTICLE_BLOCK + 77;
const spec = {
  dims: 2,
  particles: N,
  potential: { name: 'double-well' },
  integrator: 'baoab',
  dt: 0.02,
  temperature: 0.5,
  steps: 30,
  seed: 3,
  init: { kind: 'normal', mean: [0, 0], std: 0.7 },
  histogram: { dims: [0], bins: 16, low: -2.4, high: 2.4, from: 10, every: 10 },
  observe: { every: 10 },
};

const WHERE_AND_WHEN = ['createdAt', 'host', 'device', 'elapsedMs', 'particleStepsPerSecond'];
function comparable(r: RunResult): string {
  const copy: Record<string, unknown> = { ...r };
  for (const k of WHERE_AND_WHEN) delete copy[k];
  copy.notes = r.notes.filter((n) => !n.startsWith('ran in'));
  return JSON.stringify(copy);
}

describe('a run larger than memory', () => {
  it('runs in blocks of whole tiles under a forced memory limit and equals the single run, bit for bit', async () => {
    const prepared = prepare(spec);
    const need = cpuNeed(prepared);
    // room for 2.5 tiles: blocks of 2 tiles, so 3 blocks (2 + 2 + 1 tile and 77 particles)
    const memory = (2 * (2.5 * PARTICLE_BLOCK * need.perParticle + need.fixed)) | 0;
    expect(blockParticles(prepared, { backend: 'cpu', memory })).toBe(2 * PARTICLE_BLOCK);
    const blocks: number[][] = [];
    const progress: number[] = [];
    const blocked = await runInBlocks(
      prepared,
      { backend: 'cpu', memory, onBlock: (b, n, r) => blocks.push([b, n, r.first, r.count]) },
      { onProgress: (done) => progress.push(done) },
    );
    expect(blocks).toEqual([
      [0, 3, 0, 2 * PARTICLE_BLOCK],
      [1, 3, 2 * PARTICLE_BLOCK, 2 * PARTICLE_BLOCK],
      [2, 3, 4 * PARTICLE_BLOCK, PARTICLE_BLOCK + 77],
    ]);
    // progress counts particle-steps over all blocks, in steps of the whole ensemble: it rises to 30 once
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
    expect(progress[progress.length - 1]).toBe(30);
    expect(blocked.notes.some((n) => n.startsWith('ran in 3 blocks of at most 8192 particles'))).toBe(true);
    const sim = await Simulation.create(prepared, { backend: 'cpu' });
    const one = await sim.run();
    sim.destroy();
    expect(comparable(blocked)).toBe(comparable(one));
    expect(blocked.particles).toBe(N);
  });

  it('on WebGPU, when the device cannot hold them (its memory limit), halves into blocks and equals the single run', async () => {
    const prepared = prepare(spec);
    const gpuOptions = { backend: 'webgpu' as const, gpu, webgpu: { ownsDevice: false } };
    const sim = await Simulation.create(prepared, gpuOptions);
    const one = await sim.run();
    sim.destroy();
    // baoab in 2-D: 16 bytes a particle on the GPU; room for 2.5 tiles
    const memoryLimit = 16 * 2.5 * PARTICLE_BLOCK;
    await expect(Simulation.create(prepared, { ...gpuOptions, webgpu: { ownsDevice: false, memoryLimit } })).rejects.toThrow(
      /^particles: got 20557; its particle buffers \(321 KiB\) pass the memory limit of 160 KiB; use fewer particles, shards/,
    );
    const notices: string[] = [];
    const blocks: number[] = [];
    const blocked = await runInBlocks(prepared, {
      ...gpuOptions,
      webgpu: { ownsDevice: false, memoryLimit },
      onNotice: (m) => notices.push(m),
      onBlock: (_b, _n, r) => blocks.push(r.count),
    });
    expect(notices).toEqual([`the device could not hold ${N} particles at once; running in blocks of ${2 * PARTICLE_BLOCK}`]);
    expect(blocks).toEqual([2 * PARTICLE_BLOCK, 2 * PARTICLE_BLOCK, PARTICLE_BLOCK + 77]);
    expect(comparable(blocked)).toBe(comparable(one));
  });

  it('refuses a memory share that holds less than one tile, naming particles', () => {
    const prepared = prepare(spec);
    expect(() => blockParticles(prepared, { backend: 'cpu', memory: 100_000 })).toThrow(
      /^particles: got 20557; not even one tile of 4096 particles fits/,
    );
  });
});
