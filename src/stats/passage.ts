/**
 * First-passage statistics: exact, mergeable sums of each walker's first hit step
 * (the number of steps done when the walker was first seen in the target region),
 * and their summary: survival curve, mean first-passage time, restricted mean,
 * and an escape rate fitted where ln S(t) is linear.
 *
 * Mergeable exactly: counts are integers and Σ step, Σ step² are exact sums in
 * canonical form, so {@link addPassageSums} of shards, in any order, equals
 * {@link passageSums} of the whole ensemble bit for bit (JSON included).
 */
import { exactAdd, exactAddProduct, exactAddSum, twoProduct, type ExactSum } from './exact.ts';
import { canonicalSum, exactMoments } from './expSum.ts';
import { chiSquareSurvival } from './special.ts';

/** The hit step of a walker never seen in the region. */
export const NOT_HIT = 0xffffffff;
/** Walkers summed in plain floats before an exact add (exact: sums of at most 2^12 values below 2^32). */
const TILE = 4096;
/** An interval enters the rate fit only when at least this many walkers survive at its end. */
export const RATE_MIN_SURVIVORS = 10;
/** The fitted window needs at least this many intervals … */
export const RATE_MIN_INTERVALS = 3;
/** … and this many events. */
export const RATE_MIN_EVENTS = 10;
/** The homogeneity test's level: a window is accepted when its p-value is at least this. */
export const RATE_MIN_P = 0.01;
/** Most intervals the rate search looks at (finer traces are thinned to this many). */
const RATE_MAX_INTERVALS = 256;

/** Exact sums of the hit steps of a set of walkers. */
export interface PassageSums {
  /** walkers */
  particles: number;
  /** walkers that hit */
  hit: number;
  /** Σ hit step over the walkers that hit (steps) */
  steps: ExactSum;
  /** Σ hit step² (steps²) */
  squares: ExactSum;
  /** counts[j]: walkers whose hit step is in (points[j−1], points[j]] (counts[0]: ≤ points[0]) */
  counts: number[];
}

/** Sums of no walkers, for `points` survival points. */
export function emptyPassageSums(points: number): PassageSums {
  return { particles: 0, hit: 0, steps: [], squares: [], counts: new Array<number>(points).fill(0) };
}

function checkPoints(points: readonly number[]): void {
  if (points.length === 0) throw new RangeError('passage: no survival points');
  for (let j = 0; j < points.length; j++) {
    if (!Number.isInteger(points[j]) || points[j] < 0 || (j > 0 && points[j] <= points[j - 1])) {
      throw new RangeError(`passage: survival points must be strictly increasing integers ≥ 0 (point ${j}: ${points[j]})`);
    }
  }
}

/** The first index j with points[j] ≥ h (points.length when none). */
function pointIndex(points: readonly number[], h: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid] < h) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The passage sums of one array of hit steps.
 * @param hit per walker, the hit step (an integer 0 … 2^32 − 2) or {@link NOT_HIT}
 * @param points the survival points (steps): strictly increasing integers ≥ 0, e.g. {@link survivalPoints}
 */
export function passageSums(hit: ArrayLike<number>, points: readonly number[]): PassageSums {
  checkPoints(points);
  const s = emptyPassageSums(points.length);
  s.particles = hit.length;
  // per tile: Σh < 2^44, and h² = hi²·2^32 + hi·lo·2^17 + lo² (h = hi·2^16 + lo) as three sums < 2^44: all exact
  const acc = [0, 0, 0, 0];
  for (let i = 0; i < hit.length; i++) {
    const h = hit[i];
    if (h === NOT_HIT) continue;
    if (!(Number.isInteger(h) && h >= 0 && h < NOT_HIT)) throw new RangeError(`passageSums: hit step ${h} is not a u32 step`);
    s.hit++;
    const [hi, lo] = [h >>> 16, h & 0xffff];
    acc[0] += h;
    acc[1] += hi * hi;
    acc[2] += hi * lo;
    acc[3] += lo * lo;
    const j = pointIndex(points, h);
    if (j < points.length) s.counts[j]++;
    if (s.hit % TILE === 0) flush(s, acc);
  }
  flush(s, acc);
  s.steps = canonicalSum(s.steps);
  s.squares = canonicalSum(s.squares);
  return s;
}

