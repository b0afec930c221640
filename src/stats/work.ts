/**
 * Work statistics of an ensemble of walkers: exact, mergeable sums of the work W
 * (energy units) done on each walker, and their summary: mean and variance,
 * histograms, Jarzynski's free-energy difference ΔF = −T ln⟨e^{−W/T}⟩ (Jarzynski 1997)
 * with a Poisson-bootstrap error, and the dissipated work ⟨W⟩ − ΔF.
 *
 * Mergeable exactly: a shard computes {@link workSums} of its walkers, keyed by global
 * index; {@link addWorkSums} of all shards, in any order, equals the sums of the whole
 * ensemble bit for bit (JSON included): counts are integers, Σ W and Σ W² are exact
 * sums, the exponential averages are {@link ExpSum}s, the bootstrap weights depend only
 * on (key, global index), and the fine histogram's bin width is a function of the whole
 * set of works (see {@link FineHistogram}). Every exact sum is left in canonical form.
 */
import { exactAdd, exactAddSum, type ExactSum } from './exact.ts';
import {
  canonicalSum,
  emptyExpSum,
  ExpTile,
  exactMoments,
  logOfExpSum,
  mergeExpSum,
  normaliseExpSum,
  TILE_MAX_EXPONENT,
  type ExpSum,
} from './expSum.ts';
import { Stream, streamWord } from '../rng/philox.ts';
import { instantiatePhiloxWasm } from '../cpu/philoxWasm.ts';

/** Philox stream of the bootstrap weights (counter word 3; see src/rng/philox.ts's Stream for 0…4). */
export const BOOTSTRAP_STREAM = Stream.bootstrap;
/** Poisson bootstrap replicates of the exponential average. */
export const BOOTSTRAP_REPLICATES = 32;
/** Most bins of the fine histogram: it coarsens (width × 2) rather than grow past this. */
export const FINE_BINS = 4096;
/** Most bins of the summary histogram. */
export const SUMMARY_BINS = 64;
/** Works beyond ±2^480 energy units are counted as non-finite (their squares would overflow a sum). */
const MAX_WORK = 2 ** 480;

/**
 * Poisson(1) by inversion of u = u01(word) = (v + ½)·2^-23, v = word >>> 9: the count is the number
 * of thresholds t_c ≤ v, t_c = ⌊F(c)·2^23 − ½⌋ + 1 with F the Poisson(1) distribution function
 * (computed to 60 digits; integers, so no rounding of e^{−1} can differ between machines). At most 10.
 */
const POISSON_THRESHOLDS = [3085996, 6171993, 7714991, 8229324, 8357907, 8383624, 8387910, 8388522, 8388599, 8388607];

/** POISSON_TABLE[v >>> 13]: the weight of every v in that block of 8192, or 255 where a threshold cuts the block. */
const POISSON_TABLE = Uint8Array.from({ length: 1024 }, (_, b) => {
  const [lo, hi] = [poissonSearch(b * 8192), poissonSearch(b * 8192 + 8191)];
  return lo === hi ? lo : 255;
});

function poissonSearch(v: number): number {
  let c = 0;
  while (c < POISSON_THRESHOLDS.length && v >= POISSON_THRESHOLDS[c]) c++;
  return c;
}

/** A Poisson(1) bootstrap weight from one Philox output word (u32): a table lookup, a search near a threshold. */
export function poissonWeight(word: number): number {
  const c = POISSON_TABLE[word >>> 22];
  return c !== 255 ? c : poissonSearch(word >>> 9);
}

