/**
 * Shards of an ensemble: which particles shard I of N holds (whole tiles of
 * PARTICLE_BLOCK, so that each tile's sums are the whole run's), the hash that
 * ties a shard to its spec, and the `shard` section a shard's result carries.
 */
import { SpecError } from '../errors.ts';
import { PARTICLE_BLOCK, type ParticleRange } from '../sums.ts';
import type { ShardLog } from './shardLog.ts';
import type { SpecJson } from './specJson.ts';
import type { RunSpec } from '../spec.ts';
import { snapshotSteps, traceSteps } from './observations.ts';

/** What a shard's result carries for the merge (`langevin merge`). */
export interface ShardSection {
  /** this shard's number, 0 … count − 1 */
  index: number;
  /** how many shards the ensemble was cut into */
  count: number;
  /** the global index of the shard's first particle */
  first: number;
  /** the shard's particles */
  particles: number;
  /** SHA-256 of the normalised spec (hex): parts of one ensemble share it */
  specHash: string;
  /** every reduction of the run, as exact sums and counts (src/run/shardLog.ts) */
  log: ShardLog;
  /** SHA-256 of the log as written (canonical JSON, hex): a log edited by hand is refused by the merge */
  logHash: string;
}

/** One part of a merged result, as the `shards` section lists it. */
export interface ShardPart {
  index: number;
  first: number;
  particles: number;
  device: string;
  host: string;
  createdAt: string;
  elapsedMs: number;
}

/**
 * The particles of shard `index` of `count`: whole tiles, as equal as tiles allow (the last tile may be short).
 * @throws SpecError naming `shards` when there are more shards than tiles (a shard would be empty)
 */
export function shardRange(particles: number, index: number, count: number): ParticleRange {
  const tiles = Math.ceil(particles / PARTICLE_BLOCK);
  if (count > tiles)
    throw new SpecError(
      'shards',
      count,
      `${particles} particles make ${tiles} tile${tiles === 1 ? '' : 's'} of ${PARTICLE_BLOCK}; a shard holds whole tiles, so at most ${tiles} shards`,
    );
  const lo = Math.floor((index * tiles) / count) * PARTICLE_BLOCK;
  const hi = Math.min(particles, Math.floor(((index + 1) * tiles) / count) * PARTICLE_BLOCK);
  return { first: lo, count: hi - lo };
}

/**
 * Check a range of a run of `particles`: whole numbers, inside the ensemble, not empty, starting on a tile.
 * @throws SpecError naming `range`
 */
export function checkRange(particles: number, r: ParticleRange): void {
  const ok =
    Number.isSafeInteger(r.first) && Number.isSafeInteger(r.count) && r.first >= 0 && r.count > 0 && r.first + r.count <= particles;
  if (!ok) throw new SpecError('range', r, `particles [first, first + count) inside [0, ${particles}), count ≥ 1`);
  if (r.first % PARTICLE_BLOCK !== 0)
    throw new SpecError(
      'range.first',
      r.first,
      `a multiple of ${PARTICLE_BLOCK} (the reductions' tile), so that the tiles are the whole run's`,
    );
}

/**
 * The `shard` section of the result of shard `index` of `count`: where its particles lie in the ensemble,
 * the spec's hash, and its log (non-finite numbers as strings: JSON has none).
 */
export async function shardSection(result: { spec: SpecJson }, index: number, count: number, log: ShardLog): Promise<ShardSection> {
  const range = shardRange(result.spec.particles, index, count);
  const written = JSON.parse(JSON.stringify(log, encodeNonFinite)) as ShardLog;
  return {
    index,
    count,
    first: range.first,
    particles: range.count,
    specHash: await specHash(result.spec),
    log: written,
    logHash: await sha256Hex(canonicalJson(written)),
  };
}

/**
 * The most bytes of histogram counts a shard's result may hold: within what `langevin merge` reads of one part
 * (512 MiB) and the longest string JSON.stringify makes, at ~24 bytes a count as the result is written (one
 * indented line a count).
 */
export const MAX_LOG_HISTOGRAM_BYTES = 192 * 2 ** 20;

/** Bytes a histogram count takes in a written result (measured: ~20, one indented line each). */
const BYTES_PER_COUNT = 24;

/**
 * Refuse, before any work, a shard whose log would hold more histogram counts than a part may: one histogram per
 * trace row and per snapshot, of all the bins (about 8 bytes of JSON a count).
 * @throws SpecError naming histogram.bins, with the numbers and what to change
 */
export function checkLogSize(spec: RunSpec): void {
  const h = spec.histogram;
  if (!h) return;
  const bins = h.bins.reduce((a, b) => a * b, 1);
  const histograms = new Set([...snapshotSteps(spec), ...(spec.histogram ? traceSteps(spec) : [])]).size;
  const bytes = BYTES_PER_COUNT * bins * histograms;
  if (bytes > MAX_LOG_HISTOGRAM_BYTES)
    throw new SpecError(
      'histogram.bins',
      h.bins,
      `a shard's log would hold ${histograms} histograms of ${bins} bins (about ${(bytes / 2 ** 20).toFixed(0)} MiB), over ${MAX_LOG_HISTOGRAM_BYTES / 2 ** 20} MiB: use fewer bins, or fewer snapshots and trace rows (histogram.every, observe.every)`,
    );
}

/** Canonical JSON: object keys sorted at every level. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x && typeof x === 'object')
    return `{${Object.keys(x)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((x as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(x);
}

/** SHA-256 (hex) of a text (WebCrypto: Node and browsers). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 (hex) of the normalised spec's canonical JSON. */
export function specHash(spec: SpecJson): Promise<string> {
  return sha256Hex(canonicalJson(spec));
}

/** The spec's top-level fields whose values differ between two normalised specs (for a refusal that names them). */
export function specDifferences(a: SpecJson, b: SpecJson): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const get = (s: SpecJson, k: string) => (s as unknown as Record<string, unknown>)[k];
  return keys.filter((k) => canonicalJson(get(a, k)) !== canonicalJson(get(b, k)));
}

/** JSON text of a shard log: non-finite numbers (an empty best, a sum that overflowed) as strings. */
export function encodeNonFinite(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

/** The reverse of {@link encodeNonFinite} on a parsed log. */
export function decodeNonFinite<T>(x: T): T {
  if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return Number(x) as T;
  if (Array.isArray(x)) return x.map(decodeNonFinite) as T;
  if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, decodeNonFinite(v)])) as T;
  return x;
}
