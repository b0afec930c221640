/** User expressions: variables, parameters, powers, and the generated WGSL's numeric hygiene. */
import { describe, expect, it } from 'vitest';
import { CATALOG, compilePotential } from '../../src/potential/index.ts';
import { rng } from './helpers.ts';

describe('integer powers', () => {
  it('(x-2)^3 at x = −1 is −27 exactly, and odd/even/negative powers keep their sign on negative bases', () => {
    expect(compilePotential({ expr: '(x-2)^3' }, 1).energy([-1])).toBe(-27);
    const pot = compilePotential({ expr: 'x^2 + 10*y^5 + 100*z^-2 + w^-3' }, 4);
    // (−3)² + 10·(−2)⁵ + 100/(−5)² + 1/(−2)³ = 9 − 320 + 4 − 0.125
    expect(pot.energy([-3, -2, -5, -2])).toBe(-307.125);
    const g = new Float64Array(4);
    pot.gradient([-3, -2, -5, -2], g);
    // 2x, 50y⁴, −200 z⁻³, −3 w⁻⁴
    expect(Array.from(g)).toEqual([-6, 800, 1.6, -0.1875]);
  });

  it('high integer powers (repeated squaring) equal Math.pow on negative bases', () => {
    for (const n of [5, 6, 7, 12, 16, 17, 31, -9]) {
      const pot = compilePotential({ expr: `x^${n}` }, 1);
      for (const x of [-1.1, -0.7, 0.9, 1.3]) {
        const exact = Math.pow(x, n);
        expect(Math.sign(pot.energy([x]))).toBe(Math.sign(exact));
        expect(Math.abs(pot.energy([x]) - exact)).toBeLessThanOrEqual(1e-14 * Math.abs(n) * Math.abs(exact));
      }
    }
  });

  it('the WGSL for x^2 squares by multiplication: no pow(), which is undefined for negative bases', () => {
    const pot = compilePotential({ expr: 'x^2 + (y - 1)^4 + x^-2' }, 2);
    expect(pot.wgsl).not.toContain('pow(');
  });
});

describe('numbers in the WGSL are f32 literals', () => {
  // Every numeric token outside an array index must carry a decimal point or an exponent:
  // a bare `10` would be an integer and 1/10 would be integer division.
  const bareIntegers = (wgsl: string) =>
    wgsl
      .split('\n')
      .filter((l) => !l.trim().startsWith('//'))
      .join('\n')
      .replace(/\[[^\]]*\]/g, '[]')
      .replace(/array<f32, D>/g, '')
      // u32 literals (the parameter row offset, `param_row: u32 = 0u`) are integers on purpose
      .replace(/\b\d+u\b/g, '')
      .replace(/\b[A-Za-z_]\w*/g, 'id')
      .match(/(?<![\d.eE+-])\d+(?![\d.eE])/g) ?? [];

  it.each(CATALOG.map((c) => c.name))('%s', (name) => {
    const entry = CATALOG.find((c) => c.name === name)!;
    const pot = compilePotential({ name }, entry.dims === 'any' ? 3 : entry.dims);
    expect(bareIntegers(pot.wgsl)).toEqual([]);
  });

  it('user expression with integers, division and exponents', () => {
    const pot = compilePotential({ expr: '1/10*x + 3*y/4 + 2^x + 1e-3*x*y + 7' }, 2);
    expect(bareIntegers(pot.wgsl)).toEqual([]);
    // And the detector does catch a bare integer.
    expect(bareIntegers('return (x0 / 10);')).toEqual(['10']);
  });
});

describe('variables', () => {
  it('x, y, z, w and x0 … x3 name the same coordinates (and may be mixed)', () => {
    const a = compilePotential({ expr: '(x^2 - 1)^2 + 0.5*y^2 + sin(z)*w' }, 4);
    const b = compilePotential({ expr: '(x0^2 - 1)^2 + 0.5*x1^2 + sin(x2)*x3' }, 4);
    const c = compilePotential({ expr: '(x^2 - 1)^2 + 0.5*x1^2 + sin(z)*x3' }, 4);
    const u = rng(3);
    const ga = new Float64Array(4);
    const gb = new Float64Array(4);
    for (let i = 0; i < 20; i++) {
      const x = Array.from({ length: 4 }, () => 4 * u() - 2);
      expect(a.energy(x)).toBe(b.energy(x));
      expect(c.energy(x)).toBe(b.energy(x));
      a.gradient(x, ga);
      b.gradient(x, gb);
      expect(Array.from(ga)).toEqual(Array.from(gb));
    }
  });

  it('x0 … x15 at D = 16; coordinates not in the expression have zero gradient', () => {
    const pot = compilePotential({ expr: 'x0*x15 + x7^2' }, 16);
    const x = Array.from({ length: 16 }, (_, i) => i + 1);
    expect(pot.energy(x)).toBe(16 + 64);
    const g = new Float64Array(16).fill(NaN);
    pot.gradient(x, g);
    const expected = new Array(16).fill(0);
    expected[0] = 16;
    expected[15] = 1;
    expected[7] = 16;
    expect(Array.from(g)).toEqual(expected);
  });

  it('pi and e are the constants', () => {
    expect(compilePotential({ expr: 'pi*x + e' }, 1).energy([2])).toBe(2 * Math.PI + Math.E);
  });
});

describe('parameters', () => {
  it('user expression parameters: values in paramValues, changeable per call without recompiling', () => {
    const pot = compilePotential({ expr: 'a*(x - b)^2', params: { a: 2, b: 1 } }, 1);
    expect(pot.paramNames).toEqual(['a', 'b']);
    expect(Array.from(pot.paramValues)).toEqual([2, 1]);
    expect(pot.energy([3])).toBe(8);
    const g = [0];
    pot.gradient([3], g);
    expect(g[0]).toBe(8);
    expect(pot.energy([3], [3, 1])).toBe(12);
    pot.gradient([3], g, [3, 2]);
    expect(g[0]).toBe(6);
  });

  it('array parameters define a_0, a_1, … in order', () => {
    const pot = compilePotential({ expr: 'a_0*x^2 + a_1*y^2 + c', params: { a: [1, 3], c: 0.5 } }, 2);
    expect(pot.paramNames).toEqual(['a_0', 'a_1', 'c']);
    expect(pot.energy([2, 1])).toBe(4 + 3 + 0.5);
  });

  it('a per-dimension catalog parameter takes a number (broadcast) or one per dimension', () => {
    const one = compilePotential({ name: 'harmonic', params: { k: 2 } }, 3);
    expect(one.paramNames).toEqual(['k_0', 'k_1', 'k_2']);
    expect(Array.from(one.paramValues)).toEqual([2, 2, 2]);
    const each = compilePotential({ name: 'harmonic', params: { k: [1, 2, 3] } }, 3);
    expect(each.energy([1, 1, 1])).toBe(3);
  });

  it('parameters named like unused letters are allowed: w at D = 2 is a parameter, not a coordinate', () => {
    const pot = compilePotential({ expr: 'w*x^2 + y', params: { w: 3 } }, 2);
    expect(pot.energy([2, 1])).toBe(13);
  });

  it('the WGSL reads parameters from potential_params at their uniform index', () => {
    const pot = compilePotential({ name: 'tilted-double-well' }, 2);
    // h, c, k → indices 0, 1, 2; all three are used.
    for (let i = 0; i < 3; i++) expect(pot.wgsl).toContain(`potential_params[param_row + ${i}u]`);
    expect(pot.wgsl).not.toContain('potential_params[param_row + 3u]');
  });
});
