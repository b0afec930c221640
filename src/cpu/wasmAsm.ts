/**
 * A tiny WebAssembly assembler: the byte encodings the hand-assembled modules
 * of the CPU backend (src/cpu/simdWasm.ts) are written with. No WAT compiler
 * at build or run time; each helper returns the bytes of one construct of the
 * WebAssembly core specification (§5: binary format; SIMD opcodes carry the
 * 0xfd prefix and a LEB128 sub-opcode).
 */

/** Unsigned LEB128 of a whole number below 2^53. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** Signed LEB128 of an integer (|v| < 2^53). */
export function sleb(v: number): number[] {
  const out: number[] = [];
  let x = BigInt(v);
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/** A section: id, then its byte length, then its contents. */
export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** A vector: its length, then its items' bytes. */
export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A name (ASCII). */
export function name(s: string): number[] {
  return vec([...s].map((c) => [c.charCodeAt(0)]));
}

/** Value types. */
export const type = { i32: 0x7f, i64: 0x7e, f64: 0x7c, v128: 0x7b } as const;

/** Core opcodes used (§5.4). */
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  call: 0x10,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Shl: 0x74,
} as const;

/** SIMD sub-opcodes (after the 0xfd prefix). */
export const simd = {
  load: 0x00,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  i32x4Splat: 0x11,
  i32x4ExtractLane: 0x1b,
  i32x4LtU: 0x3a,
  f64x2Ge: 0x4c,
  and: 0x4e,
  or: 0x50,
  xor: 0x51,
  bitselect: 0x52,
  i32x4Shl: 0xab,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  i32x4Mul: 0xb5,
  i64x2ShrU: 0xcd,
  i64x2Sub: 0xd1,
  i64x2ExtmulLowI32x4U: 0xde,
  i64x2ExtmulHighI32x4U: 0xdf,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  i32x4TruncSatF64x2SZero: 0xfc,
  f64x2ConvertLowI32x4S: 0xfe,
} as const;

/** A SIMD instruction without immediates. */
export function v(sub: number): number[] {
  return [0xfd, ...uleb(sub)];
}

/** local.get i */
export const get = (i: number): number[] => [op.localGet, ...uleb(i)];
/** local.set i */
export const set = (i: number): number[] => [op.localSet, ...uleb(i)];
/** i32.const c */
export const i32 = (c: number): number[] => [op.i32Const, ...sleb(c | 0)];

/** v128.load / v128.store with a byte offset (alignment hint 16 bytes). */
export const load = (offset = 0): number[] => [...v(simd.load), 4, ...uleb(offset)];
export const store = (offset = 0): number[] => [...v(simd.store), 4, ...uleb(offset)];

/** v128.const of 16 bytes. */
export function v128(bytes: ArrayLike<number>): number[] {
  return [...v(simd.const), ...Array.from(bytes)];
}
/** v128.const of two float64 lanes x, x. */
export const f64x2 = (x: number): number[] => v128(new Uint8Array(new Float64Array([x, x]).buffer));
/** v128.const of four int32 lanes. */
export const i32x4 = (a: number, b = a, c = a, d = a): number[] => v128(new Uint8Array(new Int32Array([a, b, c, d]).buffer));
/** v128.const of two 64-bit lanes, each given as (low word, high word). */
export const i64x2 = (lo: number, hi: number): number[] => v128(new Uint8Array(new Int32Array([lo, hi, lo, hi]).buffer));

/**
 * i8x16.shuffle picking 32-bit lanes: lane k of the result is lane `lanes[k]`
 * of the concatenation (first operand lanes 0–3, second 4–7).
 */
export function shuffle32(lanes: [number, number, number, number]): number[] {
  return [...v(simd.shuffle), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];
}
/** i8x16.shuffle picking 64-bit lanes (first operand 0–1, second 2–3). */
export function shuffle64(lanes: [number, number]): number[] {
  return shuffle32([2 * lanes[0], 2 * lanes[0] + 1, 2 * lanes[1], 2 * lanes[1] + 1]);
}

/** A function body: its local declarations ([count, type] runs), the code, `end`, prefixed by its size. */
export function body(locals: [number, number][], code: number[]): number[] {
  const all = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code, op.end];
  return [...uleb(all.length), ...all];
}

/**
 * A module of functions that all have the type (i32 × params) → (), a memory
 * of `pages` 64-KiB pages, exported as `memory` with the named functions.
 */
export function module(params: number, pages: number, functions: { name: string; body: number[] }[]): Uint8Array<ArrayBuffer> {
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec(Array.from({ length: params }, () => [type.i32])), ...vec([])]])),
    ...section(3, vec(functions.map(() => uleb(0)))),
    ...section(5, vec([[0x00, ...uleb(pages)]])),
    ...section(7, vec([[...name('memory'), 0x02, 0], ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])])),
    ...section(10, vec(functions.map((f) => f.body))),
  ];
  return new Uint8Array(bytes);
}
