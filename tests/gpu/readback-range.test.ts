/**
 * Reading a range of particles back (an export streams N × D in chunks):
 * ranges inside one shard, across shard boundaries, empty and whole, with
 * the values each particle holds.
 */
import { describe, expect, it } from 'vitest';
import { allocateShards } from '../../src/gpu/particles.ts';
import { readShards } from '../../src/gpu/readback.ts';
import { gpu } from './harness.ts';
import { simulation } from '../support.ts';

describe('readShards over a range', () => {
  it('returns particles first … first + count − 1 in order, across shards of 4 particles', async () => {
    const { device } = await gpu();
    const dims = 3;
    const particles = 10;
    // 48 bytes per shard: 4 particles of 3 f32 each, so shards [0,4) [4,8) [8,10)
    const shards = allocateShards(device, { first: 0, count: particles }, dims, 48);
    try {
      expect(shards.map((s) => [s.base, s.count])).toEqual([
        [0, 4],
        [4, 4],
        [8, 2],
      ]);
      // particle i, coordinate d holds 10·i + d
      for (const s of shards)
        device.queue.writeBuffer(
          s.positions,
          0,
          Float32Array.from({ length: s.count * dims }, (_, j) => 10 * (s.base + Math.floor(j / dims)) + (j % dims)),
        );
      const expected = (first: number, count: number) =>
        Array.from({ length: count * dims }, (_, j) => 10 * (first + Math.floor(j / dims)) + (j % dims));
      const buffers = shards.map((s) => s.positions);
      for (const [first, count] of [
        [0, 10],
        [1, 2],
        [3, 2],
        [2, 7],
        [9, 1],
        [5, 0],
      ]) {
        expect(Array.from(await readShards(device, shards, buffers, dims, 'test', first, count)), `${first} + ${count}`).toEqual(
          expected(first, count),
        );
      }
      expect(Array.from(await readShards(device, shards, buffers, dims, 'test'))).toEqual(expected(0, 10));
    } finally {
      for (const s of shards) s.positions.destroy();
    }
  });
});

describe('Backend.readPositions and readVelocities over a range', () => {
  it.each(['cpu', 'webgpu'] as const)('%s: a range is the slice of the whole', async (backend) => {
    const spec = {
      dims: 2,
      particles: 37,
      potential: { name: 'double-well' },
      integrator: 'baoab',
      dt: 0.01,
      temperature: 0.5,
      steps: 5,
      seed: 9,
    };
    const sim = await simulation(spec, backend);
    try {
      await sim.run();
      const x = Array.from(await sim.backend.readPositions());
      const v = Array.from((await sim.backend.readVelocities())!);
      expect(x.length).toBe(74);
      expect(Array.from(await sim.backend.readPositions(5, 20))).toEqual(x.slice(10, 50));
      expect(Array.from((await sim.backend.readVelocities(36, 1))!)).toEqual(v.slice(72, 74));
      expect(Array.from(await sim.backend.readPositions(3, 0))).toEqual([]);
      expect(await sim.backend.readParticle(36)).toEqual(x.slice(72, 74));
      // a range past the end, or a negative one, is an error on both backends (not a short array on one and zeros on the other)
      await expect(sim.backend.readPositions(30, 8)).rejects.toThrow('particles 30 … 37 (first 30, count 8): the ensemble has 37');
      await expect(sim.backend.readVelocities(-1, 2)).rejects.toThrow(RangeError);
      await expect(sim.backend.readParticle(37)).rejects.toThrow(RangeError);
    } finally {
      sim.destroy();
    }
  });
});
