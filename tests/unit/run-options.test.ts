/**
 * Simulation.run's options on the float64 CPU backend: chunking does not change
 * the result, an abort keeps the partial result, and a result rebuilt from
 * saved observations (no device) equals the live one.
 */
import { describe, expect, it } from 'vitest';
import { boltzmannReference, prepare, Simulation, type Observations, type TraceRow } from '../../src/index.ts';

const SPEC = {
  dims: 2,
  particles: 300,
  potential: { name: 'double-well' },
  integrator: 'lm',
  dt: 0.01,
  temperature: 0.7,
  steps: 60,
  seed: 9,
  init: { kind: 'normal', mean: [-1, 0], std: 0.2 },
  histogram: { dims: [0], bins: [16], low: [-2.5], high: [2.5], from: 20, every: 10 },
  observe: { every: 10 },
};

async function cpu(spec: unknown = SPEC) {
  return Simulation.create(spec, { backend: 'cpu' });
}

/** A deep copy of the live observations (what a page would save). */
const copy = (o: Observations): Observations => structuredClone(o);

describe('Simulation.run options', () => {
  it('gives the same result whatever the steps per chunk, calling back after every chunk and trace row', async () => {
    const whole = await (await cpu()).run();
    const sim = await cpu();
    const chunks: number[] = [];
    const rows: TraceRow[] = [];
    const chunked = await sim.run({ maxStepsPerChunk: 7, onChunk: (o) => void chunks.push(o.step), onTrace: (r) => rows.push(r) });
    expect(chunked.final).toEqual(whole.final);
    expect(chunked.histogram).toEqual(whole.histogram);
    expect(chunked.trace).toEqual(whole.trace);
    expect(rows).toEqual(whole.trace);
    expect(chunked.partial).toBeUndefined();
    // chunks of ≤ 7 steps that stop at every observation step (multiples of 10)
    const sizes = chunks.map((s, i) => s - (i > 0 ? chunks[i - 1] : 0));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
    for (let s = 10; s <= 60; s += 10) expect(chunks).toContain(s);
    expect(chunks[chunks.length - 1]).toBe(60);
  });

  it('takes the Boltzmann references from RunOptions.reference (e.g. a Worker), asking once per temperature', async () => {
    const whole = await (await cpu()).run();
    const asked: number[] = [];
    const { potential, spec } = prepare(SPEC);
    const result = await (
      await cpu()
    ).run({
      reference: async (T) => {
        asked.push(T);
        await new Promise((r) => setTimeout(r, 1));
        return boltzmannReference(potential, spec.histogram!, T);
      },
    });
    expect(asked).toEqual([0.7]);
    expect(result.trace).toEqual(whole.trace);
    expect(result.boltzmann).toEqual(whole.boltzmann);
    expect(result.divergence).toEqual(whole.divergence);
  });

  it('stops after the chunk in flight when aborted and returns the partial result with its steps done', async () => {
    const stop = new AbortController();
    const sim = await cpu();
    const result = await sim.run({ signal: stop.signal, maxStepsPerChunk: 5, onChunk: (o) => (o.step === 35 ? stop.abort() : undefined) });
    expect(result.steps).toBe(35);
    expect(result.partial).toEqual({ reason: 'cancelled', stepsPlanned: 60 });
    // observations up to step 30 only; the histogram holds the snapshots at 20 and 30
    expect(result.trace!.map((r) => r.step)).toEqual([0, 10, 20, 30]);
    expect(result.histogram!.snapshots).toEqual([20, 30]);
    expect(result.histogram!.samples + result.histogram!.outside).toBe(2 * SPEC.particles);
    // final holds the moments of the state after 35 steps: those of an uncancelled 35-step run (same
    // positions; the float64 sums are shifted by the last mean seen, so they agree to rounding)
    const short = await (await cpu({ ...SPEC, steps: 35 })).run();
    result.final.mean.forEach((m, d) => expect(m).toBeCloseTo(short.final.mean[d], 13));
    result.final.variance.forEach((v, d) => expect(v).toBeCloseTo(short.final.variance[d], 13));
  });

  it('rebuilds the result from saved observations without a device', async () => {
    let saved: Observations | undefined;
    const live = await (await cpu()).run({ onChunk: (o) => void (saved = copy(o)) });
    const rebuilt = Simulation.resultFromObservations(prepare(SPEC), saved!);
    // the last chunk ends at step 60 before its observation: the saved state is step 60 with observations up to step 50
    expect(saved!.step).toBe(60);
    expect(rebuilt.partial).toEqual({ reason: 'interrupted', stepsPlanned: 60 });
    expect(rebuilt.trace).toEqual(live.trace!.slice(0, -1));
    expect(rebuilt.histogram!.snapshots).toEqual([20, 30, 40, 50]);
    expect(saved!.moments!.step).toBe(50);
    // final holds the moments of step 50: those of the same run stopped at step 50
    const at50 = await (await cpu({ ...SPEC, steps: 50 })).run();
    rebuilt.final.mean.forEach((m, d) => expect(m).toBeCloseTo(at50.final.mean[d], 12));
    rebuilt.final.variance.forEach((v, d) => expect(v).toBeCloseTo(at50.final.variance[d], 12));
    expect(rebuilt.notes.join(' ')).toContain('the last observation saved before the run was interrupted at step 60');

    // saved after the final observation, the rebuilt sections equal the live run's
    const sim = await cpu();
    const full = await sim.run();
    const again = Simulation.resultFromObservations(prepare(SPEC), copy(sim.observations));
    expect(again.histogram).toEqual(full.histogram);
    expect(again.boltzmann).toEqual(full.boltzmann);
    expect(again.divergence).toEqual(full.divergence);
    // every moment the observations hold; the covariance is taken at the end of a run only, so a rebuilt result has none
    const { covariance, ...moments } = full.final;
    expect(covariance).toHaveLength(SPEC.dims);
    expect(again.final).toEqual(moments);
    expect(again.best).toEqual(full.best);
  });
});
