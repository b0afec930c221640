/**
 * Philox4x32-10 blocks in WebAssembly, for the CPU range kernel.
 *
 * JavaScript has no 32×32→64-bit multiply: the TypeScript reference
 * (src/rng/philox.ts) builds each mulhi from four 16-bit products, and a
 * block costs about 68 ns in V8. WebAssembly's `i64.mul` gives the product in
 * one instruction; with the ten rounds unrolled and two blocks interleaved
 * (so the multiplier stays busy while the other block's XORs wait) a block
 * costs about 14 ns (bench/cpu-kernel.ts). The integers are the same, bit for
 * bit: tests/unit/cpu-kernel.test.ts checks the known-answer vectors and 10^5
 * random counters and keys against the reference.
 *
 * The module is assembled here, byte by byte, from a few opcodes (no WAT
 * compiler at build or run time), is about 3.3 KB, and exports
 *   memory: one page or more;
 *   blocks(particle, lo, hi, stream, k0, k1, count): writes the blocks of
 *     counters (particle, call, stream) for calls lo, lo+1, … (call = hi·2^32 + lo,
 *     with carry), count of them rounded up to even, as u32 words from byte 0
 *     (count ≥ 1: the loop tests at its end, so a count of 0 still writes two);
 *   blocksWord2(c0, c1, c2, c3, k0, k1, count): the same for counters
 *     (c0, c1, c2 + q, c3), q = 0, 1, … (no carry): the mini-batch draws
 *     (particle, step, ⌊j/4⌋, 4) of src/rng/batch.ts.
 *
 * Because the module is small, `new WebAssembly.Module(bytes)` compiles it
 * synchronously, in a Node worker, a Web Worker and a browser's main thread
 * (Chrome allows synchronous compiles below 4 KB there).
 */

import { name, section, sleb, uleb, vec } from './wasmAsm.ts';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** The opcodes used (WebAssembly core spec, §5.4). */
const op = {
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br_if: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  i32Store: 0x36,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32GtS: 0x4a,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Xor: 0x73,
  i64Mul: 0x7e,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
  i64ExtendI32U: 0xad,
} as const;
const I32 = 0x7f;
const I64 = 0x7e;
const VOID_BLOCK = 0x40;

// locals of `blocks`: the 7 parameters, then per interleaved block (A, B) the
// four words and the two 64-bit products, then the round keys
const P = { particle: 0, lo: 1, hi: 2, stream: 3, key0: 4, key1: 5, count: 6 } as const;
const WORD = (block: number, w: number) => 7 + 4 * block + w; // i32 locals 7 … 14
const K0 = 15;
const K1 = 16;
const PTR = 17;
const PROD = (block: number, which: number) => 18 + 2 * block + which; // i64 locals 18 … 21

const get = (i: number) => [op.localGet, ...uleb(i)];
const set = (i: number) => [op.localSet, ...uleb(i)];

/** One Philox round on block b's words, keys in locals K0, K1. */
function round(b: number): number[] {
  const [a, bw, c, d] = [0, 1, 2, 3].map((w) => WORD(b, w));
  const p0 = PROD(b, 0);
  const p1 = PROD(b, 1);
  return [
    ...get(a),
    op.i64ExtendI32U,
    op.i64Const,
    ...sleb(M0),
    op.i64Mul,
    ...set(p0),
    ...get(c),
    op.i64ExtendI32U,
    op.i64Const,
    ...sleb(M1),
    op.i64Mul,
    ...set(p1),
    // a' = hi(M1·c) ^ b ^ k0;  b' = lo(M1·c);  c' = hi(M0·a) ^ d ^ k1;  d' = lo(M0·a)
    ...get(p1),
    op.i64Const,
    ...sleb(32),
    op.i64ShrU,
    op.i32WrapI64,
    ...get(bw),
    op.i32Xor,
    ...get(K0),
    op.i32Xor,
    ...set(a),
    ...get(p1),
    op.i32WrapI64,
    ...set(bw),
    ...get(p0),
    op.i64Const,
    ...sleb(32),
    op.i64ShrU,
    op.i32WrapI64,
    ...get(d),
    op.i32Xor,
    ...get(K1),
    op.i32Xor,
    ...set(c),
    ...get(p0),
    op.i32WrapI64,
    ...set(d),
  ];
}

/**
 * The body of `blocks` (`advance` 'call': the call index in words 1–2 steps,
 * with carry) or of `blocksWord2` ('word2': word 2 steps, no carry): a loop
 * making two blocks per turn.
 */
