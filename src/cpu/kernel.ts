/**
 * The fast CPU step: one JavaScript function generated per (integrator,
 * potential, D), with the potential's gradient inlined and the particle in
 * local variables for all K steps. Its noise comes in fills of up to 4096
 * normals per particle: Philox4x32-10 blocks from WebAssembly
 * (src/cpu/philoxWasm.ts, one i64.mul per mulhi) turned into normals by the
 * table-driven Box–Muller of src/rng/boxMuller.ts. It computes exactly what the reference (src/integrators/overdamped.ts
 * with src/rng/philox.ts) computes, bit for bit: the same float64 operations in
 * the same order on the same random stream (tests/unit/cpu-kernel.test.ts).
 *
 * A kernel is a *range kernel*: it advances particles [i0, i1) (global
 * indices) of the state arrays in place, so the same function runs on one
 * thread or on each worker of a {@link CpuPool} over its own range. Its source
 * is plain JavaScript with no imports, which is what lets a Node worker thread
 * or a browser Web Worker build it with `new Function`.
 *
 * Kernels: EM and LM ({@link overdampedKernelSource}), BAOAB
 * ({@link baoabKernelSource}), MALA and HMC ({@link metropolisKernelSource}).
 * Adding an integrator: write a
 * generator that returns the same factory shape (a {@link RangeKernelSource}),
 * with any extra per-particle state as further entries of `state` (velocities,
 * …), and per-range sums (e.g. accepted proposals) as the kernel's return
 * value; prove it bit-identical to the reference step like these.
 */
import type { Emitted } from '../potential/emit.ts';
import type { CompiledPotential } from '../potential/index.ts';
import { Stream, mulhi32, u01 } from '../rng/philox.ts';
import { BOX_MULLER_SOURCE } from '../rng/boxMuller.ts';
import { philoxWasmBytes, philoxWasmBytesFor } from './philoxWasm.ts';
import { COEF_STRIDE } from '../integrators/coefficients.ts';

/**
 * Advance particles [i0, i1) by coef.length / 2 steps, the first being step0.
 * @param state per-particle arrays, particle-major (state[0] = positions x[i·D + d])
 * @param coef per step (h, σ) as in Backend.advance
 * @param params potential parameter values
 * @param k0,k1 the Philox key (the run's seed)
 * @returns per-range sums the integrator reports (empty for EM and LM); the pool adds them up
 */
export type RangeKernel = (
  state: Float64Array[],
  i0: number,
  i1: number,
  step0: number,
  coef: Float64Array,
  params: Float64Array,
  k0: number,
  k1: number,
) => number[];

/** The body of a function of no arguments that returns a {@link RangeKernel}. */
export type RangeKernelSource = string;

/** Build a kernel from its source (in this thread; workers do the same). */
export function buildKernel(source: RangeKernelSource): RangeKernel {
  return new Function(source)() as RangeKernel;
}

/** Normals one fill of the kernel's buffer holds at least (4096: 32 KiB of float64). */
const FILL_NORMALS = 4096;

/**
 * The factory-level helpers of every kernel: the Philox module
 * (src/cpu/philoxWasm.ts) instantiated from its bytes, pasted as a literal,
 * with `_W` (its output words, as int32) and `_Z` (normals);
 * `_boxMuller` (src/rng/boxMuller.ts); and
 * `_fill(particle, m, count, stream, k0, k1)`, which writes normals
 * m … m + count − 1 of a particle's stream (DESIGN §2: normal m is output
 * m mod 4 of call ⌊m/4⌋) to `_Z` from index `m mod 4`, and returns that index;
 * `_fillUniforms`, the same for uniforms (u01 of each output) into `_U`.
 * @param capacity the most normals one `_fill` must write
 */
