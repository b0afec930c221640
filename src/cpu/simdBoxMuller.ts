/**
 * The table Box–Muller of src/rng/boxMuller.ts in WebAssembly SIMD: the code
 * of the `convert` function of src/cpu/simdWasm.ts, which turns the Philox
 * words of `count` calls into float64 normals, bit-identical to the reference.
 *
 * Call q's pairs (w0, w1) and (w2, w3) are the two f64x2 lanes. Every float64
 * operation of the reference is done in its order with its constants (f64x2
 * add, sub, mul and sqrt round exactly like their scalar forms; standard SIMD
 * has no fused multiply-add). The integer steps have exact equivalents:
 * m = 2j + 1 (< 2^24) converts to float64 exactly; its exponent bits give
 * ⌊log2 m⌋, so the reference's 7 + s − z (z = Math.clz32(m)) is
 * ⌊log2 m⌋ − 24 + s; its mantissa under the exponent of 1 is
 * f1 = m·2^−⌊log2 m⌋ ∈ [1, 2), and the reference's f is f1 (s = 0) or f1/2
 * (f1 ≥ 1.5, s = 1), exactly. A table lookup is one 16-byte load per lane
 * ([ln c, 1/c] and [−cos, −sin] lie side by side).
 *
 * Two calls per turn, their instructions interleaved statement by statement:
 * one call's chain (table loads, a degree-5 polynomial, a square root) is long,
 * and two independent chains keep the vector units busy.
 */
import { f64x2, get, i32, i32x4, i64x2, load, op, set, shuffle32, shuffle64, simd, store, uleb, v } from './wasmAsm.ts';

/** Where the tables, words and normals lie in memory (bytes). */
export interface BoxMullerMemory {
  /** [ln c, 1/c] for c = i/1024 at logAt + 16·i */
  logAt: number;
  /** [−cos, −sin] of 2πa/1024 at angleAt + 16·a */
  angleAt: number;
  /** call q's four u32 words at wordsAt + 16·q */
  wordsAt: number;
  /** call q's four normals at normalsAt + 32·q */
  normalsAt: number;
}

/** The function's locals after its 7 i32 parameters: i32 (ptr, out), then v128. */
export const CONVERT_LOCALS = { i32: 2, v128: 2 * 14 + 20 } as const;

const [PTR, OUT] = [7, 8];
const COUNT = 6;
const tee = (i: number) => [op.localTee, ...uleb(i)];
const lane = (l: number) => [...v(simd.i32x4ExtractLane), l];
const m = (sub: number) => v(sub);

/** The v128 constants, hoisted into locals set before the loop (V8 rebuilds a v128.const at each use). */
class Constants {
  readonly locals = new Map<string, number>();
  constructor(private readonly first: number) {}
  get(bytes: number[]): number[] {
    const key = bytes.join(',');
    if (!this.locals.has(key)) this.locals.set(key, this.first + this.locals.size);
    return get(this.locals.get(key)!);
  }
  f(x: number): number[] {
    return this.get(f64x2(x));
  }
  init(): number[] {
    return [...this.locals].flatMap(([key, local]) => [...key.split(',').map(Number), ...set(local)]);
  }
}

/** Locals of stream s (call q + s of the turn). */
function streamLocals(s: number) {
  const [V, U, MF, F1, SM, F, TF, IV, L0, L1, R, RAD, D, D2] = Array.from({ length: 14 }, (_, k) => 9 + 14 * s + k);
  return { V, U, MF, F1, SM, F, TF, IV, L0, L1, R, RAD, D, D2, SD: V, CD: MF, G0: L0, G1: L1, X: F1, Y: SM };
}

