/** The BAOAB range kernel (see ./parts.ts for what a kernel is). */
import { Stream } from '../../rng/philox.ts';
import { COEF_STRIDE } from '../../integrators/coefficients.ts';
import {
  checkGradient,
  FILL_NORMALS,
  gradientAt,
  gradientHelpers,
  gradientPrologue,
  helpers,
  type KernelGradient,
  type RangeKernelSource,
} from './parts.ts';

/**
 * Source of the BAOAB range kernel (src/integrators/inertial.ts) for D
 * dimensions with the potential's gradient inlined. State: [positions,
 * velocities] (and the data last, for a potential from data). `coef` holds COEF_STRIDE numbers per step, (h, c1, c2, T) from
 * baoabCoefficients (src/integrators/coefficients.ts). Per step and coordinate, in the
 * reference's order:
 *   v −= (h/2)·g/m;  x += (h/2)·v;  v ← c1·v + c2·ξ/√m;  x += (h/2)·v
 * then the gradient at the new position and the closing v −= (h/2)·g/m. The
 * gradient of the last step is kept for the next step's first kick (K + 1
 * gradients per call, as in the reference).
 * @param mass m_d per coordinate (mass units); 1/m and 1/√m are pasted as
 *   literals (a JavaScript number prints as the shortest text that reads back
 *   the same double, so the kernel multiplies by the reference's values)
 */
export function baoabKernelSource(dims: number, gradient: KernelGradient, mass: number[]): RangeKernelSource {
  const D = dims;
  checkGradient(gradient, D);
  if (mass.length !== D) throw new Error(`mass has ${mass.length} components, expected ${D}`);
  const stepsPerFill = Math.floor(Math.max(FILL_NORMALS, D) / D);
  // two particles a turn for an expression's gradient (see pairLoop in ./overdamped.ts)
  const pair = gradient.kind === 'expression';
  const loop = (count: number) => particleLoop(D, gradient, mass, stepsPerFill, count);
  return [
    '"use strict";',
    ...helpers(Math.max(FILL_NORMALS, D), gradient, pair),
    ...gradientHelpers(gradient),
    'return function baoab(state, i0, i1, step0, coef, params, k0, k1, base) {',
    `const _x = state[0], _v = state[1], _K = coef.length / ${COEF_STRIDE};`,
    ...gradientPrologue(gradient, D),
    'let _i = i0;',
    ...(pair ? loop(2) : []),
    ...loop(1),
    'return [];',
    '};',
  ].join('\n');
}

/**
 * Particles _i … i1 − 1, `count` (1 or 2) a turn, all K steps in locals. With
 * two, the second particle's x, v and g live in `_b{d}`, `_w{d}`, `_q{d}` and
 * are rebound to x{d}, v{d}, _g{d} in a block for its step (noise in `_Z2`);
 * each particle's operations are the reference's, in its order.
 */
function particleLoop(D: number, gradient: KernelGradient, mass: number[], stepsPerFill: number, count: number): string[] {
  const ds = Array.from({ length: D }, (_, d) => d);
  const inv = mass.map((m) => String(1 / m));
  const invSqrt = mass.map((m) => String(1 / Math.sqrt(m)));
  const step = (z: string) => [
    ...ds.flatMap((d) => [
      `v${d} = v${d} - _hh * _g${d} * ${inv[d]};`,
      `x${d} = x${d} + _hh * v${d};`,
      `v${d} = _c1 * v${d} + _c2 * ${invSqrt[d]} * ${z}[_j + ${d}];`,
      `x${d} = x${d} + _hh * v${d};`,
    ]),
    // the gradient at the position of step n + 1 (its mini-batch, for momentum SGD, is step n + 1's)
    ...gradientAt(gradient, D, 'step0 + _k + 1'),
    ...ds.map((d) => `v${d} = v${d} - _hh * _g${d} * ${inv[d]};`),
  ];
  const names = ['x', 'v', '_g'];
  const others = ['_b', '_w', '_q'];
  const rebound = (lines: string[]) => [
    '{',
    `let ${names.flatMap((n, k) => ds.map((d) => `${n}${d} = ${others[k]}${d}`)).join(', ')};`,
    ...lines,
    ...names.flatMap((n, k) => ds.map((d) => `${others[k]}${d} = ${n}${d};`)),
    '}',
  ];
  const at = (q: number, d: number) => `_i * ${D} + ${q * D + d}`;
  const load = (q: number) => ds.map((d) => `${q ? '_b' : 'x'}${d} = _x[${at(q, d)}], ${q ? '_w' : 'v'}${d} = _v[${at(q, d)}]`);
  const fills = count === 2 ? ['_fill', '_fill2'] : ['_fill'];
  return [
    count === 2 ? 'for (; _i + 1 < i1; _i += 2) {' : 'for (; _i < i1; _i++) {',
    `let ${[...load(0), ...(count === 2 ? [...load(1), ...ds.map((d) => `_q${d} = 0`)] : [])].join(', ')};`,
    ...gradientAt(gradient, D, 'step0'),
    ...(count === 2 ? rebound(gradientAt(gradient, D, 'step0')) : []),
    'for (let _k = 0; _k < _K; ) {',
    `const _n = Math.min(${stepsPerFill}, _K - _k);`,
    ...fills.map(
      (f, q) => `${q === 0 ? 'const _o = ' : ''}${f}(base + _i + ${q}, (step0 + _k) * ${D}, _n * ${D}, ${Stream.noise}, k0, k1);`,
    ),
    `for (let _j = _o, _e = _o + _n * ${D}; _j < _e; _j += ${D}, _k++) {`,
    `const _h = coef[${COEF_STRIDE} * _k], _c1 = coef[${COEF_STRIDE} * _k + 1], _c2 = coef[${COEF_STRIDE} * _k + 2], _hh = 0.5 * _h;`,
    ...step('_Z'),
    ...(count === 2 ? rebound(step('_Z2')) : []),
    '}',
    '}',
    ...ds.map((d) => `_x[${at(0, d)}] = x${d}; _v[${at(0, d)}] = v${d};`),
    ...(count === 2 ? ds.map((d) => `_x[${at(1, d)}] = _b${d}; _v[${at(1, d)}] = _w${d};`) : []),
    '}',
  ];
}
