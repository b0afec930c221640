/**
 * ObservationPass: everything a trace row needs, recorded into one encoder
 * and read back from one submission: the moments of the positions (with the
 * best particle and its position), the velocity moments (integrators with
 * velocities), the accepted moves since the last pass (integrators with an
 * accept test; the counters are cleared after the copy, in the same encoder),
 * and the histogram when asked. The stage classes it holds each own their
 * staging buffers, all mapped after the one submit.
 */
import {
  momentsOf,
  velocityMomentsOf,
  type AcceptanceCounts,
  type Moments,
  type Observation,
  type ObservationRequest,
} from '../backend.ts';
import { exactValue } from '../stats/exact.ts';
import type { MomentSums } from '../sums.ts';
import type { HistogramSpec } from '../spec.ts';
import type { GpuEnsemble } from './ensemble.ts';
import { HistogramPass } from './histogram.ts';
import { MomentsReduction } from './moments.ts';

export class ObservationPass {
  private destroyed = false;

  private constructor(
    private readonly ensemble: GpuEnsemble,
    private readonly positions: MomentsReduction,
    private readonly velocities: MomentsReduction | undefined,
    private readonly accepts: MomentsReduction | undefined,
    private readonly histogramPass: HistogramPass | undefined,
  ) {}

  /**
   * Build the reductions the ensemble needs. On failure, destroys what it had built.
   * @param potentialWGSL the energy summed over the positions
   * @param forceGlobalAtomics bin straight into global atomics even when the bins fit in workgroup memory (tests)
   */
  static async create(
    ensemble: GpuEnsemble,
    potentialWGSL: string,
    histogram: HistogramSpec | undefined,
    forceGlobalAtomics = false,
  ): Promise<ObservationPass> {
    const { device, dims } = ensemble;
    const built = await Promise.allSettled([
      MomentsReduction.create(device, ensemble.shards, dims, {
        potential: { wgsl: potentialWGSL, params: ensemble.params, data: ensemble.data },
      }),
      ensemble.velocities && MomentsReduction.create(device, ensemble.over(ensemble.velocities), dims, {}),
      ensemble.accepts && MomentsReduction.create(device, ensemble.over(ensemble.accepts), 1, { uncentred: true }),
      histogram && HistogramPass.create(device, ensemble.shards, dims, histogram, { forceGlobalAtomics }),
    ] as const);
    const failed = built.find((b) => b.status === 'rejected');
    if (failed) {
      for (const b of built) if (b.status === 'fulfilled') b.value?.destroy();
      throw (failed as PromiseRejectedResult).reason;
    }
    const [m, v, a, h] = built.map((b) => (b as PromiseFulfilledResult<unknown>).value) as [
      MomentsReduction,
      MomentsReduction?,
      MomentsReduction?,
      HistogramPass?,
    ];
    return new ObservationPass(ensemble, m, v, a, h);
  }

  /** Record everything `request` asks for (the histogram only when the spec has one). */
  record(encoder: GPUCommandEncoder, request: ObservationRequest): void {
    this.positions.record(encoder, request.ball);
    this.velocities?.record(encoder);
    if (this.accepts) {
      this.accepts.record(encoder);
      // the reduction's copy is recorded before the clear: the read-back holds exactly the moves so far
      for (const b of this.ensemble.accepts!) encoder.clearBuffer(b);
    }
    if (request.histogram) this.histogram().record(encoder);
  }

  /**
   * After the submit of `record`'s encoder: map every staging buffer at once.
   * @param proposed moves proposed since the last pass (particles × steps)
   */
  async read(request: ObservationRequest, proposed: number): Promise<Observation> {
    const [moments, velocity, accepted, histogram] = await Promise.all([
      this.positions.read(),
      this.velocities?.read(),
      this.accepts?.read(),
      request.histogram ? this.histogram().read() : undefined,
    ]);
    const out: Observation = { moments: momentsOf(moments) };
    if (velocity) out.velocity = velocityMomentsOf(velocity);
    if (accepted) out.acceptance = acceptanceCounts(accepted, proposed);
    if (histogram) out.histogram = histogram;
    return out;
  }

  /** The moments pass alone (it leaves the accept counters alone). */
  recordMoments(encoder: GPUCommandEncoder, request: Pick<ObservationRequest, 'ball'>): void {
    this.positions.record(encoder, request.ball);
  }

  async readMoments(): Promise<Moments> {
    return momentsOf(await this.positions.read());
  }

  /** The histogram pass; throws when the spec has no histogram. */
  histogram(): HistogramPass {
    if (!this.histogramPass) throw new Error('no histogram in the spec');
    return this.histogramPass;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const stage of [this.positions, this.velocities, this.accepts, this.histogramPass]) stage?.destroy();
  }
}

/** Accepted moves from the counters' exact sum (exact while a tile's counters add up to < 2^24 between reads). */
function acceptanceCounts(sums: MomentSums, proposed: number): AcceptanceCounts {
  return { accepted: Math.round(exactValue(sums.s1[0])), proposed };
}
