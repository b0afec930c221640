/**
 * The WebAssembly SIMD noise of the CPU kernel (src/cpu/simdWasm.ts,
 * src/cpu/simdBoxMuller.ts) against the reference (src/rng/philox.ts,
 * src/rng/boxMuller.ts): the same words and the same normals, bit for bit,
 * and kernels with the SIMD path and with the scalar path forced
 * (`setKernelSimd(false)`, as on an engine without SIMD) both equal to the
 * reference step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KAT } from '../fixtures/philox-kat.ts';
import { rng } from '../fixtures/random.ts';
import { instantiateSimdWasm, simdSupported, simdWasmBytes } from '../../src/cpu/simdWasm.ts';
import { buildKernel, setKernelSimd } from '../../src/cpu/kernels/parts.ts';
import { overdampedKernelSource } from '../../src/cpu/kernels/overdamped.ts';
import { compilePotential } from '../../src/potential/index.ts';
import { advanceOverdamped } from '../../src/integrators/overdamped.ts';
import { makeScratch } from '../../src/integrators/reference.ts';
import { coefficientTable } from '../../src/integrators/table.ts';
import { NormalStream, Stream, boxMuller, philox4x32 } from '../../src/rng/philox.ts';
import { sameBits } from '../support.ts';

const CALLS = 1028;

describe('Philox4x32-10 in WebAssembly SIMD (four counters per vector, two groups interleaved)', () => {
  const { blocks, words } = instantiateSimdWasm(CALLS);

  it.each(KAT)('known-answer vector %#', (c, k, expected) => {
    blocks(c[0], c[1], c[2], c[3], k[0], k[1], 1);
    expect(Array.from(words.subarray(0, 4))).toEqual(expected);
  });

  it("equals the reference on 179 964 blocks: random and extreme words, 1 to 17 calls, the carry into the call's high word inside a group", () => {
    const r = rng(11);
    const word = () => Math.floor(r() * 2 ** 32);
    const edges = [0, 1, 0x7fffffff, 0x80000000, 0xfffffff9, 0xfffffffc, 0xfffffffe, 0xffffffff];
    const b = new Uint32Array(4);
    let [mismatches, compared] = [0, 0];
    for (let t = 0; t < 20_000; t++) {
      const w =
        t < 4096 ? [word(), edges[t % 8], edges[(t >> 3) % 8], word(), edges[(t >> 6) % 8], word()] : Array.from({ length: 6 }, word);
      const count = 1 + (t % 17);
      blocks(w[0], w[1], w[2], w[3], w[4], w[5], count);
      for (let c = 0; c < count; c++) {
        const lo = w[1] + c;
        philox4x32(w[0], lo % 2 ** 32, (w[2] + Math.floor(lo / 2 ** 32)) % 2 ** 32, w[3], w[4], w[5], b);
        for (let q = 0; q < 4; q++) if (words[4 * c + q] !== b[q]) mismatches++;
        compared++;
      }
    }
    expect(compared).toBe(179_964); // Σ (1 + t mod 17) over 20 000 t
    expect(mismatches).toBe(0);
  });
});

describe('Box–Muller in WebAssembly SIMD, against src/rng/boxMuller.ts', () => {
  const { convert, normals, words, out } = instantiateSimdWasm(CALLS);

  /** Mismatching normals when the calls' words are `fill(q, w)` (word w of call q), compared call by call. */
  function sweep(calls: number, fill: (q: number, w: number) => number): number {
    const z = new Float64Array(4);
    let mismatches = 0;
    for (let first = 0; first < calls; first += CALLS) {
      const count = Math.min(CALLS, calls - first);
      for (let q = 0; q < count; q++) for (let w = 0; w < 4; w++) words[4 * q + w] = fill(first + q, w);
      convert(0, 0, 0, 0, 0, 0, count);
      for (let q = 0; q < count; q++) {
        boxMuller(words[4 * q], words[4 * q + 1], z, 0);
        boxMuller(words[4 * q + 2], words[4 * q + 3], z, 2);
        for (let w = 0; w < 4; w++) if (!Object.is(out[4 * q + w], z[w])) mismatches++;
      }
    }
    return mismatches;
  }

  it('the same bits for all 2^23 values of each word (the 9 unused low bits scrambled)', () => {
    // call q: radius words w0, w2 and angle words w1, w3 carry the values j = 2q and 2q + 1 (w = j·2^9 + low bits)
    const word = (q: number, w: number) => (((2 * q + (w >> 1)) << 9) | (Math.imul(4 * q + w, 0x9e3779b9) >>> 23)) >>> 0;
    expect(sweep(2 ** 22, word)).toBe(0);
  });

  it('normals(…) = Philox then Box–Muller: the reference normal stream over 10^4 random counters, 1 to 9 calls, and one full fill', () => {
    const r = rng(13);
    const word = () => Math.floor(r() * 2 ** 32);
    const b = new Uint32Array(4);
    const z = new Float64Array(4);
    let [mismatches, compared] = [0, 0];
    const check = (w: number[], count: number) => {
      normals(w[0], w[1], w[2], w[3], w[4], w[5], count);
      for (let c = 0; c < count; c++) {
        const lo = w[1] + c;
        philox4x32(w[0], lo % 2 ** 32, (w[2] + Math.floor(lo / 2 ** 32)) % 2 ** 32, w[3], w[4], w[5], b);
        boxMuller(b[0], b[1], z, 0);
        boxMuller(b[2], b[3], z, 2);
        for (let q = 0; q < 4; q++) if (!Object.is(out[4 * c + q], z[q])) mismatches++;
        compared += 4;
      }
    };
    for (let t = 0; t < 10_000; t++)
      check([word(), t % 7 === 0 ? 2 ** 32 - 1 - (t % 5) : word(), word(), word(), word(), word()], 1 + (t % 9));
    check([3, 2 ** 32 - 500, 7, 0, 123, 456], CALLS);
    expect(compared).toBe(4 * 49_996 + 4 * CALLS); // Σ (1 + t mod 9) over 10^4 t, and the full fill
    expect(mismatches).toBe(0);
  });

  it("validates here (Node 20's V8 has SIMD) and stays below 4 KB, so a page's main thread may compile it synchronously", () => {
    expect(simdSupported()).toBe(true);
    expect(simdWasmBytes(CALLS).length).toBeLessThan(4096);
  });
});

