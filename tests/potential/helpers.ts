/** Shared helpers of the potential tests: a seeded PRNG and a finite-difference gradient. */
import type { CompiledPotential } from '../../src/potential/index.ts';

/** Mulberry32: a tiny seeded PRNG, uniform on [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Central finite difference of the JS energy along each coordinate, with the
 * tolerance the comparison with an exact gradient deserves: truncation
 * O(h²) plus rounding of E(x ± h) amplified by 1/h.
 */
export function finiteDifference(pot: CompiledPotential, x: number[], p?: ArrayLike<number>): { g: number[]; tol: number[] } {
  const g: number[] = [];
  const tol: number[] = [];
  for (let d = 0; d < x.length; d++) {
    const h = 1e-5 * Math.max(1, Math.abs(x[d]));
    const plus = x.slice();
    const minus = x.slice();
    plus[d] += h;
    minus[d] -= h;
    const ep = pot.energy(plus, p);
    const em = pot.energy(minus, p);
    const fd = (ep - em) / (2 * h);
    g.push(fd);
    tol.push(1e-6 * Math.max(1, Math.abs(fd)) + (200 * Number.EPSILON * Math.max(Math.abs(ep), Math.abs(em))) / h);
  }
  return { g, tol };
}
