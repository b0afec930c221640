/**
 * SamplerKernel: the fused inertial (BAOAB) and Metropolis (MALA, HMC) steps
 * (shaders/samplers.wgsl). Velocities and acceptance counters are extra
 * particle-major buffers with the positions' sharding. Records one dispatch
 * per shard; the engine submits.
 */
import samplersWGSL from '../../shaders/samplers.wgsl?raw';
import { COEF_STRIDE, samplerCoefficients } from '../integrators/coefficients.ts';
import type { IntegratorName } from '../spec.ts';
import { SamplerParams } from './layout.ts';
import { dispatchShards, streamWords, type Shard } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';
import { dataBindGroup } from './potentialData.ts';
import { potentialWithBatch } from './batch.ts';
import type { BatchSpec } from '../spec.ts';

export interface SamplerKernelOptions {
  dims: number;
  integrator: Extract<IntegratorName, 'baoab' | 'mala' | 'hmc'>;
  /** the potential's WGSL (potential_energy, potential_gradient) */
  potentialWGSL: string;
  workgroupSize: number;
  /** largest K per dispatch */
  maxSteps: number;
  /** mass per coordinate (mass units) */
  mass: number[];
  /** γ, 1/time (baoab) */
  friction: number;
  /** L (hmc) */
  leapfrogSteps: number;
  /** the potential's data buffer (src/gpu/potentialData.ts), for a potential from data */
  data?: GPUBuffer;
  /** mini-batch gradients (baoab only: momentum SGD), with N = `rows` rows of data */
  batch?: BatchSpec & { rows: number };
}

/** Per-shard buffers the kernel reads and writes besides the positions. */
export interface SamplerBuffers {
  /** velocities v[i·D + d] (baoab, hmc) */
  velocities?: GPUBuffer[];
  /** accepted moves per particle, f32 (mala, hmc) */
  accepts?: GPUBuffer[];
}

export class SamplerKernel {
  private readonly uniforms: GPUBuffer[];
  private readonly bindGroups: GPUBindGroup[];
  private readonly coef: GPUBuffer;
  private readonly invMass: GPUBuffer;
  private readonly dataGroup?: GPUBindGroup;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly shards: Shard[],
    params: GPUBuffer,
    buffers: SamplerBuffers,
    private readonly options: SamplerKernelOptions,
  ) {
    this.coef = device.createBuffer({ label: 'SamplerKernel.coef', size: options.maxSteps * 4 * COEF_STRIDE, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const im = new Float32Array(2 * options.dims);
    options.mass.forEach((m, d) => {
      im[2 * d] = 1 / m;
      im[2 * d + 1] = 1 / Math.sqrt(m);
    });
    this.invMass = device.createBuffer({ label: 'SamplerKernel.invMass', size: Math.max(16, im.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(this.invMass, 0, im);
    if (options.data) this.dataGroup = dataBindGroup(device, pipeline, options.data, 'SamplerKernel.dataGroup');
    this.uniforms = shards.map((_, s) =>
      device.createBuffer({ label: `SamplerKernel.uniforms[${s}]`, size: SamplerParams.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
    );
    const inertial = options.integrator !== 'mala';
    const metropolis = options.integrator !== 'baoab';
    this.bindGroups = shards.map((shard, s) => {
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: this.uniforms[s] } },
        { binding: 1, resource: { buffer: shard.positions } },
        { binding: 2, resource: { buffer: this.coef } },
        { binding: 3, resource: { buffer: params } },
      ];
      if (inertial) {
        entries.push({ binding: 4, resource: { buffer: buffers.velocities![s] } }, { binding: 5, resource: { buffer: this.invMass } });
      }
      if (metropolis) entries.push({ binding: 6, resource: { buffer: buffers.accepts![s] } });
      return device.createBindGroup({ label: `SamplerKernel.bindGroups[${s}]`, layout: pipeline.getBindGroupLayout(0), entries });
    });
  }

  /**
   * Compile the kernel for one problem.
   * @param params storage buffer of the potential's parameters (f32, at least one element)
   * @param buffers velocities (baoab, hmc) and acceptance counters (mala, hmc), one per shard
   */
  static async create(device: GPUDevice, shards: Shard[], params: GPUBuffer, buffers: SamplerBuffers, options: SamplerKernelOptions): Promise<SamplerKernel> {
    const it = options.integrator;
    const code = assembleShader(samplersWGSL, {
      dims: options.dims,
      structs: [SamplerParams],
      potential: potentialWithBatch(options.potentialWGSL, options.batch),
      defines: { BATCH: options.batch !== undefined, BAOAB: it === 'baoab', MALA: it === 'mala', HMC: it === 'hmc', INERTIAL: it !== 'mala', METROPOLIS: it !== 'baoab' },
      rng: true,
    });
    const pipeline = await computePipeline(device, code, 'SamplerKernel', { WG: options.workgroupSize });
    return new SamplerKernel(device, pipeline, shards, params, buffers, options);
  }

  /**
   * Write the coefficients and per-shard parameters of K steps starting at step0,
   * then record the dispatches (same contract as StepKernel.record).
   * @param coef (h, σ) per step, K = coef.length / 2 ≤ maxSteps
   */
  record(encoder: GPUCommandEncoder, step0: number, coef: Float64Array, key: [number, number]): void {
    const K = coef.length / 2;
    if (K < 1 || K > this.options.maxSteps) throw new RangeError(`K = ${K} outside 1..${this.options.maxSteps}`);
    if (step0 + K > 2 ** 32) throw new RangeError(`step ${step0 + K} beyond 2^32`);
    this.device.queue.writeBuffer(this.coef, 0, Float32Array.from(samplerCoefficients(this.options.integrator, coef, this.options.friction)));
    const pass = encoder.beginComputePass({ label: 'SamplerKernel.pass' });
    pass.setPipeline(this.pipeline);
    if (this.dataGroup) pass.setBindGroup(1, this.dataGroup);
    dispatchShards(pass, this.shards, this.bindGroups, this.options.workgroupSize, {
      device: this.device,
      buffers: this.uniforms,
      pack: (shard) =>
        SamplerParams.pack({
          count: shard.count,
          base: shard.base,
          steps: K,
          ...streamWords(step0, this.options.dims, key),
          leapfrog: this.options.leapfrogSteps,
        }),
    });
    pass.end();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.coef.destroy();
    this.invMass.destroy();
    for (const u of this.uniforms) u.destroy();
  }
}
