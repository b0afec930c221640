/**
 * The MALA and HMC range kernels (src/integrators/metropolis.ts; see
 * ./parts.ts for what a kernel is), with the potential's energy and gradient
 * inlined. State: [positions] (MALA) or [positions, velocities] (HMC), and the
 * data last for a potential from data (full batch: these integrators refuse a
 * mini-batch). `coef` holds COEF_STRIDE numbers per step: (h, σ, T, 0) for
 * MALA, (h, √T, T, 0) for HMC. A kernel returns [accepted moves] over its
 * range. The accept uniform of step n is uniform n of stream 3; the test is
 * the reference's `accepts` (ln u < −ΔH/T + ln q-ratio; ΔH ≤ 0 at T = 0),
 * written out with the same operations.
 */
import { Stream } from '../../rng/philox.ts';
import { COEF_STRIDE } from '../../integrators/coefficients.ts';
import {
  atY,
  checkGradient,
  energyAt,
  energyParams,
  FILL_NORMALS,
  gradientAt,
  gradientParams,
  helpers,
  type KernelEnergy,
  type KernelGradient,
  type RangeKernelSource,
} from './parts.ts';

/** What differs between the two Metropolis kernels: the body of one step, and whether velocities are state. */
interface MetropolisBody {
  name: 'mala' | 'hmc';
  velocities: boolean;
  /** statements of step _k at noise offset _j and accept uniform _U[_t] */
  step: string[];
}

const indices = (dims: number) => Array.from({ length: dims }, (_, d) => d);

/** ∇E at _y into _gy: the gradient's own _g locals shadowed inside the block. */
function gradientAtY(gradient: KernelGradient, dims: number): string[] {
  const ds = indices(dims);
  return atY(
    [`let ${ds.map((d) => `_g${d} = 0`).join(', ')};`, ...gradientAt(gradient, dims, 'step0 + _k'), ...ds.map((d) => `_gy${d} = _g${d};`)],
    dims,
  );
}

/** The accept test with the reference's operations: at T = 0, iff ΔH ≤ 0. */
function acceptTest(dH: string, logQ: string): string {
  return `(!(_T > 0) ? ${dH} <= 0 : Math.log(_U[_t]) < -(${dH}) / _T + ${logQ})`;
}

/**
 * Source of the MALA range kernel for D dimensions.
 * @example buildKernel(malaKernelSource(2, kernelEnergy(p)!, kernelGradient(p)!))
 */
export function malaKernelSource(dims: number, energy: KernelEnergy, gradient: KernelGradient): RangeKernelSource {
  const ds = indices(dims);
  const step = [
    `const _h = coef[${COEF_STRIDE} * _k], _sigma = coef[${COEF_STRIDE} * _k + 1], _T = coef[${COEF_STRIDE} * _k + 2];`,
    'let _xi2 = 0;',
    ...ds.map((d) => `{ const _z = _Z[_j + ${d}]; _xi2 += _z * _z; _y${d} = x${d} - _h * _g${d} + _sigma * _z; }`),
    ...atY(energyAt(energy, '_ey'), dims),
    ...gradientAtY(gradient, dims),
    'let _back = 0;',
    ...ds.map((d) => `{ const _r = x${d} - _y${d} + _h * _gy${d}; _back += _r * _r; }`),
    'const _logQ = _T > 0 ? -_back / (4 * _h * _T) + 0.5 * _xi2 : 0;',
    `if (Number.isFinite(_ey) && ${acceptTest('_ey - _e', '_logQ')}) {`,
    ...ds.map((d) => `x${d} = _y${d}; _g${d} = _gy${d};`),
    '_e = _ey; _accepted++;',
    '}',
  ];
  return metropolisKernel(dims, energy, gradient, { name: 'mala', velocities: false, step });
}

/**
 * Source of the HMC range kernel for D dimensions.
 * @param mass m_d per coordinate (mass units); 1/m and 1/√m are pasted as literals
 * @param leapfrogSteps L leapfrog steps per step
 */
