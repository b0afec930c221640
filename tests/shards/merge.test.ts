/**
 * Shards and the exact merge: shards 1, 2, 3 and 7 of one spec (N not a
 * multiple of the tile) merge into the unsharded run's result bit for bit, on
 * both backends and in any order; parts that do not belong together are
 * refused with the range or the field named.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, type Prepared, type RunResult } from '../../src/engine.ts';
import type { BackendKind } from '../../src/backend.ts';
import { mergeShards, MergeError, type ShardResult } from '../../src/run/merge.ts';
import { shardRange, shardSection } from '../../src/run/shards.ts';
import { PARTICLE_BLOCK } from '../../src/sums.ts';
import { gpu } from '../gpu/harness.ts';

/** 7 tiles and 1001 particles: no shard count divides it. */
const N = 7 * PARTICLE_BLOCK + 1001;

const spec = (integrator: string, over: Record<string, unknown> = {}) => ({
  dims: 2,
  particles: N,
  potential: { name: 'double-well' },
  integrator,
  dt: 0.02,
  temperature: 0.5,
  steps: 40,
  seed: 11,
  init: { kind: 'normal', mean: [0, 0], std: 0.7 },
  histogram: { dims: [0, 1], bins: [12, 8], low: [-2.4, -3.2], high: [2.4, 3.2], from: 20, every: 10 },
  observe: { every: 10, target: [1, 0], radius: 0.5 },
  ...over,
});

const options = (backend: BackendKind) => ({ backend, gpu: backend === 'webgpu' ? gpu : undefined, webgpu: { ownsDevice: false } });

async function whole(raw: unknown, backend: BackendKind): Promise<RunResult> {
  const sim = await Simulation.create(raw as Prepared, options(backend));
  try {
    return await sim.run();
  } finally {
    sim.destroy();
  }
}

async function part(raw: unknown, backend: BackendKind, index: number, count: number): Promise<ShardResult> {
  const range = shardRange(N, index, count);
  const sim = await Simulation.create(raw as Prepared, { ...options(backend), range });
  try {
    const result = await sim.run();
    return { ...result, shard: await shardSection(result, index, count, sim.shardLog!) };
  } finally {
    sim.destroy();
  }
}

/** What may differ between a merged result and the single run: where and when they ran. */
const WHERE_AND_WHEN = ['createdAt', 'host', 'device', 'elapsedMs', 'particleStepsPerSecond', 'shards'];

/** The result's JSON text without where and when it ran (and the merge's own note). */
function comparable(r: RunResult): string {
  const copy: Record<string, unknown> = { ...r };
  for (const k of WHERE_AND_WHEN) delete copy[k];
  copy.notes = r.notes.filter((n) => !n.startsWith('merged from'));
  return JSON.stringify(copy, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

const merge = (parts: ShardResult[]) => mergeShards(parts.map((p, i) => ({ name: `part-${i}.json`, json: JSON.parse(JSON.stringify(p)) })));

describe.each(['cpu', 'webgpu'] as const)('merge on %s', (backend) => {
  it.each(['baoab', 'hmc', 'lm'])(
    '%s: shards 1, 2, 3 and 7 merge into the single run, bit for bit, whatever the order',
    async (integrator) => {
      const raw = spec(integrator, integrator === 'hmc' ? { leapfrogSteps: 3, dt: 0.1 } : {});
      const one = comparable(await whole(raw, backend));
      for (const count of [1, 2, 3, 7]) {
        const parts = await Promise.all(Array.from({ length: count }, (_, i) => part(raw, backend, i, count)));
        const merged = await merge(parts);
        expect(comparable(merged), `${count} shards`).toBe(one);
        expect(merged.shards.count).toBe(count);
        expect(merged.particles).toBe(N);
        if (count === 7) expect(comparable(await merge([...parts].reverse()))).toBe(one);
        if (count === 3) expect(comparable(await merge([parts[1], parts[2], parts[0]]))).toBe(one);
      }
    },
  );
});

describe('merge refuses parts that do not belong together', () => {
  it('names a missing range, a doubled range, another spec, another version, a non-shard', async () => {
    const raw = spec('em', { steps: 10, histogram: undefined });
    const three = await Promise.all([0, 1, 2].map((i) => part(raw, 'cpu', i, 3)));
    const two = await Promise.all([0, 1].map((i) => part(raw, 'cpu', i, 2)));
    const r1 = shardRange(N, 1, 3);
    await expect(merge([three[0], three[2]])).rejects.toThrow(
      `particles [${r1.first}, ${r1.first + r1.count}) are missing between part-0.json and part-1.json`,
    );
    await expect(merge([three[0], three[1]])).rejects.toThrow(`particles [${r1.first + r1.count}, ${N}) are missing after part-1.json`);
    const half = shardRange(N, 0, 2);
    expect(half.first + half.count).toBeGreaterThan(r1.first);
    await expect(merge([two[0], three[1], three[2]])).rejects.toThrow(
      `particles [${r1.first}, ${half.first + half.count}) appear twice: in part-0.json and part-1.json`,
    );
    const other = await part({ ...raw, seed: 12 }, 'cpu', 1, 3);
    await expect(merge([three[0], other, three[2]])).rejects.toThrow(/come from different specs \(they differ in seed\)/);
    await expect(merge([three[0], { ...three[1], langevin: '0.0.1' }, three[2]])).rejects.toThrow(
      /differ in version \(langevin\): 0\.0\.1 against/,
    );
    const edited = { ...three[1], spec: { ...three[1].spec, steps: 11 } };
    await expect(merge([three[0], edited, three[2]])).rejects.toThrow(/does not match its shard\.specHash/);
    const { shard: _, ...plain } = three[0];
    await expect(mergeShards([{ name: 'plain.json', json: plain }])).rejects.toThrow(/plain\.json: not a shard result/);
    await expect(merge([three[0], three[1], three[2]]).catch((e) => e)).resolves.not.toBeInstanceOf(MergeError);
  });

  it('refuses more shards than tiles, naming shards', () => {
    expect(() => shardRange(N, 0, 9)).toThrow(/shards: got 9; 29673 particles make 8 tiles of 4096/);
  });
});
