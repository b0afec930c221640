/**
 * What every generated CPU kernel is made of. A kernel is one JavaScript
 * function generated per (integrator, potential, D), with the potential's
 * gradient inlined and the particle in local variables for all K steps. Its noise comes in fills of up to 4096
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
 * Kernels (one module each in this folder): EM and LM (overdamped.ts), BAOAB
 * (baoab.ts), MALA and HMC (metropolis.ts); the integrator table
 * (src/integrators/table.ts) says which one an integrator uses. Adding one:
 * write a generator that returns the same factory shape (a
 * {@link RangeKernelSource}), with any extra per-particle state as further
 * entries of `state` (velocities, …), and per-range sums (e.g. accepted
 * proposals) as the kernel's return value; prove it bit-identical to the
 * reference step in tests/unit/cpu-kernel.test.ts.
 */
import type { Emitted } from '../../potential/emit.ts';
import type { CompiledPotential } from '../../potential/index.ts';
import { Stream, mulhi32, streamWord, u01 } from '../../rng/philox.ts';
import { BOX_MULLER_SOURCE } from '../../rng/boxMuller.ts';
import { philoxWasmBytes, philoxWasmBytesFor } from '../philoxWasm.ts';
import { ANGLE_AT, LOG_AT, simdLayout, simdWasmBytes } from '../simdWasm.ts';

/**
 * Advance particles [i0, i1) by coef.length / 2 steps, the first being step0.
 * @param state per-particle arrays, particle-major (state[0] = positions x[i·D + d])
 * @param coef COEF_STRIDE numbers per step (src/integrators/coefficients.ts), as in Backend.advance
 * @param params potential parameter values
 * @param k0,k1 the Philox key (the run's seed)
 * @param base the global index of state's first particle: particle i's random numbers are those of particle base + i
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
  base: number,
) => number[];

/** The body of a function of no arguments that returns a {@link RangeKernel}. */
export type RangeKernelSource = string;

/** Build a kernel from its source (in this thread; workers do the same). */
export function buildKernel(source: RangeKernelSource): RangeKernel {
  return new Function(source)() as RangeKernel;
}

/** Normals one fill of the kernel's buffer holds at least (4096: 32 KiB of float64). */
export const FILL_NORMALS = 4096;

let useSimd = true;

/**
 * Whether kernels generated from now on may take the WebAssembly SIMD noise
 * (src/cpu/simdWasm.ts; default true: where the engine validates it). False
 * forces the scalar path (the same bits), for tests and benchmarks.
 */
export function setKernelSimd(enabled: boolean): void {
  useSimd = enabled;
}

/**
 * The noise fill `_fill{suffix}` into `_Z{suffix}`: with WebAssembly SIMD where
 * the engine has it (`WebAssembly.validate`), an instance of
 * src/cpu/simdWasm.ts (tables copied from src/rng/boxMuller.ts's, `_Z` a view
 * of its normals); else Philox blocks from `_blocks` and the JavaScript
 * Box–Muller into a plain array. `_simdBytes` and `_simdModule` are declared
 * once, by suffix ''.
 */
