/**
 * GpuEnsemble: every per-particle buffer of a run, allocated and freed
 * together: the positions (split into shards by the device's limits), the
 * velocities and the accept counters when the integrator has them (same
 * split), plus the potential's parameters and data that every stage binds.
 */
import { SpecError } from '../errors.ts';
import { rangeOf, type Problem } from '../backend.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import { hasKinetics } from '../run/kinetics.ts';
import { allocateShardBuffers, allocateShards, type Shard } from './particles.ts';
import { createDataBuffer } from './potentialData.ts';

const mib = (bytes: number) => (bytes < 2 ** 20 ? `${(bytes / 1024).toFixed(0)} KiB` : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

/**
 * The device cannot hold the particles (its out-of-memory, or the backend's memoryLimit): an input error naming
 * `particles`; a run in blocks (src/run/blocks.ts) answers it with smaller blocks.
 */
export class DeviceMemoryError extends SpecError {
  constructor(
    particles: number,
    /** the particles this backend was asked to hold (a block's or a shard's, or all) */
    readonly held: number,
    why: string,
  ) {
    super('particles', particles, `${why}; use fewer particles, shards (--shard) or blocks`);
  }
}

export class GpuEnsemble {
  private destroyed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly dims: number,
    /** the positions x[i·D + d], f32, one buffer per shard */
    readonly shards: Shard[],
    /** the potential's parameters (f32, potential.paramNames order) */
    readonly params: GPUBuffer,
    /** velocities v[i·D + d], f32, per shard (integrators with velocities) */
    readonly velocities: GPUBuffer[] | undefined,
    /** accepted moves per particle since the last observation, f32, per shard (integrators with an accept test) */
    readonly accepts: GPUBuffer[] | undefined,
    /** the potential's data (f32 rows × columns) for a potential from data */
    readonly data: GPUBuffer | undefined,
    /**
     * per particle (first hit step + 1, or 0 while not hit; work f32 bits; its Kahan compensation bits; 0), u32 ×4,
     * per shard (a spec with kinetics: shaders/kinetics.wgsl); zero at creation
     */
    readonly kinetics: GPUBuffer[] | undefined,
  ) {}

  /**
   * Allocate (contents undefined until the InitKernel runs; parameters and data written).
   * @param maxShardBytes split the particles into buffers of at most this many bytes (tests force splitting with it)
   * @throws SpecError (naming `particles`) when the device cannot hold them; nothing stays allocated then
   */
  static async create(device: GPUDevice, problem: Problem, maxShardBytes?: number, memoryLimit?: number): Promise<GpuEnsemble> {
    const { spec, potential } = problem;
    const entry = INTEGRATOR_TABLE[spec.integrator];
    const n = rangeOf(problem).count;
    const kinetic = hasKinetics(spec);
    const bytes = n * 4 * (spec.dims * (entry.velocities ? 2 : 1) + (entry.metropolis ? 1 : 0) + (kinetic ? 4 : 0));
    if (memoryLimit !== undefined && bytes > memoryLimit)
      throw new DeviceMemoryError(spec.particles, n, `its particle buffers (${mib(bytes)}) pass the memory limit of ${mib(memoryLimit)}`);
    const made: GPUBuffer[] = [];
    const buffers = (): Pick<GpuEnsemble, 'shards' | 'params' | 'velocities' | 'accepts' | 'kinetics'> => {
      const shards = allocateShards(device, rangeOf(problem), spec.dims, maxShardBytes);
      made.push(...shards.map((s) => s.positions));
      const params = device.createBuffer({
        label: 'GpuEnsemble.params',
        size: Math.max(16, 4 * potential.paramValues.length),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      made.push(params);
      const velocities = entry.velocities ? allocateShardBuffers(device, shards, spec.dims, 'velocities') : undefined;
      const accepts = entry.metropolis ? allocateShardBuffers(device, shards, 1, 'accepts') : undefined;
      const kinetics = kinetic ? allocateShardBuffers(device, shards, 4, 'kinetics') : undefined;
      made.push(...(velocities ?? []), ...(accepts ?? []), ...(kinetics ?? []));
      return { shards, params, velocities, accepts, kinetics };
    };
    // the scopes are popped whatever happens: a device may be shared
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let allocated: ReturnType<typeof buffers> | undefined;
    let thrown: unknown;
    try {
      allocated = buffers();
    } catch (e) {
      thrown = e;
    }
    const validation = await device.popErrorScope();
    const error = (await device.popErrorScope()) ?? validation;
    try {
      if (thrown !== undefined) throw thrown;
      if (error)
        throw new DeviceMemoryError(spec.particles, n, `this GPU could not hold its particle buffers (${mib(bytes)}): ${error.message}`);
      const { shards, params, velocities, accepts, kinetics } = allocated!;
      device.queue.writeBuffer(params, 0, Float32Array.from(potential.paramValues));
      const data = createDataBuffer(device, potential);
      return new GpuEnsemble(device, spec.dims, shards, params, velocities, accepts, data, kinetics);
    } catch (e) {
      for (const b of made) b.destroy();
      throw e;
    }
  }

  /** The shards with another per-particle buffer (velocities, counters) in place of the positions: what InitKernel and MomentsReduction step over. */
  over(buffers: GPUBuffer[]): Shard[] {
    return this.shards.map((s, i) => ({ ...s, positions: buffers[i] }));
  }

  /** The shard holding global particle `index`. */
  shardOf(index: number): Shard {
    const shard = this.shards.find((s) => index >= s.first && index < s.first + s.count);
    if (!shard) throw new RangeError(`particle ${index} out of range`);
    return shard;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const s of this.shards) s.positions.destroy();
    for (const b of [...(this.velocities ?? []), ...(this.accepts ?? []), ...(this.kinetics ?? [])]) b.destroy();
    this.params.destroy();
    this.data?.destroy();
  }
}
