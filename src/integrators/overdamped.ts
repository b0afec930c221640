/**
 * CPU reference of the overdamped step and the initialisation, mirroring
 * shaders/step.wgsl and shaders/init.wgsl line for line (float64 here, f32 there).
 */
import { NormalStream, philox4x32, u01, Stream } from '../rng/philox.ts';
import type { IntegratorName, InitSpec } from '../spec.ts';

/**
 * Gradient of E at x, written to g (the compiled potential's JS target).
 * `step` is the step's index in the run; mini-batch gradients (src/integrators/batch.ts)
 * draw their rows from it, full gradients ignore it.
 */
export type GradientFn = (x: Float64Array, g: Float64Array, p: ArrayLike<number>, step: number) => void;

/** The full-data gradient, as the inertial and Metropolis integrators use it (no mini-batch: their steps need exact energies). */
export type FullGradientFn = (x: Float64Array, g: Float64Array, p: ArrayLike<number>) => void;

/** Per-particle scratch, allocated once per worker. */
export interface Scratch {
  g: Float64Array;
  xi: Float64Array;
}

export function makeScratch(dims: number): Scratch {
  return { g: new Float64Array(dims), xi: new Float64Array(dims) };
}

/**
 * Advance one particle K = coef.length / 2 steps in place.
 *   EM: x' = x − h∇E(x) + σ_n ξ_n;   LM: x' = x − h∇E(x) + σ_n (ξ_n + ξ_{n+1})/2
 * @param x position (length D), updated in place
 * @param ns the particle's noise stream, positioned at normal number step0·D
 * @param coef per step (h, σ_n = √(2hT_n))
 * @param step0 index of the first step in the run (passed to `gradient`)
 */
export function advanceParticle(
  integrator: IntegratorName,
  x: Float64Array,
  ns: NormalStream,
  coef: Float64Array,
  gradient: GradientFn,
  p: ArrayLike<number>,
  s: Scratch,
  step0 = 0,
): void {
  const D = x.length;
  const K = coef.length / 2;
  const lm = integrator === 'lm';
  if (lm) for (let d = 0; d < D; d++) s.xi[d] = ns.next();
  for (let k = 0; k < K; k++) {
    const h = coef[2 * k];
    const sigma = coef[2 * k + 1];
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

/** Affine form of an init spec: x_d = a_d + b_d r_d (r normal, uniform or 0). */
export function initAffine(init: InitSpec): { a: number[]; b: number[] } {
  switch (init.kind) {
    case 'normal':
      return { a: init.mean, b: init.std };
    case 'uniform':
      return { a: init.low, b: init.high.map((h, i) => h - init.low[i]) };
    case 'point':
      return { a: init.x, b: init.x.map(() => 0) };
  }
}

/** Initial position of particle i (global index), as shaders/init.wgsl computes it. */
export function initParticle(init: InitSpec, i: number, k0: number, k1: number, out: Float64Array): void {
  const { a, b } = initAffine(init);
  const D = out.length;
  if (init.kind === 'normal') {
    const ns = new NormalStream(k0, k1, Stream.init);
    ns.seek(i, 0);
    for (let d = 0; d < D; d++) out[d] = a[d] + b[d] * ns.next();
  } else if (init.kind === 'uniform') {
    const block = new Uint32Array(4);
    for (let d = 0; d < D; d++) {
      if (d % 4 === 0) philox4x32(i, d / 4, 0, Stream.init, k0, k1, block);
      out[d] = a[d] + b[d] * u01(block[d % 4]);
    }
  } else {
    for (let d = 0; d < D; d++) out[d] = a[d];
  }
}