/**
 * A histogram of W with bins of width 2^exponent energy units: bin key ⌊W / 2^exponent⌋, dense from
 * key `low` (counts[j] counts key low + j). The exponent is the smallest e ≥ {@link workExponent}(T)
 * for which the keys of all the works span at most {@link FINE_BINS} bins. Order- and split-invariant:
 * the span at e + 1 is never more than at e (⌊⌊x/2^e⌋/2⌋ = ⌊x/2^{e+1}⌋ for the lowest and highest key),
 * so "smallest e that fits" is well defined; any subset needs an e no larger than the whole set's;
 * a merge takes the larger of its two exponents and grows it until the union fits, which is the
 * smallest e fitting the union; and coarsening a histogram by halving keys gives exactly the counts
 * of ⌊W/2^e⌋. So every split and every order of merges ends at the same (exponent, low, counts).
 */
export interface FineHistogram {
  exponent: number;
  low: number;
  counts: number[];
}

/** Exact, mergeable sums of the works of a set of walkers. */
export interface WorkSums {
  /** walkers with a finite work (within ±2^480 energy units and |2W/T| ≤ 2^40) */
  count: number;
  /** walkers whose work is not finite or out of that range (left out of everything else) */
  nonFinite: number;
  /** Σ W (energy units) */
  sum: ExactSum;
  /** Σ W² (energy units²) */
  squares: ExactSum;
  /** Σ e^{−W/T} (empty when T = 0) */
  exp: ExpSum;
  /** Σ e^{−2W/T} (empty when T = 0) */
  exp2: ExpSum;
  /** replicate r: Σ_i c_{i,r} e^{−W_i/T}, c_{i,r} ~ Poisson(1) (none when T = 0) */
  replicates: ExpSum[];
  /** replicate r: Σ_i c_{i,r} (integers) */
  weights: number[];
  fine: FineHistogram;
}

/**
 * The starting exponent of the fine histogram: ⌊log2(T/64)⌋ for T > 0 (bins no wider than T/64),
 * −10 for T = 0 (energy units).
 */
export function workExponent(T: number): number {
  if (!(T > 0)) return -10;
  const x = T / 64;
  let e = Math.floor(Math.log2(x));
  while (2 ** (e + 1) <= x) e++;
  while (2 ** e > x) e--;
  return e;
}

/** ⌊W / 2^e⌋ (exact: a power-of-two scaling; a negative W scaled below the subnormals still gives −1). */
function fineKey(W: number, e: number): number {
  const k = Math.floor(W * 2 ** -e);
  return k === 0 && W < 0 ? -1 : k + 0;
}

/** The smallest e' ≥ e at which keys lo … hi (at exponent e), halved e' − e times, span at most `bins` bins. */
function fitExponent(lo: number, hi: number, e: number, bins: number): number {
  while (hi - lo + 1 > bins) {
    lo = Math.floor(lo / 2);
    hi = Math.floor(hi / 2);
    e++;
  }
  return e;
}

/** The histogram at a coarser (or equal) exponent e: keys halved e − f.exponent times. */
function coarsen(f: FineHistogram, e: number): FineHistogram {
  const scale = 2 ** (f.exponent - e);
  if (f.counts.length === 0) return { exponent: e, low: 0, counts: [] };
  const low = Math.floor(f.low * scale);
  const counts = new Array<number>(Math.floor((f.low + f.counts.length - 1) * scale) - low + 1).fill(0);
  for (let j = 0; j < f.counts.length; j++) counts[Math.floor((f.low + j) * scale) - low] += f.counts[j];
  return { exponent: e, low, counts };
}

/** The histogram of the union of two sets of works (see {@link FineHistogram}). */
function mergeFine(a: FineHistogram, b: FineHistogram): FineHistogram {
  if (b.counts.length === 0) return coarsen(a, Math.max(a.exponent, b.exponent));
  if (a.counts.length === 0) return coarsen(b, Math.max(a.exponent, b.exponent));
  let e = Math.max(a.exponent, b.exponent);
  const [ca, cb] = [coarsen(a, e), coarsen(b, e)];
  const lo = Math.min(ca.low, cb.low);
  const hi = Math.max(ca.low + ca.counts.length, cb.low + cb.counts.length) - 1;
  e = fitExponent(lo, hi, e, FINE_BINS);
  const [fa, fb] = [coarsen(ca, e), coarsen(cb, e)];
  const low = Math.min(fa.low, fb.low);
  const counts = new Array<number>(Math.max(fa.low + fa.counts.length, fb.low + fb.counts.length) - low).fill(0);
  for (const f of [fa, fb]) for (let j = 0; j < f.counts.length; j++) counts[f.low - low + j] += f.counts[j];
  return { exponent: e, low, counts };
}

