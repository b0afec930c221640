/**
 * Exact float64 summation (src/stats/exact.ts) against independent oracles:
 * known answers computed with Python's math.fsum, math.fsum itself on seeded
 * random arrays (bit for bit, through python3), BigInt arithmetic on the exact
 * binary values of doubles for twoProduct, and Python's fractions for sums of
 * products (float(Fraction) is correctly rounded).
 */
import { describe, expect, it } from 'vitest';
import { hexOf, python } from '../python.ts';
import { rng } from '../fixtures/random.ts';
import { exactAdd, exactAddProduct, exactAddSum, exactOf, exactValue, twoProduct, type ExactSum } from '../../src/stats/exact.ts';

// ---------------------------------------------------------------- helpers

const view = new DataView(new ArrayBuffer(8));

/** Python side of the hex transport. */
const PY_HEX = `
import json, math, struct, sys
from fractions import Fraction
def f(h): return struct.unpack('>d', bytes.fromhex(h))[0]
def h(x): return struct.pack('>d', x).hex()
`;

/** A double as m·2^e exactly (m a BigInt, e an integer). */
function exactParts(x: number): { m: bigint; e: number } {
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const E = Number((bits >> 52n) & 0x7ffn);
  const F = bits & ((1n << 52n) - 1n);
  if (E === 0x7ff) throw new Error(`not finite: ${x}`);
  const m = E === 0 ? F : F | (1n << 52n);
  return { m: negative ? -m : m, e: E === 0 ? -1074 : E - 1075 };
}

/** Σ m_i·2^e_i as one m·2^e (e the least exponent). */
function addExact(...xs: { m: bigint; e: number }[]): { m: bigint; e: number } {
  const e = Math.min(...xs.map((x) => x.e));
  return { m: xs.reduce((s, x) => s + (x.m << BigInt(x.e - e)), 0n), e };
}

function sameRational(a: { m: bigint; e: number }, b: { m: bigint; e: number }): boolean {
  const e = Math.min(a.e, b.e);
  return a.m << BigInt(a.e - e) === b.m << BigInt(b.e - e);
}

const int = (u: () => number, lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));

/** A double with a uniformly random 53-bit significand, a random sign and exponent in [emin, emax] (normal range). */
function randomDouble(u: () => number, emin: number, emax: number): number {
  const frac = (Math.floor(u() * 2 ** 26) * 2 ** 26 + Math.floor(u() * 2 ** 26)) / 2 ** 52;
  return (u() < 0.5 ? -1 : 1) * (1 + frac) * 2 ** int(u, emin, emax);
}

