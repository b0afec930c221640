/**
 * The WebGPU backend: a {@link GpuEnsemble} of particle buffers, the
 * integrator's {@link ParticleKernel}, one {@link ObservationPass} and the
 * covariance reduction. It owns what it creates (freeing it all when `create`
 * fails halfway or on `destroy()`), and the device only when told so.
 */
import { RuntimeFailure } from '../errors.ts';
import type {
  Backend,
  Covariance,
  HistogramCounts,
  Moments,
  Observation,
  ObservationRequest,
  ParticleRange,
  Problem,
  TargetBall,
} from '../backend.ts';
import {
  checkParticleRange,
  checkStateArray,
  covarianceOf,
  equilibrationKey,
  rangeOf,
  type AdvanceExtra,
  type BackendState,
} from '../backend.ts';
import type { KineticsSums } from '../run/kinetics.ts';
import { constantRows } from '../run/paramProtocol.ts';
import { readKineticsSums, restoreKinetics, saveKinetics } from './kinetics.ts';
import { seedKey } from '../rng/philox.ts';
import { COEF_STRIDE } from '../integrators/coefficients.ts';
import type { GpuContext } from './device.ts';
import { GpuEnsemble } from './ensemble.ts';
import { ObservationPass } from './observation.ts';
import type { ParticleKernel } from './particleKernel.ts';
import { buildKernel, initialise } from './setup.ts';
import { CovarianceReduction } from './covariance.ts';
import { readFloats, readShards } from './readback.ts';
import { GpuTimer } from './timer.ts';
import type { RenderView } from './renderView.ts';

