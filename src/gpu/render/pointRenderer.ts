/**
 * PointRenderer: draws every particle straight from the simulation's storage
 * buffers (no read-back) as additive sprites, coloured by energy or by a fixed
 * colour (shaders/points.wgsl). Records into a render pass the caller owns.
 */
import pointsWGSL from '../../../shaders/points.wgsl?raw';
import colormapWGSL from '../../../shaders/colormap.wgsl?raw';
import { PointParams } from '../layout.ts';
import type { Shard } from '../particles.ts';
import { assembleShader, compileShader } from '../shaders.ts';
import { placement, type View } from './view.ts';
import { renderPipeline } from './pipeline.ts';
import { dataBindGroup } from '../potentialData.ts';

export interface PointStyle {
  /** sprite half size, pixels */
  size: number;
  /** additive weight of one particle (lower for millions of particles) */
  intensity: number;
  /** colour by energy through the colormap, else `color` */
  byEnergy: boolean;
  color: [number, number, number];
}

export class PointRenderer {
  private readonly uniforms: GPUBuffer;
  private readonly bindGroups: GPUBindGroup[];
  private readonly dataGroup?: GPUBindGroup;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPURenderPipeline,
    private readonly shards: readonly Shard[],
    params: GPUBuffer,
    data?: GPUBuffer,
  ) {
    if (data) this.dataGroup = dataBindGroup(device, pipeline, data, 'PointRenderer.dataGroup');
    this.uniforms = device.createBuffer({
      label: 'PointRenderer.uniforms',
      size: PointParams.size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.bindGroups = shards.map((shard, s) =>
      device.createBindGroup({
        label: `PointRenderer.bindGroups[${s}]`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms } },
          { binding: 1, resource: { buffer: shard.positions } },
          { binding: 2, resource: { buffer: params } },
        ],
      }),
    );
  }

  /**
   * @param shards the simulation's particle buffers (WebGpuBackend.shards)
   * @param params the potential's parameter buffer (WebGpuBackend.paramsBuffer)
   * @param format the render target's format
   * @param data the potential's data (WebGpuBackend.dataBuffer) for a potential from data
   */
  static async create(
    device: GPUDevice,
    shards: readonly Shard[],
    params: GPUBuffer,
    dims: number,
    potentialWGSL: string,
    format: GPUTextureFormat,
    data?: GPUBuffer,
  ): Promise<PointRenderer> {
    const code = assembleShader(`${colormapWGSL}\n${pointsWGSL}`, { dims, structs: [PointParams], potential: potentialWGSL });
    const module = await compileShader(device, code, 'PointRenderer.module');
    const pipeline = renderPipeline(device, 'PointRenderer', module, format, 'triangle-list', true);
    return new PointRenderer(device, pipeline, shards, params, data);
  }

  /** Set the view and style for the next `record`s. */
  configure(view: View, style: PointStyle, target: { width: number; height: number }): void {
    this.device.queue.writeBuffer(
      this.uniforms,
      0,
      PointParams.pack({
        ...placement(view),
        color_by_energy: style.byEnergy ? 1 : 0,
        width: target.width,
        height: target.height,
        point_size: style.size,
        intensity: style.intensity,
        e_min: view.energyRange[0],
        e_max: view.energyRange[1],
        r: style.color[0],
        g: style.color[1],
        b: style.color[2],
      }),
    );
  }

  /** Draw every shard's particles into the pass. */
  record(pass: GPURenderPassEncoder): void {
    pass.setPipeline(this.pipeline);
    if (this.dataGroup) pass.setBindGroup(1, this.dataGroup);
    this.shards.forEach((shard, s) => {
      pass.setBindGroup(0, this.bindGroups[s]);
      pass.draw(6, shard.count);
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniforms.destroy();
  }
}