/** Statements of stream s up to the table entries [ln c, 1/c] of both lanes. */
function radius(s: number, c: Constants, mem: BoxMullerMemory): number[][] {
  const { V, U, MF, F1, SM, F, TF, IV, L0, L1, R, RAD } = streamLocals(s);
  return [
    // u = w >>> 9 for (w0, w2, w1, w3); m = 2u + 1 of the first two, exactly as float64
    [...get(PTR), ...load(16 * s), ...tee(V), ...get(V), ...shuffle32([0, 2, 1, 3]), ...i32(9), ...m(simd.i32x4ShrU), ...set(U)],
    [...get(U), ...i32(1), ...m(simd.i32x4Shl), ...c.get(i32x4(1)), ...m(simd.or), ...m(simd.f64x2ConvertLowI32x4S), ...set(MF)],
    // f1 = m·2^−⌊log2 m⌋ ∈ [1, 2); s: f1 ≥ 1.5; f = s ? f1/2 : f1
    [...get(MF), ...c.get(i64x2(-1, 0x000fffff)), ...m(simd.and), ...c.get(i64x2(0, 0x3ff00000)), ...m(simd.or), ...set(F1)],
    [...get(F1), ...c.f(1.5), ...m(simd.f64x2Ge), ...set(SM)],
    [...get(F1), ...c.f(0.5), ...m(simd.f64x2Mul), ...get(F1), ...get(SM), ...m(simd.bitselect), ...set(F)],
    // 7 + s − z = (biased exponent − 1023) − 24 + s, as float64
    [
      ...get(MF),
      ...i32(52),
      ...m(simd.i64x2ShrU),
      ...c.get(i64x2(1047, 0)),
      ...m(simd.i64x2Sub),
      ...get(SM),
      ...m(simd.i64x2Sub),
      ...tee(TF),
      ...get(TF),
      ...shuffle32([0, 2, 0, 2]),
      ...m(simd.f64x2ConvertLowI32x4S),
      ...set(TF),
    ],
    // i = (f·1024 + 0.5) | 0; [ln c, 1/c] of each lane
    [...get(F), ...c.f(1024), ...m(simd.f64x2Mul), ...c.f(0.5), ...m(simd.f64x2Add), ...m(simd.i32x4TruncSatF64x2SZero), ...set(IV)],
    [...get(IV), ...lane(0), ...i32(4), op.i32Shl, ...load(mem.logAt), ...set(L0)],
    [...get(IV), ...lane(1), ...i32(4), op.i32Shl, ...load(mem.logAt), ...set(L1)],
  ];
}

/** Statements of stream s from the table entries to the radius √(−2 ln u). */
function logarithm(s: number, c: Constants): number[][] {
  const { F, TF, IV, L0, L1, R, RAD } = streamLocals(s);
  return [
    // r = (f − i·(1/1024))·(1/c)
    [
      ...get(F),
      ...get(IV),
      ...m(simd.f64x2ConvertLowI32x4S),
      ...c.f(1 / 1024),
      ...m(simd.f64x2Mul),
      ...m(simd.f64x2Sub),
      ...get(L0),
      ...get(L1),
      ...shuffle64([1, 3]),
      ...m(simd.f64x2Mul),
      ...set(R),
    ],
    // ln u = t·ln2 + ln c + r(1 + r(−1/2 + r(1/3 + r(−1/4 + r/5)))); rad = √(−2 ln u)
    [
      ...get(TF),
      ...c.f(Math.LN2),
      ...m(simd.f64x2Mul),
      ...get(L0),
      ...get(L1),
      ...shuffle64([0, 2]),
      ...m(simd.f64x2Add),
      ...get(R),
      ...get(R),
      ...get(R),
      ...get(R),
      ...get(R),
      ...c.f(0.2),
      ...m(simd.f64x2Mul),
      ...c.f(-0.25),
      ...m(simd.f64x2Add),
      ...m(simd.f64x2Mul),
      ...c.f(1 / 3),
      ...m(simd.f64x2Add),
      ...m(simd.f64x2Mul),
      ...c.f(-0.5),
      ...m(simd.f64x2Add),
      ...m(simd.f64x2Mul),
      ...c.f(1),
      ...m(simd.f64x2Add),
      ...m(simd.f64x2Mul),
      ...m(simd.f64x2Add),
      ...c.f(-2),
      ...m(simd.f64x2Mul),
      ...m(simd.f64x2Sqrt),
      ...set(RAD),
    ],
  ];
}

