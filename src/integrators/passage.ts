/**
 * The first-passage test of one particle after a step, in float64, mirroring
 * shaders/kinetics.wgsl line for line: is x in the region (closed box or
 * ball), and, for a box under an overdamped step, did the Brownian bridge
 * between x_n and x_{n+1} cross a face within the step?
 *
 * Brownian-bridge correction: a Brownian path of diffusion coefficient T
 * (dx = … + √(2T) dW) pinned at a and a′ on the same side of a plane, at
 * distances d and d′ from it, over a time h, crosses the plane with
 * probability exp(−d·d′/(T·h)) (the reflection principle). A step that ends
 * outside the box is counted as a hit when a uniform u (Philox stream 5,
 * number n for step n) falls below 1 − Π_faces (1 − p_face), where a face
 * counts when both ends lie beyond it and inside the box's other bounds.
 * This removes the O(√h) bias of a discrete check to O(h) (the drift within
 * the step is neglected; exact for a half-space or a slab, an approximation
 * near the box's edges and corners).
 */
import { philox4x32, Stream, streamWord, u01 } from '../rng/philox.ts';

/** Philox stream of the bridge uniforms: uniform n (step n) is output n mod 4 of call ⌊n/4⌋. */
export const BRIDGE_STREAM = Stream.bridge;

/** The smallest bridge uniform (u01's 2^−24): a crossing probability at or below it never makes a hit, and draws no uniform. */
export const BRIDGE_MIN = 2 ** -24;

export { NOT_HIT } from '../stats/passage.ts';

/** The region of a first-passage observer: a box (bounds may be infinite: a half-space or a slab) or a ball. */
export type PassageRegion = { kind: 'box'; low: number[]; high: number[] } | { kind: 'ball'; center: number[]; radius: number };

export interface PassageSpec {
  region: PassageRegion;
  /** a particle that reaches the region stays where it entered (absorbing boundary) */
  absorb: boolean;
  /** the Brownian-bridge correction of crossings within a step (box regions, em and lm) */
  bridge: boolean;
}

/** Whether x lies in the region (a closed box or ball); false when a coordinate is not finite. Self-contained (pasted into the generated CPU kernels). */
export function inRegion(x: ArrayLike<number>, r: PassageRegion): boolean {
  const D = x.length;
  if (r.kind === 'box') {
    for (let d = 0; d < D; d++) if (!Number.isFinite(x[d]) || !(x[d] >= r.low[d] && x[d] <= r.high[d])) return false;
    return true;
  }
  let s = 0;
  for (let d = 0; d < D; d++) s += (x[d] - r.center[d]) * (x[d] - r.center[d]);
  return s <= r.radius * r.radius;
}

/**
 * The probability that the bridge from a to b (both outside the box) entered it within the step. Self-contained
 * (the generated CPU kernels paste its source).
 * @param T temperature (energy; diffusion coefficient, friction 1), h step size (time)
 */
export function bridgeProbability(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  r: { low: number[]; high: number[] },
  T: number,
  h: number,
): number {
  const th = T * h;
  if (!(th > 0)) return 0;
  let miss = 1;
  for (let d = 0; d < a.length; d++) {
    let dd = 0;
    if (a[d] < r.low[d] && b[d] < r.low[d]) dd = (r.low[d] - a[d]) * (r.low[d] - b[d]);
    else if (a[d] > r.high[d] && b[d] > r.high[d]) dd = (a[d] - r.high[d]) * (b[d] - r.high[d]);
    else continue;
    // the other coordinates of both ends within the box's bounds
    let others = true;
    for (let e = 0; e < a.length; e++)
      if (e !== d && !(a[e] >= r.low[e] && a[e] <= r.high[e] && b[e] >= r.low[e] && b[e] <= r.high[e])) others = false;
    // a face whose probability is below e^−17 < 2^−24 (the smallest bridge uniform) is skipped (17: literal, as the kernels paste this source)
    const q = dd / th;
    if (others && q < 17) miss *= 1 - Math.exp(-q);
  }
  return 1 - miss;
}

/** Uniform number n of a particle's bridge stream (n < 2^32). */
export function bridgeUniform(k0: number, k1: number, particle: number, n: number, block: Uint32Array): number {
  philox4x32(particle >>> 0, n >>> 2, 0, streamWord(BRIDGE_STREAM, particle), k0, k1, block);
  return u01(block[n & 3]);
}