/** Sums of no walkers at temperature T (energy units, ≥ 0). */
export function emptyWorkSums(T: number): WorkSums {
  checkTemperature(T);
  const R = T > 0 ? BOOTSTRAP_REPLICATES : 0;
  return {
    count: 0,
    nonFinite: 0,
    sum: [],
    squares: [],
    exp: emptyExpSum(),
    exp2: emptyExpSum(),
    replicates: Array.from({ length: R }, emptyExpSum),
    weights: new Array<number>(R).fill(0),
    fine: { exponent: workExponent(T), low: 0, counts: [] },
  };
}

function checkTemperature(T: number): void {
  if (!(T >= 0 && Number.isFinite(T))) throw new RangeError(`work statistics: temperature ${T} is not finite and ≥ 0`);
}

/** Whether a work enters the statistics (finite, within ±2^480, and |2W/T| ≤ 2^40 when T > 0). */
function inRange(W: number, T: number): boolean {
  return Number.isFinite(W) && Math.abs(W) <= MAX_WORK && (T === 0 || Math.abs((2 * W) / T) <= TILE_MAX_EXPONENT);
}

/** The fine histogram of the in-range works of one array (exponent from their extremes). */
function fineOf(work: ArrayLike<number>, T: number): FineHistogram {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < work.length; i++) {
    const W = work[i];
    if (!inRange(W, T)) continue;
    if (W < min) min = W;
    if (W > max) max = W;
  }
  const e0 = workExponent(T);
  if (min > max) return { exponent: e0, low: 0, counts: [] };
  const e = fitExponent(fineKey(min, e0), fineKey(max, e0), e0, FINE_BINS);
  const low = fineKey(min, e);
  const counts = new Array<number>(fineKey(max, e) - low + 1).fill(0);
  const scale = 2 ** -e;
  for (let i = 0; i < work.length; i++) {
    const W = work[i];
    if (!inRange(W, T)) continue;
    const k = Math.floor(W * scale); // fineKey(W, e), inline
    counts[(k === 0 && W < 0 ? -1 : k) - low]++;
  }
  return { exponent: e, low, counts };
}

/**
 * The 32 Poisson(1) bootstrap weights of one walker (global index `particle`) into c: words of the Philox blocks
 * (particle, b, 0, stream 6) for b = 0 … 7, from the WebAssembly Philox (src/cpu/philoxWasm.ts, the same bits as
 * src/rng/philox.ts: tests/unit/cpu-kernel.test.ts), about 5× faster than the TypeScript one here.
 */
function drawWeights(particle: number, key: [number, number], wasm: ReturnType<typeof instantiatePhiloxWasm>, c: Uint8Array): void {
  wasm.blocks(particle >>> 0, 0, 0, streamWord(BOOTSTRAP_STREAM, particle), key[0], key[1], BOOTSTRAP_REPLICATES / 4);
  for (let r = 0; r < BOOTSTRAP_REPLICATES; r++) c[r] = poissonWeight(wasm.words[r]);
}

/**
 * Add W² to an exact sum as hi + lo (Dekker's two-product with Veltkamp's split, inline: no allocation). Exact
 * for 2^-458 ≤ |W| ≤ 2^480; below, the error term underflows (W² is then off by < 2^-1000, still a function of W
 * alone, so merges stay bit for bit).
 */
function addSquare(p: ExactSum, W: number): void {
  const hi = W * W;
  const c = 134217729 * W;
  const a = c - (c - W);
  const b = W - a;
  exactAdd(p, hi);
  const lo = b * b - (hi - a * a - 2 * a * b);
  if (lo !== 0) exactAdd(p, lo);
}