function fillHelpers(calls: number, suffix: string): string[] {
  const { capacity, normalsAt } = simdLayout(calls);
  const [simd, z, normals] = [`_simd${suffix}`, `_Z${suffix}`, `_normals${suffix}`];
  return [
    ...(suffix === ''
      ? [
          `const _simdBytes = ${useSimd ? `new Uint8Array([${simdWasmBytes(calls).join(',')}])` : 'null'};`,
          'const _simdModule = _simdBytes !== null && WebAssembly.validate(_simdBytes) ? new WebAssembly.Module(_simdBytes) : null;',
        ]
      : []),
    `const ${simd} = _simdModule !== null ? new WebAssembly.Instance(_simdModule).exports : null;`,
    `if (${simd} !== null) {`,
    `  new Float64Array(${simd}.memory.buffer, ${LOG_AT}, _BM_LOG.length).set(_BM_LOG);`,
    `  new Float64Array(${simd}.memory.buffer, ${ANGLE_AT}, _BM_ANGLE.length).set(_BM_ANGLE);`,
    '}',
    `const ${normals} = ${simd} !== null ? ${simd}.normals : null;`,
    `const ${z} = ${simd} !== null ? new Float64Array(${simd}.memory.buffer, ${normalsAt}, ${4 * capacity}) : new Float64Array(${4 * calls});`,
    `function _fill${suffix}(particle, m, count, stream, k0, k1) {`,
    '  const call = Math.floor(m / 4), off = m % 4, calls = (off + count + 3) >> 2;',
    `  if (${normals} !== null) {`,
    `    ${normals}(particle >>> 0, call >>> 0, Math.floor(call / 4294967296) >>> 0, _streamWord(stream, particle), k0, k1, calls);`,
    '    return off;',
    '  }',
    '  _blocks(particle >>> 0, call >>> 0, Math.floor(call / 4294967296) >>> 0, _streamWord(stream, particle), k0, k1, calls);',
    `  for (let q = 0; q < 4 * calls; q += 2) _boxMuller(_W[q], _W[q + 1], ${z}, q);`,
    '  return off;',
    '}',
  ];
}

/**
 * The factory-level helpers of every kernel: the Philox module
 * (src/cpu/philoxWasm.ts) instantiated from its bytes, pasted as a literal,
 * with `_W` (its output words, as int32) and `_Z` (normals: with WebAssembly
 * SIMD, a view of src/cpu/simdWasm.ts's memory, which fills it, see `fillHelpers`);
 * `_boxMuller` (src/rng/boxMuller.ts); and
 * `_fill(particle, m, count, stream, k0, k1)`, which writes normals
 * m … m + count − 1 of a particle's stream (DESIGN §2: normal m is output
 * m mod 4 of call ⌊m/4⌋) to `_Z` from index `m mod 4`, and returns that index;
 * `_fillUniforms`, the same for uniforms (u01 of each output) into `_U`.
 * @param capacity the most normals one `_fill` must write
 * @param pair also `_fill2` into `_Z2`, for kernels that step two particles at once
 */