function blocksBody(advance: 'call' | 'word2'): number[] {
  const code: number[] = [];
  const bumpKeys = [
    ...get(K0),
    op.i32Const,
    ...sleb(W0 | 0),
    op.i32Add,
    ...set(K0),
    ...get(K1),
    op.i32Const,
    ...sleb(W1 | 0),
    op.i32Add,
    ...set(K1),
  ];
  // counter words of block b: (particle, call lo, call hi, stream), the call being lo + b with carry into hi
  const counter = (b: number) => [
    ...get(P.particle),
    ...set(WORD(b, 0)),
    ...get(P.lo),
    ...set(WORD(b, 1)),
    ...get(P.hi),
    ...set(WORD(b, 2)),
    ...get(P.stream),
    ...set(WORD(b, 3)),
  ];
  const advanceCall = [
    // lo += 1; if (lo == 0) hi += 1
    ...get(P.lo),
    op.i32Const,
    ...sleb(1),
    op.i32Add,
    ...set(P.lo),
    ...get(P.lo),
    op.i32Eqz,
    op.if,
    VOID_BLOCK,
    ...get(P.hi),
    op.i32Const,
    ...sleb(1),
    op.i32Add,
    ...set(P.hi),
    op.end,
  ];
  code.push(op.loop, VOID_BLOCK);
  code.push(...get(P.key0), ...set(K0), ...get(P.key1), ...set(K1));
  const advanceWord2 = [...get(P.hi), op.i32Const, ...sleb(1), op.i32Add, ...set(P.hi)];
  const next = advance === 'call' ? advanceCall : advanceWord2;
  code.push(...counter(0), ...next, ...counter(1), ...next);
  for (let r = 0; r < 10; r++) {
    if (r > 0) code.push(...bumpKeys);
    code.push(...round(0), ...round(1));
  }
  for (let b = 0; b < 2; b++) {
    for (let w = 0; w < 4; w++) code.push(...get(PTR), ...get(WORD(b, w)), op.i32Store, 2, ...uleb(16 * b + 4 * w));
  }
  code.push(...get(PTR), op.i32Const, ...sleb(32), op.i32Add, ...set(PTR));
  code.push(...get(P.count), op.i32Const, ...sleb(2), op.i32Sub, ...set(P.count));
  code.push(...get(P.count), op.i32Const, ...sleb(0), op.i32GtS, op.br_if, 0, op.end);
  return code;
}

/** The module's bytes: memory of `pages` 64-KiB pages, exported with `blocks` and `blocksWord2`. */
export function philoxWasmBytes(pages = 1): Uint8Array<ArrayBuffer> {
  const locals = vec(
    [
      [8 + 3, I32],
      [4, I64],
    ].map(([n, t]) => [...uleb(n), t]),
  );
  const body = (advance: 'call' | 'word2') => {
    const code = [...locals, ...blocksBody(advance), op.end];
    return [...uleb(code.length), ...code];
  };
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, ...vec(Array.from({ length: 7 }, () => [I32])), ...vec([])]])), // type: (i32 × 7) → ()
    ...section(3, vec([uleb(0), uleb(0)])), // functions 0 and 1 have type 0
    ...section(5, vec([[0x00, ...uleb(pages)]])), // memory: min pages, no max
    ...section(
      7,
      vec([
        [...name('memory'), 0x02, ...uleb(0)],
        [...name('blocks'), 0x00, ...uleb(0)],
        [...name('blocksWord2'), 0x00, ...uleb(1)],
      ]),
    ),
    ...section(10, vec([body('call'), body('word2')])),
  ];
  return new Uint8Array(bytes);
}

/** Bytes of memory `blocks` may write for `calls` blocks (rounded up to even). */
export function philoxWasmBytesFor(calls: number): number {
  return 16 * (calls + (calls % 2));
}

/** Signature of the exported `blocks`. */
export type PhiloxBlocks = (particle: number, lo: number, hi: number, stream: number, k0: number, k1: number, count: number) => void;

/** An instance of the module, for tests and benchmarks; the kernel source builds its own from the same bytes. */
export function instantiatePhiloxWasm(pages = 1): { blocks: PhiloxBlocks; blocksWord2: PhiloxBlocks; words: Uint32Array } {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(philoxWasmBytes(pages)));
  const exports = instance.exports as { blocks: PhiloxBlocks; blocksWord2: PhiloxBlocks; memory: WebAssembly.Memory };
  return { blocks: exports.blocks, blocksWord2: exports.blocksWord2, words: new Uint32Array(exports.memory.buffer) };
}
