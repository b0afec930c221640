import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, erf, erfc, gammaP, gammaQ, logGamma } from '../../src/stats/special.ts';

/** Q(n, x) = e^{−x} Σ_{k<n} x^k / k! for integer n, summed in log space. */
function gammaQInteger(n: number, x: number): number {
  let term = -x;
  let s = Math.exp(term);
  for (let k = 1; k < n; k++) {
    term += Math.log(x) - Math.log(k);
    s += Math.exp(term);
  }
  return s;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('logGamma', () => {
  it('matches factorials, Γ(1/2) = √π and a tabulated value', () => {
    let lf = 0;
    for (let n = 1; n <= 40; n++) {
      expect(Math.abs(logGamma(n) - lf)).toBeLessThan(1e-13 * Math.max(1, lf));
      lf += Math.log(n);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13);
    expect(logGamma(0)).toBeNaN();
    expect(logGamma(-1)).toBeNaN();
  });
});

describe('incomplete gamma', () => {
  it('Q(1, x) = e^{−x} and P + Q = 1', () => {
    for (const x of [0.01, 0.5, 1, 2, 5, 30]) {
      expect(rel(gammaQ(1, x), Math.exp(-x))).toBeLessThan(1e-13);
      expect(gammaP(1, x) + gammaQ(1, x)).toBeCloseTo(1, 14);
    }
  });

  it('Q(n, x) for integer n on both sides of x = a + 1 (series and continued fraction)', () => {
    for (const [n, x] of [
      [3, 0.5],
      [3, 2.5],
      [3, 10],
      [10, 4],
      [10, 12],
      [50, 40],
      [50, 60],
      [50, 100],
    ]) {
      const want = gammaQInteger(n, x);
      // the series computes Q = 1 − P, so far below 1 only absolute accuracy is kept
      expect(Math.abs(gammaQ(n, x) - want)).toBeLessThan(1e-13 * Math.max(want, 1e-2));
    }
  });

  it('Q(1/2, x) = erfc(√x)', () => {
    for (const x of [0.1, 1, 2, 9, 25]) expect(rel(gammaQ(0.5, x), erfc(Math.sqrt(x)))).toBeLessThan(1e-12);
  });

  it('edge cases', () => {
    expect(gammaQ(2, 0)).toBe(1);
    expect(gammaQ(2, Infinity)).toBe(0);
    expect(gammaQ(0, 1)).toBeNaN();
    expect(gammaQ(1, -1)).toBeNaN();
  });
});

describe('chiSquareSurvival', () => {
  it('matches tabulated critical values', () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 13);
    expect(chiSquareSurvival(18.307038053275146, 10)).toBeCloseTo(0.05, 13);
    expect(chiSquareSurvival(6.634896601021214, 1)).toBeCloseTo(0.01, 13);
    expect(chiSquareSurvival(0, 5)).toBe(1);
  });

  it('dof = 2 is exponential: e^{−χ²/2}', () => {
    for (const c of [0.3, 2, 11, 80]) expect(rel(chiSquareSurvival(c, 2), Math.exp(-c / 2))).toBeLessThan(1e-13);
  });

  it('rejects dof ≤ 0', () => {
    expect(chiSquareSurvival(1, 0)).toBeNaN();
  });
});

describe('erf / erfc', () => {
  it('matches reference values to ~1e-15', () => {
    const table: [number, number][] = [
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753108],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
    ];
    for (const [x, v] of table) {
      expect(Math.abs(erf(x) - v)).toBeLessThan(1e-15);
      expect(erf(-x)).toBe(-erf(x));
    }
    expect(erf(0)).toBe(0);
    expect(erf(1e-10)).toBeCloseTo(1.1283791670955126e-10, 24);
    expect(erf(8)).toBe(1);
  });

  it('erfc keeps relative accuracy in the tail and is continuous at the switch', () => {
    expect(rel(erfc(3), 2.209049699858544e-5)).toBeLessThan(1e-14);
    expect(rel(erfc(5), 1.5374597944280349e-12)).toBeLessThan(1e-14);
    expect(rel(erfc(10), 2.088487583762545e-45)).toBeLessThan(1e-13);
    expect(erfc(-1)).toBeCloseTo(2 - erfc(1), 15);
    // just below 2.5 the series is used, at 2.5 the continued fraction: they must join smoothly
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-6.25);
    expect(Math.abs(erf(2.5 - 1e-9) - (erf(2.5) - 1e-9 * slope))).toBeLessThan(1e-15);
    expect(rel(erfc(2.5 - 1e-9), erfc(2.5) + 1e-9 * slope)).toBeLessThan(5e-12); // 1 − erf below the switch
  });
});
