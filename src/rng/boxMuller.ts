/**
 * Box–Muller on the CPU, without calling Math.log, Math.cos or Math.sin per
 * pair: the two words are Random123 fixed-point uniforms (u = j·2^−23 + 2^−24,
 * j = w >>> 9, 2^23 values), so both transcendentals reduce exactly to a table
 * and a short polynomial. V8's Math.log, Math.cos and Math.sin cost about
 * 16 + 25 + 23 ns; this costs about 15 ns per pair (bench/cpu-kernel.ts), and
 * it is within 8 ulp of Math's values (tests/unit/box-muller.test.ts checks all
 * 2^23 values of each word).
 *
 * It is written once, as JavaScript source, because it has two users that must
 * agree bit for bit: the reference normal stream (src/rng/philox.ts builds
 * {@link boxMuller} from it) and the generated CPU range kernel
 * (src/cpu/kernels/ pastes it into the kernel, which worker threads compile
 * with `new Function`). The GPU does not use it: WGSL's `box_muller` runs in f32
 * with the built-in log, cos and sin, and normals are compared across backends
 * with a tolerance (DESIGN §2).
 *
 * Radius r = √(−2 ln u0). With m = 2j+1, u0 = m·2^−24. Normalise m by its
 * leading zeros to f ∈ [0.75, 1.5) and an exponent e (u0 = f·2^e), so that
 * u0 → 1 gives e = 0, f → 1 and no cancellation. With c = i/1024 the nearest
 * table point to f, ln f = ln c + log1p(r), r = (f − c)/c, |r| ≤ 2^−11/0.75
 * < 6.6·10^−4, and log1p to r^5 is exact to about 2^−55 relative.
 *
 * Angle t = π(2u1 − 1) = φ − π with φ = 2π(j + ½)/2^23, so (cos t, sin t) =
 * −(cos φ, sin φ). Split j = a·2^13 + b: φ = 2πa/1024 + δ with
 * δ = 2π(b + ½)/2^23 < 6.2·10^−3; cos and sin of 2πa/1024 come from a table,
 * those of δ from Taylor series to δ^6 (remainder below 10^−19).
 */
export const BOX_MULLER_SOURCE = `
const _BM_LOG_BITS = 10, _BM_LOG_N = 1 << _BM_LOG_BITS;
// [ln c, 1/c] for c = i/1024, i = 768 … 1536 (f ∈ [0.75, 1.5) rounds to these)
const _BM_LOG = new Float64Array(2 * (1.5 * _BM_LOG_N + 1));
for (let i = 0.75 * _BM_LOG_N; i <= 1.5 * _BM_LOG_N; i++) {
  _BM_LOG[2 * i] = Math.log(i / _BM_LOG_N);
  _BM_LOG[2 * i + 1] = _BM_LOG_N / i;
}
// 2^-31 and 2^-32: scale a normalised 32-bit mantissa to f ∈ [1, 1.5) or [0.75, 1)
const _BM_SCALE = new Float64Array([2 ** -31, 2 ** -32]);
const _BM_ANGLE_BITS = 10, _BM_ANGLE_N = 1 << _BM_ANGLE_BITS, _BM_LOW = 23 - _BM_ANGLE_BITS;
// [−cos, −sin] of 2πa/1024
const _BM_ANGLE = new Float64Array(2 * _BM_ANGLE_N);
for (let a = 0; a < _BM_ANGLE_N; a++) {
  const p = (2 * Math.PI * a) / _BM_ANGLE_N;
  _BM_ANGLE[2 * a] = -Math.cos(p);
  _BM_ANGLE[2 * a + 1] = -Math.sin(p);
}
const _BM_DELTA = (2 * Math.PI) / 2 ** 23;
function _boxMuller(w0, w1, out, at) {
  const m = ((w0 >>> 9) << 1) | 1;
  const z = Math.clz32(m);
  const n = m << z;
  const s = (n >>> 30) & 1;
  const f = (n >>> 0) * _BM_SCALE[s];
  const i = (f * _BM_LOG_N + 0.5) | 0;
  const r = (f - i * (1 / _BM_LOG_N)) * _BM_LOG[2 * i + 1];
  const lnu = (7 + s - z) * Math.LN2 + _BM_LOG[2 * i] + r * (1 + r * (-0.5 + r * (1 / 3 + r * (-0.25 + r * 0.2))));
  const rad = Math.sqrt(-2 * lnu);
  const j = w1 >>> 9;
  const a = j >>> _BM_LOW;
  const d = ((j & ((1 << _BM_LOW) - 1)) + 0.5) * _BM_DELTA;
  const d2 = d * d;
  const sd = d * (1 - d2 * (1 / 6 - d2 * (1 / 120)));
  const cd = 1 - d2 * (0.5 - d2 * (1 / 24 - d2 * (1 / 720)));
  const ca = _BM_ANGLE[2 * a], sa = _BM_ANGLE[2 * a + 1];
  out[at] = rad * (ca * cd - sa * sd);
  out[at + 1] = rad * (sa * cd + ca * sd);
}
`;

/** Box–Muller: two u32 words → two standard normals, written to out[at], out[at + 1]. */
export type BoxMuller = (w0: number, w1: number, out: Float64Array | number[], at: number) => void;

/** The reference Box–Muller, built from {@link BOX_MULLER_SOURCE}. */
export const boxMuller = new Function(`"use strict";${BOX_MULLER_SOURCE}\nreturn _boxMuller;`)() as BoxMuller;

/**
 * The tables and the angle step of {@link BOX_MULLER_SOURCE}, built by the same source (so the same bits):
 * `log` [ln c, 1/c] at 2i, 2i + 1 for c = i/1024; `angle` [−cos, −sin] of 2πa/1024 at 2a, 2a + 1; `delta` = 2π/2^23 (rad).
 * The WebAssembly SIMD Box–Muller (src/cpu/simdWasm.ts) reads them from its memory.
 */
export function boxMullerTables(): { log: Float64Array; angle: Float64Array; delta: number } {
  return new Function(`"use strict";${BOX_MULLER_SOURCE}\nreturn { log: _BM_LOG, angle: _BM_ANGLE, delta: _BM_DELTA };`)();
}
