/**
 * InitKernel: writes the initial positions (shaders/init.wgsl) from the init
 * stream of Philox, so no particle array is ever uploaded.
 */
import initWGSL from '../../shaders/init.wgsl?raw';
import type { InitSpec } from '../spec.ts';
import { initAffine } from '../init.ts';
import { InitParams } from './layout.ts';
import { dispatchShards, type Shard } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';

export class InitKernel {
  private readonly uniforms: GPUBuffer[];
  private readonly affine: GPUBuffer;
  private readonly bindGroups: GPUBindGroup[];
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly shards: readonly Shard[],
    private readonly workgroupSize: number,
    init: InitSpec,
    key: [number, number],
  ) {
    const { a, b } = initAffine(init);
    const ab = new Float32Array(2 * a.length);
    a.forEach((v, d) => {
      ab[2 * d] = v;
      ab[2 * d + 1] = b[d];
    });
    this.affine = device.createBuffer({
      label: 'InitKernel.affine',
      size: Math.max(16, ab.byteLength),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(this.affine, 0, ab);
    this.uniforms = shards.map((shard, s) => {
      const u = device.createBuffer({
        label: `InitKernel.uniforms[${s}]`,
        size: InitParams.size,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(
        u,
        0,
        InitParams.pack({
          count: shard.count,
          base: shard.first >>> 0,
          base_hi: Math.floor(shard.first / 2 ** 32),
          key_lo: key[0],
          key_hi: key[1],
        }),
      );
      return u;
    });
    this.bindGroups = shards.map((shard, s) =>
      device.createBindGroup({
        label: `InitKernel.bindGroups[${s}]`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms[s] } },
          { binding: 1, resource: { buffer: shard.positions } },
          { binding: 2, resource: { buffer: this.affine } },
        ],
      }),
    );
  }

  /**
   * @param velocity write initial velocities (stream 2) instead of positions (stream 1); pass
   *   shards whose `positions` are the velocity buffers
   */
  static async create(
    device: GPUDevice,
    shards: readonly Shard[],
    dims: number,
    init: InitSpec,
    key: [number, number],
    workgroupSize: number,
    velocity = false,
  ): Promise<InitKernel> {
    const code = assembleShader(initWGSL, {
      dims,
      structs: [InitParams],
      defines: { NORMAL: init.kind === 'normal', UNIFORM: init.kind === 'uniform', VELOCITY: velocity },
      rng: true,
    });
    const pipeline = await computePipeline(device, code, 'InitKernel', { WG: workgroupSize });
    return new InitKernel(device, pipeline, shards, workgroupSize, init, key);
  }

  record(encoder: GPUCommandEncoder): void {
    const pass = encoder.beginComputePass({ label: 'InitKernel.pass' });
    pass.setPipeline(this.pipeline);
    dispatchShards(pass, this.shards, this.bindGroups, this.workgroupSize);
    pass.end();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.affine.destroy();
    for (const u of this.uniforms) u.destroy();
  }
}
