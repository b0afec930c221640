/**
 * The table-driven Box–Muller (src/rng/boxMuller.ts) against the textbook
 * formula with Math.log, Math.cos and Math.sin, on every one of the 2^23
 * values each word can take (u01 keeps a word's top 23 bits). The error
 * budget, in units of 2^−52·r (r the radius): the log table entry and
 * 1/c (½ ulp each), the exponent term (LN2 rounded, ½ ulp of up to 17·ln 2),
 * the log1p polynomial (≈ 1 ulp), sqrt (½ ulp, halving the log's relative
 * error); the angle table (½ ulp), the δ series (≈ 1 ulp) and the two-term
 * combination (≈ 1.5 ulp); Math's own values are within 1 ulp. That sums
 * below 8; the measured worst case is 4.1.
 */
import { describe, expect, it } from 'vitest';
import { boxMuller, u01 } from '../../src/rng/philox.ts';

function textbook(w0: number, w1: number, out: Float64Array): void {
  const r = Math.sqrt(-2 * Math.log(u01(w0)));
  const t = Math.PI * (2 * u01(w1) - 1);
  out[0] = r * Math.cos(t);
  out[1] = r * Math.sin(t);
}

const ULP = 2 ** -52;

/** Worst |fast − textbook| over both outputs, in units of ULP·r, for words (j << 9 | low) of one side over all j. */
function worstError(side: 0 | 1, other: (j: number) => number): { worst: number; at: number } {
  const a = new Float64Array(2);
  const b = new Float64Array(2);
  let worst = 0;
  let at = -1;
  for (let j = 0; j < 2 ** 23; j++) {
    const w = ((j << 9) | (j & 0x1ff)) >>> 0; // the low 9 bits must not matter
    const [w0, w1] = side === 0 ? [w, other(j)] : [other(j), w];
    boxMuller(w0, w1, a, 0);
    textbook(w0, w1, b);
    const r = Math.hypot(b[0], b[1]);
    const e = Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1])) / (ULP * r);
    if (e > worst) {
      worst = e;
      at = j;
    }
  }
  return { worst, at };
}

describe('Box–Muller with tables (the CPU normals)', () => {
  it('is within 8 ulp of r of the textbook formula for all 2^23 radius words (u → 1 included: no cancellation)', () => {
    const { worst, at } = worstError(0, (j) => Math.imul(j, 0x9e3779b9) >>> 0);
    expect(worst, `worst at radius word ${at}`).toBeLessThan(8);
  });

  it('is within 8 ulp of r of the textbook formula for all 2^23 angle words', () => {
    const { worst, at } = worstError(1, (j) => Math.imul(j, 0x85ebca6b) >>> 0);
    expect(worst, `worst at angle word ${at}`).toBeLessThan(8);
  });

  it('matches closed forms at the ends of the uniform range', () => {
    const z = new Float64Array(2);
    // u0 = 1 − 2^−24: r = √(−2 ln(1 − 2^−24)) ≈ 2^−11.5, the smallest radius; angle word 2^31: u1 = ½ + 2^−24, t = π·2^−23
    boxMuller(0xffffffff, 0x80000000, z, 0);
    const r = Math.sqrt(-2 * Math.log1p(-(2 ** -24)));
    const t = Math.PI * 2 ** -23;
    expect(Math.abs(z[0] - r * Math.cos(t))).toBeLessThan(4 * ULP * r);
    expect(Math.abs(z[1] - r * Math.sin(t))).toBeLessThan(4 * ULP * r);
    // u0 = 2^−24: r = √(48 ln 2), the largest radius; angle word 0 → t = −π(1 − 2^−23)
    boxMuller(0, 0, z, 0);
    const R = Math.sqrt(48 * Math.LN2);
    expect(Math.abs(z[0] - R * Math.cos(-Math.PI * (1 - 2 ** -23)))).toBeLessThan(4 * ULP * R);
    expect(Math.abs(z[1] - R * Math.sin(-Math.PI * (1 - 2 ** -23)))).toBeLessThan(4 * ULP * R);
  });
});
