/**
 * Distances between an empirical histogram and the Boltzmann reference
 * (DESIGN §1): KL(q‖p), total variation and Pearson's χ² with its p-value.
 */
import { chiSquareSurvival } from './special.ts';

/** How far the empirical distribution q is from the reference p. */
export interface Divergence {
  /** KL(q‖p) = Σ q ln(q/p) in nats; Infinity when some p_b = 0 has q_b > 0 */
  kl: number;
  /** total variation ½ Σ |q − p|, in [0, 1] */
  tv: number;
  /** Pearson χ² = Σ (O − E)²/E over merged groups of bins (see `divergences`) */
  chi2: number;
  /** degrees of freedom of the χ² test: groups − 1 */
  dof: number;
  /** Pr[χ²(dof) ≥ chi2]; NaN when there are fewer than 2 groups */
  pValue: number;
  /** why a number is not meaningful (no samples, too few for a χ² test, correlated samples) */
  note?: string;
}

/** Smallest expected count of a merged χ² group. */
const MIN_EXPECTED = 5;

/**
 * KL, TV and Pearson χ² of observed counts against reference probabilities.
 *
 * q = counts / (sum of counts): the counts are those inside the box, so q sums to 1 over
 * the box, like p. KL(q‖p) = Σ q_b ln(q_b/p_b), where empty bins (q_b = 0) contribute 0
 * and p_b = 0 with q_b > 0 gives Infinity. TV = ½ Σ |q_b − p_b|.
 *
 * χ²: expected counts E_b = n p_b. Bins are merged in row-major order (the histogram's
 * flat order), consecutive bins forming a group until the group's expected count reaches
 * 5; a trailing group with expected count below 5 joins the previous group. Then
 * χ² = Σ_groups (O − E)²/E, dof = groups − 1 and pValue = Q(dof/2, χ²/2).
 *
 * @param counts observed counts per bin (non-negative; row-major, as `binPositions` writes them)
 * @param p reference probabilities per bin, same length, summing to 1 (e.g. `boltzmannReference`)
 * @param options `correlated: true` when the counts pool time-correlated snapshots: the
 *   p-value then assumes independence it does not have, and a note says so
 * @throws Error when the lengths differ
 * @example divergences([30, 70], [0.5, 0.5]) // tv = 0.2, chi2 = 16, dof = 1
 */
export function divergences(counts: ArrayLike<number>, p: ArrayLike<number>, options: { correlated?: boolean } = {}): Divergence {
  const B = counts.length;
  if (p.length !== B) throw new Error(`divergences: counts has ${B} bins but p has ${p.length}; they must describe the same histogram`);
  const n = sumOf(counts);
  if (!(n > 0) || !Number.isFinite(n)) {
    return {
      kl: NaN,
      tv: NaN,
      chi2: NaN,
      dof: 0,
      pValue: NaN,
      note: `no samples inside the histogram box (sum of counts = ${n}): nothing to compare`,
    };
  }
  const { kl, tv } = klAndTv(counts, p, n);
  const groups = mergedGroups(counts, p, n);
  const chi2 = pearsonChi2(groups);
  const dof = groups.expected.length - 1;
  const notes: string[] = [];
  let pValue = NaN;
  if (dof >= 1) {
    pValue = chiSquareSurvival(chi2, dof);
  } else {
    notes.push(
      `too few samples for a χ² test: n·Σp = ${(n * sumOf(p)).toPrecision(3)} allows only one group with expected count ≥ ${MIN_EXPECTED}`,
    );
  }
  if (options.correlated) {
    notes.push(
      'the counts pool time-correlated snapshots, so the χ² p-value (which assumes independent samples) is not calibrated; use KL and TV against their statistical floor instead',
    );
  }
  const out: Divergence = { kl, tv, chi2, dof: Math.max(dof, 0), pValue };
  if (notes.length) out.note = notes.join('; ');
  return out;
}

/** KL(q‖p) and TV(q, p) for q = counts / n. */
function klAndTv(counts: ArrayLike<number>, p: ArrayLike<number>, n: number): { kl: number; tv: number } {
  let kl = 0;
  let tv = 0;
  for (let b = 0; b < counts.length; b++) {
    const q = counts[b] / n;
    const pb = p[b];
    tv += Math.abs(q - pb);
    if (q > 0) kl += pb > 0 ? q * Math.log(q / pb) : Infinity;
  }
  return { kl, tv: tv * 0.5 };
}

/** Observed and expected counts of the χ² groups: consecutive bins merged until the expected count reaches MIN_EXPECTED. */
interface Groups {
  observed: number[];
  expected: number[];
}

/** The χ² groups of `counts` against n·p (see `divergences`); a short trailing group joins the previous one. */
function mergedGroups(counts: ArrayLike<number>, p: ArrayLike<number>, n: number): Groups {
  const observed: number[] = [];
  const expected: number[] = [];
  let o = 0;
  let e = 0;
  for (let b = 0; b < counts.length; b++) {
    o += counts[b];
    e += n * p[b];
    if (e >= MIN_EXPECTED) {
      observed.push(o);
      expected.push(e);
      o = 0;
      e = 0;
    }
  }
  if (e > 0 || o > 0) {
    if (expected.length > 0) {
      observed[observed.length - 1] += o;
      expected[expected.length - 1] += e;
    } else {
      observed.push(o);
      expected.push(e);
    }
  }
  return { observed, expected };
}

/** Pearson's Σ (O − E)²/E over the groups; a group with E = 0 adds 0 if O = 0, else Infinity. */
function pearsonChi2({ observed, expected }: Groups): number {
  let chi2 = 0;
  for (let g = 0; g < expected.length; g++) {
    const d = observed[g] - expected[g];
    chi2 += expected[g] > 0 ? (d * d) / expected[g] : d === 0 ? 0 : Infinity;
  }
  return chi2;
}

/** Σ a_i, in index order. */
function sumOf(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * The statistical floor of KL(q‖p): its expectation and standard deviation, to leading
 * order in 1/n, for n independent samples from p over B bins that all have p_b > 0:
 * mean (B − 1)/(2n), sd √(2(B − 1))/(2n) (2n·KL → χ²(B − 1)). A sampler is
 * indistinguishable from exact when its KL is within a few sd of this mean.
 * @param bins number of bins B with p_b > 0
 * @param samples number of independent samples n
 * @example klFloor(20, 10_000) // { mean: 9.5e-4, sd: 3.08e-4 }
 */
export function klFloor(bins: number, samples: number): { mean: number; sd: number } {
  const k = Math.max(bins - 1, 0);
  return { mean: k / (2 * samples), sd: Math.sqrt(2 * k) / (2 * samples) };
}
