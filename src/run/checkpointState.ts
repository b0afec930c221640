/**
 * A simulation's state (`Simulation.checkpoint`) as bytes and back, for the
 * places a checkpoint is kept: the CLI's `.npz` (src/node/checkpoint.ts) and
 * the runner page's Origin Private File System (src/runner/checkpoints.ts).
 * The header is JSON (the observations so far, the moves not yet observed,
 * a shard's log; non-finite numbers as strings, float64 arrays as lists);
 * the particle arrays stay binary.
 */
import type { BackendState } from '../backend.ts';
import type { SimulationState } from '../engine.ts';
import type { Observations } from './observations.ts';
import type { ShardLog } from './shardLog.ts';
import { decodeNonFinite, encodeNonFinite } from './shards.ts';

/** The JSON part of a state. */
export interface StateJson {
  observations: Observations;
  pending?: BackendState['pending'];
  shardLog?: ShardLog;
}

/** One particle array of a state. */
export interface StateArray {
  name: 'positions' | 'velocities' | 'accepts' | 'hit' | 'work';
  values: Float32Array | Float64Array;
}

/** JSON text of a header: non-finite numbers as strings, float64 arrays as plain lists. */
export function headerText(header: object): string {
  return JSON.stringify(header, (key, v: unknown) => (v instanceof Float64Array ? Array.from(v) : encodeNonFinite(key, v)), 1);
}

/** A parsed header's observations made whole again (non-finite numbers, the histogram's float64 counts). */
export function parseHeader<T extends { observations: Observations }>(text: string): T {
  const header = decodeNonFinite(JSON.parse(text)) as T;
  const hist = header.observations?.histogram;
  if (hist) hist.counts = Float64Array.from(hist.counts as unknown as number[]);
  return header;
}

/** The state's JSON part and its arrays. */
export function splitState(state: SimulationState): { json: StateJson; arrays: StateArray[] } {
  const b = state.backend;
  const arrays: StateArray[] = [{ name: 'positions', values: b.positions }];
  if (b.velocities) arrays.push({ name: 'velocities', values: b.velocities });
  if (b.accepts) arrays.push({ name: 'accepts', values: b.accepts });
  // first hit steps as float64 (exact integers below 2^53; every array of a state is a float array)
  if (b.hit) arrays.push({ name: 'hit', values: Float64Array.from(b.hit) });
  if (b.work) arrays.push({ name: 'work', values: b.work });
  const json: StateJson = { observations: state.observations };
  if (b.pending) json.pending = b.pending;
  if (state.shardLog) json.shardLog = state.shardLog;
  return { json, arrays };
}

/**
 * The state from its JSON part and arrays.
 * @throws Error when the positions are missing or the accepts are not float32
 */
export function joinState(json: StateJson, arrays: Map<string, Float32Array | Float64Array>): SimulationState {
  const positions = arrays.get('positions');
  if (!positions) throw new Error('the checkpoint holds no positions');
  const backend: BackendState = { positions };
  const velocities = arrays.get('velocities');
  if (velocities) backend.velocities = velocities;
  const accepts = arrays.get('accepts');
  if (accepts && !(accepts instanceof Float32Array)) throw new Error('the checkpoint holds accepts that are not float32');
  if (accepts) backend.accepts = accepts;
  const hit = arrays.get('hit');
  if (hit && !(hit instanceof Float64Array && hit.every((h) => Number.isInteger(h) && h >= 0 && h <= 0xffffffff)))
    throw new Error('the checkpoint holds hit steps that are not float64 integers from 0 to 4294967295');
  if (hit) backend.hit = Uint32Array.from(hit);
  const work = arrays.get('work');
  if (work) backend.work = work;
  if (json.pending) backend.pending = json.pending;
  return { observations: json.observations, backend, ...(json.shardLog ? { shardLog: json.shardLog } : {}) };
}

const MAGIC = 0x4356474c; // "LGVC" little-endian

/**
 * One buffer: "LGVC", the header's byte length (u32 LE), the header JSON (with `arrays`: name, dtype, length,
 * offset), zero padding to 8 bytes, then each array's bytes (little-endian, as typed arrays hold them here).
 */
export function packState(header: object, arrays: StateArray[]): Uint8Array {
  let offset = 0;
  const table = arrays.map((a) => {
    const entry = { name: a.name, dtype: a.values instanceof Float64Array ? 'f64' : 'f32', length: a.values.length, offset };
    offset += a.values.byteLength;
    return entry;
  });
  const text = new TextEncoder().encode(headerText({ ...header, arrays: table }));
  const start = Math.ceil((8 + text.length) / 8) * 8;
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, text.length, true);
  out.set(text, 8);
  arrays.forEach((a, i) => out.set(new Uint8Array(a.values.buffer, a.values.byteOffset, a.values.byteLength), start + table[i].offset));
  return out;
}

/**
 * The header and arrays of a buffer made by {@link packState}.
 * @throws Error naming what is wrong (not a state, truncated)
 */
export function unpackState<T extends { observations: Observations }>(
  bytes: Uint8Array,
): { header: T; arrays: Map<string, Float32Array | Float64Array> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0, true) !== MAGIC) throw new Error('not a langevin checkpoint');
  const length = view.getUint32(4, true);
  if (8 + length > bytes.length) throw new Error('a truncated checkpoint');
  const header = parseHeader<T & { arrays: { name: string; dtype: string; length: number; offset: number }[] }>(
    new TextDecoder().decode(bytes.subarray(8, 8 + length)),
  );
  const start = Math.ceil((8 + length) / 8) * 8;
  const arrays = new Map<string, Float32Array | Float64Array>();
  for (const a of header.arrays) {
    const size = a.dtype === 'f64' ? 8 : 4;
    if (start + a.offset + a.length * size > bytes.length) throw new Error('a truncated checkpoint');
    const copy = bytes.slice(start + a.offset, start + a.offset + a.length * size);
    arrays.set(a.name, a.dtype === 'f64' ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer));
  }
  return { header, arrays };
}
