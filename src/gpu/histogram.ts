/**
 * HistogramPass: bins one or two coordinates of every particle
 * (shaders/histogram.wgsl); bins in workgroup memory when they fit, merged once
 * per workgroup, else global atomics. Each snapshot is read back and cleared,
 * so u32 counts never wrap; the engine sums snapshots in float64.
 */
import histogramWGSL from '../../shaders/histogram.wgsl?raw';
import type { HistogramSpec } from '../spec.ts';
import { axisBinnings, type HistogramCounts } from '../stats/binning.ts';
import { HistogramParams } from './layout.ts';
import type { Shard } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';

const WG = 256;
const MAX_GROUPS = 1024;

/** Bins that fit in workgroup memory (4096 with the 16 KiB WebGPU guarantees). */
export function privateBinCapacity(device: GPUDevice): number {
  return Math.floor(device.limits.maxComputeWorkgroupStorageSize / 4);
}

/**
 * Workgroups per shard. With workgroup bins, each workgroup clears and merges
 * every bin once, so it should see several particles per bin to amortise that.
 */
function groupsFor(count: number, totalBins: number, workgroupBins: boolean): number {
  const perGroup = workgroupBins ? Math.max(WG * 4, 8 * totalBins) : WG * 4;
  return Math.max(1, Math.min(MAX_GROUPS, Math.ceil(count / perGroup)));
}

export class HistogramPass {
  readonly totalBins: number;
  readonly usesWorkgroupBins: boolean;
  private readonly counts: GPUBuffer;
  private readonly totals: GPUBuffer;
  private readonly staging: GPUBuffer;
  private readonly uniforms: GPUBuffer[];
  private readonly bindGroups: GPUBindGroup[];
  private readonly groups: number[];
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly shards: readonly Shard[],
    h: HistogramSpec,
    usesWorkgroupBins: boolean,
  ) {
    const axes = axisBinnings(h);
    this.totalBins = axes.reduce((a, ax) => a * ax.bins, 1);
    this.usesWorkgroupBins = usesWorkgroupBins;
    const bytes = this.totalBins * 4;
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.counts = device.createBuffer({ label: 'HistogramPass.counts', size: bytes, usage });
    this.totals = device.createBuffer({ label: 'HistogramPass.totals', size: 8, usage });
    this.staging = device.createBuffer({
      label: 'HistogramPass.staging',
      size: bytes + 8,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.groups = shards.map((s) => groupsFor(s.count, this.totalBins, usesWorkgroupBins));
    const [a0, a1] = [axes[0], axes[1] ?? axes[0]];
    this.uniforms = shards.map((shard, s) => {
      const u = device.createBuffer({
        label: `HistogramPass.uniforms[${s}]`,
        size: HistogramParams.size,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(
        u,
        0,
        HistogramParams.pack({
          count: shard.count,
          axes: axes.length,
          dim0: a0.dim,
          dim1: a1.dim,
          bins0: a0.bins,
          bins1: axes.length === 2 ? a1.bins : 1,
          low0: a0.low,
          low1: a1.low,
          scale0: a0.scale,
          scale1: a1.scale,
        }),
      );
      return u;
    });
    this.bindGroups = shards.map((shard, s) =>
      device.createBindGroup({
        label: `HistogramPass.bindGroups[${s}]`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms[s] } },
          { binding: 1, resource: { buffer: shard.positions } },
          { binding: 2, resource: { buffer: this.counts } },
          { binding: 3, resource: { buffer: this.totals } },
        ],
      }),
    );
  }

  static async create(
    device: GPUDevice,
    shards: readonly Shard[],
    dims: number,
    h: HistogramSpec,
    options: { forceGlobalAtomics?: boolean } = {},
  ): Promise<HistogramPass> {
    const total = h.bins.reduce((a, b) => a * b, 1);
    const usesWorkgroupBins = !options.forceGlobalAtomics && total <= privateBinCapacity(device);
    const code = assembleShader(histogramWGSL, { dims, structs: [HistogramParams], defines: { PRIVATE: usesWorkgroupBins } });
    const pipeline = await computePipeline(device, code, 'HistogramPass', usesWorkgroupBins ? { WG, PRIVATE_BINS: total } : { WG });
    return new HistogramPass(device, pipeline, shards, h, usesWorkgroupBins);
  }

  /** Record: clear, bin every shard, copy counts and totals to the staging buffer. */
  record(encoder: GPUCommandEncoder): void {
    encoder.clearBuffer(this.counts);
    encoder.clearBuffer(this.totals);
    const pass = encoder.beginComputePass({ label: 'HistogramPass.pass' });
    pass.setPipeline(this.pipeline);
    this.shards.forEach((_, s) => {
      pass.setBindGroup(0, this.bindGroups[s]);
      pass.dispatchWorkgroups(this.groups[s]);
    });
    pass.end();
    encoder.copyBufferToBuffer(this.counts, 0, this.staging, 0, this.totalBins * 4);
    encoder.copyBufferToBuffer(this.totals, 0, this.staging, this.totalBins * 4, 8);
  }

  /** After the submit: the snapshot's counts. */
  async read(): Promise<HistogramCounts> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const raw = new Uint32Array(this.staging.getMappedRange());
    const counts = Float64Array.from(raw.subarray(0, this.totalBins));
    const outside = raw[this.totalBins];
    this.staging.unmap();
    let finite = outside;
    for (const c of counts) finite += c;
    return { counts, outside, finite };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of [this.counts, this.totals, this.staging, ...this.uniforms]) b.destroy();
  }
}