function helpers(capacity: number, gradient?: KernelGradient): string[] {
  const batchBlocks = gradient?.kind === 'data' && gradient.batch ? Math.ceil(gradient.batch.size / 4) + 1 : 0;
  const calls = Math.max(Math.ceil((capacity + 3) / 4) + 1, batchBlocks);
  const pages = Math.ceil(philoxWasmBytesFor(calls) / 65536);
  return [
    BOX_MULLER_SOURCE,
    `const _wasm = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([${philoxWasmBytes(pages).join(',')}]))).exports;`,
    'const _blocks = _wasm.blocks, _blocksWord2 = _wasm.blocksWord2, _W = new Int32Array(_wasm.memory.buffer);',
    `const _Z = new Float64Array(${4 * calls});`,
    'function _fill(particle, m, count, stream, k0, k1) {',
    '  const call = Math.floor(m / 4), off = m % 4, calls = (off + count + 3) >> 2;',
    '  _blocks(particle, call >>> 0, Math.floor(call / 4294967296) >>> 0, stream, k0, k1, calls);',
    '  for (let q = 0; q < 4 * calls; q += 2) _boxMuller(_W[q], _W[q + 1], _Z, q);',
    '  return off;',
    '}',
    // uniforms n … n + count − 1 of a stream (accept uniforms: uniform n is output n mod 4 of call ⌊n/4⌋), mapped by src/rng/philox.ts's own u01
    `const _U = new Float64Array(${4 * calls});`,
    `const _u01 = (${u01.toString()});`,
    'function _fillUniforms(particle, n, count, stream, k0, k1) {',
    '  const call = Math.floor(n / 4), off = n % 4, calls = (off + count + 3) >> 2;',
    '  _blocks(particle, call >>> 0, Math.floor(call / 4294967296) >>> 0, stream, k0, k1, calls);',
    '  for (let q = 0; q < 4 * calls; q++) _U[q] = _u01(_W[q]);',
    '  return off;',
    '}',
  ];
}

/**
 * How a kernel computes ∇E at the particle's x0 … x(D−1) into `_g0 … _g(D−1)`:
 * - `expression`: a compiled potential's `gradientJs`;
 * - `data`: a potential from data, ∇prior + Σ_rows ∇example (full batch), or
 *   with `batch`, ∇prior + (N/B) Σ_{j<B} ∇example(row_j) on the rows of
 *   src/rng/batch.ts (stream 4, per particle and step). The data, N × C
 *   float64 row-major, is the kernel's last state array.
 * Both evaluate the reference's expressions in the reference's order
 * (src/potential/data.ts, src/integrators/batch.ts).
 */
export type KernelGradient =
  | { kind: 'expression'; js: Emitted }
  | { kind: 'data'; prior: Emitted; example: Emitted; params: number; columns: number; rows: number; batch?: { size: number; replace: boolean } };

/** Scalar parameters the gradient reads (bound once per kernel call as `p{i}`). */
function gradientParams(g: KernelGradient): number[] {
  if (g.kind === 'expression') return g.js.pars;
  return [...new Set([...g.prior.pars, ...g.example.pars.filter((i) => i < g.params)])];
}

/** Factory-level code a gradient needs: the batch's row draw. */
function gradientHelpers(g: KernelGradient): string[] {
  if (g.kind !== 'data' || !g.batch) return [];
  const { size: B, replace } = g.batch;
  return [
    `const _mulhi32 = (${mulhi32.toString()});`,
    `const _rows = new Int32Array(${B});`,
    // batchRows of src/rng/batch.ts: draw j is output j mod 4 of the call (particle, step, ⌊j/4⌋, stream 4), i.e. word j of the blocks
    'function _batchRows(particle, step, k0, k1) {',
    `  _blocksWord2(particle, step >>> 0, 0, ${Stream.batch}, k0, k1, ${Math.ceil(B / 4)});`,
    `  for (let j = 0; j < ${B}; j++) {`,
    '    const u = _W[j] >>> 0;',
    ...(replace
      ? [`    _rows[j] = _mulhi32(u, ${g.rows});`]
      : [
          `    const m = ${g.rows - B} + j, t = _mulhi32(u, m + 1);`,
          '    let seen = false;',
          '    for (let q = 0; q < j; q++) if (_rows[q] === t) seen = true;',
          '    _rows[j] = seen ? m : t;',
        ]),
    '  }',
    '}',
  ];
}

