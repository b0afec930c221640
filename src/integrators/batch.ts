/**
 * CPU reference of the mini-batch gradient, mirroring `batch_gradient` in
 * shaders/batch.wgsl (float64 here, f32 there; the rows are bit-identical):
 *
 *   g = ∇prior(x) + (N/B) Σ_{j<B} ∇example(x; row_j)
 *
 * rows from src/rng/batch.ts (Philox stream 4, per particle and step).
 */
import type { CompiledPotential } from '../potential/index.ts';
import { batchRows } from '../rng/batch.ts';
import type { BatchSpec } from '../spec.ts';
import type { GradientFn } from './reference.ts';

/**
 * A factory of per-particle mini-batch gradients.
 * @param key the run's Philox key (seedKey(seed))
 * @returns for a particle (global index), its GradientFn (x, g, p, step)
 * @throws Error when the potential has no data
 */
export function batchGradient(potential: CompiledPotential, batch: BatchSpec, key: [number, number]): (particle: number) => GradientFn {
  const data = potential.data;
  if (!data) throw new Error('a mini-batch gradient needs a potential from data');
  const D = potential.dims;
  const rows = new Uint32Array(batch.size);
  const ge = new Float64Array(D);
  const sum = new Float64Array(D);
  const scale = data.rows / batch.size;
  return (particle) => (x, g, p, step) => {
    batchRows(key[0], key[1], particle, step, data.rows, batch.replace, rows);
    sum.fill(0);
    for (let j = 0; j < rows.length; j++) {
      data.exampleGradient(x, rows[j], ge, p);
      for (let d = 0; d < D; d++) sum[d] += ge[d];
    }
    data.priorGradient(x, g, p);
    for (let d = 0; d < D; d++) g[d] += scale * sum[d];
  };
}
