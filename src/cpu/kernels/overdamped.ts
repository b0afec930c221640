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
  // LM's step n uses the normals of steps n and n + 1: one step more per fill
  const lm = leimkuhlerMatthews ? 1 : 0;
  const capacity = Math.max(FILL_NORMALS, (1 + lm) * D);
  const loop: Loop = { D, lm, stepsPerFill: Math.floor(capacity / D) - lm, gradient, kinetics };
  // two particles a turn where the step is a short chain of dependent float operations (an expression's gradient, no kinetics)
  const pair = !kinetics && gradient.kind === 'expression';
  return [
    '"use strict";',
    ...helpers(capacity, gradient, pair),
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
    'let _i = i0;',
    ...(pair ? pairLoop(loop) : []),
    ...particleLoop(loop),
    'return [];',
    '};',
  ].join('\n');
}

/** What the particle loops are generated from. */
interface Loop {
  D: number;
  /** 1 for LM (one step more of normals per fill), 0 for EM */
  lm: number;
  stepsPerFill: number;
  gradient: KernelGradient;
  kinetics?: KernelKinetics;
}

/** The noise of coordinate d from buffer z: LM's (ξ_n + ξ_{n+1})/2, else EM's ξ_n. */
function noise(loop: Loop, z: string, d: number): string {
  return loop.lm ? `(0.5 * (${z}[_j + ${d}] + ${z}[_j + ${loop.D + d}]))` : `${z}[_j + ${d}]`;
}

/** The steps of one fill: `_n` steps from `_k`, the noise of particle `_i` at `_Z` from `_o`. */
function fillAndStep(loop: Loop, fills: string[], body: string[]): string[] {
  const { D, lm, stepsPerFill } = loop;
  return [
    'for (let _k = 0; _k < _K; ) {',
    `const _n = Math.min(${stepsPerFill}, _K - _k);`,
    ...fills.map(
      (f, q) => `${q === 0 ? 'const _o = ' : ''}${f}(base + _i + ${q}, (step0 + _k) * ${D}, (_n + ${lm}) * ${D}, ${Stream.noise}, k0, k1);`,
    ),
    `for (let _j = _o, _e = _o + _n * ${D}; _j < _e; _j += ${D}, _k++) {`,
    `const _h = coef[${COEF_STRIDE} * _k], _s = coef[${COEF_STRIDE} * _k + 1];`,
    ...body,
    '}',
    '}',
  ];
}

/** Particles _i … i1 − 1 one at a time, all K steps each in locals. */
function particleLoop(loop: Loop): string[] {
  const { D, gradient, kinetics } = loop;
  const xs = Array.from({ length: D }, (_, d) => `x${d}`);
  const step = [
    ...(kinetics ? [...kineticsBefore(kinetics, D, gradientParams(gradient)), `if (${kineticsMoves(kinetics)}) {`] : []),
    ...gradientAt(gradient, D, 'step0 + _k'),
    ...xs.map((x, d) => `${x} = ${x} - _h * _g${d} + _s * ${noise(loop, '_Z', d)};`),
    ...(kinetics ? ['}', ...kineticsAfter(kinetics, D)] : []),
  ];
  return [
    'for (; _i < i1; _i++) {',
    ...xs.map((x, d) => `let ${x} = _x[_i * ${D} + ${d}];`),
    ...(kinetics ? kineticsLoad(kinetics) : []),
    ...fillAndStep(loop, ['_fill'], step),
    ...xs.map((x, d) => `_x[_i * ${D} + ${d}] = ${x};`),
    ...(kinetics ? kineticsStore(kinetics) : []),
    '}',
  ];
}

/**
 * Particles _i and _i + 1 in one turn while two are left (noise in `_Z` and
 * `_Z2`): their steps are independent chains of float operations, so the
 * processor overlaps them; each particle's operations are the reference's,
 * in its order. The second particle's coordinates `_b{d}` are rebound to
 * x{d} in a block for its step.
 */
function pairLoop(loop: Loop): string[] {
  const { D, gradient } = loop;
  const ds = Array.from({ length: D }, (_, d) => d);
  const update = (z: string) => ds.map((d) => `x${d} = x${d} - _h * _g${d} + _s * ${noise(loop, z, d)};`);
  const second = [
    '{',
    `let ${ds.map((d) => `x${d} = _b${d}`).join(', ')};`,
    ...gradientAt(gradient, D, 'step0 + _k'),
    ...update('_Z2'),
    ...ds.map((d) => `_b${d} = x${d};`),
    '}',
  ];
  return [
    'for (; _i + 1 < i1; _i += 2) {',
    ...ds.map((d) => `let x${d} = _x[_i * ${D} + ${d}], _b${d} = _x[_i * ${D} + ${D + d}];`),
    ...fillAndStep(loop, ['_fill', '_fill2'], [...gradientAt(gradient, D, 'step0 + _k'), ...update('_Z'), ...second]),
    ...ds.map((d) => `_x[_i * ${D} + ${d}] = x${d}; _x[_i * ${D} + ${D + d}] = _b${d};`),
    '}',
  ];
}
