import { describe, expect, it } from 'vitest';
import { divergences, klFloor } from '../../src/stats/divergence.ts';
import { chiSquareSurvival, erfc } from '../../src/stats/special.ts';
import { multinomial, rng } from './helpers.ts';

describe('divergences: exact values', () => {
  it('two bins, hand-computed', () => {
    const d = divergences([30, 70], [0.5, 0.5]);
    expect(d.kl).toBeCloseTo(0.3 * Math.log(0.6) + 0.7 * Math.log(1.4), 15);
    expect(d.kl).toBeCloseTo(0.08228287850505182, 15);
    expect(d.tv).toBeCloseTo(0.2, 15);
    expect(d.chi2).toBeCloseTo(16, 12); // (30 − 50)²/50 + (70 − 50)²/50
    expect(d.dof).toBe(1);
    expect(d.pValue).toBeCloseTo(erfc(Math.sqrt(8)), 16); // χ²(1) tail = erfc(√(χ²/2))
    expect(d.note).toBeUndefined();
  });

  it('three bins with an empty bin', () => {
    const d = divergences([0, 20, 80], [0.2, 0.3, 0.5]);
    expect(d.kl).toBeCloseTo(0.2 * Math.log(0.2 / 0.3) + 0.8 * Math.log(0.8 / 0.5), 15);
    expect(d.tv).toBeCloseTo(0.5 * (0.2 + 0.1 + 0.3), 15);
    expect(d.chi2).toBeCloseTo(400 / 20 + 100 / 30 + 900 / 50, 12);
    expect(d.dof).toBe(2);
    expect(d.pValue).toBeCloseTo(Math.exp(-d.chi2 / 2), 15);
  });

  it('counts proportional to p give KL = TV = χ² = 0 and p-value 1', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const d = divergences([100, 200, 300, 400], p);
    expect(d.kl).toBeCloseTo(0, 15);
    expect(d.tv).toBeCloseTo(0, 15);
    expect(d.chi2).toBeCloseTo(0, 12);
    expect(d.dof).toBe(3);
    expect(d.pValue).toBeCloseTo(1, 12);
  });

  it('q is normalised by the counts in the box (the scale of the counts does not matter for KL/TV)', () => {
    const a = divergences([3, 5, 2], [0.3, 0.4, 0.3]);
    const b = divergences([30, 50, 20], [0.3, 0.4, 0.3]);
    expect(a.kl).toBeCloseTo(b.kl, 15);
    expect(a.tv).toBeCloseTo(b.tv, 15);
  });

  it('p = 0 where q > 0 gives KL = Infinity (TV stays finite)', () => {
    const d = divergences([5, 5], [1, 0]);
    expect(d.kl).toBe(Infinity);
    expect(d.tv).toBeCloseTo(0.5, 15);
  });

  it('no samples → note, lengths must match', () => {
    const d = divergences([0, 0], [0.5, 0.5]);
    expect(d.note).toMatch(/no samples/);
    expect(d.kl).toBeNaN();
    expect(() => divergences([1, 2, 3], [0.5, 0.5])).toThrow(/3 bins.*2/);
  });

  it('correlated snapshots → note about the p-value', () => {
    const d = divergences([30, 70], [0.5, 0.5], { correlated: true });
    expect(d.note).toMatch(/correlated/);
    expect(d.pValue).toBeGreaterThan(0); // still computed, but flagged
  });
});

describe('divergences: χ² merging', () => {
  // n = 1000: expected counts 1, 1, 498, 498, 1, 1
  const p = [0.001, 0.001, 0.498, 0.498, 0.001, 0.001];

  it('merges consecutive bins to expected ≥ 5; a trailing small group joins the previous one', () => {
    // groups: bins 0–2 (E = 500) and bins 3–5 (E = 498 + the trailing 2 → 500)
    const a = divergences([3, 0, 497, 490, 5, 5], p);
    expect(a.dof).toBe(1);
    expect(a.chi2).toBeCloseTo(0, 12); // O = 500, 500 exactly: deviations inside groups are pooled away
    const b = divergences([10, 0, 480, 500, 5, 5], p);
    expect(b.dof).toBe(1);
    expect(b.chi2).toBeCloseTo((10 * 10) / 500 + (10 * 10) / 500, 12);
    expect(b.pValue).toBeCloseTo(chiSquareSurvival(0.4, 1), 15);
  });

  it('without tiny bins nothing is merged', () => {
    const d = divergences([100, 200, 300, 400], [0.25, 0.25, 0.25, 0.25]);
    expect(d.dof).toBe(3);
    expect(d.chi2).toBeCloseTo((150 * 150 + 50 * 50 + 50 * 50 + 150 * 150) / 250, 12);
  });

  it('too few samples for two groups → dof 0, p-value NaN and a note', () => {
    const d = divergences([2, 1, 0], [0.3, 0.3, 0.4]);
    expect(d.dof).toBe(0);
    expect(d.pValue).toBeNaN();
    expect(d.note).toMatch(/too few samples/);
  });
});

describe('divergences: statistics of exact samples', () => {
  // a smooth bump plus a few tiny bins that the χ² test must merge
  const B = 20;
  const raw = Array.from({ length: B }, (_, b) => Math.exp(-(((b - 9.5) / 4) ** 2)) + (b < 2 || b > 17 ? 1e-4 : 0));
  const sum = raw.reduce((a, b) => a + b, 0);
  const p = raw.map((v) => v / sum);

  it('the χ² p-value is calibrated: Pr[p < 0.05] = 0.05 within 5 standard errors', () => {
    const rand = rng(12345);
    const trials = 2000;
    let rejected = 0;
    for (let t = 0; t < trials; t++) {
      const d = divergences(multinomial(p, 400, rand), p);
      if (d.pValue < 0.05) rejected++;
    }
    const frac = rejected / trials;
    const se = Math.sqrt((0.05 * 0.95) / trials);
    expect(Math.abs(frac - 0.05)).toBeLessThan(5 * se);
  });

  it('klFloor: the mean KL of n = 10^4 exact samples over B = 20 bins matches (B − 1)/(2n) within 5 standard errors', () => {
    const q = Array.from({ length: B }, (_, b) => 1 + 0.5 * Math.sin(b));
    const s = q.reduce((a, b) => a + b, 0);
    const pu = q.map((v) => v / s);
    const rand = rng(777);
    const trials = 1000;
    const n = 10_000;
    const kls: number[] = [];
    for (let t = 0; t < trials; t++) kls.push(divergences(multinomial(pu, n, rand), pu).kl);
    const mean = kls.reduce((a, b) => a + b, 0) / trials;
    const sd = Math.sqrt(kls.reduce((a, b) => a + (b - mean) ** 2, 0) / (trials - 1));
    const floor = klFloor(B, n);
    expect(floor.mean).toBeCloseTo(19 / 20_000, 15);
    expect(floor.sd).toBeCloseTo(Math.sqrt(38) / 20_000, 15);
    expect(Math.abs(mean - floor.mean)).toBeLessThan((5 * sd) / Math.sqrt(trials));
    // the sample sd of a χ²(19)/(2n) variable: relative SE ≈ 2.6 % for 1000 trials
    expect(Math.abs(sd / floor.sd - 1)).toBeLessThan(0.15);
  });
});