function flush(s: PassageSums, acc: number[]): void {
  exactAdd(s.steps, acc[0]);
  exactAdd(s.squares, acc[1] * 2 ** 32);
  exactAdd(s.squares, acc[2] * 2 ** 17);
  exactAdd(s.squares, acc[3]);
  acc.fill(0);
}

/** Add the sums `from` (other walkers, same points) to `into`, in place. */
export function addPassageSums(into: PassageSums, from: PassageSums): void {
  if (into.counts.length !== from.counts.length) throw new RangeError('addPassageSums: sums of different survival points');
  into.particles += from.particles;
  into.hit += from.hit;
  exactAddSum(into.steps, from.steps);
  exactAddSum(into.squares, from.squares);
  into.steps = canonicalSum(into.steps);
  into.squares = canonicalSum(into.squares);
  for (let j = 0; j < into.counts.length; j++) into.counts[j] += from.counts[j];
}

/**
 * The survival points (steps) of a run of `steps` steps: the trace steps 0, every, 2·every, …
 * and `steps` when traceEvery > 0; otherwise round(j·steps/256) for j = 0 … 256, without repeats.
 */
export function survivalPoints(traceEvery: number, steps: number): number[] {
  const out: number[] = [];
  if (traceEvery > 0) {
    for (let s = 0; s < steps; s += traceEvery) out.push(s);
    out.push(steps);
    return out;
  }
  for (let j = 0; j <= 256; j++) {
    const p = Math.round((j * steps) / 256);
    if (out.length === 0 || p !== out[out.length - 1]) out.push(p);
  }
  return out;
}

/** The fitted escape rate (1/time units) and its window. */
export interface PassageRate {
  /** k = Σ events / Σ exposure over the window */
  value: number;
  /** k/√events */
  standardError: number;
  /** window start and end (time units) */
  from: number;
  to: number;
  events: number;
  intervals: number;
  /** the homogeneity χ² test's p-value */
  pValue: number;
}

/** The summary of passage sums (times in time units). */
export interface PassageSummary {
  particles: number;
  hit: number;
  /** hit/particles (0 for no walkers) */
  fraction: number;
  /** S at each point: the fraction of walkers not hit by then */
  survival: { steps: number[]; time: number[]; S: number[] };
  /** mean first-passage time when every walker hit, ± sd/√n */
  mfpt: { value: number; standardError: number | null; kind: 'all hit' } | null;
  /** E[min(τ, t_end)] ± sd/√N, t_end = horizon = the last point's time */
  restrictedMean: { value: number; standardError: number | null; horizon: number } | null;
  /** restrictedMean + S(t_end)/k, assuming an exponential tail past t_end */
  tailEstimate: { value: number; note: string } | null;
  rate: PassageRate | null;
  notes: string[];
}

/**
 * Summarise passage sums.
 * @param points the survival points (steps) the sums were made with
 * @param stepTime the time of one step (time units)
 */
