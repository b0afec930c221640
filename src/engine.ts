/**
 * The engine: validate a spec, compile its potential, pick a backend, run the
 * steps in chunks of K fused steps, observe, and build the result JSON.
 */
import { CpuBackend, type CpuBackendOptions } from './cpu/backend.ts';
import { RuntimeFailure, SpecError } from './errors.ts';
import type { GpuContext } from './gpu/device.ts';
import { WebGpuBackend, type WebGpuBackendOptions } from './gpu/backend.ts';
import type { Backend, BackendKind, Covariance, Moments, VelocityMoments } from './backend.ts';
import type { RenderView } from './gpu/renderView.ts';
import { effectiveTemperature, hessian } from './stats/sgd.ts';
import { compilePotential, CATALOG, type CompiledPotential } from './potential/index.ts';
import { scheduleAt, temperatureAt } from './schedule.ts';
import { INERTIAL, METROPOLIS, validateSpec, type RunSpec } from './spec.ts';
import { boltzmannReference, type BoltzmannResult } from './stats/boltzmann.ts';
import { divergences, klFloor } from './stats/divergence.ts';
import type { HistogramCounts } from './stats/binning.ts';
import {
  HistogramAccumulator,
  snapshotSteps,
  traceSteps,
  type BestSection,
  type BoltzmannSection,
  type DivergenceSection,
  type HistogramResult,
  type TraceRow,
} from './observe.ts';

/** The result JSON (README "Result"): a public contract. */
export interface RunResult {
  backend: BackendKind;
  device: string;
  software: boolean;
  particles: number;
  dims: number;
  steps: number;
  /** wall time of the stepping and observation, milliseconds */
  elapsedMs: number;
  particleStepsPerSecond: number;
  final: {
    temperature: number;
    mean: number[];
    variance: number[];
    /** ensemble mean of the energy: for a potential from data, the full-data loss prior + Σ_i example_i */
    meanEnergy: number;
    nonFinite: number;
    /** mala, hmc: fraction of all proposed moves of the run that were accepted */
    acceptanceRate?: number;
    /** baoab, hmc: per coordinate ⟨v_d²⟩ − ⟨v_d⟩², (length/time)² */
    velocityVariance?: number[];
    /** baoab, hmc: Σ_d m_d⟨v_d²⟩ / D, energy units (equals T at equilibrium up to the O(h²) bias of BAOAB) */
    kineticTemperature?: number;
    /** baoab, hmc: mean potential plus mean kinetic energy ½Σ_d m_d⟨v_d²⟩, energy units */
    totalEnergy?: number;
    /** baoab with friction 0: totalEnergy now minus totalEnergy at step 0, energy units */
    energyDrift?: number;
    /** D × D population covariance of the positions (particles with finite coordinates) */
    covariance?: number[][];
    /**
     * Mini-batch runs at T = 0 (SGD): tr(HΣ)/D, H the full-data Hessian at the
     * ensemble mean, Σ `covariance`: the Langevin temperature with the same
     * H-weighted spread (src/stats/sgd.ts)
     */
    effectiveTemperature?: number;
  };
  /** lowest energy any particle had at an observation, where and when */
  best: BestSection;
  /** fraction of particles within observe.radius of observe.target at the end */
  target?: { x: number[]; radius: number; fraction: number };
  histogram?: HistogramResult;
  boltzmann?: BoltzmannSection;
  divergence?: DivergenceSection;
  trace?: TraceRow[];
  /** explanations (e.g. why there is no Boltzmann reference) */
  notes: string[];
  /** messages a user should read (e.g. a blow-up) */
  warnings: string[];
  /** present only when the run stopped before `stepsPlanned`: `steps` is then the number of steps done */
  partial?: PartialSection;
}

/** Why a result covers fewer steps than the spec asked for. */
export interface PartialSection {
  /** 'cancelled': the caller aborted (RunOptions.signal); 'interrupted': rebuilt from saved observations after a lost device or a closed page */
  reason: 'cancelled' | 'interrupted';
  /** the spec's steps */
  stepsPlanned: number;
}

