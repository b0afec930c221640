/**
 * Shard logs: what a shard of an ensemble hands to the merge. A run over a
 * particle range records every reduction the engine asks its backend for,
 * in order, as exact sums (src/sums.ts) and integer counts — nothing lossy.
 * The merge adds the shards' records call by call and replays them through
 * the same engine code a whole run goes through (a {@link ReplayBackend}), so
 * the merged result is the whole run's, bit for bit.
 */
import {
  covarianceOf,
  momentsOf,
  velocityMomentsOf,
  type AcceptanceCounts,
  type AdvanceExtra,
  type Backend,
  type BackendState,
  type BackendKind,
  type Covariance,
  type Moments,
  type Observation,
  type ObservationRequest,
} from '../backend.ts';
import type { HistogramCounts } from '../stats/binning.ts';
import { mergeCovarianceSums, mergeMomentSums, type CovarianceSums, type MomentSums } from '../sums.ts';
import { addKineticsSums, type KineticsSums } from './kinetics.ts';

/** One reduction the engine asked for, with what the backend returned (sums and counts only). */
export type LoggedCall =
  | {
      kind: 'observe';
      moments: MomentSums;
      velocity?: MomentSums;
      acceptance?: AcceptanceCounts;
      histogram?: LoggedHistogram;
    }
  | { kind: 'moments'; moments: MomentSums }
  | { kind: 'histogram'; histogram: LoggedHistogram }
  | { kind: 'covariance'; covariance: CovarianceSums }
  | { kind: 'kinetics'; kinetics: KineticsSums };

/** Histogram counts as plain numbers (JSON). */
export interface LoggedHistogram {
  counts: number[];
  outside: number;
  finite: number;
}

/** The reductions of one shard, in the order the engine asked for them, plus the particles it was asked to read (diagnosis). */
export interface ShardLog {
  calls: LoggedCall[];
  /** global index → position, for the particles `readParticle` was asked for */
  particles: Record<string, number[]>;
}

const logHistogram = (h: HistogramCounts): LoggedHistogram => ({ counts: Array.from(h.counts), outside: h.outside, finite: h.finite });
const histogramOf = (h: LoggedHistogram): HistogramCounts => ({
  counts: Float64Array.from(h.counts),
  outside: h.outside,
  finite: h.finite,
});

/**
 * A backend that records what it returns: the shard side of a merge. Stepping
 * and read-backs pass through untouched.
 */
export function recordingBackend(inner: Backend, log: ShardLog): Backend {
  const recorder: Backend = Object.create(inner) as Backend;
  return Object.assign(recorder, {
    async observe(request: ObservationRequest): Promise<Observation> {
      const o = await inner.observe(request);
      log.calls.push({
        kind: 'observe',
        moments: o.moments.sums,
        ...(o.velocity ? { velocity: o.velocity.sums } : {}),
        ...(o.acceptance ? { acceptance: { ...o.acceptance } } : {}),
        ...(o.histogram ? { histogram: logHistogram(o.histogram) } : {}),
      });
      return o;
    },
    async moments(ball?: ObservationRequest['ball']): Promise<Moments> {
      const m = await inner.moments(ball);
      log.calls.push({ kind: 'moments', moments: m.sums });
      return m;
    },
    async histogram(): Promise<HistogramCounts> {
      const h = await inner.histogram();
      log.calls.push({ kind: 'histogram', histogram: logHistogram(h) });
      return h;
    },
    async covariance(): Promise<Covariance> {
      const c = await inner.covariance();
      log.calls.push({ kind: 'covariance', covariance: c.sums });
      return c;
    },
    async kinetics(): Promise<KineticsSums> {
      const k = await inner.kinetics();
      log.calls.push({ kind: 'kinetics', kinetics: clone(k) });
      return k;
    },
    async readParticle(index: number): Promise<number[]> {
      const x = await inner.readParticle(index);
      log.particles[String(index)] = x;
      return x;
    },
    advance: (step0: number, coef: Float64Array, extra?: AdvanceExtra) => inner.advance(step0, coef, extra),
    finish: () => inner.finish(),
    setParams: (values: Float64Array) => inner.setParams(values),
    readPositions: (first?: number, count?: number) => inner.readPositions(first, count),
    readVelocities: (first?: number, count?: number) => inner.readVelocities(first, count),
    saveState: () => inner.saveState(),
    restoreState: (state: BackendState) => inner.restoreState(state),
    destroy: () => inner.destroy(),
  });
}

/** Why shard logs cannot be added: they did not make the same calls (a different spec or version). */
export class LogMismatch extends Error {}

const clone = <T>(x: T): T => structuredClone(x);

function addHistograms(a: LoggedHistogram, b: LoggedHistogram): LoggedHistogram {
  if (a.counts.length !== b.counts.length) throw new LogMismatch(`histograms of ${a.counts.length} and ${b.counts.length} bins`);
  return { counts: a.counts.map((c, i) => c + b.counts[i]), outside: a.outside + b.outside, finite: a.finite + b.finite };
}