function shuffle<T>(u: () => number, xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function sumOf(xs: number[]): number {
  const p: ExactSum = [];
  for (const x of xs) exactAdd(p, x);
  return exactValue(p);
}

const naive = (xs: number[]) => xs.reduce((s, x) => s + x, 0);

/** All orderings of a short array. */
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/**
 * Seeded random arrays that exercise the partials: wide (1e-300…1e300), narrow (heavy overlap of
 * significands), cancellation (values and their near-negations), half-way cases at a big power of two,
 * and subnormals. Finite, no −0 (math.fsum of Python 3.11 returns +0.0 for [-0.0]) and no intermediate overflow.
 */
function randomArrays(seed: number, count: number): number[][] {
  const u = rng(seed);
  const arrays: number[][] = [];
  for (let k = 0; k < count; k++) {
    const kind = k % 5;
    const n = int(u, 1, 60);
    let xs: number[] = [];
    if (kind === 0) {
      for (let i = 0; i < n; i++) xs.push(randomDouble(u, -996, 996));
    } else if (kind === 1) {
      const e0 = int(u, -900, 900);
      for (let i = 0; i < n; i++) xs.push(randomDouble(u, e0 - 80, e0));
    } else if (kind === 2) {
      const e0 = int(u, -600, 600);
      const base = Array.from({ length: n }, () => randomDouble(u, e0 - 30, e0));
      xs = [...base];
      for (const x of base) {
        const r = u();
        if (r < 0.5) xs.push(-x);
        else if (r < 0.8) xs.push(-x * (1 + 2 ** -52 * int(u, -3, 3)));
        else xs.push(-x * 2 ** -int(u, 1, 60));
      }
      xs = shuffle(u, xs);
    } else if (kind === 3) {
      const e = int(u, -500, 500);
      const big = (u() < 0.5 ? -1 : 1) * (1 + int(u, 0, 15) * 2 ** -52) * 2 ** e;
      xs = [big, Math.sign(big) * (u() < 0.5 ? 1 : -1) * 2 ** (e - 53)];
      if (u() < 0.7) xs.push((u() < 0.5 ? 1 : -1) * 2 ** (e - int(u, 54, 300)));
      if (u() < 0.3) xs.push(-Math.sign(big) * 2 ** (e - int(u, 54, 300)));
      xs = shuffle(u, xs);
    } else {
      for (let i = 0; i < n; i++) {
        const r = u();
        if (r < 0.5) xs.push((u() < 0.5 ? -1 : 1) * int(u, 1, 2 ** 30) * 2 ** -1074);
        else if (r < 0.8) xs.push(randomDouble(u, -1022, -1000));
        else xs.push(randomDouble(u, -1022, -1010) * 2 ** -int(u, 1, 40)); // rounded into the subnormals
      }
    }
    arrays.push(xs.map((x) => (Object.is(x, -0) ? 0 : x)));
  }
  return arrays;
}

/** math.fsum of each array, as hex bits. */
function fsumAll(arrays: number[][]): string[] {
  return python(
    PY_HEX + `print(json.dumps([h(math.fsum(f(x) for x in xs)) for xs in json.load(sys.stdin)]))`,
    arrays.map((xs) => xs.map(hexOf)),
  ) as string[];
}

// ---------------------------------------------------------------- tests

describe('exactValue: known answers (math.fsum)', () => {
  // Computed with /usr/bin/python3 (3.11.2): `import math; repr(math.fsum(xs))`, and `s = 0.0; for x in xs: s += x`
  // for the naive left-to-right sum. Every ordering of each array must give the fsum answer.
  const cases: { xs: number[]; fsum: number; naive: number }[] = [
    { xs: [1e100, 1.0, -1e100], fsum: 1.0, naive: 0.0 },
    { xs: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], fsum: 1.0, naive: 0.9999999999999999 },
    // half-way: 1 + 1e16 is a tie between 1e16 and 1e16 + 2; the 1e-16 decides it upwards
    { xs: [1e-16, 1.0, 1e16], fsum: 1.0000000000000002e16, naive: 1e16 },
    // exact ties round to even: 2^53 + 1 → 2^53; 2^53 + 3 → 2^53 + 4
    { xs: [2 ** 53, 1.0], fsum: 9007199254740992, naive: 9007199254740992 },
    { xs: [2 ** 53 + 2, 1.0], fsum: 9007199254740996, naive: 9007199254740996 },
    // a tie broken by a far smaller partial, either way
    { xs: [2 ** 53, 1.0, 2 ** -60], fsum: 9007199254740994, naive: 9007199254740992 },
    { xs: [2 ** 53, 1.0, -(2 ** -60)], fsum: 9007199254740992, naive: 9007199254740992 },
    { xs: [2 ** 53 + 2, 1.0, -(2 ** -60)], fsum: 9007199254740994, naive: 9007199254740996 },
    { xs: [2 ** 53 + 2, 1.0, 2 ** -60], fsum: 9007199254740996, naive: 9007199254740996 },
    { xs: [-(2 ** 53), -1.0, -(2 ** -60)], fsum: -9007199254740994, naive: -9007199254740992 },
    { xs: [2 ** 53, 1.0, 1.0], fsum: 9007199254740994, naive: 9007199254740992 },
    { xs: [1.0, 2 ** -53, 2 ** -106], fsum: 1.0000000000000002, naive: 1.0 },
    { xs: [1 + 2 ** -52, 2 ** -53], fsum: 1.0000000000000004, naive: 1.0000000000000004 },
    { xs: [1 + 2 ** -52, 2 ** -53, -(2 ** -200)], fsum: 1.0000000000000002, naive: 1.0000000000000004 },
    { xs: [1.0, 1e100, 1.0, -1e100], fsum: 2.0, naive: 0.0 },
    { xs: [0.1, 0.2, 0.3, -0.6], fsum: 2.7755575615628914e-17, naive: 1.1102230246251565e-16 },
    { xs: [5e-324, 5e-324, -1e-323], fsum: 0.0, naive: 0.0 },
    { xs: [2 ** 1023, 2 ** 970, -(2 ** 918)], fsum: 8.98846567431158e307, naive: 8.98846567431158e307 },
  ];

  it.each(cases.map((c, i) => [i, c] as const))('case %i: every ordering gives the fsum answer', (_, { xs, fsum, naive: plain }) => {
    expect(naive(xs)).toBe(plain); // the literal naive answers are right, so the cases where they differ do test something
    const orders = xs.length <= 6 ? permutations(xs) : Array.from({ length: 30 }, (__, s) => shuffle(rng(s + 1), xs));
    for (const order of orders) expect(hexOf(sumOf(order))).toBe(hexOf(fsum));
  });

  it('the naive sum is wrong on most of these cases (they discriminate)', () => {
    expect(cases.filter((c) => c.naive !== c.fsum).length).toBeGreaterThanOrEqual(10);
  });

  it('exactOf holds one number exactly; the empty sum is 0', () => {
    expect(exactValue([])).toBe(0);
    expect(exactValue(exactOf())).toBe(0);
    for (const x of [1, -3.5, 0.1, 5e-324, -Number.MAX_VALUE, 2 ** -1022, 1e300]) expect(hexOf(exactValue(exactOf(x)))).toBe(hexOf(x));
    const p = exactOf(3);
    exactAdd(p, -3);
    expect(hexOf(exactValue(p))).toBe(hexOf(0)); // +0, as 3 + −3 gives
  });
});

