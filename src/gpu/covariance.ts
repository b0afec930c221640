/**
 * CovarianceReduction: the ensemble's covariance matrix (shaders/covariance.wgsl).
 * Per workgroup, shifted sums of x_a and x_a·x_b (a ≤ b) over particles with
 * finite coordinates; the host adds the rows in float64 (covarianceFromSums).
 */
import covarianceWGSL from '../../shaders/covariance.wgsl?raw';
import { covarianceFromSums, covarianceRowLength, type Covariance } from '../backend.ts';
import { MomentsParams } from './layout.ts';
import type { Shard } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';

const MAX_GROUPS = 4096;
const WG = 256;

export class CovarianceReduction {
  private readonly uniforms: GPUBuffer[];
  private readonly shift: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly bindGroups: GPUBindGroup[];
  private readonly groups: number[];
  private readonly rows: number;
  private readonly q: number;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly shards: readonly Shard[],
    private readonly dims: number,
  ) {
    this.q = covarianceRowLength(dims);
    this.groups = shards.map((s) => Math.min(MAX_GROUPS, Math.ceil(s.count / WG)));
    this.rows = this.groups.reduce((a, b) => a + b, 0);
    const bytes = this.rows * this.q * 4;
    this.partials = device.createBuffer({
      label: 'CovarianceReduction.partials',
      size: bytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    this.staging = device.createBuffer({
      label: 'CovarianceReduction.staging',
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.shift = device.createBuffer({
      label: 'CovarianceReduction.shift',
      size: Math.max(16, 4 * dims),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    let row0 = 0;
    this.uniforms = shards.map((shard, s) => {
      const u = device.createBuffer({
        label: `CovarianceReduction.uniforms[${s}]`,
        size: MomentsParams.size,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(u, 0, MomentsParams.pack({ count: shard.count, row0, base: shard.base }));
      row0 += this.groups[s];
      return u;
    });
    this.bindGroups = shards.map((shard, s) =>
      device.createBindGroup({
        label: `CovarianceReduction.bindGroups[${s}]`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms[s] } },
          { binding: 1, resource: { buffer: shard.positions } },
          { binding: 2, resource: { buffer: this.shift } },
          { binding: 3, resource: { buffer: this.partials } },
        ],
      }),
    );
  }

  static async create(device: GPUDevice, shards: readonly Shard[], dims: number): Promise<CovarianceReduction> {
    const code = assembleShader(covarianceWGSL, { dims, structs: [MomentsParams], reduce: true });
    const pipeline = await computePipeline(device, code, 'CovarianceReduction', { WG });
    return new CovarianceReduction(device, pipeline, shards, dims);
  }

  /** Record the reduction around `shift` (e.g. the last known mean) and the copy to the staging buffer. */
  record(encoder: GPUCommandEncoder, shift: number[]): void {
    this.device.queue.writeBuffer(this.shift, 0, Float32Array.from(shift));
    const pass = encoder.beginComputePass({ label: 'CovarianceReduction.pass' });
    pass.setPipeline(this.pipeline);
    this.shards.forEach((_, s) => {
      pass.setBindGroup(0, this.bindGroups[s]);
      pass.dispatchWorkgroups(this.groups[s]);
    });
    pass.end();
    encoder.copyBufferToBuffer(this.partials, 0, this.staging, 0, this.rows * this.q * 4);
  }

  /** After the submit of `record`'s encoder: map, sum in float64, unmap. */
  async read(shift: number[]): Promise<Covariance> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const rows = new Float32Array(this.staging.getMappedRange(), 0, this.rows * this.q);
    const sums = new Float64Array(this.q);
    for (let r = 0; r < this.rows; r++) for (let j = 0; j < this.q; j++) sums[j] += rows[r * this.q + j];
    this.staging.unmap();
    return covarianceFromSums(sums, this.dims, shift.map(Math.fround));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.shift, this.partials, this.staging, ...this.uniforms]) b.destroy();
  }
}
