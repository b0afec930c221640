/**
 * The symbolic gradient of every built-in potential equals a central finite
 * difference of its energy, in every supported dimension, at default and at
 * perturbed parameters; it equals mathjs's symbolic derivative (the
 * compiler's before derivative.ts) for every built-in and for random
 * expressions with every function and operator; and the printed gradient
 * expressions evaluate to the same numbers.
 */
import * as mathjs from 'mathjs';
import { describe, expect, it } from 'vitest';
import { CATALOG, compilePotential, PotentialError, type CompiledPotential } from '../../src/potential/index.ts';
import { USER_FUNCTIONS } from '../../src/potential/vocabulary.ts';
import { Random } from '../fuzz/mutations.ts';
import { randomSource } from './expressions.ts';
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

/** mathjs's ∂E/∂x_d of the potential's expression (the letters x, y renamed x0, x1), unsimplified, compiled. */
function mathjsGradient(pot: CompiledPotential): mathjs.EvalFunction[] {
  const letters: Record<string, string> = { x: 'x0', y: 'x1' };
  const tree = mathjs
    .parse(pot.expr)
    .transform((n) => (mathjs.isSymbolNode(n) && Object.hasOwn(letters, n.name) ? new mathjs.SymbolNode(letters[n.name]) : n));
  return Array.from({ length: pot.dims }, (_, d) => mathjs.derivative(tree, `x${d}`, { simplify: false }).compile());
}

/**
 * Compare the compiled gradient with mathjs's at `x`: relative 1e-10 (float64
 * rounding of folded constants and reordered signs), where mathjs's value is a
 * finite real number not beyond 1e8 (near a singularity the rounding of the
 * argument dominates). Returns how many components were compared.
 */
function agreeWithMathjs(pot: CompiledPotential, want: mathjs.EvalFunction[], x: number[], params: Record<string, number>): number {
  const g = new Float64Array(pot.dims);
  pot.gradient(x, g);
  const scope = { ...params, ...Object.fromEntries(x.map((v, i) => [`x${i}`, v])) };
  let compared = 0;
  want.forEach((c, d) => {
    const w: unknown = c.evaluate({ ...scope });
    if (typeof w !== 'number' || !Number.isFinite(w) || Math.abs(w) > 1e8) return;
    expect(Math.abs(g[d] - w), `∂/∂x${d} of ${JSON.stringify(pot.expr)} at ${x}`).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(w)));
    compared++;
  });
  return compared;
}

describe('symbolic gradient = mathjs.derivative', () => {
  it.each(cases)('%s, D = %i', (name, dims) => {
    const pot = compilePotential({ name }, dims);
    const params = Object.fromEntries(pot.paramNames.map((n, i) => [n, pot.paramValues[i]]));
    const want = mathjsGradient(pot);
    const u = rng(300 + dims);
    let compared = 0;
    for (let trial = 0; trial < 6; trial++) compared += agreeWithMathjs(pot, want, samplePoint(name, dims, u), params);
    expect(compared).toBe(6 * dims);
  });

  it('300 random expressions with every function and operator (seeded)', () => {
    const r = new Random(7);
    const u = rng(8);
    const seen = new Set<string>();
    let compared = 0;
    let possible = 0;
    for (let i = 0; i < 300; i++) {
      const expr = randomSource(r);
      const params = { a: 0.5 + u(), b: -1 + 2 * u() };
      let pot: CompiledPotential;
      try {
        pot = compilePotential({ expr, params }, 2);
      } catch (e) {
        // a constant part that is not a finite (or f32) number, e.g. log(-2): refused whole
        expect(e, expr).toBeInstanceOf(PotentialError);
        expect((e as Error).message, expr).toMatch(/not a finite number|32-bit floats|too large/);
        continue;
      }
      for (const f of USER_FUNCTIONS) if (expr.includes(`${f}(`) || expr.includes(`${f} (`)) seen.add(f);
      for (const o of ['+', '-', '*', '/', '^']) if (expr.includes(o)) seen.add(o);
      const want = mathjsGradient(pot);
      possible += 4 * pot.dims;
      for (let trial = 0; trial < 4; trial++) compared += agreeWithMathjs(pot, want, [-2 + 4 * u(), -2 + 4 * u()], params);
    }
    expect([...seen].sort()).toEqual([...USER_FUNCTIONS, '+', '-', '*', '/', '^'].sort());
    // (seeded: 2195 of the 2320 components of the expressions that compile; the rest are complex, infinite or > 1e8 in mathjs)
    expect(compared).toBeGreaterThanOrEqual(0.9 * possible);
    expect(possible).toBeGreaterThan(2000);
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
