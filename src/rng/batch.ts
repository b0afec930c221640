/**
 * Mini-batch row indices from Philox, bit-identical to shaders/batch.wgsl.
 *
 * Stream 4 (`Stream.batch`). For particle i (global index) at step n (the
 * step's index in the run, mod 2^32), draw j (0 ≤ j < B) is output j mod 4 of
 * the call with counter (i, n, ⌊j/4⌋, 4) and the run's key. So the batch a
 * particle sees at a step depends only on (seed, particle, step): never on K,
 * dispatch, sharding or backend, and not on the noise stream.
 *
 * u32 → row in [0, m): ⌊u·m / 2^32⌋ = mulhi32(u, m), exact integer arithmetic
 * on both sides. Each row gets ⌊2^32/m⌋ or ⌈2^32/m⌉ of the 2^32 values: a
 * relative bias below m/2^32 (2.3·10^−7 at m = 1000).
 *
 * With replacement: row_j = mulhi32(u_j, N), independent uniform rows.
 * Without replacement: Floyd's algorithm (a uniformly random B-subset in B
 * draws): for j = 0 … B−1, m = N − B + j, t = mulhi32(u_j, m + 1) ∈ [0, m];
 * row_j = m if t is already among row_0 … row_{j−1}, else t.
 */
import { mulhi32, philox4x32, streamWord, Stream } from './philox.ts';

/** Largest batch drawn without replacement (the GPU keeps the chosen rows in a private array). */
export const MAX_BATCH_WITHOUT_REPLACEMENT = 256;

/**
 * The B rows of particle `particle` at step `step`.
 * @param rows N, rows in the data set
 * @param out receives B = out.length row indices, in draw order
 * @example batchRows(k0, k1, 0, 0, 100, false, new Uint32Array(10)) // 10 distinct rows of 0…99
 */
export function batchRows(k0: number, k1: number, particle: number, step: number, rows: number, replace: boolean, out: Uint32Array): void {
  const B = out.length;
  const block = new Uint32Array(4);
  for (let j = 0; j < B; j++) {
    if (j % 4 === 0) philox4x32(particle >>> 0, step >>> 0, j / 4, streamWord(Stream.batch, particle), k0, k1, block);
    const u = block[j % 4];
    if (replace) {
      out[j] = mulhi32(u, rows);
    } else {
      const m = rows - B + j;
      const t = mulhi32(u, m + 1);
      let seen = false;
      for (let q = 0; q < j; q++) if (out[q] === t) seen = true;
      out[j] = seen ? m : t;
    }
  }
}
