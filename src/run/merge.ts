/**
 * The exact merge of shard results (`langevin merge`): check that the parts
 * belong together (one spec, one version, one backend kind) and tile the
 * ensemble with no gap or overlap, add their logs call by call, and replay the
 * sum through the engine: the merged result is the one a single run over all
 * particles builds, bit for bit, except for where and when it ran.
 */
import { Simulation, prepare, type RunResult } from '../engine.ts';
import { provenance } from '../provenance.ts';
import { ReplayBackend, addLogs, LogMismatch } from './shardLog.ts';
import { checkShard, MergeError } from './shardCheck.ts';
import { decodeNonFinite, specDifferences, specHash, type ShardPart, type ShardSection } from './shards.ts';

/** A shard's result: an ordinary result of its particles plus its `shard` section. */
export type ShardResult = RunResult & { shard: ShardSection };

/** A merged result: the whole run's, plus where its parts ran. */
export type MergedResult = RunResult & { shards: { count: number; parts: ShardPart[] } };

export { MergeError };

interface Part {
  /** the file it came from (for messages) */
  name: string;
  result: ShardResult;
}

function asPart(name: string, x: unknown): Part {
  const r = x as Partial<ShardResult> | null;
  if (!r || typeof r !== 'object' || !r.shard || typeof r.shard !== 'object' || !Array.isArray(r.shard.log?.calls))
    throw new MergeError(
      `${name}: not a shard result (no \`shard\` section); make the parts with \`langevin run SPEC --shard I/N --out PART\``,
    );
  if (!r.spec || typeof r.langevin !== 'string' || typeof r.backend !== 'string')
    throw new MergeError(`${name}: not a result (no spec, version or backend)`);
  if (r.partial)
    throw new MergeError(
      `${name}: a partial result (${String(r.partial.reason)} at step ${String(r.steps)} of ${String(r.partial.stepsPlanned ?? r.spec?.steps)}); finish the shard (run it again with --resume from its checkpoint) before merging`,
    );
  return { name, result: r as ShardResult };
}

const same = (parts: Part[], what: string, get: (p: Part) => string) => {
  const [a] = parts;
  const b = parts.find((p) => get(p) !== get(a));
  if (b) throw new MergeError(`${b.name} and ${a.name} differ in ${what}: ${get(b)} against ${get(a)}; parts of one ensemble share it`);
};

/** Check the spec hashes: each part's against its own spec, and all alike (naming the fields that differ). */
async function checkSpecs(parts: Part[]): Promise<void> {
  for (const p of parts) {
    if ((await specHash(p.result.spec)) !== p.result.shard.specHash)
      throw new MergeError(`${p.name}: its spec does not match its shard.specHash (the file was edited)`);
  }
  const [a] = parts;
  const b = parts.find((p) => p.result.shard.specHash !== a.result.shard.specHash);
  if (b)
    throw new MergeError(
      `${b.name} and ${a.name} come from different specs (they differ in ${specDifferences(b.result.spec, a.result.spec).join(', ')}); parts of one ensemble share one spec`,
    );
}

/** The parts come from one cut of the ensemble: one shard count, each index once. */
function checkPartition(parts: Part[]): void {
  same(parts, 'shard count (shard.count)', (p) => String(p.result.shard.count));
  const seen = new Map<number, Part>();
  for (const p of parts) {
    const other = seen.get(p.result.shard.index);
    if (other) throw new MergeError(`${other.name} and ${p.name} are both shard ${p.result.shard.index} of ${p.result.shard.count}`);
    seen.set(p.result.shard.index, p);
  }
}

/** Check that the parts' ranges tile [0, particles): name the first gap or overlap. */
function checkTiling(parts: Part[], particles: number): Part[] {
  const sorted = [...parts].sort((x, y) => x.result.shard.first - y.result.shard.first);
  let end = 0;
  let previous: Part | undefined;
  for (const p of sorted) {
    const { first, particles: n } = p.result.shard;
    if (first > end)
      throw new MergeError(
        `particles [${end}, ${first}) are missing${previous ? ` between ${previous.name} and ${p.name}` : ` before ${p.name}`}`,
      );
    if (first < end)
      throw new MergeError(`particles [${first}, ${Math.min(end, first + n)}) appear twice: in ${previous!.name} and ${p.name}`);
    end = first + n;
    previous = p;
  }
  if (end !== particles) throw new MergeError(`particles [${end}, ${particles}) are missing after ${previous!.name}`);
  return sorted;
}

/**
 * Merge shard results into the result of the whole ensemble.
 * @param inputs parsed JSON of each part with its file name, in any order
 * @throws MergeError (exit 2) naming the part and the field, the missing or doubled range
 */
export async function mergeShards(inputs: { name: string; json: unknown }[]): Promise<MergedResult> {
  if (inputs.length === 0) throw new MergeError('no parts to merge');
  const parts = inputs.map((i) => asPart(i.name, i.json));
  same(parts, 'version (langevin)', (p) => p.result.langevin);
  same(parts, 'backend', (p) => p.result.backend);
  await checkSpecs(parts);
  const prepared = prepare(parts[0].result.spec);
  for (const p of parts) await checkShard(p.name, prepared.spec, p.result.shard);
  checkPartition(parts);
  const sorted = checkTiling(parts, prepared.spec.particles);
  let log;
  try {
    log = addLogs(sorted.map((p) => decodeNonFinite(p.result.shard.log)));
  } catch (e) {
    if (e instanceof LogMismatch)
      throw new MergeError(`the parts' logs do not match (${e.message}); were they made by one spec and version?`);
    throw e;
  }
  const devices = [...new Set(sorted.map((p) => p.result.device))];
  const replay = new ReplayBackend(
    log,
    parts[0].result.backend,
    devices.join('; '),
    sorted.every((p) => p.result.software),
  );
  const result = await Simulation.replay(prepared, replay).run();
  if (!replay.done)
    throw new MergeError("the parts' logs hold more reductions than the run asks for; were they made by one spec and version?");
  const elapsedMs = sorted.reduce((a, p) => a + p.result.elapsedMs, 0);
  return {
    ...result,
    ...provenance(),
    elapsedMs,
    particleStepsPerSecond: elapsedMs > 0 ? Math.round((result.particles * result.steps) / (elapsedMs / 1000)) : 0,
    notes: [
      ...result.notes,
      `merged from ${sorted.length} shard${sorted.length === 1 ? '' : 's'}: elapsedMs is the sum of their times, particleStepsPerSecond per unit of that time`,
    ],
    shards: {
      count: sorted.length,
      parts: sorted.map(({ result: r }) => ({
        index: r.shard.index,
        first: r.shard.first,
        particles: r.shard.particles,
        device: r.device,
        host: r.host,
        createdAt: r.createdAt,
        elapsedMs: r.elapsedMs,
      })),
    },
  };
}
