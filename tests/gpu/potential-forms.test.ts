/**
 * Potentials at the edges of the expression limits run on the GPU and agree
 * with the CPU: integer powers beyond 1024 (products on both sides, so a
 * negative base gives the same finite value), and expressions as deep or as
 * long as the limits allow, whose generated WGSL must stay within what the
 * WGSL parser accepts (about 128 nested parentheses, 512 chained operands).
 */
import { describe, expect, it } from 'vitest';
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_NESTING } from '../../src/limits.ts';
import { compilePotential } from '../../src/potential/index.ts';
import { scoped } from './harness.ts';
import { runKernel } from './run-kernel.ts';

/** E(x) and ∂E/∂x at each point, evaluated by the GPU from the potential's WGSL (D = 1). */
async function gpuEnergyAndGradient(wgsl: string, params: Float64Array, xs: number[]): Promise<Float32Array> {
  return scoped(async ({ device }) => {
    const code = [
      'const D: u32 = 1u;',
      '@group(0) @binding(0) var<storage, read_write> io: array<f32>;',
      '@group(0) @binding(1) var<storage, read> potential_params: array<f32>;',
      wgsl,
      '@compute @workgroup_size(1) fn main(@builtin(global_invocation_id) id: vec3<u32>) {',
      '  var x: array<f32, D>;',
      '  x[0] = io[3u * id.x];',
      '  io[3u * id.x + 1u] = potential_energy(x);',
      '  io[3u * id.x + 2u] = potential_gradient(x)[0];',
      '}',
    ].join('\n');
    const io = new Float32Array(xs.flatMap((x) => [x, 0, 0]));
    const [out] = await runKernel(device, code, [{ data: io, read: true }, { data: Float32Array.from(params) }], [xs.length]);
    return new Float32Array(out, 0, io.length);
  });
}

/** Relative difference, 0 when equal (the same infinity included). */
function rel(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

describe('the GPU evaluates every expression within the limits as the CPU does', () => {
  it.each([
    ['x^1025', 'x^1025', [-1.001, -0.999, 0.5, 1.0005], 2e-4],
    ['x^-1025', 'x^-1025', [-1.001, -0.999, 1.0005], 2e-4],
    ['3x^4097 - x^2', '3*x^4097 - x^2', [-1.0002, 0.9999], 1e-3],
    [`a chain of ${MAX_EXPRESSION_DEPTH - 1} subtractions`, Array(MAX_EXPRESSION_DEPTH).fill('x').join(' - '), [0.5, -2], 1e-6],
    // WGSL's sin is accurate to 2^-11 absolute only: 64 of them in a row drift.
    [
      `sin nested ${MAX_EXPRESSION_NESTING} deep`,
      'sin('.repeat(MAX_EXPRESSION_NESTING) + 'x' + ')'.repeat(MAX_EXPRESSION_NESTING),
      [0.5, -1.5],
      2e-2,
    ],
    ['a sum of 600 terms', Array(600).fill('a*x^2').join(' + '), [1.5, -0.25], 1e-5],
  ])('%s', async (_, expr, xs, tol) => {
    const p = compilePotential({ expr, params: expr.includes('a*') ? { a: 0.75 } : {} }, 1);
    const io = await gpuEnergyAndGradient(p.wgsl, p.paramValues, xs);
    xs.forEach((x, i) => {
      const xf = Math.fround(x);
      const g = [0];
      p.gradient([xf], g);
      expect(rel(io[3 * i + 1], Math.fround(p.energy([xf])))).toBeLessThan(tol);
      expect(rel(io[3 * i + 2], Math.fround(g[0]))).toBeLessThan(tol);
    });
  });
});