export interface WebGpuBackendOptions {
  /** split particles into buffers of at most this many bytes (tests force splitting with it) */
  maxShardBytes?: number;
  /**
   * Device memory the particle buffers may take, bytes (default: what the device grants): more is refused as
   * the device's own out-of-memory is (DeviceMemoryError), e.g. to leave room for other work on a shared GPU.
   * A run in blocks (`runInBlocks`) then goes in smaller blocks.
   */
  memoryLimit?: number;
  /** invocations per workgroup of the particle kernel */
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

/** The stages a backend records into its encoders. */
interface Stages {
  kernel: ParticleKernel;
  observation: ObservationPass;
  covariance: CovarianceReduction;
}

export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly device: string;
  readonly software: boolean;
  readonly preferredStepsPerDispatch: number;
  /** Resolves with a message if the device is lost. */
  readonly lost: Promise<string>;
  /** the device the particles live on */
  readonly gpu: GPUDevice;
  private readonly key: [number, number];
  private inFlight: Promise<unknown> = Promise.resolve();
  /** Read-backs reuse staging buffers: one at a time (an app may ask from a frame loop and a button at once). */
  private readLock: Promise<unknown> = Promise.resolve();
  private error: Error | undefined;
  private destroyed = false;
  private readonly onUncapturedError: (ev: Event) => void;
  /** made on the first advanceTimed */
  private timer?: GpuTimer;
  /** proposed Metropolis moves (particles × steps) since the last observation */
  private proposed = 0;
  /** the potential's parameters now (the last row of the last chunk's table under a schedule) */
  private params: Float64Array;
  /** whether a step of the protocol has run (before it, kinetics() marks the particles starting in the region) */
  private stepped = false;
  /** the particles held: local particle i is global particle range.first + i */
  readonly range: ParticleRange;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly problem: Problem,
    private readonly ensemble: GpuEnsemble,
    private readonly stages: Stages,
    private readonly ownsDevice: boolean,
  ) {
    this.gpu = ctx.device;
    this.device = ctx.adapter.device;
    this.software = ctx.adapter.software;
    this.key = seedKey(problem.spec.seed);
    this.params = Float64Array.from(problem.potential.paramValues);
    this.range = rangeOf(problem);
    const n = this.range.count;
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
   * Allocate, compile and initialise the particles. Whatever fails, nothing it made stays allocated.
   * @throws RuntimeFailure when the GPU cannot hold the particles; Error when a pipeline cannot be built
   */
  static async create(ctx: GpuContext, problem: Problem, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    const ensemble = await GpuEnsemble.create(ctx.device, problem, options.maxShardBytes, options.memoryLimit);
    const built = await Promise.allSettled([
      buildKernel(ensemble, problem, options),
      ObservationPass.create(ensemble, problem.potential.wgsl, problem.spec.histogram, options.forceGlobalAtomics),
      CovarianceReduction.create(ctx.device, ensemble.shards, ensemble.dims),
    ] as const);
    const [kernel, observation, covariance] = built.map((b) => (b.status === 'fulfilled' ? b.value : undefined)) as [
      ParticleKernel?,
      ObservationPass?,
      CovarianceReduction?,
    ];
    try {
      const failed = built.find((b) => b.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      await initialise(ensemble, problem, options.workgroupSize ?? 64);
    } catch (e) {
      for (const stage of [kernel, observation, covariance, ensemble]) stage?.destroy();
      throw e;
    }
    return new WebGpuBackend(
      ctx,
      problem,
      ensemble,
      { kernel: kernel!, observation: observation!, covariance: covariance! },
      options.ownsDevice ?? false,
    );
  }

  /** The device and buffers renderers draw from (owned by this backend). */
  get renderView(): RenderView {
    const e = this.ensemble;
    return { device: this.gpu, dims: e.dims, shards: e.shards, params: e.params, data: e.data };
  }

  private check(): void {
    if (this.destroyed) throw new Error('WebGpuBackend used after destroy()');
    if (this.error) throw this.error;
  }

  advance(step0: number, coef: Float64Array, extra: AdvanceExtra = {}): Promise<void> {
    return this.advanceNow(step0, coef, extra).catch((e) => this.explain(e));
  }

  private async advanceNow(step0: number, coef: Float64Array, extra: AdvanceExtra): Promise<void> {
    this.check();
    const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.advance' });
    const key = extra.equilibration ? equilibrationKey(...this.key) : this.key;
    const K = coef.length / COEF_STRIDE;
    const table = this.problem.spec.schedules ? (extra.params ?? constantRows(this.params, K + 1)) : undefined;
    this.stages.kernel.record(encoder, step0, coef, key, undefined, { table, live: !extra.equilibration });
    if (!extra.equilibration) this.stepped = true;
    // the equilibration's Metropolis moves are not the run's
    if (extra.equilibration) for (const b of this.ensemble.accepts ?? []) encoder.clearBuffer(b);
    if (extra.params) {
      this.params = extra.params.slice(extra.params.length - this.params.length);
      this.gpu.queue.writeBuffer(this.ensemble.params, 0, Float32Array.from(this.params));
    }
    this.gpu.queue.submit([encoder.finish()]);
    if (!extra.equilibration) this.countProposals(coef);
    // keep one chunk queued behind the running one so the GPU never idles
    const previous = this.inFlight;
    this.inFlight = this.gpu.queue.onSubmittedWorkDone();
    await previous;
    this.check();
  }

  private countProposals(coef: Float64Array): void {
    if (this.ensemble.accepts) this.proposed += this.range.count * (coef.length / COEF_STRIDE);
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
    const timer = (this.timer ??= new GpuTimer(this.gpu));
    await this.inFlight;
    const encoder = this.gpu.createCommandEncoder({ label: 'WebGpuBackend.advanceTimed' });
    this.stages.kernel.record(encoder, step0, coef, this.key, timer.writes);
    timer.record(encoder);
    this.gpu.queue.submit([encoder.finish()]);
    this.countProposals(coef);
    const ns = await timer.read();
    this.check();
    return ns;
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

  /** Record with `record`, submit once, then `read` (checked before and after). */
  private submitAndRead<T>(label: string, record: (encoder: GPUCommandEncoder) => void, read: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.check();
      const encoder = this.gpu.createCommandEncoder({ label });
      record(encoder);
      this.gpu.queue.submit([encoder.finish()]);
      const out = await read();
      this.check();
      return out;
    });
  }

  observe(request: ObservationRequest): Promise<Observation> {
    const pass = this.stages.observation;
    return this.submitAndRead(
      'WebGpuBackend.observe',
      (encoder) => pass.record(encoder, request),
      () => {
        const proposed = this.proposed;
        this.proposed = 0;
        return pass.read(request, proposed);
      },
    );
  }

  moments(ball?: TargetBall): Promise<Moments> {
    const pass = this.stages.observation;
    return this.submitAndRead(
      'WebGpuBackend.moments',
      (encoder) => pass.recordMoments(encoder, { ball }),
      () => pass.readMoments(),
    );
  }

  histogram(): Promise<HistogramCounts> {
    return this.submitAndRead(
      'WebGpuBackend.histogram',
      (encoder) => this.stages.observation.histogram().record(encoder),
      () => this.stages.observation.histogram().read(),
    );
  }

  covariance(): Promise<Covariance> {
    const reduction = this.stages.covariance;
    return this.submitAndRead(
      'WebGpuBackend.covariance',
      (encoder) => reduction.record(encoder),
      async () => covarianceOf(await reduction.read()),
    );
  }

  async finish(): Promise<void> {
    this.check();
    await this.gpu.queue.onSubmittedWorkDone();
    this.check();
  }

  async readParticle(index: number): Promise<number[]> {
    return Array.from(await this.readPositions(index - this.range.first, 1));
  }

  readPositions(first = 0, count = this.range.count - first): Promise<Float32Array> {
    return this.readRange(first, count, 'positions');
  }

  async readVelocities(first = 0, count = this.range.count - first): Promise<Float32Array | undefined> {
    return this.ensemble.velocities ? this.readRange(first, count, 'velocities') : undefined;
  }

  /** Particles first … first + count − 1 of the positions or velocities, over the storage shards; a lost device explained. */
  private async readRange(first: number, count: number, what: 'positions' | 'velocities'): Promise<Float32Array> {
    checkParticleRange(this.range.count, first, count);
    const e = this.ensemble;
    const read = async () => {
      this.check();
      const buffers = what === 'positions' ? e.shards.map((s) => s.positions) : e.velocities!;
      return readShards(this.gpu, e.shards, buffers, e.dims, `WebGpuBackend.read ${what}`, first, count);
    };
    return read().catch((err) => this.explain(err));
  }

  setParams(values: Float64Array): void {
    this.params = values.slice();
    this.gpu.queue.writeBuffer(this.ensemble.params, 0, Float32Array.from(values));
  }

  kinetics(): Promise<KineticsSums> {
    const { spec } = this.problem;
    return this.exclusive(() => readKineticsSums(this.gpu, this.ensemble, spec, this.range.first, this.range.count, this.stepped));
  }

  async saveState(): Promise<BackendState> {
    const e = this.ensemble;
    const state: BackendState = { positions: await this.readPositions() };
    if (e.kinetics) Object.assign(state, await this.exclusive(() => saveKinetics(this.gpu, e, this.problem.spec, this.range.count)));
    if (e.velocities) state.velocities = await this.readRange(0, this.range.count, 'velocities');
    if (e.accepts) {
      const accepts = e.accepts;
      state.accepts = await this.exclusive(() =>
        readShards(this.gpu, e.shards, accepts, 1, 'WebGpuBackend.read accepts', 0, this.range.count),
      );
      state.pending = { accepted: 0, proposed: this.proposed };
    }
    return state;
  }

  async restoreState(state: BackendState): Promise<void> {
    this.check();
    const e = this.ensemble;
    const n = this.range.count;
    const D = e.dims;
    checkStateArray('positions', state.positions, n * D, false);
    if (e.velocities) checkStateArray('velocities', state.velocities, n * D, false);
    if (e.accepts) checkStateArray('accepts', state.accepts, n, false);
    const put = (buffers: GPUBuffer[], values: Float32Array, floats: number) =>
      e.shards.forEach((shard, s) =>
        this.gpu.queue.writeBuffer(buffers[s], 0, values as Float32Array<ArrayBuffer>, shard.base * floats, shard.count * floats),
      );
    put(
      e.shards.map((s) => s.positions),
      state.positions as Float32Array,
      D,
    );
    if (e.velocities) put(e.velocities, state.velocities as Float32Array, D);
    if (e.accepts) put(e.accepts, state.accepts!, 1);
    if (e.kinetics) restoreKinetics(this.gpu, e, state, this.problem.spec, n);
    this.stepped = true;
    this.proposed = state.pending?.proposed ?? 0;
    await this.finish();
  }

  /** Overwrite all positions (particle-major), e.g. to restore a checkpoint or in tests. */
  writePositions(x: Float32Array<ArrayBuffer>): void {
    this.check();
    const D = this.problem.spec.dims;
    for (const shard of this.ensemble.shards) this.gpu.queue.writeBuffer(shard.positions, 0, x, shard.base * D, shard.count * D);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    LIVE.delete(this);
    // a shared device outlives its backends: leave no listener behind on it
    this.gpu.removeEventListener('uncapturederror', this.onUncapturedError);
    this.timer?.destroy();
    for (const stage of [this.stages.kernel, this.stages.observation, this.stages.covariance, this.ensemble]) stage.destroy();
    if (this.ownsDevice) this.ctx.device.destroy();
  }
}