export function summarisePassage(s: PassageSums, points: number[], stepTime: number): PassageSummary {
  checkPoints(points);
  if (!(stepTime > 0 && Number.isFinite(stepTime))) throw new RangeError(`summarisePassage: step time ${stepTime} is not finite and > 0`);
  if (points.length !== s.counts.length) throw new RangeError('summarisePassage: points do not match the sums');
  const N = s.particles;
  const notes: string[] = [];
  const survivors: number[] = [];
  let hitBy = 0;
  for (const c of s.counts) survivors.push(N - (hitBy += c));
  const S = survivors.map((n) => (N > 0 ? n / N : 1));
  if (s.hit > hitBy) notes.push(`${s.hit - hitBy} walkers hit after the last survival point: counted at their hit step in the means`);
  const allHit = N > 0 && s.hit === N;
  const mfpt = allHit ? { ...timeMoments(N, s.steps, s.squares, stepTime), kind: 'all hit' as const } : null;
  const restrictedMean = N > 0 ? restricted(s, points, stepTime) : null;
  if (N === 0) notes.push('no walkers');
  else if (s.hit === 0) notes.push('no walker reached the region');
  if (!allHit && N > 0) notes.push(`${N - s.hit} of ${N} walkers never hit: no mean first-passage time (see restrictedMean, tailEstimate)`);
  const fit = fitRate(points, survivors, stepTime);
  if (fit.note) notes.push(fit.note);
  const rate = fit.rate;
  const tailEstimate =
    !allHit && rate && restrictedMean
      ? {
          value: restrictedMean.value + S[S.length - 1] / rate.value,
          note: 'restricted mean plus S(t_end)/k: assumes the survival decays exponentially at the fitted rate beyond t_end',
        }
      : null;
  const time = points.map((p) => p * stepTime);
  return {
    particles: N,
    hit: s.hit,
    fraction: N > 0 ? s.hit / N : 0,
    survival: { steps: [...points], time, S },
    mfpt,
    restrictedMean,
    tailEstimate,
    rate,
    notes,
  };
}

/** Mean and its standard error (sample sd/√n) of n step counts from exact sums, in time units. */
function timeMoments(n: number, s1: ExactSum, s2: ExactSum, stepTime: number): { value: number; standardError: number | null } {
  const { mean, variance } = exactMoments(n, s1, s2);
  return { value: mean * stepTime, standardError: n > 1 ? Math.sqrt(variance / n) * stepTime : null };
}

/** E[min(τ, t_end)]: the never-hit walkers counted at the last point (exact sums of min(step, last) and its square). */
function restricted(s: PassageSums, points: number[], stepTime: number): PassageSummary['restrictedMean'] {
  const last = points[points.length - 1];
  const censored = s.particles - s.hit;
  const s1 = [...s.steps];
  const s2 = [...s.squares];
  exactAddProduct(s1, censored, last);
  const [hi, lo] = twoProduct(censored, last);
  exactAddProduct(s2, hi, last);
  exactAddProduct(s2, lo, last);
  return { ...timeMoments(s.particles, s1, s2, stepTime), horizon: last * stepTime };
}

/** Intervals of the survival curve: events, exposure (walker-time at risk) and the window limits. */
interface Intervals {
  events: number[];
  exposure: number[];
  start: number[];
  end: number[];
}

/**
 * The usable intervals between consecutive survival points (thinned to at most 256 intervals):
 * those ending with ≥ 10 survivors. Interval j from N_{j−1} to N_j survivors over Δt has
 * e_j = N_{j−1} − N_j events and, under a constant hazard inside it, exposure
 * Δt·(N_{j−1} − N_j)/ln(N_{j−1}/N_j) (Δt·N_{j−1} without events): e_j/exposure_j is then the
 * interval's maximum-likelihood hazard ln(N_{j−1}/N_j)/Δt.
 */
function usableIntervals(points: number[], survivors: number[], stepTime: number): Intervals {
  const P = points.length;
  const thin = P - 1 > RATE_MAX_INTERVALS ? RATE_MAX_INTERVALS : P - 1;
  const idx: number[] = [];
  for (let j = 0; j <= thin; j++) {
    const i = Math.round((j * (P - 1)) / thin);
    if (idx.length === 0 || i !== idx[idx.length - 1]) idx.push(i);
  }
  const out: Intervals = { events: [], exposure: [], start: [], end: [] };
  for (let j = 1; j < idx.length; j++) {
    const [a, b] = [survivors[idx[j - 1]], survivors[idx[j]]];
    if (b < RATE_MIN_SURVIVORS) break;
    const dt = (points[idx[j]] - points[idx[j - 1]]) * stepTime;
    out.events.push(a - b);
    out.exposure.push(a === b ? dt * a : (dt * (a - b)) / Math.log(a / b));
    out.start.push(points[idx[j - 1]] * stepTime);
    out.end.push(points[idx[j]] * stepTime);
  }
  return out;
}

