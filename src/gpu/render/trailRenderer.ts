/**
 * TrailRenderer: the recent paths of a few particles (shaders/trails.wgsl).
 * `capture` copies the tracked particles' current positions from the
 * simulation's storage buffer into a ring of slots (a GPU copy, no read-back);
 * `record` draws each path as fading line segments.
 */
import trailsWGSL from '../../../shaders/trails.wgsl?raw';
import { TrailParams } from '../layout.ts';
import type { Shard } from '../particles.ts';
import { assembleShader, compileShader } from '../shaders.ts';
import { placement, type View } from './view.ts';
import { renderPipeline } from './pipeline.ts';

export class TrailRenderer {
  private readonly uniforms: GPUBuffer;
  private readonly history: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private head: number;
  private filled = 0;
  private view?: View;
  private intensity = 1;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPURenderPipeline,
    private readonly source: GPUBuffer,
    private readonly dims: number,
    /** particles with a trail (the first ones of the ensemble) */
    readonly tracked: number,
    /** positions kept per particle */
    readonly length: number,
  ) {
    this.head = length - 1;
    this.uniforms = device.createBuffer({
      label: 'TrailRenderer.uniforms',
      size: TrailParams.size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.history = device.createBuffer({
      label: 'TrailRenderer.history',
      size: 4 * dims * tracked * length,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    this.bindGroup = device.createBindGroup({
      label: 'TrailRenderer.bindGroup',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniforms } },
        { binding: 1, resource: { buffer: this.history } },
      ],
    });
  }

  /**
   * @param shards the simulation's particle buffers; the first `tracked` particles of shard 0 get trails
   * @param tracked particles with a trail (at most shard 0's count)
   * @param length positions kept per trail (one per `capture`)
   */
  static async create(
    device: GPUDevice,
    shards: readonly Shard[],
    dims: number,
    tracked: number,
    length: number,
    format: GPUTextureFormat,
  ): Promise<TrailRenderer> {
    if (!Number.isInteger(tracked) || tracked < 1 || tracked > shards[0].count)
      throw new RangeError(`TrailRenderer: tracked = ${tracked}; allowed: 1 … ${shards[0].count}`);
    if (!Number.isInteger(length) || length < 2) throw new RangeError(`TrailRenderer: length = ${length}; allowed: an integer ≥ 2`);
    const module = await compileShader(device, assembleShader(trailsWGSL, { dims, structs: [TrailParams] }), 'TrailRenderer.module');
    const pipeline = renderPipeline(device, 'TrailRenderer', module, format, 'line-list', true);
    return new TrailRenderer(device, pipeline, shards[0].positions, dims, tracked, length);
  }

  /** Set the view and brightness for the next `record`s. */
  configure(view: View, intensity = 0.8): void {
    this.view = view;
    this.intensity = intensity;
    this.writeUniforms();
  }

  /** Forget the paths (e.g. after a reset). */
  clear(): void {
    this.filled = 0;
    this.writeUniforms();
  }

  /** Record a copy of the tracked particles' positions now into the next slot. */
  capture(encoder: GPUCommandEncoder): void {
    this.head = (this.head + 1) % this.length;
    this.filled = Math.min(this.length, this.filled + 1);
    const bytes = 4 * this.dims * this.tracked;
    encoder.copyBufferToBuffer(this.source, 0, this.history, this.head * bytes, bytes);
    this.writeUniforms();
  }

  /** Draw the trails into the pass. */
  record(pass: GPURenderPassEncoder): void {
    if (this.filled < 2) return;
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.draw(2 * (this.length - 1), this.tracked);
  }

  private writeUniforms(): void {
    if (!this.view || this.destroyed) return;
    this.device.queue.writeBuffer(
      this.uniforms,
      0,
      TrailParams.pack({
        ...placement(this.view),
        tracked: this.tracked,
        length: this.length,
        head: this.head,
        filled: this.filled,
        intensity: this.intensity,
      }),
    );
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniforms.destroy();
    this.history.destroy();
  }
}
