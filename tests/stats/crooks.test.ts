import { describe, expect, it } from 'vitest';
import { crooksAnalysis } from '../../src/stats/crooks.ts';
import { summariseWork, workSums } from '../../src/stats/work.ts';
import { rng } from '../fixtures/random.ts';

/** n draws of N(mu, sigma²) (Box–Muller on the seeded PRNG). */
function normals(n: number, mu: number, sigma: number, seed: number): Float64Array {
  const u = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mu + sigma * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return out;
}

const [T, DF, SIGMA] = [1.5, 2, 1.2];

/**
 * Forward W_F ~ N(ΔF + σ²/2T, σ²) and reverse W_R ~ N(−ΔF + σ²/2T, σ²): P_F(W)/P_R(−W) = e^{(W − ΔF)/T}
 * exactly (the two Gaussians' exponents differ by (W − ΔF)/T), so the pair obeys Crooks' theorem.
 */
function pair(n: number, seed: number) {
  const shift = SIGMA ** 2 / (2 * T);
  const forward = summariseWork(workSums(normals(n, DF + shift, SIGMA, seed), 0, T, [seed, 1]), T);
  const reverse = summariseWork(workSums(normals(n, -DF + shift, SIGMA, seed + 5000), 0, T, [seed, 2]), T);
  return { forward, reverse, result: crooksAnalysis(forward, reverse, T) };
}

/**
 * The asymptotic BAR standard error for this pair, by quadrature: with n works each way (M = 0) and
 * x = (W − ΔF)/T, forward x ~ N(s²/2, s²) and negated reverse x ~ N(−s²/2, s²) (s = σ/T); g(x) = 1/(2 + 2 cosh x)
 * is even, so both give E[g] = ∫ g φ(x; s²/2, s²) dx, and Var = T²[1/(2n·E[g]) − 2/n] (Shirts et al. 2003, eq. 10).
 */
function asymptoticBarError(n: number): number {
  const s = SIGMA / T;
  const mu = (s * s) / 2;
  const [a, b, m] = [mu - 14 * s, mu + 14 * s, 20_000];
  const h = (b - a) / m;
  let sum = 0;
  for (let i = 0; i <= m; i++) {
    const x = a + i * h;
    const f = Math.exp(-((x - mu) ** 2) / (2 * s * s)) / (s * Math.sqrt(2 * Math.PI)) / (2 + 2 * Math.cosh(x));
    sum += (i === 0 || i === m ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  const Eg = (sum * h) / 3;
  return T * Math.sqrt(1 / (2 * n * Eg) - 2 / n);
}

describe('Crooks and BAR', () => {
  it('a Crooks pair: BAR, both Jarzynski estimates and the Crooks line agree with ΔF and 1/T', () => {
    const { forward, reverse, result } = pair(50_000, 1);
    const d = result.deltaF;
    expect(Math.abs(d.bar! - DF)).toBeLessThan(5 * d.barError!);
    expect(Math.abs(d.jarzynskiForward! - DF)).toBeLessThan(5 * d.jarzynskiForwardError!);
    expect(Math.abs(d.jarzynskiReverse! - DF)).toBeLessThan(5 * d.jarzynskiReverseError!);
    expect(d.jarzynskiReverse).toBe(-reverse.jarzynski!.deltaF);
    expect(d.jarzynskiForward).toBe(forward.jarzynski!.deltaF);
    // BAR uses both directions: never worse than the better one-sided estimate here
    expect(d.barError!).toBeLessThan(Math.min(d.jarzynskiForwardError!, d.jarzynskiReverseError!));
    const c = result.crooks!;
    expect(c.expectedSlope).toBe(1 / T);
    expect(Math.abs(c.slope - 1 / T)).toBeLessThan(5 * c.slopeError);
    expect(Math.abs(c.deltaF - DF)).toBeLessThan(5 * c.deltaFError);
    expect(c.bins).toBeGreaterThanOrEqual(3);
    expect(c.range[0]).toBeLessThan(c.range[1]);
    expect(result.notes).toEqual([]);
  });

  it('BAR over 40 repetitions: unbiased, its error matches the asymptotic formula and the observed scatter', () => {
    const n = 5000;
    const est: number[] = [];
    const err: number[] = [];
    for (let rep = 0; rep < 40; rep++) {
      const { result } = pair(n, 100 + rep);
      est.push(result.deltaF.bar!);
      err.push(result.deltaF.barError!);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
    const asym = asymptoticBarError(n);
    // the estimates: mean within 5 SE of ΔF (binning bias O(h²/T) ~ 1e-4 with h = 2^-6, against SE ≈ 0.005)
    expect(Math.abs(mean(est) - DF)).toBeLessThan((5 * sd(est)) / Math.sqrt(est.length));
    // the reported error, a smooth function of sample means, against the closed form: within 5 SE of its own scatter
    // (its O(1/n) and binning O(h²/T²) offsets from the limit are ~1e-4 relative, below that SE of ~1e-3 relative)
    expect(Math.abs(mean(err) - asym)).toBeLessThan((5 * sd(err)) / Math.sqrt(err.length));
    // the observed sd of 40 estimates has a relative SE of 1/√78 ≈ 11 %: a factor 1.5 is 3.6σ below, 4.4σ above
    expect(sd(est) / asym).toBeGreaterThan(1 / 1.5);
    expect(sd(est) / asym).toBeLessThan(1.5);
  });

  it('no overlap: BAR still solves, the Crooks check is null with a note', () => {
    const far = (mu: number, seed: number) => summariseWork(workSums(normals(2000, mu, 0.05, seed), 0, 1, [seed, 0]), 1);
    // forward works near +30, reverse near +30 too: −W_R near −30, no bin in common
    const [forward, reverse] = [far(30, 1), far(30, 2)];
    const result = crooksAnalysis(forward, reverse, 1);
    expect(result.crooks).toBeNull();
    expect(result.notes.join(' ')).toMatch(/no Crooks check/);
    // far from equilibrium with equal n, BAR's equation is Σ e^{−(W_F − ΔF)/T} = Σ e^{−(W_R + ΔF)/T} (the Fermi function's
    // tail), so ΔF = (T/2)(ln Σe^{−W_R/T} − ln Σe^{−W_F/T}) ≈ (⟨W_F⟩ − ⟨W_R⟩)/2 (the σ²/2T terms cancel; their
    // sampling differences are O(σ²/√n) ≈ 1e-4 here)
    expect(Math.abs(result.deltaF.bar! - (forward.mean! - reverse.mean!) / 2)).toBeLessThan(0.05);
  });
});
