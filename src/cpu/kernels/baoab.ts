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
  const xs = Array.from({ length: D }, (_, d) => `x${d}`);
  const vs = Array.from({ length: D }, (_, d) => `v${d}`);
  const inv = mass.map((m) => String(1 / m));
  const invSqrt = mass.map((m) => String(1 / Math.sqrt(m)));
  const stepsPerFill = Math.floor(Math.max(FILL_NORMALS, D) / D);
  return [
    '"use strict";',
    ...helpers(Math.max(FILL_NORMALS, D), gradient),
    ...gradientHelpers(gradient),
    'return function baoab(state, i0, i1, step0, coef, params, k0, k1, base) {',
    `const _x = state[0], _v = state[1], _K = coef.length / ${COEF_STRIDE};`,
    ...gradientPrologue(gradient, D),
    'for (let _i = i0; _i < i1; _i++) {',
    ...xs.map((x, d) => `let ${x} = _x[_i * ${D} + ${d}];`),
    ...vs.map((v, d) => `let ${v} = _v[_i * ${D} + ${d}];`),
    ...gradientAt(gradient, D, 'step0'),
    'for (let _k = 0; _k < _K; ) {',
    `const _n = Math.min(${stepsPerFill}, _K - _k);`,
    `const _o = _fill(base + _i, (step0 + _k) * ${D}, _n * ${D}, ${Stream.noise}, k0, k1);`,
    `for (let _j = _o, _e = _o + _n * ${D}; _j < _e; _j += ${D}, _k++) {`,
    `const _h = coef[${COEF_STRIDE} * _k], _c1 = coef[${COEF_STRIDE} * _k + 1], _c2 = coef[${COEF_STRIDE} * _k + 2], _hh = 0.5 * _h;`,
    ...xs.flatMap((x, d) => [
      `${vs[d]} = ${vs[d]} - _hh * _g${d} * ${inv[d]};`,
      `${x} = ${x} + _hh * ${vs[d]};`,
      `${vs[d]} = _c1 * ${vs[d]} + _c2 * ${invSqrt[d]} * _Z[_j + ${d}];`,
      `${x} = ${x} + _hh * ${vs[d]};`,
    ]),
    // the gradient at the position of step n + 1 (its mini-batch, for momentum SGD, is step n + 1's)
    ...gradientAt(gradient, D, 'step0 + _k + 1'),
    ...vs.map((v, d) => `${v} = ${v} - _hh * _g${d} * ${inv[d]};`),
    '}',
    '}',
    ...xs.map((x, d) => `_x[_i * ${D} + ${d}] = ${x};`),
    ...vs.map((v, d) => `_v[_i * ${D} + ${d}] = ${v};`),
    '}',
    'return [];',
    '};',
  ].join('\n');
}