/**
 * Poisson homogeneity of interval events against one rate k: expected E_j = k·exposure_j; consecutive
 * intervals merge into groups until a group's expected count reaches 5 (a short last group joins the
 * one before); χ² = Σ (O − E)²/E over groups with groups − 1 degrees of freedom (k is fitted). The
 * p-value Pr[χ²(dof) ≥ χ²]; 1 when there is a single group (nothing to test).
 */
function homogeneity(events: number[], exposure: number[], k: number): number {
  const groups: [number, number][] = [];
  let [o, e] = [0, 0];
  for (let j = 0; j < events.length; j++) {
    o += events[j];
    e += k * exposure[j];
    if (e >= 5) {
      groups.push([o, e]);
      [o, e] = [0, 0];
    }
  }
  if (e > 0 || o > 0) {
    if (groups.length === 0) groups.push([o, e]);
    else groups[groups.length - 1] = [groups[groups.length - 1][0] + o, groups[groups.length - 1][1] + e];
  }
  if (groups.length < 2) return 1;
  const chi2 = groups.reduce((a, [O, E]) => a + (O - E) ** 2 / E, 0);
  return chiSquareSurvival(chi2, groups.length - 1);
}

/**
 * The escape rate k = −d ln S/dt (1/time units) over the range where ln S is linear in t.
 *
 * Method: the usable intervals (see usableIntervals) run from the first to the last ending with
 * ≥ 10 survivors. Windows [a, last usable] are tried for a = first, second, … interval: the first
 * window with ≥ 3 intervals and ≥ 10 events whose interval hazards are homogeneous — Poisson χ² test
 * of the events against the pooled rate k = Σe/Σexposure (see homogeneity), p ≥ 0.01 — is the fit.
 * Starting from the earliest window skips an initial lag or transient (a hazard still rising) and
 * keeps as much data as the test allows. k's standard error is k/√events (Poisson events, exposure
 * treated as fixed). No window: rate null and a note (too few events, or no linear range).
 */
function fitRate(points: number[], survivors: number[], stepTime: number): { rate: PassageRate | null; note?: string } {
  const iv = usableIntervals(points, survivors, stepTime);
  const L = iv.events.length;
  if (L < RATE_MIN_INTERVALS)
    return { rate: null, note: `no rate: fewer than ${RATE_MIN_INTERVALS} intervals end with ≥ ${RATE_MIN_SURVIVORS} survivors` };
  let rejected = 0;
  for (let a = 0; a + RATE_MIN_INTERVALS <= L; a++) {
    const events = iv.events.slice(a);
    const exposure = iv.exposure.slice(a);
    const total = events.reduce((x, y) => x + y, 0);
    if (total < RATE_MIN_EVENTS) break;
    const k = total / exposure.reduce((x, y) => x + y, 0);
    const pValue = homogeneity(events, exposure, k);
    if (pValue >= RATE_MIN_P) {
      const rate = {
        value: k,
        standardError: k / Math.sqrt(total),
        from: iv.start[a],
        to: iv.end[L - 1],
        events: total,
        intervals: L - a,
        pValue,
      };
      return { rate };
    }
    rejected++;
  }
  if (rejected === 0)
    return { rate: null, note: `no rate: too few events (< ${RATE_MIN_EVENTS}) while ≥ ${RATE_MIN_SURVIVORS} walkers survive` };
  return {
    rate: null,
    note: `no rate: ln S is not linear in t over any window of ≥ ${RATE_MIN_INTERVALS} intervals and ≥ ${RATE_MIN_EVENTS} events (χ² p < ${RATE_MIN_P} from every start): no single rate`,
  };
}
