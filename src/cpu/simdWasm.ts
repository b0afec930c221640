/**
 * The CPU kernel's noise in WebAssembly SIMD (128-bit): Philox4x32-10 on four
 * counters at once, then the table Box–Muller of src/rng/boxMuller.ts on two
 * pairs at once (src/cpu/simdBoxMuller.ts), bit-identical to the reference
 * normals (tests/unit/simd-normals.test.ts).
 *
 * Philox: the four words of four consecutive calls sit in four i32x4 vectors
 * (lane = call); a round's two 32×32→64 products per lane are
 * `i64x2.extmul_{low,high}_i32x4_u`, their high and low words two shuffles.
 * Two groups of four calls are interleaved (a product takes several cycles),
 * and the ten rounds run two a turn of a loop (unrolled, the module would pass
 * 4 KB). The blocks are transposed back to the scalar layout (call q: words
 * 4q … 4q + 3). Integers are exact, so the words are src/rng/philox.ts's.
 *
 * Memory (bytes): the log table at {@link LOG_AT} (_BM_LOG of
 * src/rng/boxMuller.ts, 3074 float64), the angle table at {@link ANGLE_AT}
 * (_BM_ANGLE, 2048 float64), both written by the host after instantiation;
 * Philox words from {@link WORDS_AT}; normals after them ({@link simdLayout}).
 * Exports, each (particle, lo, hi, stream, k0, k1, count):
 *   blocks: the words of calls lo, lo + 1, … (call = hi·2^32 + lo, with carry)
 *     of counter (particle, call, stream), count rounded up to a multiple of 8;
 *   convert: the words of calls 0 … count − 1 (rounded up to even) to their
 *     normals (normal 4q + w from output w of call q; only count is read);
 *   normals: blocks, then convert.
 * About 3.2 KB: below the 4 KB Chrome compiles synchronously on a page's thread.
 *
 * Engines without SIMD fail `WebAssembly.validate` on these bytes; the kernel
 * then keeps the scalar path (src/cpu/philoxWasm.ts and the JavaScript
 * Box–Muller), which gives the same bits.
 */
import { boxMullerTables } from '../rng/boxMuller.ts';
import { body, get, i32, i32x4, module, op, set, shuffle32, simd, store, type, uleb, v } from './wasmAsm.ts';
import { boxMullerCode, CONVERT_LOCALS } from './simdBoxMuller.ts';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Byte offset of the log table ([ln c, 1/c] for c = i/1024 at 16·i). */
export const LOG_AT = 0;
/** Byte offset of the angle table ([−cos, −sin] of 2πa/1024 at ANGLE_AT + 16·a). */
export const ANGLE_AT = 3074 * 8;
/** Byte offset of the Philox words. */
export const WORDS_AT = ANGLE_AT + 2048 * 8;

/** Calls `blocks` makes per turn of its loop: two groups of four, interleaved (a round's products take several cycles). */
const GROUP_CALLS = 8;

/** Where the normals of up to `calls` calls lie, and the pages the module needs. */
export function simdLayout(calls: number): { capacity: number; normalsAt: number; pages: number } {
  const capacity = GROUP_CALLS * Math.ceil(calls / GROUP_CALLS);
  const normalsAt = WORDS_AT + 16 * capacity;
  return { capacity, normalsAt, pages: Math.ceil((normalsAt + 32 * capacity) / 65536) };
}

const P = { particle: 0, lo: 1, hi: 2, stream: 3, key0: 4, key1: 5, count: 6 } as const;
const tee = (i: number) => [op.localTee, ...uleb(i)];
const splat = [...v(simd.i32x4Splat)];

// locals of `blocks`: i32 7 ptr, 8 rounds left; v128 9 … 28 (group g's words a, b, c, d and two temporaries from 15 + 6g)
const [PTR, ROUNDS, M0V, M1V, W0V, W1V, K0, K1] = [7, 8, 9, 10, 11, 12, 13, 14];
const word = (g: number, w: number) => 15 + 6 * g + w;
const [T0, T1] = [27, 28];
const ops = (...subs: number[]) => subs.flatMap((sub) => v(sub));

