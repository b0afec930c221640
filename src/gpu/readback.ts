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
 * Every particle's values of one per-shard buffer (`buffers[s]` holds shard s),
 * `floats` f32 per particle, in global particle order.
 */
export async function readShards(
  device: GPUDevice,
  shards: readonly Shard[],
  buffers: GPUBuffer[],
  floats: number,
  label: string,
): Promise<Float32Array> {
  const total = shards.reduce((n, s) => n + s.count, 0);
  const out = new Float32Array(total * floats);
  for (const [s, shard] of shards.entries()) {
    out.set(await readFloats(device, buffers[s], 0, shard.count * floats * 4, label), shard.base * floats);
  }
  return out;
}
