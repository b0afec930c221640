/**
 * Per-step coefficients: the numbers a kernel reads for one step, computed on
 * the host from the step's size h (time units) and temperature T (energy
 * units, k_B = 1) by the integrator's own function (its entry in
 * src/integrators/table.ts). Every integrator and both backends use one
 * layout, COEF_STRIDE numbers per step; the CPU reads them in float64, the GPU
 * their f32 roundings (`array<vec4<f32>>`), so no kernel does per-step setup
 * arithmetic.
 *
 * - em, lm, mala: (h, σ = √(2hT), T, 0)
 * - baoab: (h, c1 = e^{−γh}, c2 = √(T(1 − c1²)), T); the O-step is
 *   v ← c1·v + c2·ξ/√m (velocity form of p ← c1·p + √(mT(1 − c1²))·ξ)
 * - hmc: (h, √T, T, 0); the velocity refresh is v ← √T·ξ/√m
 */

/** Numbers per step in a coefficient table. */
export const COEF_STRIDE = 4;

/**
 * Write one step's coefficients at out[at … at + COEF_STRIDE).
 * @param h step size, time units
 * @param T temperature, energy units
 * @param p the integrator's other parameters (friction γ, 1/time)
 */
export type CoefficientFn = (h: number, T: number, p: { friction: number }, out: Float64Array, at: number) => void;

/** Overdamped steps and the MALA proposal: (h, √(2hT), T, 0). */
export const overdampedCoefficients: CoefficientFn = (h, T, _, out, at) => {
  out[at] = h;
  out[at + 1] = Math.sqrt(2 * h * T);
  out[at + 2] = T;
  out[at + 3] = 0;
};

/** BAOAB: (h, e^{−γh}, √(T(1 − e^{−2γh})), T). */
export const baoabCoefficients: CoefficientFn = (h, T, p, out, at) => {
  out[at] = h;
  out[at + 1] = Math.exp(-p.friction * h);
  // 1 − e^{−2γh} without cancellation at small γh
  out[at + 2] = Math.sqrt(T * -Math.expm1(-2 * p.friction * h));
  out[at + 3] = T;
};

/** HMC: (h, √T, T, 0). */
export const hmcCoefficients: CoefficientFn = (h, T, _, out, at) => {
  out[at] = h;
  out[at + 1] = Math.sqrt(T);
  out[at + 2] = T;
  out[at + 3] = 0;
};