/** One Philox round on group g's four vectors, keys in K0, K1. */
function round(g: number): number[] {
  // the 64-bit products of x's lanes by m in T0 (lanes 0, 1) and T1 (lanes 2, 3)
  const products = (x: number, m: number) => [
    ...[...get(x), ...get(m), ...ops(simd.i64x2ExtmulLowI32x4U), ...set(T0)],
    ...[...get(x), ...get(m), ...ops(simd.i64x2ExtmulHighI32x4U), ...set(T1)],
  ];
  const hi = [...get(T0), ...get(T1), ...shuffle32([1, 3, 5, 7])];
  const lo = [...get(T0), ...get(T1), ...shuffle32([0, 2, 4, 6])];
  const [a, b, c, d] = [0, 1, 2, 3].map((w) => word(g, w));
  const [ta, tb] = [word(g, 4), word(g, 5)];
  // a' = hi(M1·c) ^ b ^ k0;  b' = lo(M1·c);  c' = hi(M0·a) ^ d ^ k1;  d' = lo(M0·a)
  return [
    ...[...products(a, M0V), ...hi, ...set(ta), ...lo, ...set(tb)],
    ...[...products(c, M1V), ...hi, ...get(b), ...ops(simd.xor), ...get(K0), ...ops(simd.xor), ...set(a), ...lo, ...set(b)],
    ...[...get(ta), ...get(d), ...ops(simd.xor), ...get(K1), ...ops(simd.xor), ...set(c), ...get(tb), ...set(d)],
  ];
}

/** Group g's counters: (particle, lo + 4g + lane with the carry into hi, stream). */
function counters(g: number): number[] {
  return [
    ...[...get(P.particle), ...splat, ...set(word(g, 0))],
    // lanes lo + 4g + 0 … 3, and a carry into hi in the lanes that wrapped
    ...[...get(P.lo), ...splat, ...i32x4(4 * g, 4 * g + 1, 4 * g + 2, 4 * g + 3), ...ops(simd.i32x4Add), ...tee(word(g, 1))],
    ...[...get(P.lo), ...splat, ...ops(simd.i32x4LtU), ...set(T0)],
    ...[...get(P.hi), ...splat, ...get(T0), ...ops(simd.i32x4Sub), ...set(word(g, 2))],
    ...[...get(P.stream), ...splat, ...set(word(g, 3))],
  ];
}

/** Transpose group g (lane = call) and store call 4g + q's words at ptr + 64g + 16q. */
function transpose(g: number): number[] {
  const [a, b, c, d, t2, t3] = [0, 1, 2, 3, 4, 5].map((w) => word(g, w));
  return [
    ...[...get(a), ...get(b), ...shuffle32([0, 4, 1, 5]), ...set(T0), ...get(c), ...get(d), ...shuffle32([0, 4, 1, 5]), ...set(T1)],
    ...[...get(a), ...get(b), ...shuffle32([2, 6, 3, 7]), ...set(t2), ...get(c), ...get(d), ...shuffle32([2, 6, 3, 7]), ...set(t3)],
    ...[0, 1].flatMap((h) =>
      [0, 1].flatMap((half) => [
        ...get(PTR),
        ...get(h ? t2 : T0),
        ...get(h ? t3 : T1),
        ...shuffle32(half ? [2, 3, 6, 7] : [0, 1, 4, 5]),
        ...store(64 * g + 32 * h + 16 * half),
      ]),
    ),
  ];
}

