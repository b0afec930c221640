/**
 * Boltzmann references of the spec's histogram, one per temperature, computed
 * here or by a caller-supplied function (e.g. in a Worker) and cached.
 */
import type { CompiledPotential } from '../potential/index.ts';
import type { HistogramSpec } from '../spec.ts';
import { boltzmannReference, type BoltzmannResult } from '../stats/boltzmann.ts';

/** Computes the reference at temperature T elsewhere (RunOptions.reference). */
export type ReferenceSource = (T: number) => Promise<BoltzmannResult>;

export class BoltzmannReferences {
  private readonly cache = new Map<number, BoltzmannResult>();

  constructor(
    private readonly potential: CompiledPotential,
    private readonly histogram: HistogramSpec | undefined,
  ) {}

  /** The reference at temperature T (energy units), computed on this thread if not cached. */
  at(T: number): BoltzmannResult {
    if (!this.histogram) throw new Error('no histogram in the spec');
    let r = this.cache.get(T);
    if (!r) {
      r = boltzmannReference(this.potential, this.histogram, T);
      this.cache.set(T, r);
    }
    return r;
  }

  /** The reference at T from the cache, else from `source` when given (then cached), else computed here. */
  async from(T: number, source: ReferenceSource | undefined): Promise<BoltzmannResult> {
    const cached = this.cache.get(T);
    if (cached || !source) return cached ?? this.at(T);
    const r = await source(T);
    this.cache.set(T, r);
    return r;
  }

  /** Forget every reference (the temperature schedule changed). */
  clear(): void {
    this.cache.clear();
  }
}
