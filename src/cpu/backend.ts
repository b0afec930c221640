/**
 * The CPU backend: float64 state, the same Philox stream as the GPU.
 *
 * Two ways to step, with identical bits (tests/unit/cpu-kernel.test.ts):
 * - the fast path: the integrator's generated range kernel (its table entry's
 *   `kernel`, src/cpu/kernels/), run over all cores by a {@link CpuPool} of
 *   worker threads when shared memory is available and the problem is big
 *   enough, otherwise on this thread;
 * - the reference path: the table entry's `reference` step, particle by
 *   particle, when asked (`{ threads: 0 }`) or for a potential without
 *   emitted JavaScript.
 */
import type {
  AdvanceExtra,
  AcceptanceCounts,
  Backend,
  Covariance,
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
  momentsOf,
  rangeOf,
  velocityMomentsOf,
  type BackendState,
} from '../backend.ts';
import { NOT_HIT } from '../integrators/passage.ts';
import { hasKinetics, kineticsSums, markStartHits, type KineticsSums } from '../run/kinetics.ts';
import { advanceParticleKinetics, prepareChunk, type KineticsArrays, type KineticsChunk } from './kinetics.ts';
import type { KernelKinetics } from './kernels/kinetics.ts';
import { COEF_STRIDE } from '../integrators/coefficients.ts';
import { INTEGRATOR_TABLE, type Integrator } from '../integrators/table.ts';
import { inverseMass, makeScratch, type GradientFn, type InverseMass } from '../integrators/reference.ts';
import { batchGradient } from '../integrators/batch.ts';
import { initParticle, initVelocity } from '../init.ts';
import { binPositions, type HistogramCounts } from '../stats/binning.ts';
import { NormalStream, Stream, seedKey } from '../rng/philox.ts';
import { buildKernel, type RangeKernel, type RangeKernelSource } from './kernels/parts.ts';
import { CHUNK, CpuPool, hardwareThreads, poolSupported, runInline } from './pool.ts';
import { cpuCovarianceSums, cpuMomentSums } from './reductions.ts';

/** How the CPU backend may use this machine. */
export interface CpuBackendOptions {
  /**
   * Worker threads for the generated kernel: a count ≥ 1 (1 = this thread
   * only), 0 for the reference step on this thread (no generated code), or
   * 'auto' (default): all hardware threads when shared memory exists here.
   */
  threads?: number | 'auto';
}

/** Fewer particles than this per thread: stepping on this thread beats waking workers. */
const MIN_PARTICLES_PER_THREAD = CHUNK;
/**
 * With `threads: 'auto'`, a dispatch of fewer particle-steps than this runs on this thread: a round trip to the
 * workers costs about 1 ms in Node and up to 15 ms in a page (Chromium, measured with `npm run bench:demo -- --backend
 * cpu`), while 2^17 particle-steps take about 2 ms on one thread (bench/RESULTS.md). The bits are the same either way.
 */
