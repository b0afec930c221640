/**
 * CPU stepping with kinetics: the integrator's float64 reference step taken
 * one step at a time (the same bits as K fused steps: each step re-seeks its
 * noise at normal n·D, and BAOAB's first gradient is recomputed under the
 * step's parameters, which is what a parameter switch needs), with around
 * each step what shaders/kinetics.wgsl does on the GPU:
 * - the switch λ_n → λ_{n+1} at fixed x_n, adding E(x_n; λ_{n+1}) − E(x_n; λ_n) to the particle's work;
 * - the first-passage test after the step (and the Brownian-bridge test of
 *   src/integrators/passage.ts); a particle found in the region at step 0 has hit step 0;
 * - with `absorb`, a particle that has hit no longer moves.
 */
import { COEF_STRIDE } from '../integrators/coefficients.ts';
import { BRIDGE_MIN, bridgeProbability, bridgeUniform, inRegion, NOT_HIT } from '../integrators/passage.ts';
import type { ParticleStep, ReferenceStep } from '../integrators/reference.ts';
import type { PassageSpec } from '../spec/types.ts';

/** The per-particle kinetics state of a backend: first hit steps and work. */
export interface KineticsArrays {
  /** first step count at which the particle was in the passage region (NOT_HIT: not yet); float64 integers, as the kernels' state */
  hit?: Float64Array;
  /** work done on the particle by the parameter switches, energy units */
  work?: Float64Array;
}

/** One chunk of steps with kinetics. */
export interface KineticsChunk {
  step0: number;
  coef: Float64Array;
  /** (K + 1) × P parameter rows, or undefined when no parameter has a schedule */
  table?: Float64Array;
  /** the parameters when there is no table */
  params: Float64Array;
  passage?: PassageSpec;
  /** equilibration: no passage test and no work (the parameters are constant λ_0) */
  equilibration: boolean;
}

/** The rows of a flat table of `width` numbers per row. */
function rows(a: Float64Array, width: number): Float64Array[] {
  return Array.from({ length: a.length / width }, (_, r) => a.subarray(r * width, (r + 1) * width));
}

/**
 * Advance one particle K steps with kinetics; returns its accepted moves.
 * @param base the reference step's arguments (x, v, rng, scratch, potential functions); its coef and params are set per step
 * @param at the particle's index in `arrays`
 */
export function advanceParticleKinetics(
  reference: ReferenceStep,
  base: ParticleStep,
  chunk: KineticsChunk,
  arrays: KineticsArrays,
  at: number,
  prepared: { coefRows: Float64Array[]; paramRows?: Float64Array[]; old: Float64Array },
): number {
  const { x } = base;
  const D = x.length;
  const passage = chunk.equilibration ? undefined : chunk.passage;
  const work = chunk.equilibration ? undefined : arrays.work;
  const hit = arrays.hit;
  const { rng } = base;
  let accepted = 0;
  const K = prepared.coefRows.length;
  for (let k = 0; k < K; k++) {
    const n = chunk.step0 + k;
    if (passage && hit![at] === NOT_HIT && n === 0 && inRegion(x, passage.region)) hit![at] = 0;
    const pr = prepared.paramRows;
    if (work && pr) work[at] += base.energy(x, pr[k + 1]) - base.energy(x, pr[k]);
    if (passage?.absorb && hit![at] !== NOT_HIT) continue;
    if (passage?.bridge) prepared.old.set(x);
    rng.ns.seek(rng.particle, n * D);
    base.coef = prepared.coefRows[k];
    base.params = pr ? pr[k + 1] : chunk.params;
    rng.step0 = n;
    accepted += reference(base);
    if (!passage || hit![at] !== NOT_HIT) continue;
    const r = passage.region;
    if (inRegion(x, r)) hit![at] = n + 1;
    else if (passage.bridge && r.kind === 'box') {
      const c = prepared.coefRows[k];
      const p = bridgeProbability(prepared.old, x, r, c[2], c[0]);
      if (p > BRIDGE_MIN && bridgeUniform(rng.k0, rng.k1, rng.particle, n, base.scratch.block) < p) hit![at] = n + 1;
    }
  }
  return accepted;
}

/** The per-chunk views `advanceParticleKinetics` reads. */
export function prepareChunk(
  chunk: KineticsChunk,
  dims: number,
): { coefRows: Float64Array[]; paramRows?: Float64Array[]; old: Float64Array } {
  return {
    coefRows: rows(chunk.coef, COEF_STRIDE),
    ...(chunk.table ? { paramRows: rows(chunk.table, chunk.params.length) } : {}),
    old: new Float64Array(dims),
  };
}
