/**
 * The engine's public surface: `Simulation` (create, run, advance,
 * setTemperature, destroy) over the parts in src/run/: the protocol (T and h
 * per step, coefficients), the chunk loop, the Observer and its
 * observations value, the Boltzmann references, and `buildResult`.
 */
import { momentsOf, type Backend, type BackendState, type Moments, type ParticleRange } from './backend.ts';
import { emptyMomentSums } from './sums.ts';
import type { RenderView } from './gpu/renderView.ts';
import { INTEGRATOR_TABLE } from './integrators/table.ts';
import type { CompiledPotential } from './potential/index.ts';
import type { RunSpec } from './spec.ts';
import type { BoltzmannResult } from './stats/boltzmann.ts';
import { createBackend } from './run/backends.ts';
import { advanceChunks, equilibrate, type ChunkLoop } from './run/chunks.ts';
import { hasKinetics, kineticsSectionsOf } from './run/kinetics.ts';
import { snapshotSteps, traceSteps, type Observations } from './run/observations.ts';
import { Observer } from './run/observer.ts';
import type { ProgressFn, RunOptions, SimulationOptions } from './run/options.ts';
import { isPrepared, prepare, type Prepared } from './run/prepare.ts';
import { Protocol, temperatureAfter } from './run/protocol.ts';
import { BoltzmannReferences } from './run/references.ts';
import { buildResult, type FinalState, type RunResult } from './run/result.ts';
import type { BestSection } from './run/sections.ts';
import { causeAt, probe, visitedBox, type Cause } from './run/diagnosis.ts';
import { provenance } from './provenance.ts';
import { normalisedSpec, type SpecJson } from './run/specJson.ts';
import { checkRange } from './run/shards.ts';
import { recordingBackend, type ReplayBackend, type ShardLog } from './run/shardLog.ts';

export { prepare, type Prepared } from './run/prepare.ts';

/** A simulation's state between chunks (`Simulation.checkpoint`, `Simulation.resume`). */
export interface SimulationState {
  observations: Observations;
  backend: BackendState;
  /** a shard's log so far */
  shardLog?: ShardLog;
}
export type { RunResult, PartialSection } from './run/result.ts';
export type { Observations } from './run/observations.ts';
export type { ProgressFn, RunOptions, SimulationOptions } from './run/options.ts';

/**
 * A running ensemble. OpenMM-like surface: create, run, read results, destroy.
 * @example
 * const sim = await Simulation.create({potential: {name: 'double-well'}, dt: 1e-3, steps: 1000}, {gpu: nodeGpuContext});
 * const result = await sim.run();
 * sim.destroy();
 */
export class Simulation {
  private readonly protocol: Protocol;
  private readonly observer: Observer;
  private readonly references: BoltzmannReferences;
  /** setTemperature and setStepSize calls, for the result's note: its `spec` no longer says what ran */
  private readonly changes: string[] = [];
  /** the normalised spec as created (setTemperature and setStepSize change `spec` in place) */
  private readonly startSpec: SpecJson;

  private constructor(
    readonly spec: RunSpec,
    readonly potential: CompiledPotential,
    readonly backend: Backend,
    /** a shard's record of its reductions (a run over `SimulationOptions.range`) */
    readonly shardLog?: ShardLog,
    range?: ParticleRange,
  ) {
    this.protocol = new Protocol(spec, potential);
    this.observer = new Observer(spec, backend, range);
    this.references = new BoltzmannReferences(potential, spec.histogram);
    this.startSpec = normalisedSpec(spec);
  }

  /**
   * Validate, compile and allocate.
   * @throws SpecError for bad input (before any GPU work); RuntimeFailure when no backend can run it
   */
  static async create(raw: unknown | Prepared, options: SimulationOptions = {}): Promise<Simulation> {
    const prepared = isPrepared(raw) ? raw : prepare(raw);
    if (options.range) checkRange(prepared.spec.particles, options.range);
    const backend = await createBackend(prepared, options);
    if (!options.range) return new Simulation(prepared.spec, prepared.potential, backend);
    const log: ShardLog = { calls: [], particles: {} };
    return new Simulation(prepared.spec, prepared.potential, recordingBackend(backend, log), log, options.range);
  }

