/**
 * Shards and the exact merge: shards 1, 2, 3 and 7 of one spec (N not a
 * multiple of the tile) merge into the unsharded run's result bit for bit, on
 * both backends and in any order; parts that do not belong together are
 * refused with the range or the field named.
 */
import { describe, expect, it } from 'vitest';
import { Simulation, prepare, type Prepared, type RunResult } from '../../src/engine.ts';
import type { BackendKind } from '../../src/backend.ts';
import { mergeShards, MergeError, type ShardResult } from '../../src/run/merge.ts';
import { canonicalJson, decodeNonFinite, sha256Hex, shardRange, shardSection } from '../../src/run/shards.ts';
import { addLogs, ReplayBackend, type ShardLog } from '../../src/run/shardLog.ts';
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

/** 64 rows of one column (a mixture's data), seeded: the mini-batch rows of each particle come from stream 4 at its global index. */
const ROWS = Array.from({ length: 64 }, (_, i) => [Math.sin(1.7 * i) * 2 + (i % 3 === 0 ? 1 : -1)]);

describe.each(['cpu', 'webgpu'] as const)('merge on %s: the harder cases', (backend) => {
  it('SGLD on a data potential with mini-batches (em and baoab): 3 shards merge into the single run, bit for bit', async () => {
    for (const integrator of ['em', 'baoab']) {
      const raw = {
        ...spec(integrator, { histogram: undefined, observe: { every: 10 } }),
        potential: { data: { columns: ['d'], rows: ROWS }, example: '(d - x)^2/2 + (d - y)^2/4', prior: 'x^2/20 + y^2/20' },
        batch: 5,
        dt: 0.002,
        temperature: 1,
      };
      const one = comparable(await whole(raw, backend));
      const parts = await Promise.all([0, 1, 2].map((i) => part(raw, backend, i, 3)));
      expect(comparable(await merge(parts)), integrator).toBe(one);
    }
  });

  it('a blow-up in a later shard: the merged non-finite count and its diagnosis (from the part holding the first one), bit for bit', async () => {
    // EM with dt = 0.05 on the double well: a particle started far enough out blows up. With std 0.75 a few of the
    // 29 673 do; the seed is the first (on the CPU) whose first shard of three holds none of them, so the merge must
    // take the example particle and its diagnosis from a later part
    const raw = (seed: number) =>
      spec('em', { seed, dt: 0.05, init: { kind: 'normal', mean: [0, 0], std: 0.75 }, steps: 30, histogram: undefined });
    let seed = 1;
    for (; seed < 60; seed++) {
      const first = await part(raw(seed), 'cpu', 0, 3);
      if (first.final.nonFinite === 0 && (await whole(raw(seed), 'cpu')).final.nonFinite > 0) break;
    }
    expect(seed).toBeLessThan(60);
    const single = await whole(raw(seed), backend);
    expect(single.final.nonFinite).toBeGreaterThan(0);
    expect(single.warnings.join(' ')).toMatch(/non-finite/);
    const parts = await Promise.all([0, 1, 2].map((i) => part(raw(seed), backend, i, 3)));
    const merged = await merge(parts);
    expect(merged.final.nonFinite).toBe(parts.reduce((a, p) => a + p.final.nonFinite, 0));
    expect(comparable(merged)).toBe(comparable(single));
  });
});

