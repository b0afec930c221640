/**
 * MomentsReduction: per-workgroup sums of shifted first and second moments,
 * energy, finite, non-finite and in-target counts, plus the per-workgroup
 * argmin of the energy and (with a potential) that particle's position
 * (shaders/moments.wgsl: `partials` and `row_best`), copied into one MAP_READ
 * staging buffer; the host adds the rows in float64 and takes the minimum of
 * minima.
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

/** Words per row of `row_best`: min E, its global index, the lowest index of a non-finite particle, the argmin's D coordinates. */
const bestWords = (dims: number) => 3 + dims;

/** What is summed: the positions with the potential's energy, or plain per-particle values (velocities, counters). */
export interface SummedValues {
  /** the potential's WGSL and parameter buffer, whose energy is summed (and argmin positions recorded) */
  potential?: { wgsl: string; params: GPUBuffer; data?: GPUBuffer };
}

export class MomentsReduction {
  private readonly uniforms: GPUBuffer[];
  private readonly shift: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly ball: GPUBuffer;
  private readonly rowBest: GPUBuffer;
  private readonly bindGroups: GPUBindGroup[];
  private readonly dataGroup?: GPUBindGroup;
  private readonly groups: number[];
  private readonly rows: number;
  private readonly q: number;
  /** byte offset of the row_best section in the staging buffer (after the partial sums) */
  private readonly bestAt: number;
  /** summing a potential's energy: row_best then holds the argmin's coordinates */
  private readonly energy: boolean;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly shards: readonly Shard[],
    private readonly dims: number,
    values: SummedValues,
  ) {
    const pot = values.potential;
    this.energy = pot !== undefined;
    if (pot?.data) this.dataGroup = dataBindGroup(device, pipeline, pot.data, 'MomentsReduction.dataGroup');
    this.q = momentRowLength(dims);
    this.groups = shards.map((s) => Math.min(MAX_GROUPS, Math.ceil(s.count / WG)));
    this.rows = this.groups.reduce((a, b) => a + b, 0);
    const out = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
    const f32 = (label: string, floats: number, usage = out) =>
      device.createBuffer({ label: `MomentsReduction.${label}`, size: Math.max(16, 4 * floats), usage });
    this.partials = f32('partials', this.rows * this.q);
    this.rowBest = f32('rowBest', this.rows * bestWords(dims));
    this.bestAt = this.rows * this.q * 4;
    const bytes = this.bestAt + this.rows * bestWords(dims) * 4;
    this.staging = device.createBuffer({
      label: 'MomentsReduction.staging',
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.ball = f32('ball', dims + 1, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    this.shift = f32('shift', dims, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    this.uniforms = this.writeUniforms();
    this.bindGroups = shards.map((shard, s) => this.bindGroup(shard, s, pot?.params));
  }

  /** One uniform buffer per shard: its particle count, first output row and first global index. */
  private writeUniforms(): GPUBuffer[] {
    let row0 = 0;
    return this.shards.map((shard, s) => {
      const u = this.device.createBuffer({
        label: `MomentsReduction.uniforms[${s}]`,
        size: MomentsParams.size,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      this.device.queue.writeBuffer(u, 0, MomentsParams.pack({ count: shard.count, row0, base: shard.base }));
      row0 += this.groups[s];
      return u;
    });
  }

  private bindGroup(shard: Shard, s: number, params: GPUBuffer | undefined): GPUBindGroup {
    const buffers: [number, GPUBuffer | undefined][] = [
      [0, this.uniforms[s]],
      [1, shard.positions],
      [2, params],
      [3, this.shift],
      [4, this.partials],
      [5, this.ball],
      [6, this.rowBest],
    ];
    const entries = buffers.filter(([, b]) => b !== undefined).map(([binding, buffer]) => ({ binding, resource: { buffer: buffer! } }));
    return this.device.createBindGroup({
      label: `MomentsReduction.bindGroups[${s}]`,
      layout: this.pipeline.getBindGroupLayout(0),
      entries,
    });
  }

  /**
   * @param shards the per-particle buffers summed (positions, or velocities/counters in their place)
   * @param values with `potential`, the energy is summed and the argmin's position recorded; without, E = 0
   */
  static async create(device: GPUDevice, shards: readonly Shard[], dims: number, values: SummedValues): Promise<MomentsReduction> {
    const code = assembleShader(momentsWGSL, {
      dims,
      structs: [MomentsParams],
      potential: values.potential?.wgsl,
      defines: { ENERGY: values.potential !== undefined },
      reduce: true,
    });
    const pipeline = await computePipeline(device, code, 'MomentsReduction', { WG });
    return new MomentsReduction(device, pipeline, shards, dims, values);
  }

  /** Record the reduction around `shift` and the copies to the staging buffer. */
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
    encoder.copyBufferToBuffer(this.partials, 0, this.staging, 0, this.bestAt);
    encoder.copyBufferToBuffer(this.rowBest, 0, this.staging, this.bestAt, 4 * this.rows * bestWords(this.dims));
  }

  /** After the submit of `record`'s encoder: map, sum in float64, unmap. */
  async read(shift: number[]): Promise<Moments> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const mapped = this.staging.getMappedRange();
    const rows = new Float32Array(mapped, 0, this.rows * this.q);
    const B = bestWords(this.dims);
    const bestF = new Float32Array(mapped, this.bestAt, this.rows * B);
    const bestU = new Uint32Array(mapped, this.bestAt, this.rows * B);
    const sums = new Float64Array(this.q);
    let bestRow = -1;
    let firstBad = 0xffffffff;
    for (let r = 0; r < this.rows; r++) {
      firstBad = Math.min(firstBad, bestU[r * B + 2]);
      for (let j = 0; j < this.q; j++) sums[j] += rows[r * this.q + j];
      const [e, i] = [bestF[r * B], bestU[r * B + 1]];
      const better = bestRow < 0 || e < bestF[bestRow * B] || (e === bestF[bestRow * B] && i < bestU[bestRow * B + 1]);
      if (i !== 0xffffffff && better) bestRow = r;
    }
    const at = bestRow * B;
    const best = { energy: bestRow < 0 ? Infinity : bestF[at], index: bestRow < 0 ? -1 : bestU[at + 1], x: [] as number[] };
    if (this.energy && bestRow >= 0) best.x = Array.from(bestF.subarray(at + 3, at + 3 + this.dims));
    this.staging.unmap();
    // the shift the GPU used is the f32 rounding of `shift`
    return momentsFromSums(sums, this.dims, shift.map(Math.fround), best, firstBad === 0xffffffff ? -1 : firstBad);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.shift, this.partials, this.staging, this.ball, this.rowBest, ...this.uniforms]) b.destroy();
  }
}