describe('exactValue equals math.fsum bit for bit on 200 seeded random arrays', () => {
  const arrays = randomArrays(20240611, 200);

  it('exactAdd in array order', () => {
    const expected = fsumAll(arrays);
    expect(expected).toHaveLength(200);
    const got = arrays.map((xs) => hexOf(sumOf(xs)));
    for (let k = 0; k < arrays.length; k++) expect(got[k], `array ${k}: ${JSON.stringify(arrays[k])}`).toBe(expected[k]);
    // the arrays are hard: plain summation misses fsum on many of them
    const misses = arrays.filter((xs, k) => hexOf(naive(xs)) !== expected[k]).length;
    expect(misses).toBeGreaterThan(60);
  });

  it('sums built from parts with exactAddSum, and exactOf seeds, give the same bits', () => {
    const expected = fsumAll(arrays);
    const u = rng(7);
    arrays.forEach((xs, k) => {
      const cut = int(u, 0, xs.length);
      const a = exactOf(xs[0]);
      for (const x of xs.slice(1, cut)) exactAdd(a, x);
      const b: ExactSum = [];
      for (const x of xs.slice(Math.max(1, cut))) exactAdd(b, x);
      exactAddSum(a, b);
      expect(hexOf(exactValue(a)), `array ${k}`).toBe(expected[k]);
    });
  });
});