/**
 * Statements leaving ∇E at x0 … x(D−1) in `_g0 … _g(D−1)` (declared by the
 * caller). `step` is the step whose mini-batch applies; `_data` the data.
 */
function gradientAt(g: KernelGradient, dims: number, step: string): string[] {
  const ds = Array.from({ length: dims }, (_, d) => d);
  if (g.kind === 'expression') return ['{', ...g.js.temps, ...g.js.results.map((r, d) => `_g${d} = ${r};`), '}'];
  const columns = (row: string) => columnBindings(g.example, g.params, g.columns, row);
  const prior = ['{', ...g.prior.temps, ...g.prior.results.map((r, d) => `_g${d} = ${r};`), '}'];
  if (!g.batch) {
    // priorGradient, then g[d] += exampleGradient(row)[d] row by row
    return [
      ...prior,
      `for (let _r = 0; _r < ${g.rows}; _r++) {`,
      ...columns('_r'),
      ...g.example.temps,
      ...ds.map((d) => `_g${d} = _g${d} + ${g.example.results[d]};`),
      '}',
    ];
  }
  // sum[d] += exampleGradient(row_j)[d] from 0, then priorGradient, then g[d] += (N/B)·sum[d]
  const scale = String(g.rows / g.batch.size);
  return [
    `_batchRows(_i, ${step}, k0, k1);`,
    `let ${ds.map((d) => `_s${d} = 0`).join(', ')};`,
    `for (let _b = 0; _b < ${g.batch.size}; _b++) {`,
    ...columns('_rows[_b]'),
    ...g.example.temps,
    ...ds.map((d) => `_s${d} = _s${d} + ${g.example.results[d]};`),
    '}',
    ...prior,
    ...ds.map((d) => `_g${d} = _g${d} + ${scale} * _s${d};`),
  ];
}

/** Bind the example's data columns (parameters p{P + c}) of row `row` from `_data`, as src/potential/data.ts binds them to v[o + c]. */
function columnBindings(example: Emitted, params: number, columns: number, row: string): string[] {
  return example.pars.filter((i) => i >= params).map((i) => `const p${i} = _data[${row} * ${columns} + ${i - params}];`);
}

/**
 * How a Metropolis kernel computes E at x0 … x(D−1): a potential's
 * expression, or prior + Σ_rows example for a potential from data (data
 * layout as in {@link KernelGradient}), in the reference's order.
 */
export type KernelEnergy =
  | { kind: 'expression'; js: Emitted }
  | { kind: 'data'; prior: Emitted; example: Emitted; params: number; columns: number; rows: number };

/** The energy of a compiled potential as a kernel computes it, or undefined where there is no emitted form. */
export function kernelEnergy(potential: CompiledPotential): KernelEnergy | undefined {
  if (potential.data) {
    const { prior, example } = potential.data.energyJs;
    return { kind: 'data', prior, example, params: potential.paramNames.length, columns: potential.data.columns.length, rows: potential.data.rows };
  }
  return potential.energyJs ? { kind: 'expression', js: potential.energyJs } : undefined;
}

/** Statements leaving E at x0 … x(D−1) in `target`. */
function energyAt(e: KernelEnergy, target: string): string[] {
  if (e.kind === 'expression') return ['{', ...e.js.temps, `${target} = ${e.js.results[0]};`, '}'];
  return [
    '{', ...e.prior.temps, `${target} = ${e.prior.results[0]};`, '}',
    `for (let _r = 0; _r < ${e.rows}; _r++) {`,
    ...columnBindings(e.example, e.params, e.columns, '_r'),
    ...e.example.temps,
    `${target} = ${target} + ${e.example.results[0]};`,
    '}',
  ];
}

/** Scalar parameters the energy reads. */
function energyParams(e: KernelEnergy): number[] {
  if (e.kind === 'expression') return e.js.pars;
  return [...new Set([...e.prior.pars, ...e.example.pars.filter((i) => i < e.params)])];
}

/** `lines` run at the point _y0 … _y(D−1) instead of the particle's x: a block rebinding x0 … x(D−1). */
function atY(lines: string[], dims: number): string[] {
  return ['{', `const ${Array.from({ length: dims }, (_, d) => `x${d} = _y${d}`).join(', ')};`, ...lines, '}'];
}

