/** Shared helpers of the potential tests: a seeded PRNG and a finite-difference gradient. */
import type { CompiledPotential } from '../../src/potential/index.ts';
export { rng } from '../fixtures/random.ts';
import { rng } from '../fixtures/random.ts';

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
