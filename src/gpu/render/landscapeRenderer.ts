/**
 * LandscapeRenderer: the potential as a heat map with contour lines, evaluated
 * per pixel from the same generated WGSL as the dynamics (shaders/landscape.wgsl).
 */
import landscapeWGSL from '../../../shaders/landscape.wgsl?raw';
import colormapWGSL from '../../../shaders/colormap.wgsl?raw';
import { LandscapeParams } from '../layout.ts';
import { assembleShader, compileShader } from '../shaders.ts';
import type { View } from './view.ts';
import { renderPipeline } from './pipeline.ts';
import { dataBindGroup } from '../potentialData.ts';

export class LandscapeRenderer {
  private readonly uniforms: GPUBuffer;
  private readonly rest: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private readonly dataGroup?: GPUBindGroup;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPURenderPipeline,
    params: GPUBuffer,
    private readonly dims: number,
    data?: GPUBuffer,
  ) {
    if (data) this.dataGroup = dataBindGroup(device, pipeline, data, 'LandscapeRenderer.dataGroup');
    this.uniforms = device.createBuffer({
      label: 'LandscapeRenderer.uniforms',
      size: LandscapeParams.size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.rest = device.createBuffer({
      label: 'LandscapeRenderer.rest',
      size: Math.max(16, 4 * dims),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    this.bindGroup = device.createBindGroup({
      label: 'LandscapeRenderer.bindGroup',
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniforms } },
        { binding: 1, resource: { buffer: params } },
        { binding: 2, resource: { buffer: this.rest } },
      ],
    });
  }

  /** @param data the potential's data (WebGpuBackend.dataBuffer) for a potential from data */
  static async create(
    device: GPUDevice,
    params: GPUBuffer,
    dims: number,
    potentialWGSL: string,
    format: GPUTextureFormat,
    data?: GPUBuffer,
  ): Promise<LandscapeRenderer> {
    const code = assembleShader(`${colormapWGSL}\n${landscapeWGSL}`, { dims, structs: [LandscapeParams], potential: potentialWGSL });
    const module = await compileShader(device, code, 'LandscapeRenderer.module');
    const pipeline = renderPipeline(device, 'LandscapeRenderer', module, format, 'triangle-list', false);
    return new LandscapeRenderer(device, pipeline, params, dims, data);
  }

  /**
   * @param contour energy between contour lines
   * @param rest values of the coordinates not shown (length D; those shown are ignored)
   */
  configure(view: View, contour: number, rest: number[] = new Array(this.dims).fill(0), brightness = 0.6): void {
    const [x_min, x_max, y_min, y_max] = view.box;
    this.device.queue.writeBuffer(
      this.uniforms,
      0,
      LandscapeParams.pack({
        dim0: view.dims[0],
        dim1: view.dims[1],
        x_min,
        x_max,
        y_min,
        y_max,
        e_min: view.energyRange[0],
        e_max: view.energyRange[1],
        contour,
        brightness,
      }),
    );
    this.device.queue.writeBuffer(this.rest, 0, Float32Array.from(rest));
  }

  record(pass: GPURenderPassEncoder): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    if (this.dataGroup) pass.setBindGroup(1, this.dataGroup);
    pass.draw(3);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniforms.destroy();
    this.rest.destroy();
  }
}
