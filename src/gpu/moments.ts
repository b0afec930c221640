/**
 * MomentsReduction: per-workgroup sums of shifted first and second moments,
 * energy, finite, non-finite and in-target counts, plus the per-workgroup
 * argmin of the energy (shaders/moments.wgsl), copied into a MAP_READ staging
 * buffer; the host adds the rows in float64 and takes the minimum of minima.
 */
import momentsWGSL from '../../shaders/moments.wgsl?raw';
import { momentRowLength, momentsFromSums, type Moments, type TargetBall } from '../backend.ts';
import { MomentsParams } from './layout.ts';
import type { Shard } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';
import { dataBindGroup } from './potentialData.ts';

/** At most this many workgroups per shard; each thread then loops over its particles. */
const MAX_GROUPS = 4096;
const WG = 256;

export class MomentsReduction {
  private readonly uniforms: GPUBuffer[];
  private readonly shift: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly ball: GPUBuffer;
  private readonly rowMin: GPUBuffer;
  private readonly rowArgmin: GPUBuffer;
  private readonly bindGroups: GPUBindGroup[];
  private readonly dataGroup?: GPUBindGroup;
  private readonly groups: number[];
  private readonly rows: number;
  private readonly q: number;
  private destroyed = false;

  private constructor(private readonly device: GPUDevice, private readonly pipeline: GPUComputePipeline, private readonly shards: Shard[], private readonly dims: number, params: GPUBuffer | undefined, data?: GPUBuffer) {
    if (data) this.dataGroup = dataBindGroup(device, pipeline, data, 'MomentsReduction.dataGroup');
    this.q = momentRowLength(dims);
    this.groups = shards.map((s) => Math.min(MAX_GROUPS, Math.ceil(s.count / WG)));
    this.rows = this.groups.reduce((a, b) => a + b, 0);
    const bytes = this.rows * this.q * 4;
    const out = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    this.partials = device.createBuffer({ label: 'MomentsReduction.partials', size: bytes, usage: out });
    this.rowMin = device.createBuffer({ label: 'MomentsReduction.rowMin', size: this.rows * 4, usage: out });
    this.rowArgmin = device.createBuffer({ label: 'MomentsReduction.rowArgmin', size: this.rows * 4, usage: out });
    // staging layout: partials, then row minima, then their indices
    this.staging = device.createBuffer({ label: 'MomentsReduction.staging', size: bytes + 8 * this.rows, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.ball = device.createBuffer({ label: 'MomentsReduction.ball', size: 4 * (dims + 1), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.shift = device.createBuffer({ label: 'MomentsReduction.shift', size: Math.max(16, 4 * dims), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    let row0 = 0;
    this.uniforms = shards.map((shard, s) => {
      const u = device.createBuffer({ label: `MomentsReduction.uniforms[${s}]`, size: MomentsParams.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(u, 0, MomentsParams.pack({ count: shard.count, row0, base: shard.base }));
      row0 += this.groups[s];
      return u;
    });
    this.bindGroups = shards.map((shard, s) =>
      device.createBindGroup({
        label: `MomentsReduction.bindGroups[${s}]`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms[s] } },
          { binding: 1, resource: { buffer: shard.positions } },
          ...(params ? [{ binding: 2, resource: { buffer: params } }] : []),
          { binding: 3, resource: { buffer: this.shift } },
          { binding: 4, resource: { buffer: this.partials } },
          { binding: 5, resource: { buffer: this.ball } },
          { binding: 6, resource: { buffer: this.rowMin } },
          { binding: 7, resource: { buffer: this.rowArgmin } },
        ],
      }),
    );
  }

  /**
   * @param potentialWGSL, params the potential whose energy is summed; both undefined to sum
   *   plain per-particle values with E = 0 (shards whose `positions` are velocities or counters)
   * @param data the potential's data buffer (src/gpu/potentialData.ts) for a potential from data
   */
  static async create(device: GPUDevice, shards: Shard[], dims: number, potentialWGSL: string | undefined, params: GPUBuffer | undefined, data?: GPUBuffer): Promise<MomentsReduction> {
    const code = assembleShader(momentsWGSL, { dims, structs: [MomentsParams], potential: potentialWGSL, defines: { ENERGY: potentialWGSL !== undefined }, reduce: true });
    const pipeline = await computePipeline(device, code, 'MomentsReduction', { WG });
    return new MomentsReduction(device, pipeline, shards, dims, params, data);
  }

  /** Record the reduction around `shift` and the copy to the staging buffer. */
  record(encoder: GPUCommandEncoder, shift: number[], ball?: TargetBall): void {
    this.device.queue.writeBuffer(this.shift, 0, Float32Array.from(shift));
    this.device.queue.writeBuffer(this.ball, 0, Float32Array.from(ball ? [...ball.target, ball.radius * ball.radius] : [...shift, -1]));
    const pass = encoder.beginComputePass({ label: 'MomentsReduction.pass' });
    pass.setPipeline(this.pipeline);
    if (this.dataGroup) pass.setBindGroup(1, this.dataGroup);
    this.shards.forEach((_, s) => {
      pass.setBindGroup(0, this.bindGroups[s]);
      pass.dispatchWorkgroups(this.groups[s]);
    });
    pass.end();
    const bytes = this.rows * this.q * 4;
    encoder.copyBufferToBuffer(this.partials, 0, this.staging, 0, bytes);
    encoder.copyBufferToBuffer(this.rowMin, 0, this.staging, bytes, this.rows * 4);
    encoder.copyBufferToBuffer(this.rowArgmin, 0, this.staging, bytes + this.rows * 4, this.rows * 4);
  }

  /** After the submit of `record`'s encoder: map, sum in float64, unmap. */
  async read(shift: number[]): Promise<Moments> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const mapped = this.staging.getMappedRange();
    const rows = new Float32Array(mapped, 0, this.rows * this.q);
    const mins = new Float32Array(mapped, this.rows * this.q * 4, this.rows);
    const argmins = new Uint32Array(mapped, this.rows * (this.q + 1) * 4, this.rows);
    const sums = new Float64Array(this.q);
    const best = { energy: Infinity, index: -1 };
    for (let r = 0; r < this.rows; r++) {
      for (let j = 0; j < this.q; j++) sums[j] += rows[r * this.q + j];
      if (argmins[r] !== 0xffffffff && (mins[r] < best.energy || (mins[r] === best.energy && argmins[r] < best.index))) {
        best.energy = mins[r];
        best.index = argmins[r];
      }
    }
    this.staging.unmap();
    // the shift the GPU used is the f32 rounding of `shift`
    return momentsFromSums(sums, this.dims, shift.map(Math.fround), best);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.shift, this.partials, this.staging, this.ball, this.rowMin, this.rowArgmin, ...this.uniforms]) b.destroy();
  }
}