const MIN_WORK_FOR_WORKERS = 2 ** 17;

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly software = true;
  readonly preferredStepsPerDispatch: number;
  private positions: Float64Array;
  /** velocities v[i·D + d] (integrators with velocities), length/time */
  private velocities: Float64Array | undefined;
  /** the rows of a potential from data, N × C, when a generated kernel reads them */
  private data: Float64Array | undefined;
  private readonly entry: Integrator;
  private readonly invMass: InverseMass;
  /** moves since the last observation (integrators with an accept test) */
  private acceptance: AcceptanceCounts | undefined;
  private readonly params: Float64Array;
  private readonly dims: number;
  private readonly k0: number;
  private readonly k1: number;
  /** the generated kernel's source, when this integrator and potential have one and it is wanted */
  private readonly kernelSource?: RangeKernelSource;
  private kernel?: RangeKernel;
  private pool?: Promise<CpuPool | undefined>;
  private threadsUsed = 1;
  /** first hit steps and work per particle (a spec with kinetics: stepped by the reference step, src/cpu/kinetics.ts) */
  private readonly kin: KineticsArrays = {};
  /** whether a step of the protocol has run (before it, kinetics() marks the particles starting in the region) */
  private stepped = false;
  /** the particles held: local particle i is global particle range.first + i */
  readonly range: ParticleRange;

  constructor(
    private readonly problem: Problem,
    private readonly options: CpuBackendOptions = {},
  ) {
    const { spec, potential } = problem;
    this.dims = spec.dims;
    this.range = rangeOf(problem);
    this.entry = INTEGRATOR_TABLE[spec.integrator];
    [this.k0, this.k1] = seedKey(spec.seed);
    this.params = Float64Array.from(potential.paramValues);
    const threads = options.threads ?? 'auto';
    if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 0))
      throw new Error(`cpu.threads: got ${threads}; expected 'auto', 0 (reference step) or a whole number of threads ≥ 1`);
    if (threads !== 0)
      this.kernelSource = this.entry.kernel({
        dims: spec.dims,
        potential,
        batch: spec.batch,
        mass: spec.mass,
        leapfrogSteps: spec.leapfrogSteps,
        kinetics: kernelKinetics(spec, potential),
      });
    // about 2^20 particle-steps per call keeps progress reports frequent
    this.preferredStepsPerDispatch = Math.max(1, Math.min(1024, Math.floor(2 ** 20 / this.range.count)));
    const shared = this.kernelSource !== undefined && threads !== 1 && poolSupported();
    const stateArray = () =>
      shared ? new Float64Array(new SharedArrayBuffer(this.range.count * spec.dims * 8)) : new Float64Array(this.range.count * spec.dims);
    this.positions = stateArray();
    const perParticle = () => (shared ? new Float64Array(new SharedArrayBuffer(this.range.count * 8)) : new Float64Array(this.range.count));
    if (spec.passage) this.kin.hit = perParticle().fill(NOT_HIT);
    if (spec.schedules) this.kin.work = perParticle();
    // a potential from data: its rows are the kernel's last state array (shared with the workers, read-only)
    if (this.kernelSource && potential.data) {
      const values = potential.data.values;
      this.data = shared ? new Float64Array(new SharedArrayBuffer(values.byteLength)) : values;
      if (shared) this.data.set(values);
    }
    this.invMass = inverseMass(spec.mass);
    if (this.entry.velocities) this.velocities = stateArray();
    this.initialise();
    if (this.entry.metropolis) this.acceptance = { accepted: 0, proposed: 0 };
  }

  /** Initial positions (and velocities) from their Philox streams. */
  private initialise(): void {
    const { spec } = this.problem;
    const x = new Float64Array(this.dims);
    const { first, count } = this.range;
    for (let i = 0; i < count; i++) {
      initParticle(spec.init, first + i, this.k0, this.k1, x);
      this.positions.set(x, i * this.dims);
      if (!this.velocities) continue;
      initVelocity(spec, first + i, this.k0, this.k1, x);
      this.velocities.set(x, i * this.dims);
    }
  }

  /** Threads that stepped the particles in the last advance (1 before the first). */
  get threads(): number {
    return this.threadsUsed;
  }

  /** What steps the particles, e.g. `CPU (JavaScript float64, generated kernel, 8 worker threads)`. */
  get device(): string {
    if (!this.kernelSource) return 'CPU (JavaScript float64 reference step, one thread)';
    if (!this.pool && !this.kernel) return `CPU (JavaScript float64, generated kernel, threads: ${this.options.threads ?? 'auto'})`;
    return `CPU (JavaScript float64, generated kernel, ${this.threadsUsed > 1 ? `${this.threadsUsed} worker threads` : 'one thread'})`;
  }

  async advance(step0: number, coef: Float64Array, extra: AdvanceExtra = {}): Promise<void> {
    const n = this.range.count;
    const key = extra.equilibration ? equilibrationKey(this.k0, this.k1) : ([this.k0, this.k1] as [number, number]);
    const accepted = this.kernelSource
      ? await this.advanceKernel(this.kernelSource, step0, coef, key, extra)
      : this.advanceReference(step0, coef, key, extra);
    if (extra.params) this.params.set(extra.params.subarray(extra.params.length - this.params.length));
    if (!extra.equilibration) this.stepped = true;
    if (this.acceptance && !extra.equilibration) {
      this.acceptance.accepted += accepted;
      this.acceptance.proposed += n * (coef.length / COEF_STRIDE);
    }
  }

  /** The generated kernel, over worker threads or on this thread; returns the accepted moves. */
  private async advanceKernel(
    source: RangeKernelSource,
    step0: number,
    coef: Float64Array,
    key: [number, number],
    extra: AdvanceExtra,
  ): Promise<number> {
    const n = this.range.count;
    const args = { step0, coef, params: extra.params ?? this.params, k0: key[0], k1: key[1], base: this.range.first };
    const pool = await (this.pool ??= this.startPool(source));
    let sums: number[];
    const auto = this.options.threads === undefined || this.options.threads === 'auto';
    const small = auto && n * (coef.length / COEF_STRIDE) < MIN_WORK_FOR_WORKERS;
    if (pool && n >= 2 * MIN_PARTICLES_PER_THREAD && !small) {
      this.threadsUsed = pool.threads;
      sums = await pool.run(n, args);
    } else {
      this.threadsUsed = 1;
      this.kernel ??= buildKernel(source);
      sums = runInline(this.kernel, this.state(), n, args);
    }
    return sums[0] ?? 0;
  }

  /** Workers for this problem, or undefined where one thread is all there is or all that is worth it. */
  private async startPool(source: RangeKernelSource): Promise<CpuPool | undefined> {
    // (a page that is not cross-origin isolated has no SharedArrayBuffer at all)
    if (typeof SharedArrayBuffer === 'undefined' || !(this.positions.buffer instanceof SharedArrayBuffer)) return undefined;
    const wanted = this.options.threads === undefined || this.options.threads === 'auto' ? await hardwareThreads() : this.options.threads;
    const threads = Math.min(wanted, Math.floor(this.range.count / MIN_PARTICLES_PER_THREAD));
    if (threads < 2) return undefined;
    // no workers to be had (a sandbox, a worker limit): step on this thread, as the device string then says
    return CpuPool.create(threads, source, this.state()).catch(() => undefined);
  }

  /** The arrays a kernel reads and steps: positions, velocities, and the data last (a potential from data). */
  private state(): Float64Array[] {
    const kin = [...(this.kin.hit ? [this.kin.hit] : []), ...(this.kin.work ? [this.kin.work] : [])];
    return [this.positions, ...(this.velocities ? [this.velocities] : []), ...kin, ...(this.data ? [this.data] : [])];
  }

  /**
   * The integrator's reference step, particle by particle on this thread (with the kinetics of
   * src/cpu/kinetics.ts when the spec has them); returns the accepted moves.
   */
  private advanceReference(step0: number, coef: Float64Array, [k0, k1]: [number, number], extra: AdvanceExtra): number {
    const { spec, potential } = this.problem;
    const D = this.dims;
    const ns = new NormalStream(k0, k1, Stream.noise);
    const full: GradientFn = (x, g, p) => potential.gradient(x, g, p);
    const batch = spec.batch ? batchGradient(potential, spec.batch, [k0, k1]) : undefined;
    const scratch = makeScratch(D);
    const chunk: KineticsChunk | undefined = hasKinetics(spec)
      ? { step0, coef, table: extra.params, params: this.params, passage: spec.passage, equilibration: extra.equilibration === true }
      : undefined;
    const prepared = chunk && prepareChunk(chunk, D);
    let accepted = 0;
    const { first, count } = this.range;
    for (let i = 0; i < count; i++) {
      ns.seek(first + i, step0 * D);
      const step = {
        x: this.positions.subarray(i * D, (i + 1) * D),
        v: this.velocities?.subarray(i * D, (i + 1) * D),
        rng: { k0, k1, particle: first + i, step0, ns },
        coef,
        gradient: batch ? batch(first + i) : full,
        energy: potential.energy,
        fullGradient: potential.gradient,
        params: this.params,
        invMass: this.invMass,
        leapfrogSteps: spec.leapfrogSteps,
        scratch,
      };
      accepted += chunk ? advanceParticleKinetics(this.entry.reference, step, chunk, this.kin, i, prepared!) : this.entry.reference(step);
    }
    return accepted;
  }

  setParams(values: Float64Array): void {
    this.params.set(values);
  }

  async kinetics(): Promise<KineticsSums> {
    // before any step: the walkers starting in the region count as hit at step 0 (on a copy: the run's own hit steps are the kernels')
    const hit = !this.stepped && this.kin.hit ? this.kin.hit.slice() : this.kin.hit;
    if (hit !== this.kin.hit) markStartHits(this.problem.spec, this.positions, hit!);
    return kineticsSums(this.problem.spec, hit, this.kin.work, this.range.first);
  }

  async observe(request: ObservationRequest): Promise<Observation> {
    const out: Observation = { moments: await this.moments(request.ball) };
    if (this.velocities)
      out.velocity = velocityMomentsOf(cpuMomentSums({ values: this.velocities, dims: this.dims, first: this.range.first }));
    if (this.acceptance) {
      out.acceptance = this.acceptance;
      this.acceptance = { accepted: 0, proposed: 0 };
    }
    if (request.histogram) out.histogram = await this.histogram();
    return out;
  }

  async moments(ball?: TargetBall): Promise<Moments> {
    const energy = { fn: this.problem.potential.energy, params: this.params };
    return momentsOf(cpuMomentSums({ values: this.positions, dims: this.dims, first: this.range.first, energy, ball }));
  }

  async covariance(): Promise<Covariance> {
    return covarianceOf(cpuCovarianceSums(this.positions, this.dims));
  }

  async finish(): Promise<void> {}

  async histogram(): Promise<HistogramCounts> {
    const h = this.problem.spec.histogram;
    if (!h) throw new Error('no histogram in the spec');
    return binPositions(this.positions, this.dims, h);
  }

  async saveState(): Promise<BackendState> {
    return {
      positions: this.positions.slice(),
      ...(this.velocities ? { velocities: this.velocities.slice() } : {}),
      ...(this.acceptance ? { pending: { ...this.acceptance } } : {}),
      ...(this.kin.hit ? { hit: Uint32Array.from(this.kin.hit) } : {}),
      ...(this.kin.work ? { work: this.kin.work.slice() } : {}),
    };
  }

  async restoreState(state: BackendState): Promise<void> {
    checkStateArray('positions', state.positions, this.positions.length, true);
    if (this.velocities) checkStateArray('velocities', state.velocities, this.velocities.length, true);
    this.positions.set(state.positions);
    if (this.velocities) this.velocities.set(state.velocities!);
    if (this.acceptance) this.acceptance = { ...(state.pending ?? { accepted: 0, proposed: 0 }) };
    restoreKinetics(this.kin, state, this.range.count, true);
    // a saved state's hit steps are its own (a checkpoint's state is never re-marked)
    this.stepped = true;
  }

  async readParticle(index: number): Promise<number[]> {
    return Array.from(await this.readPositions(index - this.range.first, 1));
  }

  async readPositions(first = 0, count = this.range.count - first): Promise<Float64Array> {
    checkParticleRange(this.range.count, first, count);
    return this.positions.slice(first * this.dims, (first + count) * this.dims);
  }

  async readVelocities(first = 0, count = this.range.count - first): Promise<Float64Array | undefined> {
    checkParticleRange(this.range.count, first, count);
    return this.velocities?.slice(first * this.dims, (first + count) * this.dims);
  }

  destroy(): void {
    void this.pool?.then(
      (p) => p?.destroy(),
      () => {},
    );
    this.pool = Promise.resolve(undefined);
    this.positions = new Float64Array(0);
    this.velocities = undefined;
    this.data = undefined;
  }
}

