/**
 * The Observer: folds what the backend's observation passes return into the
 * run's {@link Observations} value (moments, best particle, acceptance totals,
 * histogram sum, trace rows). Its state is that value; the chunk loop advances
 * its `step` and `elapsedMs`.
 */
import type { Backend, BackendKind, Moments, Observation, ParticleRange, TargetBall } from '../backend.ts';
import type { HistogramCounts } from '../stats/binning.ts';
import { divergences } from '../stats/divergence.ts';
import type { BoltzmannResult } from '../stats/boltzmann.ts';
import type { RunSpec } from '../spec.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import { addSnapshot, emptyHistogram, kinetic, particlesObserved, type Kinetic, type Observations } from './observations.ts';
import type { TraceRow } from './sections.ts';

/** An observation pass with the kinetic quantities derived from its velocity moments. */
export interface Observed {
  observation: Observation;
  kinetic?: Kinetic;
}

export class Observer {
  readonly state: Observations;

  constructor(
    private readonly spec: RunSpec,
    backend: { kind: BackendKind; device: string; software: boolean },
    range?: ParticleRange,
  ) {
    this.state = {
      backend: backend.kind,
      device: backend.device,
      software: backend.software,
      step: 0,
      elapsedMs: 0,
      trace: [],
      best: { energy: Infinity, x: [], step: 0 },
      ...(range ? { range } : {}),
    };
    if (spec.histogram) this.state.histogram = emptyHistogram(spec.histogram.bins.reduce((a, b) => a * b, 1));
    if (INTEGRATOR_TABLE[spec.integrator].metropolis) this.state.acceptance = { accepted: 0, proposed: 0 };
  }

  /** The target ball of the spec's `observe`, if any. */
  get ball(): TargetBall | undefined {
    const { target, radius } = this.spec.observe;
    return target && radius ? { target, radius } : undefined;
  }

  /** Time `work` into elapsedMs. */
  private async timed<T>(work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const out = await work();
    this.state.elapsedMs += performance.now() - t0;
    return out;
  }

  /** One observation pass at the current step (one read-back), folded into the state. */
  async take(backend: Backend, histogram: boolean): Promise<Observed> {
    const observation = await this.timed(() => backend.observe({ ball: this.ball, histogram }));
    this.foldMoments(observation.moments);
    const a = observation.acceptance;
    if (a && this.state.acceptance) {
      this.state.acceptance.accepted += a.accepted;
      this.state.acceptance.proposed += a.proposed;
    }
    return { observation, kinetic: observation.velocity && kinetic(observation.velocity, this.spec.mass) };
  }

  /** The moments alone (no histogram, the acceptance counts left running), folded into the state. */
  async moments(backend: Backend): Promise<Moments> {
    const m = await this.timed(() => backend.moments(this.ball));
    this.foldMoments(m);
    return m;
  }

  private foldMoments(m: Moments): void {
    this.state.moments = { ...m, step: this.state.step };
    if (m.best.index >= 0 && m.best.energy < this.state.best.energy)
      this.state.best = { energy: m.best.energy, x: m.best.x, step: this.state.step };
  }

  /** A histogram snapshot read on its own (a snapshot step that is not a trace step). */
  async histogram(backend: Backend): Promise<HistogramCounts> {
    return this.timed(() => backend.histogram());
  }

  /** Add a snapshot taken at the current step to the histogram sum. */
  addSnapshot(h: HistogramCounts): void {
    addSnapshot(this.state.histogram!, this.state.step, h);
  }

  /**
   * The trace row of an observation pass at the current step, appended to the trace.
   * @param T the temperature of the state (energy units)
   * @param reference the Boltzmann reference at T, when the pass binned the positions
   */
  addTraceRow(observed: Observed, T: number, reference?: BoltzmannResult): TraceRow {
    const { moments: m, acceptance: a, histogram: h } = observed.observation;
    const row: TraceRow = {
      step: this.state.step,
      temperature: T,
      meanEnergy: m.meanEnergy,
      bestEnergy: this.state.best.energy,
      nonFinite: m.nonFinite,
    };
    if (a && a.proposed > 0) row.acceptanceRate = a.accepted / a.proposed;
    if (observed.kinetic) row.kineticTemperature = observed.kinetic.kineticTemperature;
    if (h && reference && 'probabilities' in reference) {
      if (h.finite > h.outside) row.kl = divergences(h.counts, reference.probabilities).kl;
      else (this.state.emptyHistogramSteps ??= []).push(this.state.step);
    }
    if (this.spec.observe.target) row.inTarget = m.inside / particlesObserved(this.spec, this.state);
    this.state.trace.push(row);
    return row;
  }
}