  /**
   * The whole ensemble's run replayed from the sum of its shards' logs
   * (src/run/shardLog.ts): no device, no stepping; `run()` then builds the
   * result a single run would have built, by the same code.
   */
  static replay(prepared: Prepared, replay: ReplayBackend): Simulation {
    return new Simulation(prepared.spec, prepared.potential, replay);
  }

  /**
   * The (partial) result of a run from its saved observations, with no device:
   * e.g. after the GPU was lost or the page closed mid-run. `final` holds the
   * moments of the last observation (a note says which step); `partial.reason`
   * is 'interrupted'.
   * @param prepared the run's spec, prepared again (`prepare(rawSpec)`)
   * @param savedAt when the observations were saved (Date or ms since the epoch): the result's `createdAt`, so
   *   that the same saved observations give the same result; default now
   */
  static resultFromObservations(prepared: Prepared, saved: Observations, savedAt: Date | number = new Date()): RunResult {
    const { spec, potential } = prepared;
    const D = spec.dims;
    const moments: Moments = saved.moments ?? momentsOf(emptyMomentSums(D));
    const step = saved.moments?.step ?? saved.step;
    const references = new BoltzmannReferences(potential, spec.histogram);
    const result = buildResult({
      spec,
      potential,
      observations: saved,
      final: { moments, step },
      reference: (T) => references.at(T),
      partial: 'interrupted',
      provenance: provenance(savedAt),
    });
    result.notes.push(
      saved.moments
        ? `final holds the moments of step ${step}, the last observation saved before the run was interrupted at step ${saved.step}`
        : `no moments were observed before the run was interrupted at step ${saved.step} (set observe.every for a trace): final.mean and final.variance are unknown (null)`,
    );
    return result;
  }

  /**
   * The state to continue from later (between chunks: from `RunOptions.onChunk` or `onStop`): the particles,
   * the observations so far and, for a shard, its log. `Simulation.resume` takes it back.
   */
  async checkpoint(): Promise<SimulationState> {
    return {
      observations: structuredClone(this.observer.state),
      backend: await this.backend.saveState(),
      ...(this.shardLog ? { shardLog: structuredClone(this.shardLog) } : {}),
    };
  }

  /**
   * A simulation continuing from a checkpoint of the same spec: its run's result is bit-identical to the
   * uninterrupted run's on the same backend and device class.
   * @param options as for `create`, with the checkpoint's particle range
   */
  static async resume(prepared: Prepared, state: SimulationState, options: SimulationOptions = {}): Promise<Simulation> {
    const range = state.observations.range;
    const sim = await Simulation.create(prepared, { ...options, ...(range ? { range } : {}) });
    try {
      if (sim.backend.kind !== state.observations.backend)
        throw new RangeError(`the checkpoint was made on the ${state.observations.backend} backend; this run is on ${sim.backend.kind}`);
      await sim.backend.restoreState(state.backend);
      Object.assign(sim.observer.state, structuredClone(state.observations), {
        device: sim.backend.device,
        software: sim.backend.software,
      });
      if (sim.shardLog && state.shardLog) Object.assign(sim.shardLog, structuredClone(state.shardLog));
      // the parameters of the step it resumes at (a schedule's)
      if (sim.protocol.params) sim.backend.setParams(sim.protocol.params.valuesAt(sim.step));
      return sim;
    } catch (e) {
      sim.destroy();
      throw e;
    }
  }

  /** Steps done so far. */
  get step(): number {
    return this.observer.state.step;
  }

  /** Temperature of step n under the spec's schedule, energy units. */
  temperatureAt(n: number): number {
    return this.protocol.temperatureAt(n);
  }

  /** Step size h of step n (time units) under the spec's dt (a number or a schedule). */
  stepSizeAt(n: number): number {
    return this.protocol.stepSizeAt(n);
  }

  /** Temperature of the state after `done` steps: that of the last step taken (T(0) before any). */
  temperatureAfter(done: number): number {
    return this.protocol.temperatureAfter(done);
  }