export function hmcKernelSource(
  dims: number,
  energy: KernelEnergy,
  gradient: KernelGradient,
  mass: number[],
  leapfrogSteps: number,
): RangeKernelSource {
  if (mass.length !== dims) throw new Error(`mass has ${mass.length} components, expected ${dims}`);
  const ds = indices(dims);
  const inv = mass.map((m) => String(1 / m));
  const invSqrt = mass.map((m) => String(1 / Math.sqrt(m)));
  const step = [
    `const _h = coef[${COEF_STRIDE} * _k], _sqrtT = coef[${COEF_STRIDE} * _k + 1], _T = coef[${COEF_STRIDE} * _k + 2], _hh = 0.5 * _h;`,
    'let _kin0 = 0;',
    ...ds.map(
      (d) =>
        `v${d} = _sqrtT * ${invSqrt[d]} * _Z[_j + ${d}]; _xi${d} = v${d}; _kin0 += (0.5 * v${d} * v${d}) / ${inv[d]}; _y${d} = x${d}; _gy${d} = _g${d};`,
    ),
    `for (let _l = 0; _l < ${leapfrogSteps}; _l++) {`,
    ...ds.map((d) => `v${d} = v${d} - _hh * _gy${d} * ${inv[d]}; _y${d} = _y${d} + _h * v${d};`),
    ...gradientAtY(gradient, dims),
    ...ds.map((d) => `v${d} = v${d} - _hh * _gy${d} * ${inv[d]};`),
    '}',
    'let _kin1 = 0;',
    ...ds.map((d) => `_kin1 += (0.5 * v${d} * v${d}) / ${inv[d]};`),
    ...atY(energyAt(energy, '_ey'), dims),
    `if (Number.isFinite(_ey) && Number.isFinite(_kin1) && ${acceptTest('_ey + _kin1 - (_e + _kin0)', '0')}) {`,
    ...ds.map((d) => `x${d} = _y${d}; _g${d} = _gy${d};`),
    '_e = _ey; _accepted++;',
    '} else {',
    ...ds.map((d) => `v${d} = _xi${d};`),
    '}',
  ];
  return metropolisKernel(dims, energy, gradient, { name: 'hmc', velocities: true, step });
}

/** The frame both kernels share: parameters, locals, the particle loop, the noise and accept-uniform fills. */
function metropolisKernel(dims: number, energy: KernelEnergy, gradient: KernelGradient, body: MetropolisBody): RangeKernelSource {
  checkGradient(gradient, dims);
  if (gradient.kind === 'data' && gradient.batch) throw new Error('MALA and HMC take the full gradient: no mini-batch');
  const D = dims;
  const ds = indices(D);
  const capacity = Math.max(FILL_NORMALS, D);
  const stepsPerFill = Math.floor(capacity / D);
  const locals = (prefix: string) => ds.map((d) => `${prefix}${d} = 0`).join(', ');
  const v = body.velocities;
  return [
    '"use strict";',
    ...helpers(capacity),
    `return function ${body.name}(state, i0, i1, step0, coef, params, k0, k1, base) {`,
    `const _x = state[0]${v ? ', _v = state[1]' : ''}, _K = coef.length / ${COEF_STRIDE};`,
    ...[...new Set([...energyParams(energy), ...gradientParams(gradient)])].map((i) => `const p${i} = params[${i}];`),
    ...(gradient.kind === 'data' ? ['const _data = state[state.length - 1];'] : []),
    `let ${locals('_g')}, ${locals('_gy')}, ${locals('_y')}${v ? `, ${locals('_xi')}` : ''}, _e = 0, _ey = 0, _accepted = 0;`,
    'for (let _i = i0; _i < i1; _i++) {',
    ...ds.map((d) => `let x${d} = _x[_i * ${D} + ${d}];`),
    ...(v ? ds.map((d) => `let v${d} = _v[_i * ${D} + ${d}];`) : []),
    ...energyAt(energy, '_e'),
    ...gradientAt(gradient, D, 'step0'),
    'for (let _k = 0; _k < _K; ) {',
    `const _n = Math.min(${stepsPerFill}, _K - _k);`,
    `const _a = _fillUniforms(base + _i, step0 + _k, _n, ${Stream.accept}, k0, k1);`,
    `const _o = _fill(base + _i, (step0 + _k) * ${D}, _n * ${D}, ${Stream.noise}, k0, k1);`,
    `for (let _j = _o, _t = _a, _end = _o + _n * ${D}; _j < _end; _j += ${D}, _t++, _k++) {`,
    ...body.step,
    '}',
    '}',
    ...ds.map((d) => `_x[_i * ${D} + ${d}] = x${d};`),
    ...(v ? ds.map((d) => `_v[_i * ${D} + ${d}] = v${d};`) : []),
    '}',
    'return [_accepted];',
    '};',
  ].join('\n');
}
