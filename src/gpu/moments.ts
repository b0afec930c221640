/**
 * MomentsReduction: per-workgroup sums of shifted first and second moments,
 * energy, finite and non-finite counts (shaders/moments.wgsl), copied into a
 * MAP_READ staging buffer; the host adds the rows in float64.
 */
import momentsWGSL from '../../shaders/moments.wgsl?raw';
import { momentsFromSums, type Moments } from '../backend.ts';
import { MomentsParams } from './layout.ts';
import type { Shard } from './particles.ts';
import { assembleShader, compileShader } from './shaders.ts';

/** At most this many workgroups per shard; each thread then loops over its particles. */
const MAX_GROUPS = 4096;
const WG = 256;

export class MomentsReduction {
  private readonly uniforms: GPUBuffer[];
  private readonly shift: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly bindGroups: GPUBindGroup[];
  private readonly groups: number[];
  private readonly rows: number;
  private readonly q: number;
  private destroyed = false;

  private constructor(private readonly device: GPUDevice, private readonly pipeline: GPUComputePipeline, private readonly shards: Shard[], private readonly dims: number, params: GPUBuffer) {
    this.q = 2 * dims + 3;
    this.groups = shards.map((s) => Math.min(MAX_GROUPS, Math.ceil(s.count / WG)));
    this.rows = this.groups.reduce((a, b) => a + b, 0);
    const bytes = this.rows * this.q * 4;
    this.partials = device.createBuffer({ label: 'MomentsReduction.partials', size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    this.staging = device.createBuffer({ label: 'MomentsReduction.staging', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.shift = device.createBuffer({ label: 'MomentsReduction.shift', size: Math.max(16, 4 * dims), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    let row0 = 0;
    this.uniforms = shards.map((shard, s) => {
      const u = device.createBuffer({ label: `MomentsReduction.uniforms[${s}]`, size: MomentsParams.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(u, 0, MomentsParams.pack({ count: shard.count, row0 }));
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
          { binding: 2, resource: { buffer: params } },
          { binding: 3, resource: { buffer: this.shift } },
          { binding: 4, resource: { buffer: this.partials } },
        ],
      }),
    );
  }

  static async create(device: GPUDevice, shards: Shard[], dims: number, potentialWGSL: string, params: GPUBuffer): Promise<MomentsReduction> {
    const code = assembleShader(momentsWGSL, { dims, structs: [MomentsParams], potential: potentialWGSL });
    const module = await compileShader(device, code, 'MomentsReduction.module');
    const pipeline = device.createComputePipeline({
      label: 'MomentsReduction.pipeline',
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: { WG } },
    });
    return new MomentsReduction(device, pipeline, shards, dims, params);
  }

  /** Record the reduction around `shift` and the copy to the staging buffer. */
  record(encoder: GPUCommandEncoder, shift: number[]): void {
    this.device.queue.writeBuffer(this.shift, 0, Float32Array.from(shift));
    const pass = encoder.beginComputePass({ label: 'MomentsReduction.pass' });
    pass.setPipeline(this.pipeline);
    this.shards.forEach((_, s) => {
      pass.setBindGroup(0, this.bindGroups[s]);
      pass.dispatchWorkgroups(this.groups[s]);
    });
    pass.end();
    encoder.copyBufferToBuffer(this.partials, 0, this.staging, 0, this.rows * this.q * 4);
  }

  /** After the submit of `record`'s encoder: map, sum in float64, unmap. */
  async read(shift: number[]): Promise<Moments> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const rows = new Float32Array(this.staging.getMappedRange());
    const sums = new Float64Array(this.q);
    for (let r = 0; r < this.rows; r++) {
      for (let j = 0; j < this.q; j++) sums[j] += rows[r * this.q + j];
    }
    this.staging.unmap();
    // the shift the GPU used is the f32 rounding of `shift`
    return momentsFromSums(sums, this.dims, shift.map(Math.fround));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.shift, this.partials, this.staging, ...this.uniforms]) b.destroy();
  }
}