/** The gradient's lines at the top of a kernel call: parameters, the data, the gradient's locals. */
function gradientPrologue(g: KernelGradient, dims: number): string[] {
  return [
    ...gradientParams(g).map((i) => `const p${i} = params[${i}];`),
    ...(g.kind === 'data' ? ['const _data = state[state.length - 1];'] : []),
    `let ${Array.from({ length: dims }, (_, d) => `_g${d} = 0`).join(', ')};`,
  ];
}

/**
 * The kernel gradient of a compiled potential, or undefined where there is
 * none (a potential from data under MALA or HMC is left to the reference).
 * @param batch the spec's mini-batch, for a potential from data
 */
export function kernelGradient(potential: CompiledPotential, batch?: { size: number; replace: boolean }): KernelGradient | undefined {
  if (potential.data) {
    const { prior, example } = potential.data.gradientJs;
    return { kind: 'data', prior, example, params: potential.paramNames.length, columns: potential.data.columns.length, rows: potential.data.rows, batch };
  }
  return potential.gradientJs && !batch ? { kind: 'expression', js: potential.gradientJs } : undefined;
}

/** Check a gradient's dimension. */
function checkGradient(g: KernelGradient, dims: number): void {
  const n = g.kind === 'expression' ? g.js.results.length : g.example.results.length;
  if (n !== dims || (g.kind === 'data' && g.prior.results.length !== dims)) throw new Error(`gradient has ${n} components, expected ${dims}`);
}

/**
 * Source of the overdamped range kernel (EM or LM) for D dimensions with the
 * potential's gradient inlined. State: [positions] (and the data last, for a
 * potential from data).
 *   EM: x' = x − h∇E(x) + σ_n ξ_n;   LM: x' = x − h∇E(x) + σ_n (ξ_n + ξ_{n+1})/2
 * The mini-batch of step n is step n's (src/integrators/overdamped.ts).
 */
export function overdampedKernelSource(integrator: 'em' | 'lm', dims: number, gradient: KernelGradient): RangeKernelSource {
  const D = dims;
  checkGradient(gradient, D);
  const xs = Array.from({ length: D }, (_, d) => `x${d}`);
  // LM's step n uses the normals of steps n and n + 1: one step more per fill
  const lm = integrator === 'lm' ? 1 : 0;
  const capacity = Math.max(FILL_NORMALS, (1 + lm) * D);
  const stepsPerFill = Math.floor(capacity / D) - lm;
  const noise = (d: number) => (integrator === 'lm' ? `(0.5 * (_Z[_j + ${d}] + _Z[_j + ${D + d}]))` : `_Z[_j + ${d}]`);
  return [
    '"use strict";',
    ...helpers(capacity, gradient),
    ...gradientHelpers(gradient),
    'return function overdamped(state, i0, i1, step0, coef, params, k0, k1) {',
    `const _x = state[0], _K = coef.length >> 1;`,
    ...gradientPrologue(gradient, D),
    'for (let _i = i0; _i < i1; _i++) {',
    ...xs.map((x, d) => `let ${x} = _x[_i * ${D} + ${d}];`),
    'for (let _k = 0; _k < _K; ) {',
    `const _n = Math.min(${stepsPerFill}, _K - _k);`,
    `const _o = _fill(_i, (step0 + _k) * ${D}, (_n + ${lm}) * ${D}, ${Stream.noise}, k0, k1);`,
    `for (let _j = _o, _e = _o + _n * ${D}; _j < _e; _j += ${D}, _k++) {`,
    'const _h = coef[2 * _k], _s = coef[2 * _k + 1];',
    ...gradientAt(gradient, D, 'step0 + _k'),
    ...xs.map((x, d) => `${x} = ${x} - _h * _g${d} + _s * ${noise(d)};`),
    '}',
    '}',
    ...xs.map((x, d) => `_x[_i * ${D} + ${d}] = ${x};`),
    '}',
    'return [];',
    '};',
  ].join('\n');
}

