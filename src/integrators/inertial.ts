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
import { NormalStream, Stream } from '../rng/philox.ts';
import type { RunSpec } from '../spec.ts';
import { temperatureAt } from '../schedule.ts';
import { COEF_STRIDE } from './coefficients.ts';
import type { GradientFn } from './overdamped.ts';

/** 1/m_d and 1/√m_d per coordinate (mass units^−1, ^−½). */
export interface InverseMass {
  inv: Float64Array;
  invSqrt: Float64Array;
}

export function inverseMass(mass: number[]): InverseMass {
  return { inv: Float64Array.from(mass, (m) => 1 / m), invSqrt: Float64Array.from(mass, (m) => 1 / Math.sqrt(m)) };
}

/**
 * Advance one particle K steps of BAOAB in place.
 * @param x position (length D), length units
 * @param v velocity (length D), length/time
 * @param ns the particle's noise stream positioned at normal number step0·D
 * @param c4 per step (h, c1, c2, T) from samplerCoefficients('baoab', …)
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

/**
 * Initial velocity of particle i (global index), as shaders/init.wgsl computes it
 * with the VELOCITY flag: "thermal" draws v_d = √(T(0)/m_d)·ξ_d with ξ_d normal
 * number d of stream 2 (Stream.velocity); "zero" and a vector are the same for all.
 */
export function initVelocity(spec: RunSpec, i: number, k0: number, k1: number, out: Float64Array): void {
  const { a, b } = velocityAffine(spec);
  const D = out.length;
  if (spec.velocity.kind === 'thermal') {
    const ns = new NormalStream(k0, k1, Stream.velocity);
    ns.seek(i, 0);
    for (let d = 0; d < D; d++) out[d] = a[d] + b[d] * ns.next();
  } else {
    for (let d = 0; d < D; d++) out[d] = a[d];
  }
}

/** Affine form v_d = a_d + b_d·ξ_d of the velocity init (ξ normal, stream 2). */
export function velocityAffine(spec: RunSpec): { a: number[]; b: number[] } {
  const D = spec.dims;
  const vel = spec.velocity;
  if (vel.kind === 'thermal') {
    const T0 = temperatureAt(spec.temperature, 0, spec.steps);
    return { a: new Array<number>(D).fill(0), b: spec.mass.map((m) => Math.sqrt(T0 / m)) };
  }
  const a = vel.kind === 'zero' ? new Array<number>(D).fill(0) : vel.v;
  return { a, b: new Array<number>(D).fill(0) };
}
