/**
 * Exact float64 summation: a sum held as non-overlapping partials (Shewchuk's
 * "adaptive precision" expansion, the algorithm of Python's math.fsum), so
 * that adding the same numbers in any order, or adding two such sums, gives
 * the same value to the last bit. The reductions use it to add per-tile
 * partial moments: a result merged from shards then equals the result of one
 * run bit for bit, whatever the shards and their order.
 */

/** An exact sum: non-overlapping float64 partials in increasing magnitude (JSON-safe: finite numbers). */
export type ExactSum = number[];

/**
 * Add x to the exact sum p, in place. A non-finite x makes the sum non-finite
 * (NaN and ±Infinity are kept as one partial, as plain addition would give them).
 */
export function exactAdd(p: ExactSum, x: number): void {
  if (!Number.isFinite(x) || (p.length === 1 && !Number.isFinite(p[0]))) {
    const s = (p.length === 1 && !Number.isFinite(p[0]) ? p[0] : 0) + x;
    p.length = 0;
    p.push(s);
    return;
  }
  let i = 0;
  for (let j = 0; j < p.length; j++) {
    let y = p[j];
    if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) p[i++] = lo;
    x = hi;
  }
  p.length = i;
  if (x !== 0 || p.length === 0) p.push(x);
  if (!Number.isFinite(x)) {
    // the partials overflowed: the sum is ±Infinity as plain addition says
    p.length = 0;
    p.push(x);
  }
}

/** Add every partial of q to p, in place (the sum of two exact sums, exact). */
export function exactAddSum(p: ExactSum, q: ExactSum): void {
  for (const x of q === p ? [...q] : q) exactAdd(p, x);
}

/**
 * a·b added exactly: the product split into its float64 rounding and the
 * rounding error (Dekker's two-product with Veltkamp's split; exact unless
 * the product over- or underflows).
 */
export function exactAddProduct(p: ExactSum, a: number, b: number): void {
  const [hi, lo] = twoProduct(a, b);
  exactAdd(p, hi);
  if (Number.isFinite(hi)) exactAdd(p, lo);
}

/** a·b as hi + lo: hi its float64 rounding, lo the rounding error (exact unless the product or its error over- or underflows). */
export function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  if (!Number.isFinite(hi)) return [hi, 0];
  // Veltkamp's split multiplies by 2^27 + 1: scale a factor near the top of the range first (exact: powers of two)
  if (Math.abs(a) > BIG && Number.isFinite(b * 2 ** 60)) return twoProduct(a * 2 ** -60, b * 2 ** 60);
  if (Math.abs(b) > BIG && Number.isFinite(a * 2 ** 60)) return twoProduct(a * 2 ** 60, b * 2 ** -60);
  const [a1, a2] = split(a);
  const [b1, b2] = split(b);
  return [hi, a2 * b2 - (hi - a1 * b1 - a2 * b1 - a1 * b2)];
}

const SPLITTER = 134217729; // 2^27 + 1
const BIG = 2 ** 995;

function split(a: number): [number, number] {
  const c = SPLITTER * a;
  const hi = c - (c - a);
  return [hi, a - hi];
}

/** The exact sum rounded to the nearest float64 (ties to even), as math.fsum rounds. */
export function exactValue(p: ExactSum): number {
  let n = p.length;
  if (n === 0) return 0;
  let hi = p[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // half-way case: the rest of the partials decide which way to round
  if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** A fresh exact sum holding x. */
export function exactOf(x = 0): ExactSum {
  const p: ExactSum = [];
  exactAdd(p, x);
  return p;
}
