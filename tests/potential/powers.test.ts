/**
 * Integer powers of any size are computed the same way on both targets: as
 * products (repeated squaring), never `pow`, whose WGSL version is undefined
 * for negative bases. So the f32 evaluation of the generated WGSL agrees with
 * the float64 JavaScript the CPU runs, for x^1025 as for x^2.
 */
import { describe, expect, it } from 'vitest';
import { compilePotential, type CompiledPotential } from '../../src/potential/index.ts';

/** WGSL's pow(x, y) = exp2(y·log2(x)): NaN for x < 0 (the spec leaves it undefined; GPUs give NaN or garbage). */
function wgslPow(x: number, y: number): number {
  return x < 0 ? NaN : Math.fround(2 ** (y * Math.log2(x)));
}

/**
 * The body of a generated WGSL function (`fn NAME(...) { … }`) as a JavaScript
 * function of x in f32: every `let` rounded to f32, the built-ins with their
 * WGSL meaning. Within one line the arithmetic is float64, so the result is
 * close to, not equal to, the GPU's.
 */
function wgslFunction(wgsl: string, name: string): (x: number[]) => number | number[] {
  const start = wgsl.indexOf(`fn ${name}(`);
  const body = wgsl.slice(wgsl.indexOf('{', start) + 1, wgsl.indexOf('\n}', start));
  const js = body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('_ ='))
    .map((l) =>
      l
        .replace(/^let (\w+) = (.*);$/, 'const $1 = Math.fround($2);')
        .replace(/^var g: array<f32, D>;$/, 'const g = new Array(x.length).fill(0);')
        .replace(/^(g\[\d+\]) = (.*);$/, '$1 = Math.fround($2);'),
    )
    .join('\n');
  const fns = ['exp', 'log', 'sqrt', 'sin', 'cos', 'abs', 'tanh'].map((f) => `const ${f} = (v) => Math.fround(Math.${f}(v));`).join('\n');
  return new Function('pow', 'x', `${fns}\n${js}`).bind(null, wgslPow) as (x: number[]) => number | number[];
}

/** Relative difference, 0 when both are the same infinity. */
function rel(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

const POWERS = ['x^1025', 'x^-1025', '3*x^4097 - x^2', '(x - 0.5)^2047', 'x^-1024', 'x^1024'];

describe('integer powers: the same products on the CPU (float64) and the GPU (f32)', () => {
  it.each(POWERS)('%s: no pow in the WGSL or the JavaScript', (expr) => {
    const p = compilePotential({ expr }, 1);
    expect(p.wgsl).not.toMatch(/\bpow\(/);
    expect(JSON.stringify([p.energyJs, p.gradientJs])).not.toContain('Math.pow');
  });

  it.each(POWERS)('%s: the f32 evaluation of the WGSL agrees with the CPU energy and gradient, negative bases included', (expr) => {
    const p: CompiledPotential = compilePotential({ expr }, 1);
    const energy = wgslFunction(p.wgsl, 'potential_energy');
    const gradient = wgslFunction(p.wgsl, 'potential_gradient');
    for (const x of [-1.001, -0.999, -0.5, 0.75, 1.0005]) {
      const e = p.energy([x]);
      const g = [0];
      p.gradient([x], g);
      const ew = energy([Math.fround(x)]) as number;
      const gw = (gradient([Math.fround(x)]) as number[])[0];
      // Both finite or both the same infinity, and within f32 rounding over ~30 products (x rounded to f32 too: ×1025).
      expect(Number.isNaN(ew)).toBe(false);
      expect(rel(ew, Math.fround(e))).toBeLessThan(2e-4);
      expect(rel(gw, Math.fround(g[0]))).toBeLessThan(2e-4);
    }
  });

  it('the float64 products equal Math.pow to rounding', () => {
    const p = compilePotential({ expr: 'x^1025' }, 1);
    for (const x of [-1.001, 0.999, 1.0003]) expect(rel(p.energy([x]), Math.pow(x, 1025))).toBeLessThan(1e-13);
  });

  it('the WGSL and the JavaScript are the same code, spelt for each target', () => {
    for (const expr of [...POWERS, 'exp(-(x^2))*sin(x)/(1 + x^6)', 'x^2.5 + 2^x']) {
      const p = compilePotential({ expr }, 1);
      const wgsl = p.wgsl.slice(p.wgsl.indexOf('fn potential_energy'));
      const lines = wgsl
        .slice(0, wgsl.indexOf('\n}'))
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('let t') || l.startsWith('return'));
      const js = [...p.energyJs!.temps, `return ${p.energyJs!.results[0]};`].map((l) =>
        l.replace(/^const /, 'let ').replace(/Math\./g, ''),
      );
      expect(lines).toEqual(js);
    }
  });
});