describe('order independence', () => {
  // a multiset with heavy cancellation and a spread of magnitudes, where plain sums depend on the order
  const u = rng(99);
  const xs: number[] = [];
  for (let i = 0; i < 300; i++) xs.push(randomDouble(u, -40, 40));
  for (let i = 0; i < 100; i++) xs.push(-xs[i] * (1 + 2 ** -52));
  for (let i = 0; i < 50; i++) xs.push(randomDouble(u, 60, 80), randomDouble(u, -200, -100));
  const reference = fsumAll([xs])[0];

  it('50 seeded orders give the same bits (and math.fsum’s); plain sums of the same orders do not', () => {
    const naiveBits = new Set<string>();
    for (let s = 0; s < 50; s++) {
      const order = shuffle(rng(1000 + s), xs);
      expect(hexOf(sumOf(order))).toBe(reference);
      naiveBits.add(hexOf(naive(order)));
    }
    expect(naiveBits.size).toBeGreaterThan(5);
  });

  it('split into k parts, summed separately and combined with exactAddSum in any order: the same bits', () => {
    const w = rng(5);
    for (let trial = 0; trial < 50; trial++) {
      const order = shuffle(w, xs);
      const k = int(w, 2, 9);
      const cuts = [0, ...Array.from({ length: k - 1 }, () => int(w, 0, order.length)).sort((a, b) => a - b), order.length];
      const parts = cuts.slice(1).map((end, i) => {
        const p: ExactSum = [];
        for (const x of order.slice(cuts[i], end)) exactAdd(p, x);
        return p;
      });
      const total: ExactSum = [];
      for (const p of shuffle(w, parts)) exactAddSum(total, p);
      expect(hexOf(exactValue(total))).toBe(reference);
      // a part's value is unchanged by being added elsewhere (exactAddSum reads q only)
      const again: ExactSum = [];
      for (const p of parts) exactAddSum(again, p);
      expect(hexOf(exactValue(again))).toBe(reference);
    }
  });
  it('a sum added to itself (p and q the same array) doubles exactly', () => {
    const u = rng(8);
    for (let t = 0; t < 200; t++) {
      const p: ExactSum = [];
      for (let i = 0; i < 10; i++) exactAdd(p, randomDouble(u, -100, 100));
      // doubling commutes with rounding to nearest (no overflow here): the exact 2·Σ rounds to 2·round(Σ)
      const twice = 2 * exactValue(p);
      const copy = [...p];
      exactAddSum(copy, [...p]); // the same partials, from a copy
      expect(hexOf(exactValue(copy)), `t = ${t}, copy`).toBe(hexOf(twice));
      exactAddSum(p, p);
      expect(hexOf(exactValue(p)), `t = ${t}, p + p: ${JSON.stringify(copy)}`).toBe(hexOf(twice));
    }
  });
});

describe('twoProduct: hi + lo is the exact product', () => {
  function check(a: number, b: number): void {
    const [hi, lo] = twoProduct(a, b);
    expect(hi).toBe(a * b);
    expect(Number.isFinite(lo), `twoProduct(${a}, ${b}) = [${hi}, ${lo}]`).toBe(true);
    const pa = exactParts(a);
    const pb = exactParts(b);
    const product = { m: pa.m * pb.m, e: pa.e + pb.e };
    expect(sameRational(addExact(exactParts(hi), exactParts(lo)), product), `twoProduct(${a}, ${b}) = [${hi}, ${lo}]`).toBe(true);
    // lo is the rounding error of hi: at most half an ulp of hi
    expect(Math.abs(lo)).toBeLessThanOrEqual(Math.abs(hi) * 2 ** -53);
  }

  it('2000 seeded random pairs with exponents in [−450, 450]', () => {
    const u = rng(31);
    for (let i = 0; i < 2000; i++) check(randomDouble(u, -450, 450), randomDouble(u, -450, 450));
  });

  it('awkward significands: all ones, the splitter, powers of two, exact products', () => {
    const specials = [1, 2 ** 27 + 1, 2 ** 26 - 1, 1 + 2 ** -52, 2 - 2 ** -52, 0.1, 1 / 3, Math.PI, 2 ** 53 - 1, 3, 1e-100, 1e150, -7];
    for (const a of specials) for (const b of specials) check(a, b);
  });

  it('products near the top of the range (no overflow of the product)', () => {
    const u = rng(32);
    for (let i = 0; i < 500; i++) {
      // exponents summing to 1009…1021: the product is below 2^1023 · 4 / 2 = 2^1023 · 2, i.e. finite
      const ea = int(u, 500, 520);
      check(randomDouble(u, ea, ea), randomDouble(u, 1009 - ea, 1021 - ea));
    }
  });

  it('a large factor times a small one (|a| > 2^996: Veltkamp’s split of a must not overflow)', () => {
    // the product 1e291 neither over- nor underflows, so the documented contract says hi + lo is exact
    check(1e301, 1e-10);
    check(-Number.MAX_VALUE, 2 ** -60);
    const u = rng(33);
    for (let i = 0; i < 200; i++) check(randomDouble(u, 997, 1023), randomDouble(u, -500, -100));
  });
});

