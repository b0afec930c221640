/**
 * Per-step coefficients of the inertial and Metropolis integrators, computed on
 * the host from the engine's (h, σ = √(2hT)) pairs: the same float64 numbers
 * drive the CPU reference, and their f32 roundings drive the GPU kernel
 * (shaders/samplers.wgsl), so neither does per-step setup arithmetic.
 *
 * Four numbers per step:
 * - baoab: (h, c1 = e^{−γh}, c2 = √(T(1 − c1²)), T); the O-step is
 *   v ← c1·v + c2·ξ/√m (velocity form of p ← c1·p + √(mT(1 − c1²))·ξ)
 * - mala:  (h, σ = √(2hT), T, 0)
 * - hmc:   (h, √T, T, 0); the momentum refresh is v ← √T·ξ/√m
 */
import type { IntegratorName } from '../spec.ts';

export const COEF_STRIDE = 4;

/** Temperature of a step from its (h, σ) pair: T = σ²/(2h). */
export function temperatureOf(h: number, sigma: number): number {
  return (sigma * sigma) / (2 * h);
}

/**
 * The per-step coefficient table (COEF_STRIDE numbers per step).
 * @param coef (h, σ) per step, h in time units, σ = √(2hT)
 * @param friction γ, 1/time (baoab only)
 */
export function samplerCoefficients(integrator: IntegratorName, coef: Float64Array, friction: number): Float64Array {
  const K = coef.length / 2;
  const out = new Float64Array(COEF_STRIDE * K);
  for (let k = 0; k < K; k++) {
    const h = coef[2 * k];
    const sigma = coef[2 * k + 1];
    const T = temperatureOf(h, sigma);
    const o = COEF_STRIDE * k;
    out[o] = h;
    out[o + 3] = 0;
    if (integrator === 'baoab') {
      out[o + 1] = Math.exp(-friction * h);
      // 1 − e^{−2γh} without cancellation at small γh
      out[o + 2] = Math.sqrt(T * -Math.expm1(-2 * friction * h));
      out[o + 3] = T;
    } else if (integrator === 'mala') {
      out[o + 1] = sigma;
      out[o + 2] = T;
    } else if (integrator === 'hmc') {
      out[o + 1] = Math.sqrt(T);
      out[o + 2] = T;
    } else {
      throw new Error(`samplerCoefficients: ${integrator} is not an inertial or Metropolis integrator`);
    }
  }
  return out;
}
