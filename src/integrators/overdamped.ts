/**
 * CPU reference of the overdamped steps, mirroring shaders/step.wgsl line for
 * line (float64 here, f32 there):
 *   EM: x' = x − h∇E(x) + σ_n ξ_n;   LM: x' = x − h∇E(x) + σ_n (ξ_n + ξ_{n+1})/2
 * with (h, σ_n = √(2hT_n)) the first two coefficients of step n.
 */
import type { NormalStream } from '../rng/philox.ts';
import { COEF_STRIDE } from './coefficients.ts';
import type { GradientFn, StepScratch } from './reference.ts';

/**
 * Advance one particle K = coef.length / COEF_STRIDE steps in place.
 * @param lm Leimkuhler–Matthews noise (ξ_n + ξ_{n+1})/2 instead of Euler–Maruyama's ξ_n
 * @param x position (length D), length units, updated in place
 * @param ns the particle's noise stream, positioned at normal number step0·D
 * @param coef (h, σ_n, T_n, 0) per step (src/integrators/coefficients.ts)
 * @param step0 index of the first step in the run (passed to `gradient`: its mini-batch)
 */
export function advanceOverdamped(
  lm: boolean,
  x: Float64Array,
  ns: NormalStream,
  coef: Float64Array,
  gradient: GradientFn,
  p: ArrayLike<number>,
  s: StepScratch,
  step0 = 0,
): void {
  const D = x.length;
  const K = coef.length / COEF_STRIDE;
  if (lm) for (let d = 0; d < D; d++) s.xi[d] = ns.next();
  for (let k = 0; k < K; k++) {
    const h = coef[COEF_STRIDE * k];
    const sigma = coef[COEF_STRIDE * k + 1];
    gradient(x, s.g, p, step0 + k);
    for (let d = 0; d < D; d++) {
      if (lm) {
        const next = ns.next();
        x[d] = x[d] - h * s.g[d] + sigma * (0.5 * (s.xi[d] + next));
        s.xi[d] = next;
      } else {
        x[d] = x[d] - h * s.g[d] + sigma * ns.next();
      }
    }
  }
}