/**
 * Put saved first hit steps and work back (a spec with kinetics).
 * @param f64 whether this backend keeps work in float64 (CPU: one value per particle) or f32 (WebGPU: sum and compensation)
 * @throws RangeError when they do not fit
 */
export function restoreKinetics(
  kin: KineticsArrays | { hit?: Uint32Array; work?: Float32Array | Float64Array },
  state: BackendState,
  count: number,
  f64: boolean,
): void {
  if (kin.hit) {
    if (!(state.hit instanceof Uint32Array) || state.hit.length !== count)
      throw new RangeError(
        `checkpoint hit: got ${state.hit ? `${state.hit.length} values` : 'none'}; this backend holds ${count} first hit steps`,
      );
    kin.hit.set(state.hit);
  }
  if (kin.work) {
    checkStateArray('work', state.work, kin.work.length, f64);
    kin.work.set(state.work!);
  }
}

/** What a generated kernel needs of the spec's kinetics (undefined: none). */
function kernelKinetics(spec: Problem['spec'], potential: Problem['potential']): KernelKinetics | undefined {
  if (!hasKinetics(spec)) return undefined;
  const energy = potential.energyJs;
  return {
    ...(spec.passage ? { passage: spec.passage } : {}),
    ...(spec.schedules ? { scheduled: { params: potential.paramValues.length, ...(energy ? { energy } : {}) } } : {}),
  };
}