describe('the sum of shard logs does not depend on their order', () => {
  it('addLogs over the parts in any order gives the same summed log (histograms, acceptance, moments, covariance)', async () => {
    const raw = spec('hmc', { leapfrogSteps: 3, dt: 0.1 });
    const parts = await Promise.all(Array.from({ length: 4 }, (_, i) => part(raw, 'cpu', i, 4)));
    const logs = parts.map((p) => decodeNonFinite(JSON.parse(JSON.stringify(p.shard.log))) as ShardLog);
    // the partials of an exact sum may differ with the order of additions; the sums they hold may not: replay each
    // order through the engine and compare the results
    const prepared = prepare(raw);
    const replayed = async (order: number[]) => {
      const backend = new ReplayBackend(addLogs(order.map((i) => logs[i])), 'cpu', 'replay', true);
      return comparable(await Simulation.replay(prepared, backend).run());
    };
    const sorted = await replayed([0, 1, 2, 3]);
    for (const order of [
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ])
      expect(await replayed(order)).toBe(sorted);
    // and the summed counts are the parts' sums: the histogram of the last trace row over all parts
    const lastTrace = (log: ShardLog) => [...log.calls].reverse().find((c) => c.kind === 'observe' && c.histogram);
    const summed = lastTrace(addLogs(logs)) as { histogram: { counts: number[] } };
    const byHand = logs
      .map((l) => (lastTrace(l) as { histogram: { counts: number[] } }).histogram.counts)
      .reduce((a, b) => a.map((x, i) => x + b[i]));
    expect(summed.histogram.counts).toEqual(byHand);
  });
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
    // parts of two cuts (2 and 3 shards) overlap: refused as different cuts, before any range is read
    await expect(merge([two[0], three[1], three[2]])).rejects.toThrow(
      /part-1\.json and part-0\.json differ in shard count \(shard\.count\): 3 against 2/,
    );
    await expect(merge([three[0], three[1], three[1], three[2]])).rejects.toThrow(/part-1\.json and part-2\.json are both shard 1 of 3/);
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

  it('refuses a part whose log was edited, or forged with a matching hash, naming the file and the field', async () => {
    const raw = spec('em', { steps: 30 });
    const three = await Promise.all([0, 1, 2].map((i) => part(raw, 'cpu', i, 3)));
    const copy = () => JSON.parse(JSON.stringify(three[1])) as ShardResult;
    const rehash = async (p: ShardResult) => ({ ...p, shard: { ...p.shard, logHash: await sha256Hex(canonicalJson(p.shard.log)) } });
    const edited = copy();
    (edited.shard.log.calls[1] as { moments: { count: number } }).moments.count -= 1;
    await expect(merge([three[0], edited, three[2]])).rejects.toThrow(
      /part-1\.json: shard\.logHash: does not match its log; was the file edited/,
    );
    // forged: the edit, the hash recomputed; each impossible number is named
    const r = shardRange(N, 1, 3);
    const span = `\\[${r.first}, ${r.first + r.count}\\)`;
    const cases: [(p: ShardResult) => void, RegExp][] = [
      [
        (p) => ((p.shard.log.calls[1] as { moments: { count: number } }).moments.count = r.count + 1),
        new RegExp(`shard\\.log\\.calls\\[1\\]\\.moments\\.count: got ${r.count + 1}; an integer 0 … ${r.count}`),
      ],
      [
        (p) => ((p.shard.log.calls[1] as { moments: { count: number; nonFinite: number } }).moments.nonFinite = 1),
        new RegExp(`moments\\.count: count \\+ nonFinite is not the part's ${r.count} particles`),
      ],
      [
        (p) => ((p.shard.log.calls[1] as { moments: { best: { index: number } } }).moments.best.index = 0),
        new RegExp(`moments\\.best\\.index: got 0; −1 or a particle of this part ${span}`),
      ],
      [(p) => ((p.shard.log.calls[1] as { moments: { s1: unknown[] } }).moments.s1 = [['a', 'b'], []]), /moments\.s1: not 2 exact sums/],
      [
        (p) =>
          ((
            p.shard.log.calls.find((c) => c.kind === 'observe' && c.histogram) as { histogram: { counts: number[] } }
          ).histogram.counts[3] += 0.5),
        new RegExp(`histogram\\.counts: not 96 counts of 0 … ${r.count}`),
      ],
      [
        (p) => (p.shard.first = '4096' as unknown as number),
        new RegExp(`part-1\\.json: shard\\.first: shard 1 of 3 holds particles ${span}, not what the part says`),
      ],
      [(p) => (p.shard.index = -1), /shard\.index: got -1; an integer 0 … 2/],
      [
        (p) => ((p.shard.log.calls[1] as { moments: { s2: number[][] } }).moments.s2[0] = [0, -5000]),
        /moments\.s2: a sum of squares below 0/,
      ],
      [
        (p) => ((p.shard.log.calls.find((c) => c.kind === 'covariance') as { covariance: { count: number } }).covariance.count = 1),
        /covariance\.count: fewer than the moments before it counted/,
      ],
      [
        (p) => ((p.shard.log.calls[1] as { moments: { best: { index: number } } }).moments.best.index = -1),
        /moments\.best\.energy: an energy without a particle \(index −1\)/,
      ],
    ];
    for (const [edit, message] of cases) {
      const forged = copy();
      edit(forged);
      await expect(merge([three[0], await rehash(forged), three[2]])).rejects.toThrow(message);
    }
    // and the untouched parts still merge
    expect((await merge(three)).particles).toBe(N);
  });

  it('refuses more shards than tiles, naming shards', () => {
    expect(() => shardRange(N, 0, 9)).toThrow(/shards: got 9; 29673 particles make 8 tiles of 4096/);
  });
});
