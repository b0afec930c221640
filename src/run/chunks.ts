/**
 * The chunk loop: advance the backend `count` steps in chunks of at most K
 * fused steps (the backend's preference, the spec's `stepsPerDispatch`, or a
 * caller's cap), each with its coefficient table from the protocol; report
 * progress, stop between chunks once aborted, and yield to the caller after
 * every chunk (its time is not counted in elapsedMs).
 */
import type { Backend } from '../backend.ts';
import type { Observations } from './observations.ts';
import type { RunOptions } from './options.ts';
import type { Protocol } from './protocol.ts';

/** What the loop drives and where it counts steps and time. */
export interface ChunkLoop {
  backend: Backend;
  protocol: Protocol;
  /** steps done and elapsed time live here */
  observations: Observations;
  /** the run's planned steps (for progress reports) */
  totalSteps: number;
  /** steps per dispatch when no cap is smaller */
  stepsPerDispatch: number;
}

/** Steps in the next chunk: K under the options' cap, at least 1, at most what is left. */
function chunkSize(loop: ChunkLoop, options: RunOptions, left: number): number {
  const cap = options.maxStepsPerChunk;
  const K = Math.max(1, Math.floor(Math.min(loop.stepsPerDispatch, (typeof cap === 'function' ? cap() : cap) ?? Infinity)));
  return Math.min(K, left);
}

/** Advance `count` steps (fewer when `options.signal` aborts first). */
export async function advanceChunks(loop: ChunkLoop, count: number, options: RunOptions): Promise<void> {
  const obs = loop.observations;
  const end = obs.step + count;
  let t0 = performance.now();
  while (obs.step < end && !options.signal?.aborted) {
    const k = chunkSize(loop, options, end - obs.step);
    const params = loop.protocol.paramTable(obs.step, k);
    await loop.backend.advance(obs.step, loop.protocol.coefficients(obs.step, k), params ? { params } : {});
    obs.step += k;
    // the CPU backend names the threads it used once it has stepped
    obs.device = loop.backend.device;
    options.onProgress?.(obs.step, loop.totalSteps);
    if (options.onChunk) {
      obs.elapsedMs += performance.now() - t0;
      await options.onChunk({ ...obs });
      t0 = performance.now();
    }
  }
  obs.elapsedMs += performance.now() - t0;
}

/**
 * The equilibration before the protocol (spec `init.kind: "equilibrium"`): `steps` steps at the first
 * step's size and temperature and the parameters' start values, with the equilibration key's random
 * numbers, no passage test and no work. Counted in elapsedMs, not in the run's steps; stops between
 * chunks once aborted.
 * @returns whether it finished
 */
export async function equilibrate(loop: ChunkLoop, steps: number, options: RunOptions): Promise<boolean> {
  const t0 = performance.now();
  let done = 0;
  while (done < steps && !options.signal?.aborted) {
    const k = Math.min(loop.stepsPerDispatch, steps - done);
    await loop.backend.advance(done, loop.protocol.equilibrationCoefficients(k), { equilibration: true });
    done += k;
  }
  loop.observations.elapsedMs += performance.now() - t0;
  return done === steps;
}