/**
 * The work sums of consecutive walkers.
 * @param work the work of each walker (energy units)
 * @param first the global index of work[0] (keys the bootstrap weights)
 * @param T the temperature (energy units): > 0, or 0 for no exponential averages
 * @param key the run's Philox key words (src/rng/philox.ts `seedKey`)
 */
export function workSums(work: ArrayLike<number>, first: number, T: number, key: [number, number]): WorkSums {
  const s = emptyWorkSums(T);
  s.fine = fineOf(work, T);
  const R = s.replicates.length;
  const tile = new ExpTile([s.exp, ...s.replicates]);
  const tile2 = new ExpTile([s.exp2]);
  const wasm = instantiatePhiloxWasm();
  const c = new Uint8Array(BOOTSTRAP_REPLICATES);
  for (let i = 0; i < work.length; i++) {
    const W = work[i];
    if (!inRange(W, T)) {
      s.nonFinite++;
      continue;
    }
    s.count++;
    exactAdd(s.sum, W);
    addSquare(s.squares, W);
    if (T === 0) continue;
    tile.term(-W / T);
    drawWeights(first + i, key, wasm, c);
    tile.addAll(c);
    for (let r = 0; r < R; r++) s.weights[r] += c[r];
    tile2.term((-2 * W) / T);
    tile2.add(0, 1);
  }
  tile.flush();
  tile2.flush();
  return canonicalise(s);
}

/** Every exact sum of s in canonical form (JSON then depends only on the values). */
function canonicalise(s: WorkSums): WorkSums {
  s.sum = canonicalSum(s.sum);
  s.squares = canonicalSum(s.squares);
  for (const e of [s.exp, s.exp2, ...s.replicates]) normaliseExpSum(e);
  return s;
}

/** Add the sums `from` (of other walkers, same temperature and key) to `into`, in place. */
export function addWorkSums(into: WorkSums, from: WorkSums): void {
  if (into.replicates.length !== from.replicates.length) throw new RangeError('addWorkSums: sums of different temperatures');
  into.count += from.count;
  into.nonFinite += from.nonFinite;
  exactAddSum(into.sum, from.sum);
  exactAddSum(into.squares, from.squares);
  mergeExpSum(into.exp, from.exp);
  mergeExpSum(into.exp2, from.exp2);
  for (let r = 0; r < into.replicates.length; r++) {
    mergeExpSum(into.replicates[r], from.replicates[r]);
    into.weights[r] += from.weights[r];
  }
  into.fine = mergeFine(into.fine, from.fine);
  canonicalise(into);
}

/** The summary of work sums (energies in energy units; null where a number does not exist). */
export interface WorkSummary {
  temperature: number;
  particles: number;
  nonFinite: number;
  mean: number | null;
  /** sample variance (n − 1), energy units² */
  variance: number | null;
  /** of the mean: √(variance/n) */
  standardError: number | null;
  /** at most 64 bins: the fine histogram coarsened by powers of 2; edges in energy units */
  histogram: { edges: number[]; counts: number[] };
  /** the fine histogram (left edge of counts[0], bin width, counts), for the Crooks analysis */
  fine: { low: number; width: number; counts: number[] };
  jarzynski: JarzynskiEstimate | null;
  /** ⟨W⟩ − ΔF (energy units) */
  dissipated: { value: number; standardError: number | null } | null;
}

/** Jarzynski's ΔF = −T(ln Σe^{−W/T} − ln n) (energy units) and its errors. */
export interface JarzynskiEstimate {
  deltaF: number;
  /** sample sd of ΔF over the Poisson-bootstrap replicates (null with fewer than 2) */
  standardError: number | null;
  /** first-order (delta-method) error T·sd(e^{−W/T})/(√n·mean(e^{−W/T})) (null for n < 2) */
  deltaMethodError: number | null;
  /** (Σe^{−W/T})² / Σe^{−2W/T}: the walkers the exponential average effectively rests on */
  effectiveSamples: number;
  /** bootstrap replicates used (those with a positive total weight) */
  replicates: number;
}