describe('kernels with the SIMD noise and with the scalar path forced: both equal the reference step bit for bit', () => {
  afterEach(() => setKernelSimd(true));

  /** EM from step0 for n particles of global indices base … base + n − 1, by the kernel and by the reference step. */
  function emBoth(
    dims: number,
    potential: object,
    K: number,
    step0: number,
    base: number,
  ): { kernel: Float64Array; reference: Float64Array } {
    const pot = compilePotential(potential, dims);
    const [k0, k1] = [0x9e3779b9, 77];
    const n = 37;
    const coef = coefficientTable('em', new Array(K).fill(0.01), new Array(K).fill(0.7), { friction: 0, leapfrogSteps: 1 });
    const x = Float64Array.from({ length: dims * n }, (_, i) => Math.sin(i));
    const y = x.slice();
    buildKernel(overdampedKernelSource(dims, { kind: 'expression', js: pot.gradientJs! }, false))(
      [x],
      0,
      n,
      step0,
      coef,
      pot.paramValues,
      k0,
      k1,
      base,
    );
    const ns = new NormalStream(k0, k1, Stream.noise);
    for (let i = 0; i < n; i++) {
      ns.seek(base + i, step0 * dims);
      advanceOverdamped(false, y.subarray(dims * i, dims * (i + 1)), ns, coef, pot.gradient, pot.paramValues, makeScratch(dims), step0);
    }
    return { kernel: x, reference: y };
  }

  // [label, dims, potential, K, step0, base]: phases m mod 4 ≠ 0 at the start, refills of the noise buffer (K·D > 4096), particles past 2^32
  const cases: [string, number, object, number, number, number][] = [
    ['1-D harmonic, 4 steps a call, start at phase 3', 1, { name: 'harmonic' }, 101, 7, 0],
    ['2-D double well, start at phase 2, K = 64', 2, { name: 'double-well' }, 64, 5, 1000],
    ['5-D Rastrigin, K = 1000 (refills after 818 steps), start at phase 3', 5, { name: 'rastrigin' }, 1000, 3, 0],
    ['2-D double well, particles across 2^32 (the stream word changes)', 2, { name: 'double-well' }, 16, 0, 2 ** 32 - 20],
  ];

  it.each(cases)('%s', (_, dims, potential, K, step0, base) => {
    setKernelSimd(true);
    const simdRun = emBoth(dims, potential, K, step0, base);
    setKernelSimd(false);
    const scalarRun = emBoth(dims, potential, K, step0, base);
    expect(sameBits(simdRun.kernel, simdRun.reference)).toBe(true);
    expect(sameBits(scalarRun.kernel, scalarRun.reference)).toBe(true);
    expect(Number.isFinite(simdRun.kernel[0])).toBe(true);
  });
});