/**
 * What a run has observed so far: host data only (no GPU object), enough to
 * rebuild a (partial) result with `Simulation.resultFromObservations` after
 * the device is gone. Structured-cloneable (IndexedDB, postMessage).
 */
export interface Observations {
  backend: BackendKind;
  device: string;
  software: boolean;
  /** steps done */
  step: number;
  /** wall time of stepping and observation so far, milliseconds */
  elapsedMs: number;
  trace: TraceRow[];
  best: BestSection;
  /** the histogram snapshots summed so far (float64 counts, row-major) */
  histogram?: { counts: Float64Array; outside: number; snapshots: number[] };
  /** the latest ensemble moments and the step they were taken at */
  moments?: Moments & { step: number };
}

/** Options of `Simulation.run`. */
export interface RunOptions {
  /** steps done out of total, after every chunk */
  onProgress?: ProgressFn;
  /** abort to stop after the chunk in flight: `run` then resolves with the partial result (`partial.reason` 'cancelled') */
  signal?: AbortSignal;
  /**
   * Called after every chunk and awaited before the next is submitted: a page
   * yields to the browser here, or saves the observations. `observations` is a
   * live view (its arrays change as the run goes on): copy what you keep.
   * Its time is not counted in `elapsedMs`.
   */
  onChunk?: (observations: Observations) => void | Promise<void>;
  /** each trace row, as it is observed */
  onTrace?: (row: TraceRow) => void;
  /**
   * At most this many steps per backend call (default and maximum: `stepsPerDispatch`); a function is
   * asked before every chunk (e.g. to keep a CPU-backend chunk within a frame). Results do not depend on it.
   */
  maxStepsPerChunk?: number | (() => number);
  /**
   * Compute the Boltzmann reference of the spec's histogram at temperature T elsewhere, e.g. in a Worker
   * running `boltzmannReference(prepare(spec).potential, spec.histogram, T)` (the quadrature takes 0.1–1 s
   * and would block a page). Default: computed on this thread. Asked once per temperature.
   */
  reference?: (T: number) => Promise<BoltzmannResult>;
}

/** A validated spec with its compiled potential: everything checked before any GPU work. */
export interface Prepared {
  spec: RunSpec;
  potential: CompiledPotential;
}

/**
 * Validate a raw spec (parsed JSON) and compile its potential.
 * @throws SpecError (or PotentialError) naming the field, the value and what is allowed
 */
export function prepare(raw: unknown): Prepared {
  const fixedDims = (name: string) => {
    const d = CATALOG.find((c) => c.name === name)?.dims;
    return typeof d === 'number' ? d : undefined;
  };
  const spec = validateSpec(raw, fixedDims);
  const potential = compilePotential(spec.potential, spec.dims, 'potential');
  return { spec, potential };
}

export interface SimulationOptions {
  /** 'auto' (default): webgpu when an adapter exists, else cpu with a notice */
  backend?: 'auto' | BackendKind;
  /** how to get a WebGPU device here (Node: nodeGpuContext; browser: browserGpuContext) */
  gpu?: () => Promise<GpuContext>;
  /** one-line notices (e.g. falling back to the CPU) */
  onNotice?: (message: string) => void;
  webgpu?: WebGpuBackendOptions;
  /** CPU backend: threads ('auto' = all cores, 1 = this thread, 0 = the reference step) */
  cpu?: CpuBackendOptions;
}

/** Progress of a run: steps done out of total. */
export type ProgressFn = (done: number, total: number) => void;

/**
 * A running ensemble. OpenMM-like surface: create, run, read results, destroy.
 * @example
 * const sim = await Simulation.create({potential: {name: 'double-well'}, dt: 1e-3, steps: 1000}, {gpu: nodeGpuContext});
 * const result = await sim.run();
 * sim.destroy();
 */
