/**
 * Particle storage on the GPU: positions particle-major (x[i·D + d], f32),
 * split into shards no larger than the device's storage-binding and buffer
 * limits. Shard s holds global particles [base, base + count).
 */
import { PARTICLE_BLOCK, type ParticleRange } from '../sums.ts';

/** One storage buffer of consecutive particles: the backend's particles [base, base + count), global particles [first, first + count). */
export interface Shard {
  /** the index of its first particle among the backend's (buffer offsets) */
  base: number;
  /** the global index of its first particle (random numbers, best and non-finite indices) */
  first: number;
  count: number;
  positions: GPUBuffer;
}

/** Grid of workgroups covering `count` invocations: x ≤ 65 535, the rest folded into y. */
export function dispatchGrid(count: number, workgroupSize: number, maxPerDim = 65535): [number, number] {
  const groups = Math.max(1, Math.ceil(count / workgroupSize));
  const x = Math.min(groups, maxPerDim);
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) throw new RangeError(`${count} invocations need more than ${maxPerDim}² workgroups`);
  return [x, y];
}

/**
 * Largest particle count one shard may hold: a whole number of reduction tiles
 * (PARTICLE_BLOCK) when it holds one, so that tiles never straddle two buffers.
 */
export function particlesPerShard(device: GPUDevice, dims: number, maxShardBytes?: number): number {
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize, maxShardBytes ?? Infinity);
  const perParticle = 4 * dims;
  const n = Math.floor(limit / perParticle);
  if (n < 1) throw new RangeError(`shard limit of ${limit} bytes holds no particle of ${perParticle} bytes`);
  return n >= PARTICLE_BLOCK ? n - (n % PARTICLE_BLOCK) : n;
}

/**
 * Allocate shards for the particles of `range` with D coordinates (contents undefined until initialised).
 * @param range global indices; `first` a multiple of PARTICLE_BLOCK unless it is the whole ensemble's start
 */
export function allocateShards(device: GPUDevice, range: ParticleRange, dims: number, maxShardBytes?: number): Shard[] {
  const per = particlesPerShard(device, dims, maxShardBytes);
  const particles = range.count;
  const shards: Shard[] = [];
  for (let base = 0; base < particles; base += per) {
    const count = Math.min(per, particles - base);
    const positions = device.createBuffer({
      label: `Particles.positions[${shards.length}]`,
      size: Math.max(16, count * dims * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    shards.push({ base, first: range.first + base, count, positions });
  }
  return shards;
}

/**
 * One more buffer per shard of `floats` f32 per particle (velocities: D;
 * acceptance counters: 1), zero-filled, with the shards' split.
 */
export function allocateShardBuffers(device: GPUDevice, shards: readonly Shard[], floats: number, label: string): GPUBuffer[] {
  return shards.map((shard, s) =>
    device.createBuffer({
      label: `Particles.${label}[${s}]`,
      size: Math.max(16, shard.count * floats * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    }),
  );
}

/**
 * The per-dispatch words of the random-number contract (docs/ARCHITECTURE.md):
 * the seed's key, the Philox call of the chunk's first normal m0 = step0·D and
 * its phase m0 mod 4, and the first step's index (mini-batch counters).
 * @param step0 index of the chunk's first step (< 2^32)
 */
export function streamWords(
  step0: number,
  dims: number,
  key: [number, number],
): { key_lo: number; key_hi: number; call_lo: number; call_hi: number; phase: number; step0: number } {
  const m0 = step0 * dims; // first normal number, < 2^53
  const call = Math.floor(m0 / 4);
  return {
    key_lo: key[0],
    key_hi: key[1],
    call_lo: call >>> 0,
    call_hi: Math.floor(call / 2 ** 32) >>> 0,
    phase: m0 % 4,
    step0: step0 % 2 ** 32,
  };
}

/**
 * Record one dispatch per shard into `pass` (pipeline already set): write the
 * shard's uniforms (when `pack` is given), bind its group 0 and cover its
 * particles with `dispatchGrid`.
 */
export function dispatchShards(
  pass: GPUComputePassEncoder,
  shards: readonly Shard[],
  bindGroups: GPUBindGroup[],
  workgroupSize: number,
  uniforms?: { device: GPUDevice; buffers: GPUBuffer[]; pack: (shard: Shard) => ArrayBuffer },
): void {
  shards.forEach((shard, s) => {
    if (uniforms) uniforms.device.queue.writeBuffer(uniforms.buffers[s], 0, uniforms.pack(shard));
    pass.setBindGroup(0, bindGroups[s]);
    const [gx, gy] = dispatchGrid(shard.count, workgroupSize);
    pass.dispatchWorkgroups(gx, gy);
  });
}
