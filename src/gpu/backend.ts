/**
 * The WebGPU backend: particles in (possibly several) storage buffers, the
 * fused step kernel, the moments reduction. It owns what it creates, and the
 * device only when told so.
 */
import { RuntimeFailure } from '../errors.ts';
import type { AcceptanceCounts, Backend, Covariance, HistogramCounts, Moments, Problem, TargetBall, VelocityMoments } from '../backend.ts';
import { HistogramPass } from './histogram.ts';
import { seedKey } from '../rng/philox.ts';
import { INERTIAL, MAX_STEPS_PER_DISPATCH, METROPOLIS, type InitSpec, type RunSpec } from '../spec.ts';
import { velocityAffine } from '../integrators/inertial.ts';
import { SamplerKernel } from './samplerKernel.ts';
import type { GpuContext } from './device.ts';
import { InitKernel } from './initKernel.ts';
import { MomentsReduction } from './moments.ts';
import { allocateShardBuffers, allocateShards, type Shard } from './particles.ts';
import { StepKernel } from './stepKernel.ts';
import { createDataBuffer } from './potentialData.ts';
import { CovarianceReduction } from './covariance.ts';
import type { RenderView } from './renderView.ts';

export interface WebGpuBackendOptions {
  /** split particles into buffers of at most this many bytes (tests force splitting with it) */
  maxShardBytes?: number;
  /** invocations per workgroup of the step kernel */
  workgroupSize?: number;
  /** destroy the device in destroy() (true when the backend acquired it) */
  ownsDevice?: boolean;
  /** bin straight into global atomics even when the bins fit in workgroup memory (tests) */
  forceGlobalAtomics?: boolean;
}

/**
 * Live backends. A run awaiting a GPU promise may be reachable only through
 * that promise (a requestAnimationFrame loop, a fire-and-forget run); Chrome
 * then collects the device with it and reports it "destroyed". Holding every
 * backend here until destroy() keeps a live device's object graph rooted.
 */
const LIVE = new Set<WebGpuBackend>();

/** What the inertial and Metropolis integrators add: per-shard buffers and their reductions. */
interface SamplerState {
  /** velocities v[i·D + d], f32 (baoab, hmc) */
  velocities?: GPUBuffer[];
  velocityReduction?: MomentsReduction;
  /** accepted moves per particle since the last takeAcceptance, f32 (mala, hmc) */
  accepts?: GPUBuffer[];
  acceptReduction?: MomentsReduction;
}

/** The shards with another per-particle buffer in place of the positions (for InitKernel, MomentsReduction). */
function withBuffers(shards: Shard[], buffers: GPUBuffer[]): Shard[] {
  return shards.map((s, i) => ({ ...s, positions: buffers[i] }));
}

/** The velocity init as an init of positions (affine in a normal of the velocity stream). */
function velocityInit(spec: RunSpec): InitSpec {
  const { a, b } = velocityAffine(spec);
  return spec.velocity.kind === 'thermal' ? { kind: 'normal', mean: a, std: b } : { kind: 'point', x: a };
}