export class Simulation {
  /** steps done so far */
  step = 0;
  private elapsedMs = 0;
  private shift: number[];
  private best: BestSection = { energy: Infinity, x: [], step: 0 };
  private readonly trace: TraceRow[] = [];
  private readonly accumulator?: HistogramAccumulator;
  private readonly references = new Map<number, BoltzmannResult>();
  private lastMoments?: Moments & { step: number };
  /** accepted / proposed Metropolis moves of the whole run */
  private readonly acceptance = { accepted: 0, proposed: 0 };
  /** mean total energy at step 0 (baoab with friction 0) */
  private initialTotalEnergy: number | undefined;

  private constructor(readonly spec: RunSpec, readonly potential: CompiledPotential, readonly backend: Backend) {
    const init = spec.init;
    this.shift = init.kind === 'normal' ? init.mean : init.kind === 'uniform' ? init.low.map((l, i) => (l + init.high[i]) / 2) : init.x;
    if (spec.histogram) this.accumulator = new HistogramAccumulator(spec.histogram.bins.reduce((a, b) => a * b, 1));
  }

  /**
   * Validate, compile and allocate.
   * @throws SpecError for bad input (before any GPU work); RuntimeFailure when no backend can run it
   */
  static async create(raw: unknown | Prepared, options: SimulationOptions = {}): Promise<Simulation> {
    const prepared = isPrepared(raw) ? raw : prepare(raw);
    const backend = await createBackend(prepared, options);
    return new Simulation(prepared.spec, prepared.potential, backend);
  }

  /** Temperature of step n under the spec's schedule. */
  temperatureAt(n: number): number {
    return temperatureAt(this.spec.temperature, n, this.spec.steps);
  }

  /** Step size h of step n (time units) under the spec's dt (a number or a schedule). */
  stepSizeAt(n: number): number {
    return this.spec.dtSchedule ? scheduleAt(this.spec.dtSchedule, n, this.spec.steps) : this.spec.dt;
  }

  /**
   * Change the temperature from the next step on (a constant; replaces any schedule). No recompilation.
   * @param T temperature, energy units (k_B = 1), finite and ≥ 0
   * @throws SpecError for a negative or non-finite T
   */
  setTemperature(T: number): void {
    if (!(Number.isFinite(T) && T >= 0)) throw new SpecError('temperature', T, 'must be a finite number ≥ 0');
    this.spec.temperature = T;
    this.references.clear();
  }

  /**
   * Change the step size from the next step on (a constant; replaces any schedule). No recompilation.
   * @param h step size, time units, finite and > 0
   * @throws SpecError for h ≤ 0 or non-finite
   */
  setStepSize(h: number): void {
    if (!(Number.isFinite(h) && h > 0)) throw new SpecError('dt', h, 'must be a finite number > 0');
    this.spec.dt = h;
    delete this.spec.dtSchedule;
  }

  /** Temperature of the state after `done` steps: that of the last step taken (T(0) before any). */
  temperatureAfter(done: number): number {
    return this.temperatureAt(Math.max(0, done - 1));
  }

  /** Steps per dispatch in use. */
  get stepsPerDispatch(): number {
    return this.spec.stepsPerDispatch ?? this.backend.preferredStepsPerDispatch;
  }

  /**
   * Advance `count` steps (default: to the end of the run) in chunks of K fused steps.
   */
  async advance(count = this.spec.steps - this.step, onProgress?: ProgressFn): Promise<void> {
    await this.advanceChunks(count, { onProgress });
  }

  /** advance() with run options: stops early (between chunks) once `signal` is aborted. */
  private async advanceChunks(count: number, options: RunOptions): Promise<void> {
    const end = this.step + count;
    const cap = options.maxStepsPerChunk;
    let t0 = performance.now();
    while (this.step < end && !options.signal?.aborted) {
      const K = Math.max(1, Math.floor(Math.min(this.stepsPerDispatch, (typeof cap === 'function' ? cap() : cap) ?? Infinity)));
      const k = Math.min(K, end - this.step);
      const coef = new Float64Array(2 * k);
      for (let j = 0; j < k; j++) {
        const T = this.temperatureAt(this.step + j);
        const h = this.stepSizeAt(this.step + j);
        coef[2 * j] = h;
        coef[2 * j + 1] = Math.sqrt(2 * h * T);
      }
      await this.backend.advance(this.step, coef);
      this.step += k;
      options.onProgress?.(this.step, this.spec.steps);
      if (options.onChunk) {
        this.elapsedMs += performance.now() - t0;
        await options.onChunk(this.observations);
        t0 = performance.now();
      }
    }
    this.elapsedMs += performance.now() - t0;
  }