/**
 * Source of the BAOAB range kernel (src/integrators/inertial.ts) for D
 * dimensions with the potential's gradient inlined. State: [positions,
 * velocities] (and the data last, for a potential from data). `coef` holds COEF_STRIDE numbers per step, (h, c1, c2, T) from
 * `samplerCoefficients('baoab', …)`. Per step and coordinate, in the
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
    'return function baoab(state, i0, i1, step0, coef, params, k0, k1) {',
    `const _x = state[0], _v = state[1], _K = coef.length / ${COEF_STRIDE};`,
    ...gradientPrologue(gradient, D),
    'for (let _i = i0; _i < i1; _i++) {',
    ...xs.map((x, d) => `let ${x} = _x[_i * ${D} + ${d}];`),
    ...vs.map((v, d) => `let ${v} = _v[_i * ${D} + ${d}];`),
    ...gradientAt(gradient, D, 'step0'),
    'for (let _k = 0; _k < _K; ) {',
    `const _n = Math.min(${stepsPerFill}, _K - _k);`,
    `const _o = _fill(_i, (step0 + _k) * ${D}, _n * ${D}, ${Stream.noise}, k0, k1);`,
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

/**
 * Source of the MALA or HMC range kernel (src/integrators/metropolis.ts) for D
 * dimensions with the potential's energy and gradient inlined. State:
 * [positions] (MALA) or [positions, velocities] (HMC), and the data last for
 * a potential from data (full batch: these integrators refuse a mini-batch). `coef` holds
 * COEF_STRIDE numbers per step from `samplerCoefficients`: (h, σ, T, 0) for
 * MALA, (h, √T, T, 0) for HMC. Returns [accepted moves] over the range. The
 * accept uniform of step n is uniform n of stream 3; the test is the
 * reference's `accepts` (ln u < −ΔH/T + ln q-ratio; ΔH ≤ 0 at T = 0), written
 * out with the same operations.
 * @param mass m_d (HMC; pasted as 1/m and 1/√m literals)
 * @param leapfrogSteps L leapfrog steps per HMC step
 */
