/**
 * FrameRenderer: the twelve edges of a box, so a 3-D view has a sense of
 * direction (x edges red, y green, z blue; shaders/frame.wgsl).
 */
import frameWGSL from '../../../shaders/frame.wgsl?raw';
import { FrameParams } from '../layout.ts';
import { assembleShader, compileShader } from '../shaders.ts';
import { renderPipeline } from './pipeline.ts';

export class FrameRenderer {
  private readonly uniforms: GPUBuffer;
  private readonly bindGroup: GPUBindGroup;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPURenderPipeline,
  ) {
    this.uniforms = device.createBuffer({
      label: 'FrameRenderer.uniforms',
      size: FrameParams.size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.bindGroup = device.createBindGroup({
      label: 'FrameRenderer.bindGroup',
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: this.uniforms } }],
    });
  }

  static async create(device: GPUDevice, format: GPUTextureFormat): Promise<FrameRenderer> {
    const module = await compileShader(device, assembleShader(frameWGSL, { dims: 3, structs: [FrameParams] }), 'FrameRenderer.module');
    const pipeline = renderPipeline(device, 'FrameRenderer', module, format, 'line-list', true);
    return new FrameRenderer(device, pipeline);
  }

  /**
   * @param clipFromWorld column-major matrix, e.g. `OrbitCamera.matrix`
   * @param box [x0, x1, y0, y1, z0, z1], length units
   */
  configure(clipFromWorld: ArrayLike<number>, box: [number, number, number, number, number, number], brightness = 0.5): void {
    const [x_min, x_max, y_min, y_max, z_min, z_max] = box;
    this.device.queue.writeBuffer(
      this.uniforms,
      0,
      FrameParams.pack({ clip_from_world: clipFromWorld, x_min, x_max, y_min, y_max, z_min, z_max, brightness }),
    );
  }

  record(pass: GPURenderPassEncoder): void {
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.draw(24);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.uniforms.destroy();
  }
}
