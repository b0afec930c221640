/**
 * ParticleKernel: K fused steps of one integrator per dispatch, the particle
 * (and its velocity) in registers. The integrator's table entry gives the WGSL
 * and its `#if` flags; the kernel binds what the variant reads: positions,
 * coefficients, the potential's parameters, and velocities with inverse masses
 * (integrators with velocities) and accept counters (integrators with an
 * accept test). Records one dispatch per shard; the engine submits.
 */
import type { BatchSpec } from '../spec.ts';
import type { Integrator } from '../integrators/table.ts';
import { COEF_STRIDE } from '../integrators/coefficients.ts';
import { potentialWithBatch } from './batch.ts';
import type { GpuEnsemble } from './ensemble.ts';
import { ParticleParams } from './layout.ts';
import { dispatchShards, streamWords } from './particles.ts';
import { assembleShader, computePipeline } from './shaders.ts';
import { dataBindGroup } from './potentialData.ts';
import kineticsWGSL from '../../shaders/kinetics.wgsl?raw';
import { regionWGSL } from './kineticsSource.ts';
import type { PassageSpec } from '../spec/types.ts';

export interface ParticleKernelOptions {
  /** the integrator's table entry */
  integrator: Integrator;
  /** the potential's WGSL (potential_energy, potential_gradient) */
  potentialWGSL: string;
  workgroupSize: number;
  /** largest K per dispatch */
  maxSteps: number;
  /** m_d per coordinate, mass units (integrators with velocities) */
  mass: number[];
  /** L (HMC) */
  leapfrogSteps: number;
  /** mini-batch gradients, with N = `rows` rows of data (a potential from data) */
  batch?: BatchSpec & { rows: number };
  /** the spec's kinetics: a passage region, and P scalar parameters when they follow a schedule (shaders/kinetics.wgsl) */
  kinetics?: { passage?: PassageSpec; scheduled: boolean; params: number };
}

/** The kinetics flags of a kernel variant. */
function kineticsDefines(k: ParticleKernelOptions['kinetics']): Record<string, boolean> {
  return {
    KINETICS: k !== undefined,
    WORK: k?.scheduled === true,
    PASSAGE: k?.passage !== undefined,
    BRIDGE: k?.passage?.bridge === true,
    ABSORB: k?.passage?.absorb === true,
  };
}

/** The kinetics functions and their constants, appended to the potential. */
function kineticsSource(o: ParticleKernelOptions): string {
  const k = o.kinetics;
  if (!k) return '';
  return [
    regionWGSL(k.passage?.region, o.mass.length),
    `const P_COUNT: u32 = ${k.params}u;`,
    `const KIN_PASSAGE: bool = ${k.passage !== undefined};`,
    `const KIN_BRIDGE: bool = ${k.passage?.bridge === true};`,
    `const KIN_ABSORB: bool = ${k.passage?.absorb === true};`,
    `const KIN_WORK: bool = ${k.scheduled};`,
    kineticsWGSL,
  ].join('\n');
}