  /** What the run has observed so far (a live view; see `Observations`). */
  get observations(): Observations {
    const acc = this.accumulator;
    return {
      backend: this.backend.kind,
      device: this.backend.device,
      software: this.backend.software,
      step: this.step,
      elapsedMs: this.elapsedMs,
      trace: this.trace,
      best: this.best,
      ...(acc ? { histogram: { counts: acc.counts, outside: acc.outside, snapshots: acc.snapshots } } : {}),
      ...(this.lastMoments ? { moments: this.lastMoments } : {}),
    };
  }

  /**
   * The (partial) result of a run from its saved observations, with no device:
   * e.g. after the GPU was lost or the page closed mid-run. `final` holds the
   * moments of the last observation (a note says which step); `partial.reason`
   * is 'interrupted'.
   * @param prepared the run's spec, prepared again (`prepare(rawSpec)`)
   */
  static resultFromObservations(prepared: Prepared, saved: Observations): RunResult {
    const stub: Backend = {
      kind: saved.backend,
      device: saved.device,
      software: saved.software,
      preferredStepsPerDispatch: 1,
      advance: () => Promise.reject(new Error('a result rebuilt from observations cannot run')),
      finish: () => Promise.resolve(),
      moments: () => Promise.reject(new Error('no device')),
      histogram: () => Promise.reject(new Error('no device')),
      readParticle: () => Promise.reject(new Error('no device')),
      readPositions: () => Promise.reject(new Error('no device')),
      velocityMoments: () => Promise.resolve(undefined),
      takeAcceptance: () => Promise.resolve(undefined),
      readVelocities: () => Promise.resolve(undefined),
      covariance: () => Promise.reject(new Error('no device')),
      setPotentialParams: () => {},
      destroy: () => {},
    };
    const sim = new Simulation(prepared.spec, prepared.potential, stub);
    sim.step = saved.step;
    sim.elapsedMs = saved.elapsedMs;
    sim.trace.push(...saved.trace);
    sim.best = saved.best;
    if (sim.accumulator && saved.histogram) {
      sim.accumulator.counts.set(saved.histogram.counts);
      sim.accumulator.outside = saved.histogram.outside;
      sim.accumulator.snapshots.push(...saved.histogram.snapshots);
    }
    const D = prepared.spec.dims;
    const m: Moments = saved.moments ?? { count: 0, nonFinite: 0, mean: new Array(D).fill(NaN), variance: new Array(D).fill(NaN), meanEnergy: NaN, inside: 0, best: { energy: Infinity, index: -1 } };
    const momentsStep = saved.moments?.step ?? saved.step;
    const result = sim.buildResult(m, undefined, undefined, momentsStep, 'interrupted');
    result.notes.push(
      saved.moments
        ? `final holds the moments of step ${momentsStep}, the last observation saved before the run was interrupted at step ${saved.step}`
        : `no moments were observed before the run was interrupted at step ${saved.step} (set observe.every for a trace): final.mean and final.variance are unknown (null)`,
    );
    return result;
  }

  /** The lowest energy any particle had at an observation so far, where and when. */
  get bestSoFar(): BestSection {
    return this.best;
  }

  /** Moments of the ensemble now (GPU reduction; float64 sums on the host); updates `best`. */
  async moments(): Promise<Moments> {
    const t0 = performance.now();
    const { target, radius } = this.spec.observe;
    const m = await this.backend.moments(this.shift, target && radius ? { target, radius } : undefined);
    if (m.mean.every(Number.isFinite)) this.shift = m.mean;
    this.lastMoments = { ...m, step: this.step };
    if (m.best.index >= 0 && m.best.energy < this.best.energy) {
      this.best = { energy: m.best.energy, x: await this.backend.readParticle(m.best.index), step: this.step };
    }
    this.elapsedMs += performance.now() - t0;
    return m;
  }