/** Sample standard deviation (n − 1) of xs; null for fewer than 2. */
function sampleSd(xs: number[]): number | null {
  if (xs.length < 2) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
}

/**
 * Jarzynski's estimate from the exponential sums, in log space (no overflow): with
 * lnA = ln Σe^{−W/T}, lnB = ln Σe^{−2W/T}: ΔF = −T(lnA − ln n); effectiveSamples = e^{2 lnA − lnB};
 * deltaMethodError = T·√((n·B/A² − 1)/(n − 1)), which is T·sd(x)/(√n·mean(x)) for x = e^{−W/T}
 * (sample sd); standardError = sd over replicates r of ΔF_r = −T(ln Σ_i c_{i,r}e^{−W_i/T} − ln Σ_i c_{i,r}).
 */
function jarzynski(s: WorkSums, T: number): JarzynskiEstimate {
  const n = s.count;
  const lnA = logOfExpSum(s.exp);
  const lnB = logOfExpSum(s.exp2);
  const ratio = Math.exp(Math.log(n) + lnB - 2 * lnA);
  const replicates: number[] = [];
  for (let r = 0; r < s.replicates.length; r++) {
    if (s.weights[r] > 0) replicates.push(-T * (logOfExpSum(s.replicates[r]) - Math.log(s.weights[r])));
  }
  return {
    deltaF: -T * (lnA - Math.log(n)),
    standardError: sampleSd(replicates),
    deltaMethodError: n > 1 ? T * Math.sqrt(Math.max(0, ratio - 1) / (n - 1)) : null,
    effectiveSamples: Math.exp(2 * lnA - lnB),
    replicates: replicates.length,
  };
}

/** The fine histogram coarsened to at most SUMMARY_BINS bins, as edges (energy units) and counts. */
function summaryHistogram(f: FineHistogram): { edges: number[]; counts: number[] } {
  if (f.counts.length === 0) return { edges: [], counts: [] };
  const c = coarsen(f, fitExponent(f.low, f.low + f.counts.length - 1, f.exponent, SUMMARY_BINS));
  const width = 2 ** c.exponent;
  return { edges: Array.from({ length: c.counts.length + 1 }, (_, j) => (c.low + j) * width), counts: c.counts };
}

/**
 * Summarise work sums at temperature T (energy units; the temperature of the sums). The mean
 * and sample variance come from the exact sums (each rounded once). Dissipated work ⟨W⟩ − ΔF:
 * its standard error combines the two in quadrature, √(SE⟨W⟩² + SE_ΔF²) with SE_ΔF the bootstrap
 * error; both come from the same walkers and are positively correlated, so this overstates the
 * error (Var(a − b) = Var a + Var b − 2 Cov(a, b)).
 */
export function summariseWork(s: WorkSums, T: number): WorkSummary {
  checkTemperature(T);
  const n = s.count;
  const { mean, variance } = n > 0 ? exactMoments(n, s.sum, s.squares) : { mean: NaN, variance: NaN };
  const standardError = n > 1 ? Math.sqrt(variance / n) : null;
  const width = 2 ** s.fine.exponent;
  const jz = T > 0 && n > 0 ? jarzynski(s, T) : null;
  const dissipatedError = standardError !== null && jz?.standardError != null ? Math.hypot(standardError, jz.standardError) : null;
  return {
    temperature: T,
    particles: n,
    nonFinite: s.nonFinite,
    mean: n > 0 ? mean : null,
    variance: n > 1 ? variance : null,
    standardError,
    histogram: summaryHistogram(s.fine),
    fine: { low: s.fine.low * width, width, counts: [...s.fine.counts] },
    jarzynski: jz,
    dissipated: jz ? { value: mean - jz.deltaF, standardError: dissipatedError } : null,
  };
}
