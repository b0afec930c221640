import { describe, expect, it } from 'vitest';
import { addPassageSums, emptyPassageSums, NOT_HIT, passageSums, summarisePassage, survivalPoints } from '../../src/stats/passage.ts';
import { rng } from '../fixtures/random.ts';

/** Hit steps of a per-step hit probability p from step `lag` on: lag + G, G geometric on {1, 2, …} (P(G > n) = (1 − p)^n). */
function geometric(n: number, p: number, lag: number, seed: number): Uint32Array {
  const u = rng(seed);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = lag + 1 + Math.floor(Math.log(1 - u()) / Math.log(1 - p));
  return out;
}

/** Hits after `steps` are never seen: NOT_HIT. */
function censor(hit: Uint32Array, steps: number): Uint32Array {
  return hit.map((h) => (h > steps ? NOT_HIT : h));
}

function shuffle<T>(xs: readonly T[], u: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

describe('survival points', () => {
  it('trace steps plus the last step, or 257 rounded points without repeats', () => {
    expect(survivalPoints(10, 35)).toEqual([0, 10, 20, 30, 35]);
    expect(survivalPoints(10, 30)).toEqual([0, 10, 20, 30]);
    expect(survivalPoints(0, 512)).toEqual(Array.from({ length: 257 }, (_, j) => 2 * j));
    expect(survivalPoints(0, 3)).toEqual([0, 1, 2, 3]);
    expect(survivalPoints(0, 1000).length).toBe(257);
  });
});

describe('first passage', () => {
  it('geometric hitting: S is the exact count; rate and MFPT within 5 SE of the closed forms', () => {
    const [n, p, stepTime, steps] = [100_000, 0.01, 0.5, 3000];
    const hit = censor(geometric(n, p, 0, 1), steps);
    const points = survivalPoints(0, steps);
    const summary = summarisePassage(passageSums(hit, points), points, stepTime);
    expect(summary.hit).toBe(n); // S(3000) = 0.99^3000 ≈ 8e-14: all hit
    points.forEach((pt, j) => expect(summary.survival.S[j]).toBe(hit.filter((h) => h > pt).length / n));
    expect(summary.survival.time).toEqual(points.map((pt) => pt * stepTime));
    // S(n steps) = (1 − p)^n: hazard −ln(1 − p) per step, per unit time divided by the step time
    const k = -Math.log(1 - p) / stepTime;
    const rate = summary.rate!;
    expect(Math.abs(rate.value - k)).toBeLessThan(5 * rate.standardError);
    expect(rate.events).toBeGreaterThan(0.9 * n);
    expect(rate.pValue).toBeGreaterThanOrEqual(0.01);
    // geometric mean 1/p steps
    const mfpt = summary.mfpt!;
    expect(mfpt.kind).toBe('all hit');
    expect(Math.abs(mfpt.value - stepTime / p)).toBeLessThan(5 * mfpt.standardError!);
    expect(summary.tailEstimate).toBeNull();
    expect(summary.restrictedMean!.value).toBeCloseTo(mfpt.value, 10);
  });

  it('a lag then a constant hazard: the fitted window starts after the lag', () => {
    const [n, p, stepTime, lag, steps] = [100_000, 0.01, 0.25, 400, 2500];
    const hit = censor(geometric(n, p, lag, 2), steps);
    const points = survivalPoints(20, steps);
    const summary = summarisePassage(passageSums(hit, points), points, stepTime);
    const rate = summary.rate!;
    // intervals inside the lag have no events where ~2000 are expected at the pooled rate: rejected
    expect(rate.from).toBeGreaterThanOrEqual(lag * stepTime);
    // from the lag on each start is accepted with probability ≈ 0.99: five rejections in a row would be ~1e-10
    expect(rate.from).toBeLessThanOrEqual((lag + 5 * 20) * stepTime);
    expect(Math.abs(rate.value - -Math.log(1 - p) / stepTime)).toBeLessThan(5 * rate.standardError);
  });

  it('censored runs: restricted mean = a direct computation; tail estimate; no MFPT', () => {
    const [n, p, stepTime, steps] = [20_000, 0.002, 0.1, 500];
    const hit = censor(geometric(n, p, 0, 3), steps);
    const points = survivalPoints(0, steps);
    const summary = summarisePassage(passageSums(hit, points), points, stepTime);
    const times = Array.from(hit, (h) => Math.min(h, steps) * stepTime);
    const mean = times.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(times.reduce((a, t) => a + (t - mean) ** 2, 0) / (n - 1));
    const rm = summary.restrictedMean!;
    expect(rm.horizon).toBe(steps * stepTime);
    expect(Math.abs(rm.value - mean)).toBeLessThan(1e-12 * mean);
    expect(Math.abs(rm.standardError! - sd / Math.sqrt(n))).toBeLessThan(1e-9 * rm.standardError!);
    expect(summary.mfpt).toBeNull();
    const survivors = hit.filter((h) => h === NOT_HIT).length;
    expect(summary.hit).toBe(n - survivors);
    expect(summary.survival.S.at(-1)).toBe(survivors / n);
    const rate = summary.rate!;
    expect(Math.abs(rate.value - -Math.log(1 - p) / stepTime)).toBeLessThan(5 * rate.standardError);
    expect(summary.tailEstimate!.value).toBe(rm.value + survivors / n / rate.value);
    expect(summary.tailEstimate!.note).toMatch(/exponential/);
    expect(summary.notes.join(' ')).toMatch(/never hit/);
  });

  it('no rate: too few events, or a hazard that keeps rising', () => {
    const few = censor(geometric(1000, 0.00001, 0, 4), 300);
    const pf = survivalPoints(0, 300);
    const s1 = summarisePassage(passageSums(few, pf), pf, 1);
    expect(s1.rate).toBeNull();
    expect(s1.notes.join(' ')).toMatch(/too few events/);
    // hazard λ0·2^j on steps [100j, 100j + 100): every window of ≥ 3 intervals spans a 4-fold change
    const u = rng(5);
    const rising = new Uint32Array(100_000).map(() => {
      let e = -Math.log(1 - u());
      for (let j = 0; ; j++) {
        const h = 1e-4 * 2 ** j * 100;
        if (e < h) return Math.ceil(100 * j + e / (1e-4 * 2 ** j));
        e -= h;
      }
    });
    const pr = survivalPoints(100, 700);
    const s2 = summarisePassage(passageSums(censor(rising, 700), pr), pr, 1);
    expect(s2.rate).toBeNull();
    expect(s2.notes.join(' ')).toMatch(/not linear/);
  });

  it('merged random shards equal the whole, bit for bit, large steps included', () => {
    const u = rng(6);
    const n = 50_000;
    const hit = Array.from({ length: n }, () => {
      const r = u();
      return r < 0.2 ? NOT_HIT : r < 0.3 ? 2 ** 32 - 2 - Math.floor(1000 * u()) : Math.floor(1e6 * u());
    });
    const points = survivalPoints(0, 2 ** 32 - 2);
    const whole = passageSums(hit, points);
    for (let trial = 0; trial < 8; trial++) {
      const cuts = [0, ...Array.from({ length: 1 + Math.floor(5 * u()) }, () => Math.floor(u() * n)).sort((a, b) => a - b), n];
      const shards = cuts.slice(1).map((end, j) => passageSums(hit.slice(cuts[j], end), points));
      const merged = emptyPassageSums(points.length);
      for (const s of shuffle(shards, u)) addPassageSums(merged, s);
      expect(JSON.stringify(merged)).toBe(JSON.stringify(whole));
      expect(JSON.stringify(summarisePassage(merged, points, 1e-3))).toBe(JSON.stringify(summarisePassage(whole, points, 1e-3)));
    }
    // Σ step² exceeds 2^53 here: check it against BigInt
    const squares = hit.filter((h) => h !== NOT_HIT).reduce((a, h) => a + BigInt(h) * BigInt(h), 0n);
    expect(whole.squares.reduce((a, x) => a + BigInt(x), 0n)).toBe(squares);
  });
});
