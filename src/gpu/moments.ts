/**
 * MomentsReduction: per tile of PARTICLE_BLOCK particles (src/sums.ts), the
 * tile's mean and its sums around it (first and second moments, energy,
 * finite, non-finite and in-target counts), plus the tile's argmin of the
 * energy and (with a potential) that particle's position
 * (shaders/moments.wgsl: `partials` and `row_best`), copied into one MAP_READ
 * staging buffer; the host adds the tiles exactly and takes the minimum of
 * minima.
 */
import momentsWGSL from '../../shaders/moments.wgsl?raw';
import type { TargetBall } from '../backend.ts';
import { PARTICLE_BLOCK, addMomentTile, emptyMomentSums, type MomentSums } from '../sums.ts';
import { MomentsParams } from './layout.ts';
import { dispatchGrid, type Shard } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';
import { dataBindGroup } from './potentialData.ts';

/** Workgroup size; a workgroup reduces one tile of PARTICLE_BLOCK = WG · 16 particles (shaders/moments.wgsl's PER). */
const WG = 256;
/** Floats per row: the tile's mean m[D], Σ(x − m)[D], Σ(x − m)²[D], ΣE, finite, non-finite and in-target counts. */
const rowLength = (dims: number) => 3 * dims + 4;

/** Words per row of `row_best`: min E, its global index, the lowest index of a non-finite particle, the argmin's D coordinates. */
const bestWords = (dims: number) => 3 + dims;

/** What is summed: the positions with the potential's energy, or plain per-particle values (velocities, counters). */
export interface SummedValues {
  /** the potential's WGSL and parameter buffer, whose energy is summed (and argmin positions recorded) */
  potential?: { wgsl: string; params: GPUBuffer; data?: GPUBuffer };
  /** sum plain values without a tile mean (integer counters: their sums stay exact integers); default false */
  uncentred?: boolean;
}

export class MomentsReduction {
  private readonly uniforms: GPUBuffer[];
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
    this.q = rowLength(dims);
    this.groups = shards.map((s) => Math.ceil(s.count / PARTICLE_BLOCK));
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
      defines: { ENERGY: values.potential !== undefined, CENTRED: !values.uncentred },
      reduce: true,
    });
    const pipeline = await computePipeline(device, code, 'MomentsReduction', { WG });
    return new MomentsReduction(device, pipeline, shards, dims, values);
  }

  /** Record the reduction and the copies to the staging buffer. */
  record(encoder: GPUCommandEncoder, ball?: TargetBall): void {
    const noBall = new Array<number>(this.dims).fill(0).concat(-1);
    this.device.queue.writeBuffer(this.ball, 0, Float32Array.from(ball ? [...ball.target, ball.radius * ball.radius] : noBall));
    const pass = encoder.beginComputePass({ label: 'MomentsReduction.pass' });
    pass.setPipeline(this.pipeline);
    if (this.dataGroup) pass.setBindGroup(1, this.dataGroup);
    this.shards.forEach((shard, s) => {
      pass.setBindGroup(0, this.bindGroups[s]);
      pass.dispatchWorkgroups(...dispatchGrid(shard.count, PARTICLE_BLOCK));
    });
    pass.end();
    encoder.copyBufferToBuffer(this.partials, 0, this.staging, 0, this.bestAt);
    encoder.copyBufferToBuffer(this.rowBest, 0, this.staging, this.bestAt, 4 * this.rows * bestWords(this.dims));
  }

  /** After the submit of `record`'s encoder: map, add the tiles exactly, unmap. */
  async read(): Promise<MomentSums> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const mapped = this.staging.getMappedRange();
    const rows = new Float32Array(mapped, 0, this.rows * this.q);
    const B = bestWords(this.dims);
    const bestF = new Float32Array(mapped, this.bestAt, this.rows * B);
    const bestU = new Uint32Array(mapped, this.bestAt, this.rows * B);
    const D = this.dims;
    const sums = emptyMomentSums(D);
    // a row's particle indices are its buffer's own: the global index adds the buffer's first (which may pass 2^32)
    const firstOf = this.shards.flatMap((s, k) => new Array<number>(this.groups[k]).fill(s.first));
    const NONE = 0xffffffff;
    let best = { energy: Infinity, index: -1, row: -1 };
    let firstBad = -1;
    for (let r = 0; r < this.rows; r++) {
      const bad = bestU[r * B + 2];
      if (bad !== NONE && (firstBad < 0 || firstOf[r] + bad < firstBad)) firstBad = firstOf[r] + bad;
      const row = rows.subarray(r * this.q, (r + 1) * this.q);
      addMomentTile(sums, {
        mean: row.subarray(0, D),
        r1: row.subarray(D, 2 * D),
        r2: row.subarray(2 * D, 3 * D),
        energy: row[3 * D],
        count: row[3 * D + 1],
        nonFinite: row[3 * D + 2],
        inside: row[3 * D + 3],
      });
      const [e, local] = [bestF[r * B], bestU[r * B + 1]];
      const i = firstOf[r] + local;
      if (local !== NONE && (best.row < 0 || e < best.energy || (e === best.energy && i < best.index)))
        best = { energy: e, index: i, row: r };
    }
    const at = best.row * B;
    if (best.row >= 0)
      sums.best = { energy: best.energy, index: best.index, x: this.energy ? Array.from(bestF.subarray(at + 3, at + 3 + D)) : [] };
    sums.firstNonFinite = firstBad;
    this.staging.unmap();
    return sums;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.partials, this.staging, this.ball, this.rowBest, ...this.uniforms]) b.destroy();
  }
}
