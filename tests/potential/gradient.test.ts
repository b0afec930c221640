/**
 * The symbolic gradient of every built-in potential equals a central finite
 * difference of its energy, in every supported dimension, at default and at
 * perturbed parameters; and the printed gradient expressions evaluate to the
 * same numbers.
 */
import * as mathjs from 'mathjs';
import { describe, expect, it } from 'vitest';
import { CATALOG, compilePotential } from '../../src/potential/index.ts';
import { finiteDifference, rng } from './helpers.ts';

/** Where to sample each potential: a box around its interesting region. */
const BOX: Record<string, [number, number][] | [number, number]> = {
  'mueller-brown': [
    [-1.5, 1.2],
    [-0.5, 2],
  ],
  ackley: [-3, 3],
  rastrigin: [-3, 3],
  'gaussian-mixture': [-3, 3],
};

const cases = CATALOG.flatMap((c) => (c.dims === 'any' ? [1, 2, 3, 16] : [c.dims]).map((dims) => [c.name, dims] as const));

function samplePoint(name: string, dims: number, u: () => number): number[] {
  const box = BOX[name] ?? [-2, 2];
  return Array.from({ length: dims }, (_, d) => {
    const [lo, hi] = (typeof box[0] === 'number' ? box : box[d]) as [number, number];
    return lo + (hi - lo) * u();
  });
}

describe('symbolic gradient = finite difference of the energy', () => {
  it.each(cases)('%s, D = %i', (name, dims) => {
    const pot = compilePotential({ name }, dims);
    const u = rng(1000 + dims);
    const g = new Float64Array(dims);
    for (let trial = 0; trial < 6; trial++) {
      const x = samplePoint(name, dims, u);
      // Half the trials at perturbed parameters, passed at call time (no recompile).
      const p = trial % 2 === 0 ? undefined : Array.from(pot.paramValues, (v) => v * (0.5 + u()));
      pot.gradient(x, g, p);
      const fd = finiteDifference(pot, x, p);
      for (let d = 0; d < dims; d++) {
        expect(Number.isFinite(g[d])).toBe(true);
        expect(Math.abs(g[d] - fd.g[d]), `∂E/∂x${d} at ${x} with p = ${p ?? 'defaults'}`).toBeLessThanOrEqual(fd.tol[d]);
      }
    }
  });

  it('user expressions with every allowed function and power form', () => {
    const expr =
      '(x-2)^3 + x^-2 + y^7 + 3^x + e^(x/2) + abs(x*y)^2.5 + tan(x/4) + tanh(x*y) + atan(x) + asin(x/3) + acos(y/3)' +
      ' + sinh(x) + cosh(y) + sin(x)*cos(y) + log(1 + x^2) + sqrt(1 + y^2) + (1 + x^2)^(y/3) + a*exp(-b*(x - y)^2)';
    const pot = compilePotential({ expr, params: { a: 2, b: 0.7 } }, 2);
    const u = rng(42);
    const g = new Float64Array(2);
    for (let trial = 0; trial < 20; trial++) {
      const x = [0.3 + 1.2 * u(), -1.4 + 2.8 * u()];
      pot.gradient(x, g);
      const fd = finiteDifference(pot, x);
      for (let d = 0; d < 2; d++) expect(Math.abs(g[d] - fd.g[d]), `∂E/∂x${d} at ${x}`).toBeLessThanOrEqual(fd.tol[d]);
    }
  });

  it('the derivative of abs is sign: 0 at the kink, not NaN', () => {
    const pot = compilePotential({ expr: 'abs(x) + 3*abs(y - 1)' }, 2);
    const g = new Float64Array(2);
    pot.gradient([0, 1], g);
    expect(Array.from(g)).toEqual([0, 0]);
    pot.gradient([-2, 3], g);
    expect(Array.from(g)).toEqual([-1, 3]);
  });

  it('gaussian-mixture and ackley have finite gradients at the origin', () => {
    for (const name of ['gaussian-mixture', 'ackley']) {
      const pot = compilePotential({ name }, 2);
      const g = new Float64Array(2);
      pot.gradient([0, 0], g);
      // Both are symmetric in x0 at the origin (w = 0.5), so the gradient vanishes there.
      expect(Math.abs(g[0]) + Math.abs(g[1]), name).toBeLessThan(1e-12);
    }
    const tilted = compilePotential({ name: 'gaussian-mixture', params: { w: 0.8 } }, 1);
    const g = new Float64Array(1);
    tilted.gradient([0], g);
    // d/dx0 at 0 of −log(w e^{u} + (1−w) e^{−u}), u = m x0/s²: −(2w − 1) m/s².
    expect(g[0]).toBeCloseTo((-(2 * 0.8 - 1) * 1.5) / 0.25, 12);
  });
});

describe('gradientExprs', () => {
  it.each(cases.filter(([, d]) => d <= 3))('%s, D = %i: mathjs evaluates each printed component to the compiled gradient', (name, dims) => {
    const pot = compilePotential({ name }, dims);
    const params = Object.fromEntries(pot.paramNames.map((n, i) => [n, pot.paramValues[i]]));
    const components = pot.gradientExprs.map((expr) => mathjs.compile(expr));
    const u = rng(7 + dims);
    const g = new Float64Array(dims);
    for (let trial = 0; trial < 5; trial++) {
      const x = samplePoint(name, dims, u);
      pot.gradient(x, g);
      const scope = { ...params, ...Object.fromEntries(x.map((v, i) => [`x${i}`, v])) };
      components.forEach((c, d) =>
        expect(Math.abs((c.evaluate(scope) as number) - g[d])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(g[d]))),
      );
    }
  });
});
