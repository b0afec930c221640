/** The overdamped range kernels, EM and LM (see ./parts.ts for what a kernel is). */
import { Stream } from '../../rng/philox.ts';
import { COEF_STRIDE } from '../../integrators/coefficients.ts';
import {
  checkGradient,
  FILL_NORMALS,
  gradientAt,
  gradientHelpers,
  gradientParams,
  gradientPrologue,
  helpers,
  type KernelGradient,
  type RangeKernelSource,
} from './parts.ts';
import {
  kineticsAfter,
  kineticsBefore,
  kineticsHelpers,
  kineticsLoad,
  kineticsMoves,
  kineticsPrologue,
  kineticsStore,
  type KernelKinetics,
} from './kinetics.ts';

/**
 * Source of the overdamped range kernel (EM or LM) for D dimensions with the
 * potential's gradient inlined. State: [positions] (and the data last, for a
 * potential from data).
 *   EM: x' = x − h∇E(x) + σ_n ξ_n;   LM: x' = x − h∇E(x) + σ_n (ξ_n + ξ_{n+1})/2
 * The mini-batch of step n is step n's (src/integrators/overdamped.ts).
 * @param leimkuhlerMatthews LM's noise (ξ_n + ξ_{n+1})/2, else EM's ξ_n
 */
export function overdampedKernelSource(
  dims: number,
  gradient: KernelGradient,
  leimkuhlerMatthews: boolean,
  kinetics?: KernelKinetics,
): RangeKernelSource {
  const D = dims;
  checkGradient(gradient, D);
  const xs = Array.from({ length: D }, (_, d) => `x${d}`);
  // LM's step n uses the normals of steps n and n + 1: one step more per fill
  const lm = leimkuhlerMatthews ? 1 : 0;
  const capacity = Math.max(FILL_NORMALS, (1 + lm) * D);
  const stepsPerFill = Math.floor(capacity / D) - lm;
  const noise = (d: number) => (leimkuhlerMatthews ? `(0.5 * (_Z[_j + ${d}] + _Z[_j + ${D + d}]))` : `_Z[_j + ${d}]`);
  return [
    '"use strict";',
    ...helpers(capacity, gradient),
    ...gradientHelpers(gradient),
    ...(kinetics ? kineticsHelpers(kinetics) : []),
    'return function overdamped(state, i0, i1, step0, coef, params, k0, k1, base) {',
    `const _x = state[0], _K = coef.length / ${COEF_STRIDE};`,
    ...(kinetics
      ? [
          ...kineticsPrologue(kinetics, gradientParams(gradient), D),
          ...gradientPrologue(gradient, D).filter((l) => !l.startsWith('const p')),
        ]
      : gradientPrologue(gradient, D)),
    'for (let _i = i0; _i < i1; _i++) {',
    ...xs.map((x, d) => `let ${x} = _x[_i * ${D} + ${d}];`),
    ...(kinetics ? kineticsLoad(kinetics) : []),
    'for (let _k = 0; _k < _K; ) {',
    `const _n = Math.min(${stepsPerFill}, _K - _k);`,
    `const _o = _fill(base + _i, (step0 + _k) * ${D}, (_n + ${lm}) * ${D}, ${Stream.noise}, k0, k1);`,
    `for (let _j = _o, _e = _o + _n * ${D}; _j < _e; _j += ${D}, _k++) {`,
    `const _h = coef[${COEF_STRIDE} * _k], _s = coef[${COEF_STRIDE} * _k + 1];`,
    ...(kinetics ? [...kineticsBefore(kinetics, D, gradientParams(gradient)), `if (${kineticsMoves(kinetics)}) {`] : []),
    ...gradientAt(gradient, D, 'step0 + _k'),
    ...xs.map((x, d) => `${x} = ${x} - _h * _g${d} + _s * ${noise(d)};`),
    ...(kinetics ? ['}', ...kineticsAfter(kinetics, D)] : []),
    '}',
    '}',
    ...xs.map((x, d) => `_x[_i * ${D} + ${d}] = ${x};`),
    ...(kinetics ? kineticsStore(kinetics) : []),
    '}',
    'return [];',
    '};',
  ].join('\n');
}
