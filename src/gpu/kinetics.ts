/**
 * The WebGPU backend's kinetics buffers (GpuEnsemble.kinetics, shaders/kinetics.wgsl):
 * per particle four u32 words (first hit step + 1, or 0 while not hit; the
 * work's f32 sum; its Kahan compensation; 0). Read back in bounded chunks and
 * reduced on the host to the exact sums of src/run/kinetics.ts, and turned
 * into a checkpoint's arrays and back.
 */
import type { BackendState } from '../backend.ts';
import { NOT_HIT } from '../integrators/passage.ts';
import { addKineticsSums, kineticsSums, markStartHits, type KineticsSums } from '../run/kinetics.ts';
import type { RunSpec } from '../spec/types.ts';
import type { GpuEnsemble } from './ensemble.ts';
import { readShards } from './readback.ts';

/** Particles read back per chunk (16 MiB of kinetics words). */
const CHUNK = 1 << 20;

/** Hit steps and work of `count` particles from their raw words; work as sum − compensation (float64) and as (sum, compensation) pairs. */
export function decodeKinetics(raw: Uint32Array): { hit: Uint32Array; work: Float64Array; pairs: Float32Array } {
  const n = raw.length / 4;
  const f = new Float32Array(raw.buffer, raw.byteOffset, raw.length);
  const hit = new Uint32Array(n);
  const work = new Float64Array(n);
  const pairs = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    hit[i] = raw[4 * i] === 0 ? NOT_HIT : raw[4 * i] - 1;
    pairs[2 * i] = f[4 * i + 1];
    pairs[2 * i + 1] = f[4 * i + 2];
    work[i] = f[4 * i + 1] - f[4 * i + 2];
  }
  return { hit, work, pairs };
}

/** The raw words of a checkpoint's hit steps and (sum, compensation) pairs. */
export function encodeKinetics(hit: Uint32Array | undefined, pairs: Float32Array | undefined, count: number): Uint32Array<ArrayBuffer> {
  const raw = new Uint32Array(4 * count);
  const f = new Float32Array(raw.buffer);
  for (let i = 0; i < count; i++) {
    if (hit) raw[4 * i] = hit[i] === NOT_HIT ? 0 : hit[i] + 1;
    if (pairs) {
      f[4 * i + 1] = pairs[2 * i];
      f[4 * i + 2] = pairs[2 * i + 1];
    }
  }
  return raw;
}

/** Read particles [first, first + count) of the kinetics buffers. */
async function readRaw(device: GPUDevice, e: GpuEnsemble, first: number, count: number): Promise<Uint32Array> {
  const f = await readShards(device, e.shards, e.kinetics!, 4, 'WebGpuBackend.read kinetics', first, count);
  return new Uint32Array(f.buffer, f.byteOffset, f.length);
}

/**
 * The exact kinetics sums of the ensemble's particles, read in chunks of 2^20.
 * @param globalFirst the global index of the ensemble's first particle
 */
export async function readKineticsSums(
  device: GPUDevice,
  e: GpuEnsemble,
  spec: RunSpec,
  globalFirst: number,
  count: number,
  stepped = true,
): Promise<KineticsSums> {
  let sums: KineticsSums | undefined;
  for (let first = 0; first < count; first += CHUNK) {
    const n = Math.min(CHUNK, count - first);
    const { hit, work } = decodeKinetics(await readRaw(device, e, first, n));
    if (!stepped)
      markStartHits(
        spec,
        await readShards(
          device,
          e.shards,
          e.shards.map((s) => s.positions),
          e.dims,
          'read positions',
          first,
          n,
        ),
        hit,
      );
    const part = kineticsSums(spec, hit, work, globalFirst + first);
    if (sums) addKineticsSums(sums, part);
    else sums = part;
  }
  return sums ?? kineticsSums(spec, new Uint32Array(0), new Float64Array(0), globalFirst);
}

/** The checkpoint's `hit` and `work` (pairs of f32 sum and compensation). */
export async function saveKinetics(
  device: GPUDevice,
  e: GpuEnsemble,
  spec: RunSpec,
  count: number,
): Promise<Pick<BackendState, 'hit' | 'work'>> {
  const { hit, pairs } = decodeKinetics(await readRaw(device, e, 0, count));
  return { ...(spec.passage ? { hit } : {}), ...(spec.schedules ? { work: pairs } : {}) };
}

/** Write a checkpoint's `hit` and `work` back. */
export function restoreKinetics(device: GPUDevice, e: GpuEnsemble, state: BackendState, spec: RunSpec, count: number): void {
  if (spec.passage && !(state.hit instanceof Uint32Array && state.hit.length === count))
    throw new RangeError(`checkpoint hit: got ${state.hit?.length ?? 'no'} values; this backend holds ${count} first hit steps`);
  if (spec.schedules && !(state.work instanceof Float32Array && state.work.length === 2 * count))
    throw new RangeError(`checkpoint work: got ${state.work?.length ?? 'no'} values; this backend holds ${2 * count} float32 values`);
  const raw = encodeKinetics(state.hit, state.work as Float32Array | undefined, count);
  e.shards.forEach((shard, s) => device.queue.writeBuffer(e.kinetics![s], 0, raw, shard.base * 4, shard.count * 4));
}