export function metropolisKernelSource(integrator: 'mala' | 'hmc', dims: number, energy: KernelEnergy, gradient: KernelGradient, mass: number[], leapfrogSteps: number): RangeKernelSource {
  const D = dims;
  checkGradient(gradient, D);
  if (gradient.kind === 'data' && gradient.batch) throw new Error('MALA and HMC take the full gradient: no mini-batch');
  if (mass.length !== D) throw new Error(`mass has ${mass.length} components, expected ${D}`);
  const ds = Array.from({ length: D }, (_, d) => d);
  const inv = mass.map((m) => String(1 / m));
  const invSqrt = mass.map((m) => String(1 / Math.sqrt(m)));
  const capacity = Math.max(FILL_NORMALS, D);
  const stepsPerFill = Math.floor(capacity / D);
  // ∇E at y into _gy: the gradient's own _g locals shadowed inside the block
  const gradientAtY = atY([`let ${ds.map((d) => `_g${d} = 0`).join(', ')};`, ...gradientAt(gradient, D, 'step0 + _k'), ...ds.map((d) => `_gy${d} = _g${d};`)], D);
  const energyAtY = atY(energyAt(energy, '_ey'), D);
  const accept = (dH: string, logQ: string) => `(!(_T > 0) ? ${dH} <= 0 : Math.log(_U[_t]) < -(${dH}) / _T + ${logQ})`;
  const body: string[] = [];
  if (integrator === 'mala') {
    body.push(
      `const _h = coef[${COEF_STRIDE} * _k], _sigma = coef[${COEF_STRIDE} * _k + 1], _T = coef[${COEF_STRIDE} * _k + 2];`,
      'let _xi2 = 0;',
      ...ds.flatMap((d) => [`{ const _z = _Z[_j + ${d}]; _xi2 += _z * _z; _y${d} = x${d} - _h * _g${d} + _sigma * _z; }`]),
      ...energyAtY,
      ...gradientAtY,
      'let _back = 0;',
      ...ds.map((d) => `{ const _r = x${d} - _y${d} + _h * _gy${d}; _back += _r * _r; }`),
      'const _logQ = _T > 0 ? -_back / (4 * _h * _T) + 0.5 * _xi2 : 0;',
      `if (Number.isFinite(_ey) && ${accept('_ey - _e', '_logQ')}) {`,
      ...ds.map((d) => `x${d} = _y${d}; _g${d} = _gy${d};`),
      '_e = _ey; _accepted++;',
      '}',
    );
  } else {
    body.push(
      `const _h = coef[${COEF_STRIDE} * _k], _sqrtT = coef[${COEF_STRIDE} * _k + 1], _T = coef[${COEF_STRIDE} * _k + 2], _hh = 0.5 * _h;`,
      'let _kin0 = 0;',
      ...ds.map((d) => `v${d} = _sqrtT * ${invSqrt[d]} * _Z[_j + ${d}]; _xi${d} = v${d}; _kin0 += (0.5 * v${d} * v${d}) / ${inv[d]}; _y${d} = x${d}; _gy${d} = _g${d};`),
      `for (let _l = 0; _l < ${leapfrogSteps}; _l++) {`,
      ...ds.map((d) => `v${d} = v${d} - _hh * _gy${d} * ${inv[d]}; _y${d} = _y${d} + _h * v${d};`),
      ...gradientAtY,
      ...ds.map((d) => `v${d} = v${d} - _hh * _gy${d} * ${inv[d]};`),
      '}',
      'let _kin1 = 0;',
      ...ds.map((d) => `_kin1 += (0.5 * v${d} * v${d}) / ${inv[d]};`),
      ...energyAtY,
      `if (Number.isFinite(_ey) && Number.isFinite(_kin1) && ${accept('_ey + _kin1 - (_e + _kin0)', '0')}) {`,
      ...ds.map((d) => `x${d} = _y${d}; _g${d} = _gy${d};`),
      '_e = _ey; _accepted++;',
      '} else {',
      ...ds.map((d) => `v${d} = _xi${d};`),
      '}',
    );
  }
  const locals = (prefix: string) => ds.map((d) => `${prefix}${d} = 0`).join(', ');
  const hmc = integrator === 'hmc';
  return [
    '"use strict";',
    ...helpers(capacity),
    `return function ${integrator}(state, i0, i1, step0, coef, params, k0, k1) {`,
    `const _x = state[0]${hmc ? ', _v = state[1]' : ''}, _K = coef.length / ${COEF_STRIDE};`,
    ...[...new Set([...energyParams(energy), ...gradientParams(gradient)])].map((i) => `const p${i} = params[${i}];`),
    ...(gradient.kind === 'data' ? ['const _data = state[state.length - 1];'] : []),
    `let ${locals('_g')}, ${locals('_gy')}, ${locals('_y')}${hmc ? `, ${locals('_xi')}` : ''}, _e = 0, _ey = 0, _accepted = 0;`,
    'for (let _i = i0; _i < i1; _i++) {',
    ...ds.map((d) => `let x${d} = _x[_i * ${D} + ${d}];`),
    ...(hmc ? ds.map((d) => `let v${d} = _v[_i * ${D} + ${d}];`) : []),
    ...energyAt(energy, '_e'),
    ...gradientAt(gradient, D, 'step0'),
    'for (let _k = 0; _k < _K; ) {',
    `const _n = Math.min(${stepsPerFill}, _K - _k);`,
    `const _a = _fillUniforms(_i, step0 + _k, _n, ${Stream.accept}, k0, k1);`,
    `const _o = _fill(_i, (step0 + _k) * ${D}, _n * ${D}, ${Stream.noise}, k0, k1);`,
    `for (let _j = _o, _t = _a, _end = _o + _n * ${D}; _j < _end; _j += ${D}, _t++, _k++) {`,
    ...body,
    '}',
    '}',
    ...ds.map((d) => `_x[_i * ${D} + ${d}] = x${d};`),
    ...(hmc ? ds.map((d) => `_v[_i * ${D} + ${d}] = v${d};`) : []),
    '}',
    'return [_accepted];',
    '};',
  ].join('\n');
}