export function helpers(capacity: number, gradient?: KernelGradient, pair = false): string[] {
  const batchBlocks = gradient?.kind === 'data' && gradient.batch ? Math.ceil(gradient.batch.size / 4) + 1 : 0;
  const calls = Math.max(Math.ceil((capacity + 3) / 4) + 1, batchBlocks);
  const pages = Math.ceil(philoxWasmBytesFor(calls) / 65536);
  return [
    BOX_MULLER_SOURCE,
    `const _wasm = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([${philoxWasmBytes(pages).join(',')}]))).exports;`,
    'const _blocks = _wasm.blocks, _blocksWord2 = _wasm.blocksWord2, _W = new Int32Array(_wasm.memory.buffer);',
    // src/rng/philox.ts's streamWord: the particle's bits above 32 in the stream word
    `const _streamWord = (${streamWord.toString()});`,
    ...fillHelpers(calls, ''),
    ...(pair ? fillHelpers(calls, '2') : []),
    // uniforms n … n + count − 1 of a stream (accept uniforms: uniform n is output n mod 4 of call ⌊n/4⌋), mapped by src/rng/philox.ts's own u01
    `const _U = new Float64Array(${4 * calls});`,
    `const _u01 = (${u01.toString()});`,
    'function _fillUniforms(particle, n, count, stream, k0, k1) {',
    '  const call = Math.floor(n / 4), off = n % 4, calls = (off + count + 3) >> 2;',
    '  _blocks(particle >>> 0, call >>> 0, Math.floor(call / 4294967296) >>> 0, _streamWord(stream, particle), k0, k1, calls);',
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
  | {
      kind: 'data';
      prior: Emitted;
      example: Emitted;
      params: number;
      columns: number;
      rows: number;
      batch?: { size: number; replace: boolean };
    };

/** Scalar parameters the gradient reads (bound once per kernel call as `p{i}`). */
export function gradientParams(g: KernelGradient): number[] {
  if (g.kind === 'expression') return g.js.pars;
  return [...new Set([...g.prior.pars, ...g.example.pars.filter((i) => i < g.params)])];
}

/** Factory-level code a gradient needs: the batch's row draw. */
export function gradientHelpers(g: KernelGradient): string[] {
  if (g.kind !== 'data' || !g.batch) return [];
  const { size: B, replace } = g.batch;
  return [
    `const _mulhi32 = (${mulhi32.toString()});`,
    `const _rows = new Int32Array(${B});`,
    // batchRows of src/rng/batch.ts: draw j is output j mod 4 of the call (particle, step, ⌊j/4⌋, stream 4), i.e. word j of the blocks
    'function _batchRows(particle, step, k0, k1) {',
    `  _blocksWord2(particle >>> 0, step >>> 0, 0, _streamWord(${Stream.batch}, particle), k0, k1, ${Math.ceil(B / 4)});`,
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
export function gradientAt(g: KernelGradient, dims: number, step: string): string[] {
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
    `_batchRows(base + _i, ${step}, k0, k1);`,
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
  { kind: 'expression'; js: Emitted } | { kind: 'data'; prior: Emitted; example: Emitted; params: number; columns: number; rows: number };

/** The energy of a compiled potential as a kernel computes it, or undefined where there is no emitted form. */
export function kernelEnergy(potential: CompiledPotential): KernelEnergy | undefined {
  if (potential.data) {
    const { prior, example } = potential.data.energyJs;
    return {
      kind: 'data',
      prior,
      example,
      params: potential.paramNames.length,
      columns: potential.data.columns.length,
      rows: potential.data.rows,
    };
  }
  return potential.energyJs ? { kind: 'expression', js: potential.energyJs } : undefined;
}

/** Statements leaving E at x0 … x(D−1) in `target`. */
export function energyAt(e: KernelEnergy, target: string): string[] {
  if (e.kind === 'expression') return ['{', ...e.js.temps, `${target} = ${e.js.results[0]};`, '}'];
  return [
    '{',
    ...e.prior.temps,
    `${target} = ${e.prior.results[0]};`,
    '}',
    `for (let _r = 0; _r < ${e.rows}; _r++) {`,
    ...columnBindings(e.example, e.params, e.columns, '_r'),
    ...e.example.temps,
    `${target} = ${target} + ${e.example.results[0]};`,
    '}',
  ];
}

/** Scalar parameters the energy reads. */
export function energyParams(e: KernelEnergy): number[] {
  if (e.kind === 'expression') return e.js.pars;
  return [...new Set([...e.prior.pars, ...e.example.pars.filter((i) => i < e.params)])];
}

/** `lines` run at the point _y0 … _y(D−1) instead of the particle's x: a block rebinding x0 … x(D−1). */
export function atY(lines: string[], dims: number): string[] {
  return ['{', `const ${Array.from({ length: dims }, (_, d) => `x${d} = _y${d}`).join(', ')};`, ...lines, '}'];
}

/** The gradient's lines at the top of a kernel call: parameters, the data, the gradient's locals. */
export function gradientPrologue(g: KernelGradient, dims: number): string[] {
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
    return {
      kind: 'data',
      prior,
      example,
      params: potential.paramNames.length,
      columns: potential.data.columns.length,
      rows: potential.data.rows,
      batch,
    };
  }
  return potential.gradientJs && !batch ? { kind: 'expression', js: potential.gradientJs } : undefined;
}

/** Check a gradient's dimension. */
export function checkGradient(g: KernelGradient, dims: number): void {
  const n = g.kind === 'expression' ? g.js.results.length : g.example.results.length;
  if (n !== dims || (g.kind === 'data' && g.prior.results.length !== dims))
    throw new Error(`gradient has ${n} components, expected ${dims}`);
}