export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly device: string;
  readonly software: boolean;
  readonly preferredStepsPerDispatch: number;
  /** Resolves with a message if the device is lost. */
  readonly lost: Promise<string>;
  /** the device the particles live on (for renderers sharing the buffers) */
  readonly gpu: GPUDevice;
  private readonly key: [number, number];
  private inFlight: Promise<unknown> = Promise.resolve();
  /** Read-backs reuse staging buffers: one at a time (an app may ask from a frame loop and a button at once). */
  private readLock: Promise<unknown> = Promise.resolve();
  private error: Error | undefined;
  private destroyed = false;
  private readonly onUncapturedError: (ev: Event) => void;
  /** timestamp queries of advanceTimed, made on first use */
  private timer?: { set: GPUQuerySet; resolve: GPUBuffer; staging: GPUBuffer };
  /** proposed Metropolis moves (particles × steps) since the last takeAcceptance */
  private proposed = 0;
  /** built on the first covariance() */
  private covarianceReduction: Promise<CovarianceReduction> | undefined;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly problem: Problem,
    readonly shards: Shard[],
    /** the potential's parameters (f32), shared with renderers */
    readonly paramsBuffer: GPUBuffer,
    private readonly step: StepKernel | SamplerKernel,
    private readonly reduction: MomentsReduction,
    private readonly histogramPass: HistogramPass | undefined,
    private readonly ownsDevice: boolean,
    private readonly sampler: SamplerState,
    /** the potential's data (f32 rows × columns) for a potential from data, shared with renderers */
    readonly dataBuffer: GPUBuffer | undefined,
  ) {
    this.gpu = ctx.device;
    this.device = ctx.adapter.device;
    this.software = ctx.adapter.software;
    this.key = seedKey(problem.spec.seed);
    const n = problem.spec.particles;
    this.preferredStepsPerDispatch = this.software ? Math.max(1, Math.min(64, Math.floor(2 ** 22 / n))) : 64;
    this.lost = this.gpu.lost.then((info) => {
      const msg = `WebGPU device lost (${info.reason}): ${info.message}`;
      if (!this.destroyed) this.error ??= new RuntimeFailure(msg);
      return msg;
    });
    LIVE.add(this);
    this.onUncapturedError = (ev) => {
      this.error ??= new RuntimeFailure(`WebGPU error: ${(ev as GPUUncapturedErrorEvent).error.message}`);
    };
    this.gpu.addEventListener('uncapturederror', this.onUncapturedError);
  }

  /**
   * Allocate, compile and initialise the particles.
   * @throws RuntimeFailure when the GPU cannot hold the particles
   */
  static async create(ctx: GpuContext, problem: Problem, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    const { device } = ctx;
    const { spec, potential } = problem;
    const wg = options.workgroupSize ?? 64;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const shards = allocateShards(device, spec.particles, spec.dims, options.maxShardBytes);
    const params = device.createBuffer({ label: 'WebGpuBackend.params', size: Math.max(16, 4 * potential.paramValues.length), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    const sampler: SamplerState = {};
    if (INERTIAL.includes(spec.integrator)) sampler.velocities = allocateShardBuffers(device, shards, spec.dims, 'velocities');
    if (METROPOLIS.includes(spec.integrator)) sampler.accepts = allocateShardBuffers(device, shards, 1, 'accepts');
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (oom || validation) {
      for (const s of shards) s.positions.destroy();
      for (const b of [...(sampler.velocities ?? []), ...(sampler.accepts ?? [])]) b.destroy();
      params.destroy();
      const bytes = spec.particles * spec.dims * 4 * (sampler.velocities ? 2 : 1);
      throw new RuntimeFailure(`the GPU could not hold ${spec.particles} particles × ${spec.dims} coordinates (${(bytes / 2 ** 20).toFixed(0)} MiB): ${(oom ?? validation)!.message}. Use fewer particles.`);
    }
    device.queue.writeBuffer(params, 0, Float32Array.from(potential.paramValues));
    let data: GPUBuffer | undefined;
    try {
      data = createDataBuffer(device, potential);
    } catch (e) {
      for (const s of shards) s.positions.destroy();
      params.destroy();
      throw e;
    }
    const histogramPass = spec.histogram ? await HistogramPass.create(device, shards, spec.dims, spec.histogram, { forceGlobalAtomics: options.forceGlobalAtomics }) : undefined;
    const it = spec.integrator;
    const [step, reduction, init] = await Promise.all([
      it === 'em' || it === 'lm'
        ? StepKernel.create(device, shards, params, { dims: spec.dims, integrator: it, potentialWGSL: potential.wgsl, workgroupSize: wg, maxSteps: MAX_STEPS_PER_DISPATCH, data, batch: spec.batch && potential.data ? { ...spec.batch, rows: potential.data.rows } : undefined })
        : SamplerKernel.create(device, shards, params, sampler, {
            dims: spec.dims, integrator: it, potentialWGSL: potential.wgsl, workgroupSize: wg, maxSteps: MAX_STEPS_PER_DISPATCH,
            mass: spec.mass, friction: spec.friction, leapfrogSteps: spec.leapfrogSteps, data,
            batch: spec.batch && potential.data ? { ...spec.batch, rows: potential.data.rows } : undefined,
          }),
      MomentsReduction.create(device, shards, spec.dims, potential.wgsl, params, data),
      InitKernel.create(device, shards, spec.dims, spec.init, seedKey(spec.seed), wg),
    ]);
    const inits = [init];
    if (sampler.velocities) {
      const vs = withBuffers(shards, sampler.velocities);
      sampler.velocityReduction = await MomentsReduction.create(device, vs, spec.dims, undefined, undefined);
      inits.push(await InitKernel.create(device, vs, spec.dims, velocityInit(spec), seedKey(spec.seed), wg, true));
    }
    if (sampler.accepts) sampler.acceptReduction = await MomentsReduction.create(device, withBuffers(shards, sampler.accepts), 1, undefined, undefined);
    const encoder = device.createCommandEncoder({ label: 'WebGpuBackend.init' });
    for (const k of inits) k.record(encoder);
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    for (const k of inits) k.destroy();
    return new WebGpuBackend(ctx, problem, shards, params, step, reduction, histogramPass, options.ownsDevice ?? false, sampler, data);
  }

  /** The device and buffers renderers draw from (owned by this backend). */
  get renderView(): RenderView {
    return { device: this.gpu, dims: this.problem.spec.dims, shards: this.shards, params: this.paramsBuffer, data: this.dataBuffer };
  }

  private check(): void {
    if (this.destroyed) throw new Error('WebGpuBackend used after destroy()');
    if (this.error) throw this.error;
  }

  advance(step0: number, coef: Float64Array): Promise<void> {
    return this.advanceNow(step0, coef).catch((e) => this.explain(e));
  }

  private async advanceNow(step0: number, coef: Float64Array): Promise<void> {
    this.check();
    const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.advance' });
    this.step.record(encoder, step0, coef, this.key);
    this.gpu.queue.submit([encoder.finish()]);
    if (this.sampler.accepts) this.proposed += this.problem.spec.particles * (coef.length / 2);
    // keep one chunk queued behind the running one so the GPU never idles
    const previous = this.inFlight;
    this.inFlight = this.gpu.queue.onSubmittedWorkDone();
    await previous;
    this.check();
  }

  /**
   * Like {@link advance}, but also measures the dispatches' time on the GPU
   * with `timestamp-query` and waits for it (for benchmarks: no queued chunk).
   * @returns GPU nanoseconds from the start to the end of the step pass, or
   *   undefined when the adapter has no timestamp-query
   */
  async advanceTimed(step0: number, coef: Float64Array): Promise<number | undefined> {
    this.check();
    if (!this.ctx.hasTimestampQuery) {
      await this.advance(step0, coef);
      await this.finish();
      return undefined;
    }
    this.timer ??= {
      set: this.gpu.createQuerySet({ label: 'WebGpuBackend.timer', type: 'timestamp', count: 2 }),
      resolve: this.gpu.createBuffer({ label: 'WebGpuBackend.timerResolve', size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
      staging: this.gpu.createBuffer({ label: 'WebGpuBackend.timerStaging', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
    };
    const { set, resolve, staging } = this.timer;
    await this.inFlight;
    const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.advanceTimed' });
    this.step.record(encoder, step0, coef, this.key, { querySet: set, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
    encoder.resolveQuerySet(set, 0, 2, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, staging, 0, 16);
    this.gpu.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    this.check();
    return Number(t1 - t0);
  }

  /** Run `read` after every read-back asked for before it has finished. */
  private exclusive<T>(read: () => Promise<T>): Promise<T> {
    const run = this.readLock.then(read, read).catch((e) => this.explain(e));
    this.readLock = run.catch(() => {});
    return run;
  }

  /**
   * A GPU call failed: if the device is being lost (a mapAsync is rejected
   * with "unmapped before mapping was resolved" before `device.lost` settles),
   * say that, as a RuntimeFailure; otherwise rethrow as is.
   */
  private async explain(e: unknown): Promise<never> {
    if (!this.destroyed && !(e instanceof RuntimeFailure)) {
      const lost = await Promise.race([this.lost, new Promise<undefined>((r) => setTimeout(() => r(undefined), 250))]);
      if (lost !== undefined) throw new RuntimeFailure(lost);
    }
    throw e;
  }

  moments(shift: number[], ball?: TargetBall): Promise<Moments> {
    return this.exclusive(() => this.momentsNow(shift, ball));
  }

  private async momentsNow(shift: number[], ball?: TargetBall): Promise<Moments> {
    this.check();
    const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.moments' });
    this.reduction.record(encoder, shift, ball);
    this.gpu.queue.submit([encoder.finish()]);
    const m = await this.reduction.read(shift);
    this.check();
    return m;
  }

  covariance(shift: number[]): Promise<Covariance> {
    return this.exclusive(async () => {
      this.check();
      this.covarianceReduction ??= CovarianceReduction.create(this.gpu, this.shards, this.problem.spec.dims);
      const reduction = await this.covarianceReduction;
      const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.covariance' });
      reduction.record(encoder, shift);
      this.gpu.queue.submit([encoder.finish()]);
      const c = await reduction.read(shift);
      this.check();
      return c;
    });
  }

  async finish(): Promise<void> {
    this.check();
    await this.gpu.queue.onSubmittedWorkDone();
    this.check();
  }

  histogram(): Promise<HistogramCounts> {
    return this.exclusive(() => this.histogramNow());
  }

  private async histogramNow(): Promise<HistogramCounts> {
    this.check();
    if (!this.histogramPass) throw new Error('no histogram in the spec');
    const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.histogram' });
    this.histogramPass.record(encoder);
    this.gpu.queue.submit([encoder.finish()]);
    const counts = await this.histogramPass.read();
    this.check();
    return counts;
  }

  readParticle(index: number): Promise<number[]> {
    return this.readParticleNow(index).catch((e) => this.explain(e));
  }

  private async readParticleNow(index: number): Promise<number[]> {
    this.check();
    const D = this.problem.spec.dims;
    const shard = this.shards.find((s) => index >= s.base && index < s.base + s.count);
    if (!shard) throw new RangeError(`particle ${index} out of range`);
    const staging = this.gpu.createBuffer({ label: 'WebGpuBackend.readParticle', size: Math.max(16, 4 * D), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.readParticle' });
    encoder.copyBufferToBuffer(shard.positions, (index - shard.base) * D * 4, staging, 0, 4 * D);
    this.gpu.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const x = Array.from(new Float32Array(staging.getMappedRange(), 0, D));
    staging.unmap();
    staging.destroy();
    return x;
  }

  async readPositions(): Promise<Float32Array> {
    return this.readShards(this.shards.map((s) => s.positions));
  }

  /** All particles' values of one per-shard buffer of D floats per particle. */
  private async readShards(buffers: GPUBuffer[]): Promise<Float32Array> {
    this.check();
    const D = this.problem.spec.dims;
    const out = new Float32Array(this.problem.spec.particles * D);
    for (const [s, shard] of this.shards.entries()) {
      const bytes = shard.count * D * 4;
      const staging = this.gpu.createBuffer({ label: 'WebGpuBackend.readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.readPositions' });
      encoder.copyBufferToBuffer(buffers[s], 0, staging, 0, bytes);
      this.gpu.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      out.set(new Float32Array(staging.getMappedRange()), shard.base * D);
      staging.unmap();
      staging.destroy();
    }
    this.check();
    return out;
  }

  /** Overwrite all positions (particle-major), e.g. to restore a checkpoint or in tests. */
  writePositions(x: Float32Array<ArrayBuffer>): void {
    this.check();
    const D = this.problem.spec.dims;
    for (const shard of this.shards) {
      this.gpu.queue.writeBuffer(shard.positions, 0, x, shard.base * D, shard.count * D);
    }
  }

  velocityMoments(): Promise<VelocityMoments | undefined> {
    const r = this.sampler.velocityReduction;
    if (!r) return Promise.resolve(undefined);
    return this.exclusive(async () => {
      this.check();
      const zero = new Array<number>(this.problem.spec.dims).fill(0);
      const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.velocityMoments' });
      r.record(encoder, zero);
      this.gpu.queue.submit([encoder.finish()]);
      const m = await r.read(zero);
      this.check();
      return { count: m.count, mean: m.mean, meanSquare: m.variance.map((v, d) => v + m.mean[d] ** 2) };
    });
  }

  takeAcceptance(): Promise<AcceptanceCounts | undefined> {
    const r = this.sampler.acceptReduction;
    const buffers = this.sampler.accepts;
    if (!r || !buffers) return Promise.resolve(undefined);
    return this.exclusive(async () => {
      this.check();
      const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.takeAcceptance' });
      r.record(encoder, [0]);
      // the reduction's copy is recorded before the clear: this read-back holds exactly the moves so far
      for (const b of buffers) encoder.clearBuffer(b);
      this.gpu.queue.submit([encoder.finish()]);
      const proposed = this.proposed;
      this.proposed = 0;
      const m = await r.read([0]);
      this.check();
      return { accepted: m.count > 0 ? Math.round(m.mean[0] * m.count) : 0, proposed };
    });
  }

  async readVelocities(): Promise<Float32Array | undefined> {
    return this.sampler.velocities ? this.readShards(this.sampler.velocities) : undefined;
  }

  setPotentialParams(values: Float64Array): void {
    this.check();
    this.gpu.queue.writeBuffer(this.paramsBuffer, 0, Float32Array.from(values));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    LIVE.delete(this);
    // a shared device outlives its backends: leave no listener behind on it
    this.gpu.removeEventListener('uncapturederror', this.onUncapturedError);
    this.step.destroy();
    this.timer?.set.destroy();
    this.timer?.resolve.destroy();
    this.timer?.staging.destroy();
    this.reduction.destroy();
    this.histogramPass?.destroy();
    void this.covarianceReduction?.then((r) => r.destroy());
    this.paramsBuffer.destroy();
    this.dataBuffer?.destroy();
    for (const s of this.shards) s.positions.destroy();
    this.sampler.velocityReduction?.destroy();
    this.sampler.acceptReduction?.destroy();
    for (const b of [...(this.sampler.velocities ?? []), ...(this.sampler.accepts ?? [])]) b.destroy();
    if (this.ownsDevice) this.ctx.device.destroy();
  }
}