  /** The Boltzmann reference of the spec's histogram at temperature T (cached per T). */
  reference(T: number): BoltzmannResult {
    const h = this.spec.histogram;
    if (!h) throw new Error('no histogram in the spec');
    let r = this.references.get(T);
    if (!r) {
      r = boltzmannReference(this.potential, h, T);
      this.references.set(T, r);
    }
    return r;
  }

  /** reference(T), from the cache, else from `compute` when given (then cached), else computed here. */
  private async referenceFrom(T: number, compute: RunOptions['reference']): Promise<BoltzmannResult> {
    const cached = this.references.get(T);
    if (cached || !compute) return cached ?? this.reference(T);
    const r = await compute(T);
    this.references.set(T, r);
    return r;
  }

  /**
   * Acceptance rate of the Metropolis moves since the previous call (undefined
   * for integrators without an accept test, or when no move was proposed).
   */
  async acceptanceSinceLast(): Promise<number | undefined> {
    const a = await this.backend.takeAcceptance();
    if (!a) return undefined;
    this.acceptance.accepted += a.accepted;
    this.acceptance.proposed += a.proposed;
    return a.proposed > 0 ? a.accepted / a.proposed : undefined;
  }

  /** Velocity moments with the derived kinetic quantities (baoab, hmc), else undefined. */
  async kinetic(): Promise<(VelocityMoments & { kineticEnergy: number; kineticTemperature: number; variance: number[] }) | undefined> {
    const vm = await this.backend.velocityMoments();
    if (!vm) return undefined;
    const mass = this.spec.mass;
    const twice = vm.meanSquare.reduce((acc, v2, d) => acc + mass[d] * v2, 0);
    return { ...vm, kineticEnergy: 0.5 * twice, kineticTemperature: twice / this.spec.dims, variance: vm.meanSquare.map((v2, d) => Math.max(0, v2 - vm.mean[d] ** 2)) };
  }

  private async observeTrace(histogram: HistogramCounts | undefined, compute?: RunOptions['reference']): Promise<TraceRow> {
    const m = await this.moments();
    const T = this.temperatureAfter(this.step);
    const row: TraceRow = { step: this.step, temperature: T, meanEnergy: m.meanEnergy, bestEnergy: this.best.energy, nonFinite: m.nonFinite };
    const rate = await this.acceptanceSinceLast();
    if (rate !== undefined) row.acceptanceRate = rate;
    const kin = await this.kinetic();
    if (kin) row.kineticTemperature = kin.kineticTemperature;
    if (histogram) {
      const ref = await this.referenceFrom(T, compute);
      if ('probabilities' in ref) row.kl = divergences(histogram.counts, ref.probabilities).kl;
    }
    if (this.spec.observe.target) row.inTarget = m.inside / this.spec.particles;
    this.trace.push(row);
    return row;
  }