  /**
   * Change the temperature from the next step on (a constant; replaces any schedule). No recompilation.
   * @param T temperature, energy units (k_B = 1), finite and ≥ 0
   * @throws SpecError for a negative or non-finite T
   */
  setTemperature(T: number): void {
    this.protocol.setTemperature(T);
    this.references.clear();
    this.changes.push(`setTemperature(${T}) from step ${this.step}`);
  }

  /**
   * Change the step size from the next step on (a constant; replaces any schedule). No recompilation.
   * @param h step size, time units, finite and > 0
   * @throws SpecError for h ≤ 0 or non-finite
   */
  setStepSize(h: number): void {
    this.protocol.setStepSize(h);
    this.changes.push(`setStepSize(${h}) from step ${this.step}`);
  }

  /** Steps per dispatch in use. */
  get stepsPerDispatch(): number {
    return this.spec.stepsPerDispatch ?? this.backend.preferredStepsPerDispatch;
  }

  /** Advance `count` steps (default: to the end of the run) in chunks of K fused steps. */
  async advance(count = this.spec.steps - this.step, onProgress?: ProgressFn): Promise<void> {
    await this.equilibrate({});
    await this.advanceChunks(count, { onProgress });
  }

  private advanceChunks(count: number, options: RunOptions): Promise<void> {
    return advanceChunks(this.chunkLoop(), count, options);
  }

  private chunkLoop(): ChunkLoop {
    return {
      backend: this.backend,
      protocol: this.protocol,
      observations: this.observer.state,
      totalSteps: this.spec.steps,
      stepsPerDispatch: this.stepsPerDispatch,
    };
  }

  /** What the run has observed so far: its numbers as of now, its arrays live (copy what you keep; see `Observations`). */
  get observations(): Observations {
    return { ...this.observer.state };
  }

  /** The first-passage and work sections of the particles now (a spec with kinetics; reads each particle's state back). */
  async kinetics(): Promise<Pick<RunResult, 'passage' | 'work'>> {
    return kineticsSectionsOf(this.spec, this.potential, hasKinetics(this.spec) ? await this.backend.kinetics() : {}, this.step);
  }

  /** The lowest energy any particle had at an observation so far, where and when. */
  get bestSoFar(): BestSection {
    return this.observer.state.best;
  }

  /** Moments of the ensemble now (GPU reduction; float64 sums on the host); updates `best`. */
  moments(): Promise<Moments> {
    return this.observer.moments(this.backend);
  }

  /** The Boltzmann reference of the spec's histogram at temperature T (cached per T). */
  reference(T: number): BoltzmannResult {
    return this.references.at(T);
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
    const observed = this.observer.state.observedAt;
    const events = [...new Set([...snapshots, ...traces, spec.steps])]
      .filter((s) => s >= this.step && s !== observed)
      .sort((a, b) => a - b);
    // stopped while equilibrating: no checkpoint (its positions are half-equilibrated, and a resumed run starts over)
    if (!(await this.equilibrate(opts))) return this.finish({ ...opts, onStop: undefined });
    await this.observeStart();
    await this.observeInitialEnergy();
    for (const s of events) {
      await this.advanceChunks(s - this.step, opts);
      if (this.step < s) break; // aborted
      await this.observeAt(snapshots.has(s), traces.has(s), opts);
      this.observer.state.observedAt = s;
      if (opts.signal?.aborted) break;
    }
    return this.finish(opts);
  }

  /** The equilibration before the protocol, once (spec `init.kind: "equilibrium"`); false when aborted during it. */
  private async equilibrate(opts: RunOptions): Promise<boolean> {
    const state = this.observer.state;
    if (!this.spec.equilibrate || state.equilibrated || this.step !== 0) return true;
    const loop = this.chunkLoop();
    state.equilibrated = await equilibrate(loop, this.spec.equilibrate.steps, opts);
    return state.equilibrated;
  }

