/**
 * StepKernel: the fused overdamped step (shaders/step.wgsl). Records one
 * dispatch per shard; the engine submits.
 */
import stepWGSL from '../../shaders/step.wgsl?raw';
import type { BatchSpec, IntegratorName } from '../spec.ts';
import { potentialWithBatch } from './batch.ts';
import { StepParams } from './layout.ts';
import { dispatchShards, streamWords, type Shard } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';
import { dataBindGroup } from './potentialData.ts';

export interface StepKernelOptions {
  dims: number;
  integrator: IntegratorName;
  /** the potential's WGSL (potential_energy, potential_gradient) */
  potentialWGSL: string;
  workgroupSize: number;
  /** largest K per dispatch */
  maxSteps: number;
  /** the potential's data buffer (src/gpu/potentialData.ts), for a potential from data */
  data?: GPUBuffer;
  /** mini-batch gradients, with N = `rows` rows of data (needs a potential from data) */
  batch?: BatchSpec & { rows: number };
}

export class StepKernel {
  private readonly uniforms: GPUBuffer[];
  private readonly bindGroups: GPUBindGroup[];
  private readonly dataGroup?: GPUBindGroup;
  readonly coef: GPUBuffer;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly shards: Shard[],
    private readonly params: GPUBuffer,
    private readonly options: StepKernelOptions,
  ) {
    if (options.data) this.dataGroup = dataBindGroup(device, pipeline, options.data, 'StepKernel.dataGroup');
    this.coef = device.createBuffer({ label: 'StepKernel.coef', size: options.maxSteps * 8, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.uniforms = shards.map((_, s) =>
      device.createBuffer({ label: `StepKernel.uniforms[${s}]`, size: StepParams.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
    );
    this.bindGroups = shards.map((shard, s) =>
      device.createBindGroup({
        label: `StepKernel.bindGroups[${s}]`,
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.uniforms[s] } },
          { binding: 1, resource: { buffer: shard.positions } },
          { binding: 2, resource: { buffer: this.coef } },
          { binding: 3, resource: { buffer: params } },
        ],
      }),
    );
  }

  /**
   * Compile the kernel for one problem.
   * @param params storage buffer of the potential's parameters (f32, at least one element)
   */
  static async create(device: GPUDevice, shards: Shard[], params: GPUBuffer, options: StepKernelOptions): Promise<StepKernel> {
    const code = assembleShader(stepWGSL, {
      dims: options.dims,
      structs: [StepParams],
      potential: potentialWithBatch(options.potentialWGSL, options.batch),
      defines: { LM: options.integrator === 'lm', BATCH: options.batch !== undefined },
      rng: true,
    });
    const pipeline = await computePipeline(device, code, 'StepKernel', { WG: options.workgroupSize });
    return new StepKernel(device, pipeline, shards, params, options);
  }

  /**
   * Write the coefficients and per-shard parameters of K steps starting at step0,
   * then record the dispatches. The queue orders these writes before the submit
   * of `encoder`, after earlier submits.
   * @param coef (h, σ) per step, K = coef.length / 2 ≤ maxSteps
   * @param timestampWrites where the pass writes its start and end times (GPU timing, `timestamp-query`)
   */
  record(encoder: GPUCommandEncoder, step0: number, coef: Float64Array, key: [number, number], timestampWrites?: GPUComputePassTimestampWrites): void {
    const K = coef.length / 2;
    if (K < 1 || K > this.options.maxSteps) throw new RangeError(`K = ${K} outside 1..${this.options.maxSteps}`);
    this.device.queue.writeBuffer(this.coef, 0, Float32Array.from(coef));
    const pass = encoder.beginComputePass({ label: 'StepKernel.pass', ...(timestampWrites ? { timestampWrites } : {}) });
    pass.setPipeline(this.pipeline);
    if (this.dataGroup) pass.setBindGroup(1, this.dataGroup);
    dispatchShards(pass, this.shards, this.bindGroups, this.options.workgroupSize, {
      device: this.device,
      buffers: this.uniforms,
      pack: (shard) =>
        StepParams.pack({
          count: shard.count,
          base: shard.base,
          steps: K,
          ...streamWords(step0, this.options.dims, key),
        }),
    });
    pass.end();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.coef.destroy();
    for (const u of this.uniforms) u.destroy();
  }
}
