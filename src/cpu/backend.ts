/**
 * The CPU backend: float64 state, the same Philox stream as the GPU.
 *
 * Two ways to step, with identical bits (tests/unit/cpu-kernel.test.ts):
 * - the fast path: a range kernel generated for the integrator and potential
 *   (src/cpu/kernel.ts), run over all cores by a {@link CpuPool} of worker
 *   threads when shared memory is available and the problem is big enough,
 *   otherwise on this thread;
 * - the reference path: the per-particle steps of src/integrators/
 *   (overdamped, inertial, metropolis), when asked (`{ threads: 0 }`) or for
 *   a potential without emitted JavaScript.
 */
import { covarianceFromSums, covarianceRowLength, momentRowLength, momentsFromSums, type AcceptanceCounts, type Backend, type Covariance, type Moments, type Problem, type TargetBall, type VelocityMoments } from '../backend.ts';
import { samplerCoefficients } from '../integrators/coefficients.ts';
import { advanceBaoab, initVelocity, inverseMass, type InverseMass } from '../integrators/inertial.ts';
import { advanceHmc, advanceMala, makeMetropolisScratch } from '../integrators/metropolis.ts';
import { INERTIAL, METROPOLIS } from '../spec.ts';
import { binPositions, type HistogramCounts } from '../stats/binning.ts';
import { advanceParticle, initParticle, makeScratch, type GradientFn } from '../integrators/overdamped.ts';
import { batchGradient } from '../integrators/batch.ts';
import { NormalStream, Stream, seedKey } from '../rng/philox.ts';
import { baoabKernelSource, buildKernel, kernelEnergy, kernelGradient, metropolisKernelSource, overdampedKernelSource, type RangeKernel, type RangeKernelSource } from './kernel.ts';
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
  /** velocities v[i·D + d] (baoab, hmc), length/time */
  private velocities: Float64Array | undefined;
  /** the rows of a potential from data, N × C, when a generated kernel reads them */
  private data: Float64Array | undefined;
  private readonly invMass: InverseMass;
  private acceptance: AcceptanceCounts | undefined;
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
    const gradient = threads === 0 ? undefined : kernelGradient(potential, spec.batch);
    if (gradient && (spec.integrator === 'em' || spec.integrator === 'lm')) this.kernelSource = overdampedKernelSource(spec.integrator, spec.dims, gradient);
    else if (gradient && spec.integrator === 'baoab') this.kernelSource = baoabKernelSource(spec.dims, gradient, spec.mass);
    else if (gradient && (spec.integrator === 'mala' || spec.integrator === 'hmc')) {
      const energy = kernelEnergy(potential);
      if (energy) this.kernelSource = metropolisKernelSource(spec.integrator, spec.dims, energy, gradient, spec.mass, spec.leapfrogSteps);
    }
    // about 2^20 particle-steps per call keeps progress reports frequent
    this.preferredStepsPerDispatch = Math.max(1, Math.min(1024, Math.floor(2 ** 20 / spec.particles)));
    const shared = this.kernelSource !== undefined && threads !== 1 && poolSupported();
    const stateArray = () => (shared ? new Float64Array(new SharedArrayBuffer(spec.particles * spec.dims * 8)) : new Float64Array(spec.particles * spec.dims));
    this.positions = stateArray();
    // a potential from data: its rows are the kernel's last state array (shared with the workers, read-only)
    if (gradient?.kind === 'data' && this.kernelSource && potential.data) {
      const values = potential.data.values;
      this.data = shared ? new Float64Array(new SharedArrayBuffer(values.byteLength)) : values;
      if (shared) this.data.set(values);
    }
    const x = new Float64Array(this.dims);
    for (let i = 0; i < spec.particles; i++) {
      initParticle(spec.init, i, this.k0, this.k1, x);
      this.positions.set(x, i * this.dims);
    }
    this.invMass = inverseMass(spec.mass);
    if (INERTIAL.includes(spec.integrator)) {
      this.velocities = stateArray();
      for (let i = 0; i < spec.particles; i++) {
        initVelocity(spec, i, this.k0, this.k1, x);
        this.velocities.set(x, i * this.dims);
      }
    }
    if (METROPOLIS.includes(spec.integrator)) this.acceptance = { accepted: 0, proposed: 0 };
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
    const { spec } = this.problem;
    const n = spec.particles;
    const overdamped = spec.integrator === 'em' || spec.integrator === 'lm';
    const kernelCoef = overdamped ? coef : samplerCoefficients(spec.integrator, coef, spec.friction);
    const args = { step0, coef: kernelCoef, params: this.params, k0: this.k0, k1: this.k1 };
    const pool = await (this.pool ??= this.startPool(this.kernelSource));
    let sums: number[];
    if (pool && n >= 2 * MIN_PARTICLES_PER_THREAD) {
      this.threadsUsed = pool.threads;
      sums = await pool.run(n, args);
    } else {
      this.threadsUsed = 1;
      this.kernel ??= buildKernel(this.kernelSource);
      sums = runInline(this.kernel, this.state(), n, args);
    }
    // MALA and HMC kernels return the accepted moves of the call
    if (this.acceptance) {
      this.acceptance.accepted += sums[0];
      this.acceptance.proposed += n * (coef.length / 2);
    }
  }

  /** Workers for this problem, or undefined where one thread is all there is or all that is worth it. */
  private async startPool(source: RangeKernelSource): Promise<CpuPool | undefined> {
    // (a page that is not cross-origin isolated has no SharedArrayBuffer at all)
    if (typeof SharedArrayBuffer === 'undefined' || !(this.positions.buffer instanceof SharedArrayBuffer)) return undefined;
    const wanted = this.options.threads === undefined || this.options.threads === 'auto' ? await hardwareThreads() : this.options.threads;
    const threads = Math.min(wanted, Math.floor(this.problem.spec.particles / MIN_PARTICLES_PER_THREAD));
    if (threads < 2) return undefined;
    // no workers to be had (a sandbox, a worker limit): step on this thread, as the device string then says
    return CpuPool.create(threads, source, this.state()).catch(() => undefined);
  }

  /** The arrays a kernel reads and steps: positions, velocities (BAOAB, HMC), and the data last (a potential from data). */
  private state(): Float64Array[] {
    return [this.positions, ...(this.velocities ? [this.velocities] : []), ...(this.data ? [this.data] : [])];
  }

  /** The reference step (src/integrators/overdamped.ts), particle by particle on this thread. */
  private advanceReference(step0: number, coef: Float64Array): void {
    const { spec, potential } = this.problem;
    const D = this.dims;
    const ns = new NormalStream(this.k0, this.k1, Stream.noise);
    if (spec.integrator !== 'em' && spec.integrator !== 'lm') return this.advanceSampler(step0, coef, ns);
    const scratch = makeScratch(D);
    const m0 = step0 * D;
    const full: GradientFn = (x, g, p) => potential.gradient(x, g, p);
    const batch = spec.batch ? batchGradient(potential, spec.batch, [this.k0, this.k1]) : undefined;
    for (let i = 0; i < spec.particles; i++) {
      const x = this.positions.subarray(i * D, (i + 1) * D);
      ns.seek(i, m0);
      advanceParticle(spec.integrator, x, ns, coef, batch ? batch(i) : full, this.params, scratch, step0);
    }
  }

  /** BAOAB, MALA, HMC (src/integrators/inertial.ts, metropolis.ts). */
  private advanceSampler(step0: number, coef: Float64Array, ns: NormalStream): void {
    const { spec, potential } = this.problem;
    const D = this.dims;
    const c4 = samplerCoefficients(spec.integrator, coef, spec.friction);
    const s = makeMetropolisScratch(D);
    const full: GradientFn = (x, g, p) => potential.gradient(x, g, p);
    const batch = spec.batch ? batchGradient(potential, spec.batch, [this.k0, this.k1]) : undefined;
    let accepted = 0;
    for (let i = 0; i < spec.particles; i++) {
      const x = this.positions.subarray(i * D, (i + 1) * D);
      const v = this.velocities?.subarray(i * D, (i + 1) * D);
      ns.seek(i, step0 * D);
      const rng = { k0: this.k0, k1: this.k1, particle: i, step0, ns };
      if (spec.integrator === 'baoab') advanceBaoab(x, v!, ns, c4, batch ? batch(i) : full, this.params, this.invMass, s.g, step0);
      else if (spec.integrator === 'mala') accepted += advanceMala(x, rng, c4, potential.energy, potential.gradient, this.params, s);
      else accepted += advanceHmc(x, v!, rng, c4, spec.leapfrogSteps, potential.energy, potential.gradient, this.params, this.invMass, s);
    }
    if (this.acceptance) {
      this.acceptance.accepted += accepted;
      this.acceptance.proposed += spec.particles * (coef.length / 2);
    }
  }

  async velocityMoments(): Promise<VelocityMoments | undefined> {
    const v = this.velocities;
    if (!v) return undefined;
    const D = this.dims;
    const s1 = new Float64Array(D);
    const s2 = new Float64Array(D);
    let count = 0;
    for (let i = 0; i < this.problem.spec.particles; i++) {
      const row = v.subarray(i * D, (i + 1) * D);
      if (!row.every((x) => Number.isFinite(Math.fround(x)))) continue;
      count++;
      for (let d = 0; d < D; d++) {
        s1[d] += row[d];
        s2[d] += row[d] * row[d];
      }
    }
    return { count, mean: Array.from(s1, (x) => x / count), meanSquare: Array.from(s2, (x) => x / count) };
  }

  async takeAcceptance(): Promise<AcceptanceCounts | undefined> {
    const a = this.acceptance;
    if (!a) return undefined;
    this.acceptance = { accepted: 0, proposed: 0 };
    return a;
  }

  async readVelocities(): Promise<Float64Array | undefined> {
    return this.velocities?.slice();
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

  async covariance(shift: number[]): Promise<Covariance> {
    const D = this.dims;
    const sums = new Float64Array(covarianceRowLength(D));
    const dx = new Float64Array(D);
    for (let i = 0; i < this.problem.spec.particles; i++) {
      let bad = false;
      for (let d = 0; d < D; d++) {
        const v = this.positions[i * D + d];
        bad = bad || !Number.isFinite(Math.fround(v));
        dx[d] = v - shift[d];
      }
      if (bad) continue;
      sums[0] += 1;
      let q = 1 + D;
      for (let a = 0; a < D; a++) {
        sums[1 + a] += dx[a];
        for (let b = a; b < D; b++) sums[q++] += dx[a] * dx[b];
      }
    }
    return covarianceFromSums(sums, D, shift);
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
    this.velocities = undefined;
    this.data = undefined;
  }
}