export class ParticleKernel {
  private readonly uniforms: GPUBuffer[];
  private readonly bindGroups: GPUBindGroup[];
  private readonly coef: GPUBuffer;
  /** (maxSteps + 1) rows of the potential's parameters (WORK): bound in place of the ensemble's parameters */
  private readonly paramTable?: GPUBuffer;
  private readonly invMass?: GPUBuffer;
  private readonly dataGroup?: GPUBindGroup;
  private destroyed = false;

  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly ensemble: GpuEnsemble,
    readonly options: ParticleKernelOptions,
  ) {
    this.coef = device.createBuffer({
      label: 'ParticleKernel.coef',
      size: options.maxSteps * 4 * COEF_STRIDE,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    if (options.kinetics?.scheduled)
      this.paramTable = device.createBuffer({
        label: 'ParticleKernel.paramTable',
        size: Math.max(16, (options.maxSteps + 1) * options.kinetics.params * 4),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
    if (options.integrator.velocities) this.invMass = this.writeInverseMass(options.mass);
    if (ensemble.data) this.dataGroup = dataBindGroup(device, pipeline, ensemble.data, 'ParticleKernel.dataGroup');
    this.uniforms = ensemble.shards.map((_, s) =>
      device.createBuffer({
        label: `ParticleKernel.uniforms[${s}]`,
        size: ParticleParams.size,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      }),
    );
    this.bindGroups = ensemble.shards.map((shard, s) => {
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: this.uniforms[s] } },
        { binding: 1, resource: { buffer: shard.positions } },
        { binding: 2, resource: { buffer: this.coef } },
        { binding: 3, resource: { buffer: this.paramTable ?? ensemble.params } },
      ];
      if (ensemble.kinetics) entries.push({ binding: 7, resource: { buffer: ensemble.kinetics[s] } });
      if (ensemble.velocities && this.invMass)
        entries.push({ binding: 4, resource: { buffer: ensemble.velocities[s] } }, { binding: 5, resource: { buffer: this.invMass } });
      if (ensemble.accepts) entries.push({ binding: 6, resource: { buffer: ensemble.accepts[s] } });
      return device.createBindGroup({ label: `ParticleKernel.bindGroups[${s}]`, layout: pipeline.getBindGroupLayout(0), entries });
    });
  }

  /** (1/m_d, 1/√m_d) per coordinate, as the kernel's `inv_mass`. */
  private writeInverseMass(mass: number[]): GPUBuffer {
    const im = new Float32Array(2 * mass.length);
    mass.forEach((m, d) => {
      im[2 * d] = 1 / m;
      im[2 * d + 1] = 1 / Math.sqrt(m);
    });
    const buffer = this.device.createBuffer({
      label: 'ParticleKernel.invMass',
      size: Math.max(16, im.byteLength),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(buffer, 0, im);
    return buffer;
  }

  /** Compile the integrator's kernel for one ensemble (its shards, velocities, counters, parameters, data). */
  static async create(ensemble: GpuEnsemble, options: ParticleKernelOptions): Promise<ParticleKernel> {
    const code = assembleShader(options.integrator.wgsl, {
      dims: ensemble.dims,
      structs: [ParticleParams],
      potential: potentialWithBatch(options.potentialWGSL, options.batch) + kineticsSource(options),
      defines: { ...options.integrator.defines, BATCH: options.batch !== undefined, ...kineticsDefines(options.kinetics) },
      rng: true,
    });
    const pipeline = await computePipeline(ensemble.device, code, 'ParticleKernel', { WG: options.workgroupSize });
    return new ParticleKernel(ensemble.device, pipeline, ensemble, options);
  }

  /**
   * Write the coefficients and per-shard parameters of K steps starting at step0,
   * then record the dispatches. The queue orders these writes before the submit
   * of `encoder`, after earlier submits.
   * @param coef COEF_STRIDE numbers per step, K = coef.length / COEF_STRIDE ≤ maxSteps
   * @param timestampWrites where the pass writes its start and end times (GPU timing, `timestamp-query`)
   * @param kinetics the parameter rows of the chunk (K + 1 rows; WORK) and whether the kinetics count (not an equilibration)
   */
  record(
    encoder: GPUCommandEncoder,
    step0: number,
    coef: Float64Array,
    key: [number, number],
    timestampWrites?: GPUComputePassTimestampWrites,
    kinetics: { table?: Float64Array; live: boolean } = { live: true },
  ): void {
    const K = coef.length / COEF_STRIDE;
    if (!Number.isInteger(K) || K < 1 || K > this.options.maxSteps) throw new RangeError(`K = ${K} outside 1..${this.options.maxSteps}`);
    if (step0 + K > 2 ** 32) throw new RangeError(`step ${step0 + K} beyond 2^32`);
    this.device.queue.writeBuffer(this.coef, 0, Float32Array.from(coef));
    if (this.paramTable) {
      if (!kinetics.table) throw new Error("ParticleKernel: a kernel with parameter schedules needs the chunk's parameter rows");
      this.device.queue.writeBuffer(this.paramTable, 0, Float32Array.from(kinetics.table));
    }
    const pass = encoder.beginComputePass({ label: 'ParticleKernel.pass', ...(timestampWrites ? { timestampWrites } : {}) });
    pass.setPipeline(this.pipeline);
    if (this.dataGroup) pass.setBindGroup(1, this.dataGroup);
    const dims = this.ensemble.dims;
    const pack = (shard: { count: number; first: number }) =>
      ParticleParams.pack({
        count: shard.count,
        base: shard.first >>> 0,
        base_hi: Math.floor(shard.first / 2 ** 32),
        steps: K,
        ...streamWords(step0, dims, key),
        leapfrog: this.options.leapfrogSteps,
        flags: kinetics.live ? 1 : 0,
      });
    dispatchShards(pass, this.ensemble.shards, this.bindGroups, this.options.workgroupSize, {
      device: this.device,
      buffers: this.uniforms,
      pack,
    });
    pass.end();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.coef.destroy();
    this.paramTable?.destroy();
    this.invMass?.destroy();
    for (const u of this.uniforms) u.destroy();
  }
}