function addCalls(a: LoggedCall, b: LoggedCall, at: number): LoggedCall {
  if (a.kind !== b.kind) throw new LogMismatch(`call ${at}: ${a.kind} in one part, ${b.kind} in another`);
  const out = clone(a);
  if (out.kind === 'covariance' && b.kind === 'covariance') mergeCovarianceSums(out.covariance, b.covariance);
  if ((out.kind === 'observe' || out.kind === 'moments') && (b.kind === 'observe' || b.kind === 'moments'))
    mergeMomentSums(out.moments, b.moments);
  if (out.kind === 'histogram' && b.kind === 'histogram') out.histogram = addHistograms(out.histogram, b.histogram);
  if (out.kind === 'kinetics' && b.kind === 'kinetics') addKinetics(out.kinetics, b.kinetics, at);
  if (out.kind === 'observe' && b.kind === 'observe') {
    if (!out.velocity !== !b.velocity || !out.acceptance !== !b.acceptance || !out.histogram !== !b.histogram)
      throw new LogMismatch(`call ${at}: observations of different kinds`);
    if (out.velocity) mergeMomentSums(out.velocity, b.velocity!);
    if (out.acceptance) {
      out.acceptance.accepted += b.acceptance!.accepted;
      out.acceptance.proposed += b.acceptance!.proposed;
    }
    if (out.histogram) out.histogram = addHistograms(out.histogram, b.histogram!);
  }
  return out;
}

function addKinetics(into: KineticsSums, from: KineticsSums, at: number): void {
  try {
    addKineticsSums(into, from);
  } catch (e) {
    throw new LogMismatch(`call ${at}: ${(e as Error).message}`);
  }
}

/**
 * The sum of shard logs, call by call (exact: any order of the parts gives the same sums).
 * @throws LogMismatch when the logs did not make the same calls
 */
export function addLogs(logs: readonly ShardLog[]): ShardLog {
  const [first, ...rest] = logs;
  const out: ShardLog = { calls: clone(first.calls), particles: { ...first.particles } };
  for (const log of rest) {
    if (log.calls.length !== out.calls.length)
      throw new LogMismatch(`${out.calls.length} reductions in one part, ${log.calls.length} in another`);
    out.calls = out.calls.map((c, i) => addCalls(c, log.calls[i], i));
    Object.assign(out.particles, log.particles);
  }
  return out;
}

/**
 * A backend that steps nothing and answers each reduction from a (merged)
 * log, in order: the engine run over it builds the merged result with the
 * code of a live run.
 */
export class ReplayBackend implements Backend {
  readonly preferredStepsPerDispatch = 1 << 30;
  private next = 0;

  constructor(
    private readonly log: ShardLog,
    readonly kind: BackendKind,
    readonly device: string,
    readonly software: boolean,
  ) {}

  private take<K extends LoggedCall['kind']>(kind: K): Extract<LoggedCall, { kind: K }> {
    const call = this.log.calls[this.next++];
    if (call?.kind !== kind)
      throw new LogMismatch(`reduction ${this.next - 1}: the run asks for ${kind}, the parts hold ${call?.kind ?? 'nothing'}`);
    return call as Extract<LoggedCall, { kind: K }>;
  }

  /** Every logged call was replayed. */
  get done(): boolean {
    return this.next === this.log.calls.length;
  }

  async advance(): Promise<void> {}
  setParams(): void {}
  async finish(): Promise<void> {}

  async observe(): Promise<Observation> {
    const c = this.take('observe');
    const out: Observation = { moments: momentsOf(clone(c.moments)) };
    if (c.velocity) out.velocity = velocityMomentsOf(clone(c.velocity));
    if (c.acceptance) out.acceptance = { ...c.acceptance };
    if (c.histogram) out.histogram = histogramOf(c.histogram);
    return out;
  }

  async moments(): Promise<Moments> {
    return momentsOf(clone(this.take('moments').moments));
  }

  async histogram(): Promise<HistogramCounts> {
    return histogramOf(this.take('histogram').histogram);
  }

  async covariance(): Promise<Covariance> {
    return covarianceOf(clone(this.take('covariance').covariance));
  }

  async kinetics(): Promise<KineticsSums> {
    return clone(this.take('kinetics').kinetics);
  }

  async readParticle(index: number): Promise<number[]> {
    const x = this.log.particles[String(index)];
    if (!x) throw new LogMismatch(`no part recorded particle ${index}`);
    return x;
  }

  readPositions(): Promise<Float64Array> {
    throw new Error('a merged result has no particles to read');
  }

  readVelocities(): Promise<Float64Array | undefined> {
    throw new Error('a merged result has no particles to read');
  }

  saveState(): Promise<BackendState> {
    throw new Error('a merged result has no particles to save');
  }

  restoreState(): Promise<void> {
    throw new Error('a merged result has no particles to restore');
  }

  destroy(): void {}
}
