/**
 * The fast CPU step: one JavaScript function generated per (integrator,
 * potential, D), with the potential's gradient inlined, the particle in local
 * variables for all K steps, and Philox4x32-10 unrolled with a cheap exact
 * mulhi. It computes exactly what the reference (src/integrators/overdamped.ts
 * with src/rng/philox.ts) computes, bit for bit: the same float64 operations in
 * the same order on the same random stream (tests/unit/cpu-kernel.test.ts).
 *
 * A kernel is a *range kernel*: it advances particles [i0, i1) (global
 * indices) of the state arrays in place, so the same function runs on one
 * thread or on each worker of a {@link CpuPool} over its own range. Its source
 * is plain JavaScript with no imports, which is what lets a Node worker thread
 * or a browser Web Worker build it with `new Function`.
 *
 * Adding an integrator (e.g. BAOAB, MALA): write a generator that returns the
 * same factory shape (a {@link RangeKernelSource}), with any extra per-particle
 * state as further entries of `state` (momenta, …), and per-range sums (e.g.
 * accepted proposals) as the kernel's return value; prove it bit-identical
 * to the reference step like the overdamped one.
 */
import type { Emitted } from '../potential/emit.ts';
import { Stream } from '../rng/philox.ts';

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

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/**
 * Statements computing one Philox4x32-10 block for counter (c0 … c3) and
 * round keys rk(0 … 19) and turning its four
 * outputs into four normals `nb[0…3]` by Box–Muller, exactly as
 * `NormalStream.refill` does.
 *
 * Every word stays an int32 (see {@link mulhi}); u01 reads it with `>>> 9`.
 */
function philoxNormals(c: [string, string, string, string], nb: string, rk: (i: number) => string): string[] {
  const lines = philoxRounds(c, rk);
  // Box–Muller on (out0, out1) and (out2, out3), as boxMuller() in src/rng/philox.ts
  const u01 = (v: string) => `((${v} >>> 9) * 1.1920928955078125e-7 + 5.960464477539063e-8)`;
  for (const [a, b, at] of [['_c0', '_c1', 0], ['_c2', '_c3', 2]] as const) {
    lines.push(
      `{ const _r = Math.sqrt(-2 * Math.log(${u01(a)})); const _t = Math.PI * (2 * ${u01(b)} - 1);`,
      `  ${nb}[${at}] = _r * Math.cos(_t); ${nb}[${at + 1}] = _r * Math.sin(_t); }`,
    );
  }
  return lines;
}

/**
 * The ten Philox rounds on counter c, unrolled into fresh constants (no
 * loop-carried variables, so the JIT keeps every word an integer), leaving the
 * block in `_c0 … _c3` (`_c1`, `_c3` as int32: they only meet XOR and `>>> 9`).
 */
function philoxRounds(c: [string, string, string, string], rk: (i: number) => string): string[] {
  let [a, b, cc, d] = c;
  const lines: string[] = [];
  for (let r = 0; r < 10; r++) {
    const o = r === 9 ? ['_c0', '_c1', '_c2', '_c3'] : [`_q${r}a`, `_q${r}b`, `_q${r}c`, `_q${r}d`];
    lines.push(
      `const ${o[0]} = (${mulhi(M1, cc)} ^ ${b} ^ ${rk(2 * r)}) | 0;`,
      `const ${o[1]} = Math.imul(${cc}, ${M1 | 0});`,
      `const ${o[2]} = (${mulhi(M0, a)} ^ ${d} ^ ${rk(2 * r + 1)}) | 0;`,
      `const ${o[3]} = Math.imul(${a}, ${M0 | 0});`,
    );
    [a, b, cc, d] = o;
  }
  return lines;
}

/**
 * High word of M·v (M a u32 constant, v a u32 held as int32), exactly, as an
 * expression whose value is right modulo 2^32 (the caller's XOR truncates):
 * the 16-bit-halves scheme of `mulhi32` in src/rng/philox.ts with every
 * partial product a Math.imul (a 16×16-bit product is below 2^32, so imul's
 * bits are the product's) and every partial sum wrapped to 32 bits. With the
 * constant's halves folded, V8 keeps all of it in 32-bit integer registers.
 * (Splitting only the constant, c·MH and c·ML exact in doubles, is fewer
 * operations on paper but measured 1.5× slower in V8: the double ↔ integer
 * conversions cost more than the multiplies they save.)
 */
function mulhi(m: number, v: string): string {
  const mh = m >>> 16;
  const ml = m & 0xffff;
  const t = `(Math.imul(${ml}, ${v} & 0xffff) >>> 16)`;
  const u = `Math.imul(${mh}, ${v} & 0xffff) + ${t}`;
  return `(Math.imul(${mh}, ${v} >>> 16) + (((${u}) | 0) >>> 16) + (((Math.imul(${ml}, ${v} >>> 16) + ((${u}) & 0xffff)) | 0) >>> 16))`;
}

/**
 * The factory-level helpers of every kernel: the round keys `_rk` (set once
 * per kernel call by `_setKey`) and `_normals(c0, c1, c2, c3, nb)`, one
 * Philox block turned into four normals. A function rather than pasted code:
 * D pastes per step make a function too big for the JIT to optimise.
 */
