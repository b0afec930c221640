/**
 * Reading particle data back to the host, for tests, export and the best
 * particle of a moments pass: each read copies into a MAP_READ buffer of its
 * own, maps it and destroys it, so nothing outlives the call.
 */
import type { Shard } from './particles.ts';

/** `bytes` bytes of `source` from `offset`, as f32. */
export async function readFloats(
  device: GPUDevice,
  source: GPUBuffer,
  offset: number,
  bytes: number,
  label: string,
): Promise<Float32Array> {
  const staging = device.createBuffer({ label, size: Math.max(16, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const encoder = device.createCommandEncoder({ label });
    encoder.copyBufferToBuffer(source, offset, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    return out;
  } finally {
    staging.destroy();
  }
}

/**
 * The values of particles `first` … `first + count − 1` (default: every particle)
 * of one per-shard buffer (`buffers[s]` holds shard s), `floats` f32 per
 * particle, in global particle order; a range may span shards.
 */
export async function readShards(
  device: GPUDevice,
  shards: readonly Shard[],
  buffers: GPUBuffer[],
  floats: number,
  label: string,
  first = 0,
  count = shards.reduce((n, s) => n + s.count, 0) - first,
): Promise<Float32Array> {
  const out = new Float32Array(count * floats);
  const end = first + count;
  for (const [s, shard] of shards.entries()) {
    const lo = Math.max(first, shard.base);
    const hi = Math.min(end, shard.base + shard.count);
    if (hi <= lo) continue;
    out.set(await readFloats(device, buffers[s], (lo - shard.base) * floats * 4, (hi - lo) * floats * 4, label), (lo - first) * floats);
  }
  return out;
}