describe('exactAddProduct', () => {
  it('one product: exactValue is the correctly rounded product a*b', () => {
    const u = rng(41);
    for (let i = 0; i < 2000; i++) {
      const a = randomDouble(u, -450, 450);
      const b = randomDouble(u, -450, 450);
      const p: ExactSum = [];
      exactAddProduct(p, a, b);
      expect(hexOf(exactValue(p))).toBe(hexOf(a * b));
    }
  });

  it('Σ a_i·b_i equals the exact rational sum rounded to nearest (Python fractions)', () => {
    const u = rng(42);
    const batches: [number, number][][] = [];
    for (let k = 0; k < 100; k++) {
      const n = int(u, 1, 40);
      const e0 = int(u, -200, 200);
      const pairs: [number, number][] = [];
      for (let i = 0; i < n; i++) pairs.push([randomDouble(u, e0 - 30, e0), randomDouble(u, -30, 30)]);
      // cancellation: a product and a near-negation of it
      if (k % 2 === 0) for (const [a, b] of pairs.slice(0, n / 2)) pairs.push([-a, b * (1 + 2 ** -52 * int(u, -2, 2))]);
      batches.push(shuffle(u, pairs));
    }
    const expected = python(
      PY_HEX +
        `print(json.dumps([h(float(sum((Fraction(f(a)) * Fraction(f(b)) for a, b in ps), Fraction(0)))) for ps in json.load(sys.stdin)]))`,
      batches.map((ps) => ps.map(([a, b]) => [hexOf(a), hexOf(b)])),
    ) as string[];
    let naiveMisses = 0;
    batches.forEach((ps, k) => {
      const p: ExactSum = [];
      for (const [a, b] of ps) exactAddProduct(p, a, b);
      expect(hexOf(exactValue(p)), `batch ${k}`).toBe(expected[k]);
      if (hexOf(ps.reduce((s, [a, b]) => s + a * b, 0)) !== expected[k]) naiveMisses++;
    });
    expect(naiveMisses).toBeGreaterThan(20);
  });
});

describe('non-finite values', () => {
  const sum = (...xs: number[]) => sumOf(xs);

  it('Infinity makes the sum ±Infinity, whatever the finite rest', () => {
    expect(sum(1, Infinity, -1e300)).toBe(Infinity);
    expect(sum(1e300, 3, -Infinity, 1e-300)).toBe(-Infinity);
    expect(sum(Infinity, Infinity)).toBe(Infinity);
  });

  it('Infinity + −Infinity is NaN, in either order and with finite terms between', () => {
    expect(sum(Infinity, -Infinity)).toBeNaN();
    expect(sum(-Infinity, 2, Infinity)).toBeNaN();
    expect(sum(Infinity, 1, -Infinity, 5)).toBeNaN();
  });

  it('NaN stays NaN (also against infinities added later)', () => {
    expect(sum(NaN)).toBeNaN();
    expect(sum(1, NaN, 2)).toBeNaN();
    expect(sum(NaN, Infinity)).toBeNaN();
    expect(sum(1e100, 1, -1e100, NaN)).toBeNaN();
  });

  it('overflow of the partials gives ±Infinity, as plain addition does', () => {
    const M = Number.MAX_VALUE;
    expect(sum(M, M)).toBe(Infinity);
    expect(sum(-M, -M)).toBe(-Infinity);
    expect(sum(M, 2 ** 970)).toBe(M + 2 ** 970); // a tie at the top rounds to even: Infinity
    expect(M + 2 ** 970).toBe(Infinity);
    expect(sum(M, 2 ** 969)).toBe(M); // below the tie: no overflow
    expect(sum(M, 2 ** 969, 2 ** 969)).toBe(Infinity); // the two halves make the tie together
    const p: ExactSum = [];
    exactAdd(p, M);
    exactAdd(p, M);
    exactAdd(p, -Infinity);
    expect(exactValue(p)).toBeNaN(); // the overflow is a real Infinity: Infinity − Infinity
  });

  it('products: an overflowing product is ±Infinity; exactAddSum carries non-finite values', () => {
    const p: ExactSum = [];
    exactAddProduct(p, 1e200, -1e200);
    expect(exactValue(p)).toBe(-Infinity);
    const q = exactOf(5);
    exactAddSum(q, p);
    expect(exactValue(q)).toBe(-Infinity);
    const r = exactOf(1);
    exactAddSum(r, exactOf(NaN));
    expect(exactValue(r)).toBeNaN();
  });
});
