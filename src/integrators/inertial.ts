/**
 * CPU reference of the inertial (underdamped) Langevin step BAOAB
 * (Leimkuhler & Matthews), in velocity form, mirroring shaders/samplers.wgsl
 * (variant BAOAB) line for line: float64 here, f32 there.
 *
 *   B: v −= (h/2)·∇E(x)/m    A: x += (h/2)·v
 *   O: v ← c1·v + c2·ξ_n/√m  (c1 = e^{−γh}, c2 = √(T(1 − c1²)))
 *   A: x += (h/2)·v          B: v −= (h/2)·∇E(x)/m
 *
 * γ = 0 is velocity Verlet (c1 = 1, c2 = 0); T = 0 is heavy-ball momentum
 * descent. The gradient at the end of a step is kept for the next step's first
 * B, so a call of K steps evaluates K + 1 gradients. ξ_n is normal number
 * n·D + d of the noise stream (stream 0), as for EM.
 */
import type { NormalStream } from '../rng/philox.ts';
import { COEF_STRIDE } from './coefficients.ts';
import type { GradientFn, InverseMass } from './reference.ts';

/**
 * Advance one particle K steps of BAOAB in place.
 * @param x position (length D), length units
 * @param v velocity (length D), length/time
 * @param ns the particle's noise stream positioned at normal number step0·D
 * @param c4 per step (h, c1, c2, T) from baoabCoefficients (src/integrators/coefficients.ts)
 * @param gradient ∇E at the position of step n (its mini-batch, for momentum SGD, is step n's)
 * @param g scratch of length D
 * @param step0 index of the first step (the mini-batch counter)
 */
export function advanceBaoab(
  x: Float64Array,
  v: Float64Array,
  ns: NormalStream,
  c4: Float64Array,
  gradient: GradientFn,
  p: ArrayLike<number>,
  m: InverseMass,
  g: Float64Array,
  step0 = 0,
): void {
  const D = x.length;
  const K = c4.length / COEF_STRIDE;
  gradient(x, g, p, step0);
  for (let k = 0; k < K; k++) {
    const o = COEF_STRIDE * k;
    const h = c4[o];
    const c1 = c4[o + 1];
    const c2 = c4[o + 2];
    const hh = 0.5 * h;
    for (let d = 0; d < D; d++) {
      v[d] = v[d] - hh * g[d] * m.inv[d];
      x[d] = x[d] + hh * v[d];
      v[d] = c1 * v[d] + c2 * m.invSqrt[d] * ns.next();
      x[d] = x[d] + hh * v[d];
    }
    gradient(x, g, p, step0 + k + 1); // the gradient at the position of step n: step n's mini-batch, if any
    for (let d = 0; d < D; d++) v[d] = v[d] - hh * g[d] * m.inv[d];
  }
}
