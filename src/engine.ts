/**
 * The engine: validate a spec, compile its potential, pick a backend, run the
 * steps in chunks of K fused steps, observe, and build the result JSON.
 */
import { CpuBackend, type CpuBackendOptions } from './cpu/backend.ts';
import { RuntimeFailure, SpecError } from './errors.ts';
import type { GpuContext } from './gpu/device.ts';
import { WebGpuBackend, type WebGpuBackendOptions } from './gpu/backend.ts';
import type { Backend, BackendKind, Moments } from './backend.ts';
import { compilePotential, CATALOG, type CompiledPotential } from './potential/index.ts';
import { temperatureAt } from './schedule.ts';
import { validateSpec, type RunSpec } from './spec.ts';
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
    meanEnergy: number;
    nonFinite: number;
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
   * Change the step size from the next step on. No recompilation.
   * @param h step size, time units, finite and > 0
   * @throws SpecError for h ≤ 0 or non-finite
   */
  setStepSize(h: number): void {
    if (!(Number.isFinite(h) && h > 0)) throw new SpecError('dt', h, 'must be a finite number > 0');
    this.spec.dt = h;
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
    const end = this.step + count;
    const K = this.stepsPerDispatch;
    const t0 = performance.now();
    while (this.step < end) {
      const k = Math.min(K, end - this.step);
      const coef = new Float64Array(2 * k);
      for (let j = 0; j < k; j++) {
        const T = this.temperatureAt(this.step + j);
        coef[2 * j] = this.spec.dt;
        coef[2 * j + 1] = Math.sqrt(2 * this.spec.dt * T);
      }
      await this.backend.advance(this.step, coef);
      this.step += k;
      onProgress?.(this.step, this.spec.steps);
    }
    this.elapsedMs += performance.now() - t0;
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

  private async observeTrace(histogram: HistogramCounts | undefined): Promise<void> {
    const m = await this.moments();
    const T = this.temperatureAfter(this.step);
    const row: TraceRow = { step: this.step, temperature: T, meanEnergy: m.meanEnergy, bestEnergy: this.best.energy, nonFinite: m.nonFinite };
    if (histogram) {
      const ref = this.reference(T);
      if ('probabilities' in ref) row.kl = divergences(histogram.counts, ref.probabilities).kl;
    }
    if (this.spec.observe.target) row.inTarget = m.inside / this.spec.particles;
    this.trace.push(row);
  }

  /** Run the remaining steps, observing on the way, and build the result. */
  async run(onProgress?: ProgressFn): Promise<RunResult> {
    const { spec } = this;
    const snapshots = new Set(snapshotSteps(spec));
    const traces = new Set(traceSteps(spec));
    const events = [...new Set([...snapshots, ...traces, spec.steps])].filter((s) => s >= this.step).sort((a, b) => a - b);
    for (const s of events) {
      await this.advance(s - this.step, onProgress);
      const needHistogram = snapshots.has(s) || (traces.has(s) && spec.histogram !== undefined);
      let h: HistogramCounts | undefined;
      if (needHistogram) {
        const t0 = performance.now();
        h = await this.backend.histogram();
        this.elapsedMs += performance.now() - t0;
      }
      if (snapshots.has(s)) this.accumulator!.add(s, h!);
      if (traces.has(s)) await this.observeTrace(h);
    }
    const m = await this.moments();
    return this.buildResult(m);
  }

  private buildResult(m: Moments): RunResult {
    const { spec } = this;
    const warnings: string[] = [];
    const notes: string[] = [];
    if (m.nonFinite > 0) {
      warnings.push(`${m.nonFinite} of ${spec.particles} particles became non-finite: the step is too large for this potential; lower dt (now ${spec.dt}).`);
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
        temperature: this.temperatureAfter(this.step),
        mean: m.mean,
        variance: m.variance,
        meanEnergy: m.meanEnergy,
        nonFinite: m.nonFinite,
      },
      best: this.best,
      notes,
      warnings,
    };
    const { target, radius } = spec.observe;
    if (target && radius) result.target = { x: target, radius, fraction: m.inside / spec.particles };
    if (this.trace.length > 0) result.trace = this.trace;
    const h = spec.histogram;
    const acc = this.accumulator;
    if (h && acc) {
      result.histogram = { dims: h.dims, bins: h.bins, low: h.low, high: h.high, counts: Array.from(acc.counts), samples: acc.samples, outside: acc.outside, snapshots: acc.snapshots };
      if (acc.snapshots.length === 0) {
        notes.push('no histogram snapshot was taken (histogram.from is after the last step)');
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