/** The body code of `blocks`: GROUP_CALLS calls a turn. */
function blocksCode(): number[] {
  const bump = [...get(K0), ...get(W0V), ...ops(simd.i32x4Add), ...set(K0), ...get(K1), ...get(W1V), ...ops(simd.i32x4Add), ...set(K1)];
  // ten rounds, two a turn, the keys bumped after each (once too often: harmless)
  const rounds = [
    ...[...i32(5), ...set(ROUNDS), ...get(P.key0), ...splat, ...set(K0), ...get(P.key1), ...splat, ...set(K1)],
    ...[op.loop, 0x40, ...round(0), ...round(1), ...bump, ...round(0), ...round(1), ...bump],
    ...[...get(ROUNDS), ...i32(1), op.i32Sub, ...tee(ROUNDS), ...i32(0), op.i32GtS, op.br_if, 0, op.end],
  ];
  const advance = [
    ...[...get(PTR), ...i32(16 * GROUP_CALLS), op.i32Add, ...set(PTR)],
    ...[...get(P.lo), ...i32(GROUP_CALLS), op.i32Add, ...tee(P.lo), ...i32(GROUP_CALLS), op.i32LtU],
    ...[op.if, 0x40, ...get(P.hi), ...i32(1), op.i32Add, ...set(P.hi), op.end],
    ...[...get(P.count), ...i32(GROUP_CALLS), op.i32Sub, ...tee(P.count), ...i32(0), op.i32GtS, op.br_if, 0],
  ];
  return [
    ...[...i32(WORDS_AT), ...set(PTR), ...i32x4(M0 | 0), ...set(M0V), ...i32x4(M1 | 0), ...set(M1V)],
    ...[...i32x4(W0 | 0), ...set(W0V), ...i32x4(W1 | 0), ...set(W1V)],
    ...[op.loop, 0x40, ...counters(0), ...counters(1)],
    ...[...rounds, ...transpose(0), ...transpose(1), ...advance, op.end],
  ];
}

/**
 * The module's bytes, for up to `calls` Philox calls per `normals` (count ≥ 1).
 * @example new WebAssembly.Module(simdWasmBytes(1028))
 */
export function simdWasmBytes(calls: number): Uint8Array<ArrayBuffer> {
  const { delta } = boxMullerTables();
  const memory = { logAt: LOG_AT, angleAt: ANGLE_AT, wordsAt: WORDS_AT, normalsAt: simdLayout(calls).normalsAt };
  const params = [0, 1, 2, 3, 4, 5, 6].flatMap((p) => get(p));
  return module(7, simdLayout(calls).pages, [
    {
      name: 'blocks',
      body: body(
        [
          [2, type.i32],
          [20, type.v128],
        ],
        blocksCode(),
      ),
    },
    {
      name: 'convert',
      body: body(
        [
          [CONVERT_LOCALS.i32, type.i32],
          [CONVERT_LOCALS.v128, type.v128],
        ],
        boxMullerCode(memory, delta),
      ),
    },
    { name: 'normals', body: body([], [...params, op.call, 0, ...params, op.call, 1]) },
  ]);
}

/** Whether this engine runs WebAssembly SIMD (the module validates). */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(simdWasmBytes(4));
}

/** Signature of the exports `blocks` and `normals`. */
export type SimdNoise = (particle: number, lo: number, hi: number, stream: number, k0: number, k1: number, count: number) => void;

/**
 * An instance with its tables written, for tests and benchmarks (the kernel
 * builds its own from the same bytes): `words` (u32 from WORDS_AT), `normals`
 * (float64 from the layout's normalsAt).
 */
export function instantiateSimdWasm(calls: number): {
  blocks: SimdNoise;
  convert: SimdNoise;
  normals: SimdNoise;
  words: Uint32Array;
  out: Float64Array;
} {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(simdWasmBytes(calls)));
  const exports = instance.exports as { blocks: SimdNoise; convert: SimdNoise; normals: SimdNoise; memory: WebAssembly.Memory };
  const buffer = exports.memory.buffer;
  const { log, angle } = boxMullerTables();
  new Float64Array(buffer, LOG_AT, log.length).set(log);
  new Float64Array(buffer, ANGLE_AT, angle.length).set(angle);
  const { capacity, normalsAt } = simdLayout(calls);
  return {
    blocks: exports.blocks,
    convert: exports.convert,
    normals: exports.normals,
    words: new Uint32Array(buffer, WORDS_AT, 4 * capacity),
    out: new Float64Array(buffer, normalsAt, 4 * capacity),
  };
}
