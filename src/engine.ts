/**
 * The engine: validate a spec, compile its potential, pick a backend, run the
 * steps in chunks of K fused steps, observe, and build the result JSON.
 */
import { CpuBackend } from './cpu/backend.ts';
import { RuntimeFailure } from './errors.ts';
import type { GpuContext } from './gpu/device.ts';
import { WebGpuBackend, type WebGpuBackendOptions } from './gpu/backend.ts';
import type { Backend, BackendKind, Moments } from './backend.ts';
import { compilePotential, CATALOG, type CompiledPotential } from './potential/index.ts';
import { temperatureAt } from './schedule.ts';
import { validateSpec, type RunSpec } from './spec.ts';

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

  private constructor(readonly spec: RunSpec, readonly potential: CompiledPotential, readonly backend: Backend) {
    const init = spec.init;
    this.shift = init.kind === 'normal' ? init.mean : init.kind === 'uniform' ? init.low.map((l, i) => (l + init.high[i]) / 2) : init.x;
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

  /** Moments of the ensemble now (GPU reduction; float64 sums on the host). */
  async moments(): Promise<Moments> {
    const t0 = performance.now();
    const m = await this.backend.moments(this.shift);
    if (m.mean.every(Number.isFinite)) this.shift = m.mean;
    this.elapsedMs += performance.now() - t0;
    return m;
  }

  /** Run the remaining steps and build the result. */
  async run(onProgress?: ProgressFn): Promise<RunResult> {
    await this.advance(this.spec.steps - this.step, onProgress);
    const m = await this.moments();
    const { spec } = this;
    const warnings: string[] = [];
    if (m.nonFinite > 0) {
      warnings.push(`${m.nonFinite} of ${spec.particles} particles became non-finite: the step is too large for this potential; lower dt (now ${spec.dt}).`);
    }
    const particleSteps = spec.particles * this.step;
    return {
      backend: this.backend.kind,
      device: this.backend.device,
      software: this.backend.software,
      particles: spec.particles,
      dims: spec.dims,
      steps: this.step,
      elapsedMs: round(this.elapsedMs, 3),
      particleStepsPerSecond: this.elapsedMs > 0 ? Math.round(particleSteps / (this.elapsedMs / 1000)) : 0,
      final: {
        temperature: this.temperatureAt(Math.max(0, this.step - 1)),
        mean: m.mean,
        variance: m.variance,
        meanEnergy: m.meanEnergy,
        nonFinite: m.nonFinite,
      },
      warnings,
    };
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
  if (kind === 'cpu') return new CpuBackend(prepared);
  if (!options.gpu) {
    if (kind === 'webgpu') throw new RuntimeFailure('backend "webgpu" was asked for but no WebGPU device provider was given');
    options.onNotice?.('no WebGPU provider here; running on the CPU backend');
    return new CpuBackend(prepared);
  }
  let ctx: GpuContext;
  try {
    ctx = await options.gpu();
  } catch (e) {
    if (kind === 'webgpu' || !(e instanceof RuntimeFailure)) throw e;
    options.onNotice?.(`${e.message.split('. ')[0]}; running on the CPU backend instead`);
    return new CpuBackend(prepared);
  }
  try {
    return await WebGpuBackend.create(ctx, prepared, { ownsDevice: true, ...options.webgpu });
  } catch (e) {
    ctx.device.destroy();
    throw e;
  }
}