  /**
   * Run the remaining steps, observing on the way, and build the result.
   * @param options a progress callback, or RunOptions (cancel, per-chunk and per-trace-row callbacks)
   * @example
   * const stop = new AbortController();
   * const result = await sim.run({ signal: stop.signal, onTrace: (row) => console.log(row.step, row.kl) });
   * // stop.abort() elsewhere: result.partial = { reason: 'cancelled', stepsPlanned }, result.steps = steps done
   */
  async run(options: ProgressFn | RunOptions = {}): Promise<RunResult> {
    const opts: RunOptions = typeof options === 'function' ? { onProgress: options } : options;
    const { spec } = this;
    const snapshots = new Set(snapshotSteps(spec));
    const traces = new Set(traceSteps(spec));
    const events = [...new Set([...snapshots, ...traces, spec.steps])].filter((s) => s >= this.step).sort((a, b) => a - b);
    if (this.step === 0 && spec.integrator === 'baoab' && spec.friction === 0 && this.initialTotalEnergy === undefined) {
      const [m0, k0] = [await this.moments(), await this.kinetic()];
      this.initialTotalEnergy = m0.meanEnergy + k0!.kineticEnergy;
    }
    for (const s of events) {
      await this.advanceChunks(s - this.step, opts);
      if (this.step < s) break; // aborted
      const needHistogram = snapshots.has(s) || (traces.has(s) && spec.histogram !== undefined);
      let h: HistogramCounts | undefined;
      if (needHistogram) {
        const t0 = performance.now();
        h = await this.backend.histogram();
        this.elapsedMs += performance.now() - t0;
      }
      if (snapshots.has(s)) this.accumulator!.add(s, h!);
      if (traces.has(s)) {
        const row = await this.observeTrace(h, opts.reference);
        opts.onTrace?.(row);
      }
      if (opts.signal?.aborted) break;
    }
    const m = await this.moments();
    await this.acceptanceSinceLast();
    const kin = await this.kinetic();
    const t0 = performance.now();
    const cov = await this.backend.covariance(m.mean.every(Number.isFinite) ? m.mean : this.shift);
    this.elapsedMs += performance.now() - t0;
    const snaps = this.accumulator?.snapshots ?? [];
    if (snaps.length > 0) await this.referenceFrom(this.temperatureAfter(snaps[snaps.length - 1]), opts.reference); // the one buildResult uses
    return this.buildResult(m, kin, cov, this.step, this.step < spec.steps ? 'cancelled' : undefined);
  }

  /**
   * @param kin velocity moments (inertial integrators), if known
   * @param cov the positions' covariance, if known (not in a result rebuilt from saved observations)
   * @param momentsStep the step `m` was taken at (final.temperature is that step's)
   * @param partial why the run stopped early, if it did
   */
  private buildResult(m: Moments, kin: Awaited<ReturnType<Simulation['kinetic']>>, cov: Covariance | undefined, momentsStep = this.step, partial?: PartialSection['reason']): RunResult {
    const { spec } = this;
    const warnings: string[] = [];
    const notes: string[] = [];
    if (m.nonFinite > 0) {
      warnings.push(`${m.nonFinite} of ${spec.particles} particles became non-finite: the step is too large for this potential; lower dt (now ${spec.dtSchedule ? JSON.stringify(spec.dtSchedule) : spec.dt}).`);
    }
    const particleSteps = spec.particles * this.step;
    const result: RunResult = {
      backend: this.backend.kind,
      device: this.backend.device,
      software: this.backend.software,
      particles: spec.particles,
      dims: spec.dims,
      steps: this.step,
      elapsedMs: round(this.elapsedMs, 3),
      particleStepsPerSecond: this.elapsedMs > 0 ? Math.round(particleSteps / (this.elapsedMs / 1000)) : 0,
      final: {
        temperature: this.temperatureAfter(momentsStep),
        mean: m.mean,
        variance: m.variance,
        meanEnergy: m.meanEnergy,
        nonFinite: m.nonFinite,
        ...(cov ? { covariance: cov.matrix } : {}),
      },
      best: this.best,
      notes,
      warnings,
    };
    if (METROPOLIS.includes(spec.integrator) && this.acceptance.proposed > 0) result.final.acceptanceRate = this.acceptance.accepted / this.acceptance.proposed;
    if (kin && INERTIAL.includes(spec.integrator)) {
      result.final.velocityVariance = kin.variance;
      result.final.kineticTemperature = kin.kineticTemperature;
      result.final.totalEnergy = m.meanEnergy + kin.kineticEnergy;
      if (this.initialTotalEnergy !== undefined) result.final.energyDrift = result.final.totalEnergy - this.initialTotalEnergy;
    }
    if (cov && spec.batch && result.final.temperature === 0 && cov.count > 1 && cov.mean.every(Number.isFinite)) {
      const H = hessian(this.potential, cov.mean);
      result.final.effectiveTemperature = effectiveTemperature(H, cov.matrix);
      notes.push(`effectiveTemperature = tr(HΣ)/D = ${result.final.effectiveTemperature.toPrecision(4)}: H is the Hessian of the full-data energy at the ensemble mean, Σ the ensemble covariance; Langevin dynamics at temperature T in a quadratic loss gives Σ = T·H⁻¹ (small steps), so this is the temperature the mini-batch noise acts as`);
    }
    const { target, radius } = spec.observe;
    if (target && radius) result.target = { x: target, radius, fraction: m.inside / spec.particles };
    if (partial) result.partial = { reason: partial, stepsPlanned: spec.steps };
    if (this.trace.length > 0) result.trace = this.trace;
    const h = spec.histogram;
    const acc = this.accumulator;
    if (h && acc) {
      result.histogram = { dims: h.dims, bins: h.bins, low: h.low, high: h.high, counts: Array.from(acc.counts), samples: acc.samples, outside: acc.outside, snapshots: acc.snapshots };
      if (acc.snapshots.length === 0) {
        notes.push(partial ? `no histogram snapshot was taken before the run stopped at step ${this.step}` : 'no histogram snapshot was taken (histogram.from is after the last step)');
      } else {
        const temps = acc.snapshots.map((s) => this.temperatureAfter(s));
        const T = temps[temps.length - 1];
        if (temps.some((t) => t !== T)) notes.push(`the temperature changed between snapshots (${Math.min(...temps)} to ${Math.max(...temps)}); the Boltzmann reference is at the last snapshot's temperature ${T}`);
        const ref = this.reference(T);
        if ('note' in ref) {
          notes.push(`no Boltzmann reference: ${ref.note}`);
        } else {
          result.boltzmann = { temperature: T, probabilities: Array.from(ref.probabilities), method: ref.method };
          const correlated = acc.snapshots.length > 1;
          const d = divergences(acc.counts, ref.probabilities, { correlated });
          const populated = ref.probabilities.filter((p) => p > 0).length;
          result.divergence = { kl: d.kl, tv: d.tv, chi2: d.chi2, dof: d.dof, pValue: d.pValue, klFloor: klFloor(populated, acc.samples).mean, ...(d.note ? { note: d.note } : {}) };
        }
      }
    }
    return result;
  }

