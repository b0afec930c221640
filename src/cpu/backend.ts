/**
 * The CPU backend: float64 state, the same Philox stream as the GPU.
 *
 * Two ways to step, with identical bits (tests/unit/cpu-kernel.test.ts):
 * - the fast path: a range kernel generated for the integrator and potential
 *   (src/cpu/kernel.ts), run over all cores by a {@link CpuPool} of worker
 *   threads when shared memory is available and the problem is big enough,
 *   otherwise on this thread;
 * - the reference path: the per-particle step of src/integrators/overdamped.ts,
 *   for integrators that have no generated kernel (yet), or when asked
 *   (`{ threads: 0 }`).
 */
import { momentRowLength, momentsFromSums, type Backend, type Moments, type Problem, type TargetBall } from '../backend.ts';
import { binPositions, type HistogramCounts } from '../stats/binning.ts';
import { advanceParticle, initParticle, makeScratch } from '../integrators/overdamped.ts';
import { NormalStream, Stream, seedKey } from '../rng/philox.ts';
import { buildKernel, overdampedKernelSource, type RangeKernel, type RangeKernelSource } from './kernel.ts';
import { CHUNK, CpuPool, hardwareThreads, poolSupported, runInline } from './pool.ts';

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

export class CpuBackend implements Backend {
  readonly kind = 'cpu' as const;
  readonly software = true;
  readonly preferredStepsPerDispatch: number;
  private positions: Float64Array;
  private params: Float64Array;
  private readonly dims: number;
  private readonly k0: number;
  private readonly k1: number;
  /** the generated kernel's source, when this integrator has one and it is wanted */
  private readonly kernelSource?: RangeKernelSource;
  private kernel?: RangeKernel;
  private pool?: Promise<CpuPool | undefined>;
  private threadsUsed = 1;

  constructor(private readonly problem: Problem, private readonly options: CpuBackendOptions = {}) {
    const { spec, potential } = problem;
    this.dims = spec.dims;
    [this.k0, this.k1] = seedKey(spec.seed);
    this.params = Float64Array.from(potential.paramValues);
    const threads = options.threads ?? 'auto';
    if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 0)) throw new Error(`cpu.threads: got ${threads}; expected 'auto', 0 (reference step) or a whole number of threads ≥ 1`);
    if (threads !== 0 && (spec.integrator === 'em' || spec.integrator === 'lm') && potential.gradientJs) {
      this.kernelSource = overdampedKernelSource(spec.integrator, spec.dims, potential.gradientJs);
    }
    // about 2^20 particle-steps per call keeps progress reports frequent
    this.preferredStepsPerDispatch = Math.max(1, Math.min(1024, Math.floor(2 ** 20 / spec.particles)));
    const bytes = spec.particles * spec.dims * 8;
    this.positions = this.kernelSource && threads !== 1 && poolSupported() ? new Float64Array(new SharedArrayBuffer(bytes)) : new Float64Array(spec.particles * spec.dims);
    const x = new Float64Array(this.dims);
    for (let i = 0; i < spec.particles; i++) {
      initParticle(spec.init, i, this.k0, this.k1, x);
      this.positions.set(x, i * this.dims);
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

  async advance(step0: number, coef: Float64Array): Promise<void> {
    if (!this.kernelSource) return this.advanceReference(step0, coef);
    const n = this.problem.spec.particles;
    const args = { step0, coef, params: this.params, k0: this.k0, k1: this.k1 };
    const pool = await (this.pool ??= this.startPool(this.kernelSource));
    if (pool && n >= 2 * MIN_PARTICLES_PER_THREAD) {
      this.threadsUsed = pool.threads;
      await pool.run(n, args);
      return;
    }
    this.threadsUsed = 1;
    this.kernel ??= buildKernel(this.kernelSource);
    runInline(this.kernel, [this.positions], n, args);
  }

  /** Workers for this problem, or undefined where one thread is all there is or all that is worth it. */
  private async startPool(source: RangeKernelSource): Promise<CpuPool | undefined> {
    if (!(this.positions.buffer instanceof SharedArrayBuffer)) return undefined;
    const wanted = this.options.threads === undefined || this.options.threads === 'auto' ? await hardwareThreads() : this.options.threads;
    const threads = Math.min(wanted, Math.floor(this.problem.spec.particles / MIN_PARTICLES_PER_THREAD));
    if (threads < 2) return undefined;
    // no workers to be had (a sandbox, a worker limit): step on this thread, as the device string then says
    return CpuPool.create(threads, source, [this.positions]).catch(() => undefined);
  }

  /** The reference step (src/integrators/overdamped.ts), particle by particle on this thread. */
  private advanceReference(step0: number, coef: Float64Array): void {
    const { spec, potential } = this.problem;
    const D = this.dims;
    const ns = new NormalStream(this.k0, this.k1, Stream.noise);
    const scratch = makeScratch(D);
    const m0 = step0 * D;
    for (let i = 0; i < spec.particles; i++) {
      const x = this.positions.subarray(i * D, (i + 1) * D);
      ns.seek(i, m0);
      advanceParticle(spec.integrator, x, ns, coef, potential.gradient, this.params, scratch);
    }
  }

  async moments(shift: number[], ball?: TargetBall): Promise<Moments> {
    const D = this.dims;
    const sums = new Float64Array(momentRowLength(D));
    const best = { energy: Infinity, index: -1 };
    const r2 = ball ? Math.fround(ball.radius * ball.radius) : -1;
    const energy = this.problem.potential.energy;
    const x = new Float64Array(D);
    for (let i = 0; i < this.problem.spec.particles; i++) {
      x.set(this.positions.subarray(i * D, (i + 1) * D));
      // non-finite in f32 terms, as on the GPU: a blow-up reads the same on both backends
      let bad = !x.every((v) => Number.isFinite(Math.fround(v)));
      const e = bad ? 0 : energy(x, this.params);
      bad = bad || !Number.isFinite(Math.fround(e));
      if (bad) {
        sums[2 * D + 2] += 1;
        continue;
      }
      for (let d = 0; d < D; d++) {
        const dx = x[d] - shift[d];
        sums[d] += dx;
        sums[D + d] += dx * dx;
      }
      sums[2 * D] += e;
      sums[2 * D + 1] += 1;
      if (e < best.energy) {
        best.energy = e;
        best.index = i;
      }
      if (ball) {
        let dist2 = 0;
        for (let d = 0; d < D; d++) dist2 += (x[d] - ball.target[d]) ** 2;
        if (dist2 <= r2) sums[2 * D + 3] += 1;
      }
    }
    return momentsFromSums(sums, D, shift, best);
  }

  async finish(): Promise<void> {}

  async histogram(): Promise<HistogramCounts> {
    const h = this.problem.spec.histogram;
    if (!h) throw new Error('no histogram in the spec');
    return binPositions(this.positions, this.dims, h);
  }

  async readParticle(index: number): Promise<number[]> {
    return Array.from(this.positions.subarray(index * this.dims, (index + 1) * this.dims));
  }

  async readPositions(): Promise<Float64Array> {
    return this.positions.slice();
  }

  setPotentialParams(values: Float64Array): void {
    this.params = Float64Array.from(values);
  }

  destroy(): void {
    void this.pool?.then((p) => p?.destroy(), () => {});
    this.pool = Promise.resolve(undefined);
    this.positions = new Float64Array(0);
  }
}
