/**
 * CovarianceReduction: the ensemble's covariance matrix (shaders/covariance.wgsl).
 * Per tile of PARTICLE_BLOCK particles, its mean and the sums of x_a and
 * x_a·x_b (a ≤ b) around it over particles with finite coordinates; the host
 * adds the tiles exactly (src/sums.ts).
 */
import covarianceWGSL from '../../shaders/covariance.wgsl?raw';
import { PARTICLE_BLOCK, addCovarianceTile, emptyCovarianceSums, type CovarianceSums } from '../sums.ts';
import { MomentsParams } from './layout.ts';
import { dispatchGrid, type Shard } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';

const WG = 256;
/** Floats per row: the tile's mean m[D], its count, Σ(x − m)[D], Σ(x − m)_a(x − m)_b (a ≤ b). */
const rowLength = (dims: number) => 2 * dims + 1 + (dims * (dims + 1)) / 2;

export class CovarianceReduction {
  private readonly uniforms: GPUBuffer[];
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
    this.q = rowLength(dims);
    this.groups = shards.map((s) => Math.ceil(s.count / PARTICLE_BLOCK));
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
    let row0 = 0;
    this.uniforms = shards.map((shard, s) => {
      const u = device.createBuffer({
        label: `CovarianceReduction.uniforms[${s}]`,
        size: MomentsParams.size,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(u, 0, MomentsParams.pack({ count: shard.count, row0, base: shard.first }));
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

  /** Record the reduction and the copy to the staging buffer. */
  record(encoder: GPUCommandEncoder): void {
    const pass = encoder.beginComputePass({ label: 'CovarianceReduction.pass' });
    pass.setPipeline(this.pipeline);
    this.shards.forEach((shard, s) => {
      pass.setBindGroup(0, this.bindGroups[s]);
      pass.dispatchWorkgroups(...dispatchGrid(shard.count, PARTICLE_BLOCK));
    });
    pass.end();
    encoder.copyBufferToBuffer(this.partials, 0, this.staging, 0, this.rows * this.q * 4);
  }

  /** After the submit of `record`'s encoder: map, add the tiles exactly, unmap. */
  async read(): Promise<CovarianceSums> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const rows = new Float32Array(this.staging.getMappedRange(), 0, this.rows * this.q);
    const D = this.dims;
    const sums = emptyCovarianceSums(D);
    for (let r = 0; r < this.rows; r++) {
      const row = rows.subarray(r * this.q, (r + 1) * this.q);
      addCovarianceTile(sums, row[D], row.subarray(0, D), row.subarray(D + 1, 2 * D + 1), row.subarray(2 * D + 1));
    }
    this.staging.unmap();
    return sums;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.partials, this.staging, ...this.uniforms]) b.destroy();
  }
}