  /**
   * The device and particle buffers a renderer draws from, on the WebGPU
   * backend (undefined on the CPU backend). Owned by the simulation: valid until `destroy()`.
   */
  get renderView(): RenderView | undefined {
    return this.backend.renderView;
  }

  /** Resolves with a message if the GPU device is lost (never, on the CPU backend). The app decides what to do. */
  get lost(): Promise<string> {
    return this.backend instanceof WebGpuBackend ? this.backend.lost : new Promise<string>(() => {});
  }

  /** Free the backend (and the device, if the simulation acquired it). Safe twice. */
  destroy(): void {
    this.backend.destroy();
  }
}

function isPrepared(x: unknown): x is Prepared {
  return typeof x === 'object' && x !== null && 'spec' in x && 'potential' in x && typeof (x as Prepared).potential.energy === 'function';
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

async function createBackend(prepared: Prepared, options: SimulationOptions): Promise<Backend> {
  const kind = options.backend ?? 'auto';
  if (kind === 'cpu') return new CpuBackend(prepared, options.cpu);
  if (!options.gpu) {
    if (kind === 'webgpu') throw new RuntimeFailure('backend "webgpu" was asked for but no WebGPU device provider was given');
    options.onNotice?.('no WebGPU provider here; running on the CPU backend');
    return new CpuBackend(prepared, options.cpu);
  }
  let ctx: GpuContext;
  try {
    ctx = await options.gpu();
  } catch (e) {
    if (kind === 'webgpu' || !(e instanceof RuntimeFailure)) throw e;
    options.onNotice?.(`${e.message.split('. ')[0]}; running on the CPU backend instead`);
    return new CpuBackend(prepared, options.cpu);
  }
  try {
    return await WebGpuBackend.create(ctx, prepared, { ownsDevice: true, ...options.webgpu });
  } catch (e) {
    ctx.device.destroy();
    throw e;
  }
}