  /** The end of a run (finished or stopped): the final observation and the result. */
  private async finish(opts: RunOptions): Promise<RunResult> {
    const { spec } = this;
    if (opts.signal?.aborted) await opts.onStop?.();
    const final = await this.finalState();
    const snaps = this.observer.state.histogram?.snapshots ?? [];
    // the reference buildResult uses, from where the caller computes it
    if (snaps.length > 0) await this.references.from(temperatureAfter(spec, snaps[snaps.length - 1]), opts.reference);
    const partial = this.step < spec.steps ? 'cancelled' : undefined;
    const result = buildResult({
      spec,
      potential: this.potential,
      observations: this.observer.state,
      final,
      reference: (T) => this.references.at(T),
      partial,
      provenance: provenance(),
    });
    if (this.changes.length > 0) {
      result.spec = structuredClone(this.startSpec);
      result.notes.push(
        `the protocol was changed during the run (${this.changes.join(', ')}): \`spec\` is the spec the run started from, and running it again does not reproduce this result`,
      );
    }
    return result;
  }

  /**
   * Before the first step: how many particles are already non-finite, and why
   * (so that a warning blames the step size only for particles a step made
   * non-finite). The moments are not folded into `best`.
   */
  private async observeStart(): Promise<void> {
    const state = this.observer.state;
    if (this.step !== 0 || state.start !== undefined) return;
    const t0 = performance.now();
    const m = await this.backend.moments();
    state.start = { count: m.nonFinite, cause: await this.causeOf(m) };
    state.elapsedMs += performance.now() - t0;
  }

  /** Why the particles of `m` are non-finite: from its example particle, else (its position is NaN) from a probe of the potential where the ensemble has been. */
  private async causeOf(m: Moments): Promise<Cause | undefined> {
    if (m.nonFinite === 0 || m.firstNonFinite < 0) return undefined;
    const cause = causeAt(this.potential, await this.backend.readParticle(m.firstNonFinite));
    if (cause?.kind !== 'blow-up') return cause;
    return probe(this.potential, visitedBox(this.spec, m.count > 0 ? m : this.observer.state.moments)) ?? cause;
  }

  /** A run that reports energyDrift measures it from the mean total energy at step 0. */
  private async observeInitialEnergy(): Promise<void> {
    const state = this.observer.state;
    if (this.step !== 0 || state.initialTotalEnergy !== undefined || !INTEGRATOR_TABLE[this.spec.integrator].reportsEnergyDrift(this.spec))
      return;
    const { observation, kinetic } = await this.observer.take(this.backend, false);
    state.initialTotalEnergy = observation.moments.meanEnergy + kinetic!.kineticEnergy;
  }

  /** At an observation step: the snapshot, the trace row (one observation pass, with the histogram when the spec has one), or both. */
  private async observeAt(snapshot: boolean, trace: boolean, opts: RunOptions): Promise<void> {
    if (!trace) {
      if (snapshot) this.observer.addSnapshot(await this.observer.histogram(this.backend));
      return;
    }
    const observed = await this.observer.take(this.backend, this.spec.histogram !== undefined);
    const h = observed.observation.histogram;
    if (snapshot) this.observer.addSnapshot(h!);
    const T = this.temperatureAfter(this.step);
    // under a parameter schedule no one Boltzmann distribution applies: no KL in the trace
    const reference = h && !this.spec.schedules && !this.spec.passage?.absorb ? await this.references.from(T, opts.reference) : undefined;
    const row = this.observer.addTraceRow(observed, T, reference);
    opts.onTrace?.(row);
  }

  /** The state at the end: one observation pass and the covariance. */
  private async finalState(): Promise<FinalState> {
    const { observation, kinetic } = await this.observer.take(this.backend, false);
    const m = observation.moments;
    const t0 = performance.now();
    const covariance = await this.backend.covariance();
    const nonFinite = { count: m.nonFinite, cause: await this.causeOf(m) };
    const kinetics = hasKinetics(this.spec) ? await this.backend.kinetics() : undefined;
    this.observer.state.elapsedMs += performance.now() - t0;
    return { moments: m, step: this.step, kinetic, covariance, nonFinite, ...(kinetics ? { kinetics } : {}) };
  }

  /**
   * The device and particle buffers a renderer draws from, on the WebGPU
   * backend (undefined on the CPU backend). Owned by the simulation: valid until `destroy()`.
   */
  get renderView(): RenderView | undefined {
    return this.backend.renderView;
  }

  /** Free the backend (and the device, if the simulation acquired it). Safe twice. */
  destroy(): void {
    this.backend.destroy();
  }
}