/** Statements of stream s for the angle: cos δ, sin δ and the table entries [−cos, −sin] of both lanes. */
function angle(s: number, c: Constants, mem: BoxMullerMemory, delta: number): number[][] {
  const { U, D, D2, SD, CD, G0, G1 } = streamLocals(s);
  return [
    // j = u of (w1, w3): a = j >>> 13, δ = ((j & 8191) + 0.5)·Δ
    [...get(U), ...get(U), ...shuffle32([2, 3, 2, 3]), ...set(U)],
    [
      ...get(U),
      ...c.get(i32x4(8191)),
      ...m(simd.and),
      ...m(simd.f64x2ConvertLowI32x4S),
      ...c.f(0.5),
      ...m(simd.f64x2Add),
      ...c.f(delta),
      ...m(simd.f64x2Mul),
      ...tee(D),
      ...get(D),
      ...m(simd.f64x2Mul),
      ...set(D2),
    ],
    // sin δ = δ(1 − δ²(1/6 − δ²/120)); cos δ = 1 − δ²(1/2 − δ²(1/24 − δ²/720))
    [
      ...get(D),
      ...c.f(1),
      ...get(D2),
      ...c.f(1 / 6),
      ...get(D2),
      ...c.f(1 / 120),
      ...m(simd.f64x2Mul),
      ...m(simd.f64x2Sub),
      ...m(simd.f64x2Mul),
      ...m(simd.f64x2Sub),
      ...m(simd.f64x2Mul),
      ...set(SD),
    ],
    [
      ...c.f(1),
      ...get(D2),
      ...c.f(0.5),
      ...get(D2),
      ...c.f(1 / 24),
      ...get(D2),
      ...c.f(1 / 720),
      ...m(simd.f64x2Mul),
      ...m(simd.f64x2Sub),
      ...m(simd.f64x2Mul),
      ...m(simd.f64x2Sub),
      ...m(simd.f64x2Mul),
      ...m(simd.f64x2Sub),
      ...set(CD),
    ],
    [...get(U), ...i32(13), ...m(simd.i32x4ShrU), ...lane(0), ...i32(4), op.i32Shl, ...load(mem.angleAt), ...set(G0)],
    [...get(U), ...i32(13), ...m(simd.i32x4ShrU), ...lane(1), ...i32(4), op.i32Shl, ...load(mem.angleAt), ...set(G1)],
  ];
}

/** Statements of stream s that write the call's normals (x0, y0, x1, y1). */
function output(s: number): number[][] {
  const { RAD, SD, CD, G0, G1, X, Y } = streamLocals(s);
  const ca = [...get(G0), ...get(G1), ...shuffle64([0, 2])];
  const sa = [...get(G0), ...get(G1), ...shuffle64([1, 3])];
  const mul = (a: number[], b: number[]) => [...a, ...b, ...m(simd.f64x2Mul)];
  return [
    // x = rad(ca·cδ − sa·sδ), y = rad(sa·cδ + ca·sδ)
    [...get(RAD), ...mul(ca, get(CD)), ...mul(sa, get(SD)), ...m(simd.f64x2Sub), ...m(simd.f64x2Mul), ...set(X)],
    [...get(RAD), ...mul(sa, get(CD)), ...mul(ca, get(SD)), ...m(simd.f64x2Add), ...m(simd.f64x2Mul), ...set(Y)],
    [...get(OUT), ...get(X), ...get(Y), ...shuffle64([0, 2]), ...store(32 * s)],
    [...get(OUT), ...get(X), ...get(Y), ...shuffle64([1, 3]), ...store(32 * s + 16)],
  ];
}

/**
 * The body code of `convert(…, count)`: words of calls 0 … count − 1 (count
 * rounded up to even) from mem.wordsAt to normals from mem.normalsAt.
 * @param delta the angle step 2π/2^23 of src/rng/boxMuller.ts (rad)
 */
export function boxMullerCode(mem: BoxMullerMemory, delta: number): number[] {
  const c = new Constants(9 + 2 * 14);
  const streams = [0, 1].map((s) => [...radius(s, c, mem), ...logarithm(s, c), ...angle(s, c, mem, delta), ...output(s)]);
  const turn = streams[0].flatMap((statement, k) => [...statement, ...streams[1][k]]);
  const advance = [
    ...[...get(PTR), ...i32(32), op.i32Add, ...set(PTR), ...get(OUT), ...i32(64), op.i32Add, ...set(OUT)],
    ...[...get(COUNT), ...i32(2), op.i32Sub, ...tee(COUNT), ...i32(0), op.i32GtS, op.br_if, 0],
  ];
  if (c.locals.size > CONVERT_LOCALS.v128 - 2 * 14) throw new Error(`convert needs ${c.locals.size} constants`);
  return [
    ...c.init(),
    ...[...i32(mem.wordsAt), ...set(PTR), ...i32(mem.normalsAt), ...set(OUT)],
    ...[op.loop, 0x40, ...turn, ...advance, op.end],
  ];
}