function helpers(): string[] {
  return [
    'const _rk = new Int32Array(20);',
    'function _setKey(k0, k1) {',
    ...Array.from({ length: 10 }, (_, r) => `_rk[${2 * r}] = (k0 + ${r} * ${W0}) | 0; _rk[${2 * r + 1}] = (k1 + ${r} * ${W1}) | 0;`),
    '}',
    'function _normals(c0, c1, c2, c3, nb) {',
    ...philoxNormals(['c0', 'c1', 'c2', 'c3'], 'nb', (i) => `_rk[${i}]`),
    '}',
  ];
}

/**
 * A normal stream over local variables: `_lo`, `_hi` (Philox call index),
 * `_ph` (next output, 0…4), `_nb` (the four normals of the current call).
 * Normal number m = n·D + d of particle i, stream `stream` (DESIGN §2).
 */
function streamSeek(particle: string, m: string, stream: number): string[] {
  return [
    `const _call = Math.floor(${m} / 4);`,
    `let _lo = _call >>> 0, _hi = Math.floor(_call / 4294967296) >>> 0, _ph = ${m} % 4;`,
    `_normals(${particle}, _lo, _hi, ${stream}, _nb);`,
  ];
}

/** Statements leaving the next normal in `target`. */
function nextNormal(target: string, particle: string, stream: number): string[] {
  return [
    `if (_ph === 4) { _ph = 0; _lo = (_lo + 1) >>> 0; if (_lo === 0) _hi = (_hi + 1) >>> 0; _normals(${particle}, _lo, _hi, ${stream}, _nb); }`,
    `${target} = _nb[_ph++];`,
  ];
}

/**
 * Source of the overdamped range kernel (EM or LM) for D dimensions with the
 * potential's gradient inlined. State: [positions].
 *   EM: x' = x − h∇E(x) + σ_n ξ_n;   LM: x' = x − h∇E(x) + σ_n (ξ_n + ξ_{n+1})/2
 * @param gradient the compiled potential's `gradientJs`
 */
export function overdampedKernelSource(integrator: 'em' | 'lm', dims: number, gradient: Emitted): RangeKernelSource {
  const D = dims;
  if (gradient.results.length !== D) throw new Error(`gradient has ${gradient.results.length} components, expected ${D}`);
  const xs = Array.from({ length: D }, (_, d) => `x${d}`);
  const noise = Stream.noise;
  const body: string[] = [];
  body.push(
    '"use strict";',
    ...helpers(),
    'return function overdamped(state, i0, i1, step0, coef, params, k0, k1) {',
    '_setKey(k0, k1);',
    `const _x = state[0], _K = coef.length >> 1, _nb = new Float64Array(4), _m0 = step0 * ${D};`,
    ...gradient.pars.map((i) => `const p${i} = params[${i}];`),
    'for (let _i = i0; _i < i1; _i++) {',
    ...xs.map((x, d) => `let ${x} = _x[_i * ${D} + ${d}];`),
    ...streamSeek('_i', '_m0', noise),
  );
  if (integrator === 'lm') {
    for (let d = 0; d < D; d++) body.push(`let _xi${d};`, ...nextNormal(`_xi${d}`, '_i', noise));
  }
  body.push(
    'for (let _k = 0; _k < _K; _k++) {',
    'const _h = coef[2 * _k], _s = coef[2 * _k + 1];',
    ...gradient.temps,
    ...gradient.results.map((g, d) => `const _g${d} = ${g};`),
    'let _n;',
  );
  for (let d = 0; d < D; d++) {
    body.push(...nextNormal('_n', '_i', noise));
    if (integrator === 'lm') body.push(`${xs[d]} = ${xs[d]} - _h * _g${d} + _s * (0.5 * (_xi${d} + _n));`, `_xi${d} = _n;`);
    else body.push(`${xs[d]} = ${xs[d]} - _h * _g${d} + _s * _n;`);
  }
  body.push(
    '}',
    ...xs.map((x, d) => `_x[_i * ${D} + ${d}] = ${x};`),
    '}',
    'return [];',
    '};',
  );
  return body.join('\n');
}

/**
 * Source of a function (c0, c1, c2, c3, k0, k1, out) writing the Philox4x32-10
 * block's four u32 outputs to out, built from the same generated rounds as the
 * kernels (for tests against src/rng/philox.ts).
 */
export function philoxSource(): string {
  return [
    '"use strict";',
    ...helpers(),
    'let _k0 = NaN, _k1 = NaN;',
    'return function philox(c0, c1, c2, c3, k0, k1, out) {',
    'if (k0 !== _k0 || k1 !== _k1) { _setKey(k0, k1); _k0 = k0; _k1 = k1; }',
    ...philoxRounds(['c0', 'c1', 'c2', 'c3'], (i) => `_rk[${i}]`),
    'out[0] = _c0 >>> 0; out[1] = _c1 >>> 0; out[2] = _c2 >>> 0; out[3] = _c3 >>> 0;',
    '};',
  ].join('\n');
}
