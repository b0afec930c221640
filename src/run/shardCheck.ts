/**
 * What `langevin merge` checks of each part before adding it: its `shard`
 * section is consistent (index, count, first and particles as shardRange
 * gives them), its log is the one the run wrote (`logHash`), and every number
 * in the log has the type, size and range a run can produce: non-negative
 * integer counts no larger than the part's particles, sums of the spec's
 * dimension, histograms of its bins, indices inside the part. A part edited
 * or forged by hand is refused, naming the file and the field, instead of
 * giving a wrong merged result.
 */
import { passagePoints } from './kinetics.ts';
import { InputError } from '../errors.ts';
import type { RunSpec } from '../spec.ts';
import type { LoggedCall, ShardLog } from './shardLog.ts';
import { canonicalJson, sha256Hex, shardRange, type ShardSection } from './shards.ts';
import { exactValue } from '../stats/exact.ts';

/** A part that cannot be merged: exit 2, naming the part and what is wrong. */
export class MergeError extends InputError {
  override readonly name = 'MergeError';
}

/** The value of a logged exact sum (its partials may be written as strings for non-finite numbers). */
const value = (x: unknown) => exactValue((x as unknown[]).map((v) => Number(v)));
const isInt = (x: unknown, lo: number, hi: number): x is number => Number.isSafeInteger(x) && (x as number) >= lo && (x as number) <= hi;
const isNum = (x: unknown) => typeof x === 'number' || x === 'NaN' || x === 'Infinity' || x === '-Infinity';
const isArray = (x: unknown, n?: number): x is unknown[] => Array.isArray(x) && (n === undefined || x.length === n);
const isExact = (x: unknown) => isArray(x) && x.length <= 64 && x.every(isNum);
/** An exact sum of squares: its value may not be negative (partials of either sign are fine). */
const nonNegative = (x: unknown) => !isExact(x) || exactValue((x as unknown[]).map((v) => Number(v))) >= 0;

/** Checks one part, its file named in every refusal. */
class PartCheck {
  constructor(
    private readonly name: string,
    private readonly spec: RunSpec,
    private readonly shard: ShardSection,
  ) {}

  refuse(field: string, why: string): never {
    throw new MergeError(`${this.name}: shard.${field}: ${why}; was the file edited? Run the shard again`);
  }

  need(ok: boolean, field: string, why: string): void {
    if (!ok) this.refuse(field, why);
  }

  /** An index inside the part, or −1. */
  index(x: unknown, field: string): void {
    const { first, particles } = this.shard;
    this.need(
      x === -1 || isInt(x, first, first + particles - 1),
      field,
      `got ${JSON.stringify(x)}; −1 or a particle of this part [${first}, ${first + particles})`,
    );
  }

  sums(s: unknown, field: string, positions: boolean): void {
    const D = this.spec.dims;
    const n = this.shard.particles;
    const m = s as Record<string, unknown>;
    this.need(typeof m === 'object' && m !== null, field, 'not an object');
    for (const k of ['count', 'nonFinite', 'inside'])
      this.need(isInt(m[k], 0, n), `${field}.${k}`, `got ${JSON.stringify(m[k])}; an integer 0 … ${n}`);
    if (positions)
      this.need(
        (m.count as number) + (m.nonFinite as number) === n,
        `${field}.count`,
        `count + nonFinite is not the part's ${n} particles`,
      );
    for (const k of ['s1', 's2']) this.need(isArray(m[k], D) && (m[k] as unknown[]).every(isExact), `${field}.${k}`, `not ${D} exact sums`);
    this.need((m.s2 as unknown[]).every(nonNegative), `${field}.s2`, 'a sum of squares below 0');
    this.need(isExact(m.energy), `${field}.energy`, 'not an exact sum');
    const best = m.best as Record<string, unknown>;
    this.need(typeof best === 'object' && best !== null && isNum(best.energy), `${field}.best`, 'not a best particle');
    this.index(best.index, `${field}.best.index`);
    this.need(best.index !== -1 || best.energy === 'Infinity', `${field}.best.energy`, 'an energy without a particle (index −1)');
    this.need(
      isArray(best.x) && (best.x.length === 0 || best.x.length === D) && best.x.every(isNum),
      `${field}.best.x`,
      `not ${D} numbers`,
    );
    this.index(m.firstNonFinite, `${field}.firstNonFinite`);
  }

  histogram(h: unknown, field: string): void {
    const bins = (this.spec.histogram?.bins ?? []).reduce((a, b) => a * b, 1);
    const x = h as Record<string, unknown>;
    const n = this.shard.particles;
    this.need(isArray(x?.counts, bins) && x.counts.every((c) => isInt(c, 0, n)), `${field}.counts`, `not ${bins} counts of 0 … ${n}`);
    this.need(isInt(x.outside, 0, n) && isInt(x.finite, 0, n), `${field}.outside`, `outside and finite must be integers 0 … ${n}`);
    const inside = (x.counts as number[]).reduce((a, b) => a + b, 0);
    this.need(inside + (x.outside as number) === x.finite, `${field}.finite`, 'is not the in-box counts plus outside');
  }

  /** An exact sum by binary exponent (src/stats/expSum.ts): sorted integer keys, each with an exact sum. */
  private expSum(x: unknown, field: string): void {
    const b = (x as Record<string, unknown>)?.buckets;
    this.need(
      isArray(b) && b.every((e) => isArray(e, 2) && Number.isSafeInteger(e[0]) && isExact(e[1])),
      field,
      'not an exact exponential sum',
    );
    this.need(
      (b as [number][]).every((e, i, a) => i === 0 || a[i - 1][0] < e[0]),
      field,
      'buckets not in increasing order',
    );
  }

  /** The passage and work sums of this part: counts of its particles, exact sums, the spec's survival points. */
  kinetics(k: Record<string, unknown>, field: string): void {
    const n = this.shard.particles;
    this.need(typeof k === 'object' && k !== null, field, 'not an object');
    this.need(!k.passage === !this.spec.passage, `${field}.passage`, this.spec.passage ? 'missing' : 'the spec has no passage');
    this.need(!k.work === !this.spec.schedules, `${field}.work`, this.spec.schedules ? 'missing' : 'the spec has no schedule');
    const p = k.passage as Record<string, unknown> | undefined;
    if (p) {
      const points = passagePoints(this.spec).length;
      this.need(p.particles === n && isInt(p.hit, 0, n), `${field}.passage.hit`, `not a count of this part's ${n} particles`);
      this.need(isArray(p.counts, points) && p.counts.every((c) => isInt(c, 0, n)), `${field}.passage.counts`, `not ${points} counts`);
      this.need(
        (p.counts as number[]).reduce((a, b) => a + b, 0) === (p.hit as number),
        `${field}.passage.counts`,
        'do not add up to hit (the last point is the last step)',
      );
      this.need(isExact(p.steps) && isExact(p.squares) && nonNegative(p.squares), `${field}.passage.steps`, 'not exact sums');
      // each hit step lies in [0, steps]
      const [sum, squares, hit, steps] = [value(p.steps), value(p.squares), p.hit as number, this.spec.steps];
      this.need(sum >= 0 && sum <= hit * steps, `${field}.passage.steps`, `a sum of ${hit} hit steps outside [0, ${hit}·${steps}]`);
      this.need(squares >= 0 && squares <= hit * steps * steps, `${field}.passage.squares`, 'a sum of squares outside its range');
    }
    const w = k.work as Record<string, unknown> | undefined;
    if (!w) return;
    this.need(
      isInt(w.count, 0, n) && isInt(w.nonFinite, 0, n) && (w.count as number) + (w.nonFinite as number) === n,
      `${field}.work.count`,
      `count + nonFinite is not the part's ${n} particles`,
    );
    this.need(isExact(w.sum) && isExact(w.squares) && nonNegative(w.squares), `${field}.work.sum`, 'not exact sums');
    for (const e of ['exp', 'exp2']) this.expSum(w[e], `${field}.work.${e}`);
    const T = this.spec.temperature as number;
    const terms = (w.exp as { buckets: unknown[] }).buckets.length;
    this.need(T === 0 || w.count === 0 || terms > 0, `${field}.work.exp`, 'empty for walkers with a work');
    this.need(Number.isFinite(value(w.sum)) && Number.isFinite(value(w.squares)), `${field}.work.sum`, 'not finite');
    this.need(
      isArray(w.replicates) && isArray(w.weights, (w.replicates as unknown[]).length),
      `${field}.work.replicates`,
      'not replicates with their weights',
    );
    (w.replicates as unknown[]).forEach((r, i) => this.expSum(r, `${field}.work.replicates[${i}]`));
    this.need(
      (w.weights as unknown[]).every((c) => isInt(c, 0, 16 * n)),
      `${field}.work.weights`,
      'not bootstrap weights of this part',
    );
    const f = w.fine as Record<string, unknown>;
    this.need(
      isInt(f?.exponent, -1100, 1100) &&
        Number.isSafeInteger(f.low) &&
        isArray(f.counts) &&
        f.counts.length <= 4096 &&
        f.counts.every((c) => isInt(c, 0, n)),
      `${field}.work.fine`,
      'not a histogram of this part',
    );
    this.need((f.counts as number[]).reduce((a, b) => a + b, 0) === w.count, `${field}.work.fine.counts`, 'do not add up to count');
  }

  /** the count of the last moments reduction: the covariance after it counts at least as many */
  private lastCount: number | undefined;

  call(c: LoggedCall, at: string): void {
    const D = this.spec.dims;
    if (c.kind === 'observe' || c.kind === 'moments') {
      this.sums(c.moments, `${at}.moments`, true);
      this.lastCount = c.moments.count;
    }
    if (c.kind === 'histogram') this.histogram(c.histogram, `${at}.histogram`);
    if (c.kind === 'covariance') {
      const v = c.covariance as unknown as Record<string, unknown>;
      this.need(isInt(v?.count, 0, this.shard.particles), `${at}.covariance.count`, 'not a count of this part');
      this.need(isArray(v.s1, D) && v.s1.every(isExact), `${at}.covariance.s1`, `not ${D} exact sums`);
      this.need(isArray(v.s2, (D * (D + 1)) / 2) && v.s2.every(isExact), `${at}.covariance.s2`, `not ${(D * (D + 1)) / 2} exact sums`);
      // the diagonal (a, a) sits at a·D − a(a − 1)/2 of the upper triangle
      const diagonal = Array.from({ length: D }, (_, a) => (v.s2 as unknown[])[a * D - (a * (a - 1)) / 2]);
      this.need(diagonal.every(nonNegative), `${at}.covariance.s2`, 'a sum of squares below 0');
      // particles with finite coordinates: at least those the moments counted (finite energy too)
      this.need(
        this.lastCount === undefined || (v.count as number) >= this.lastCount,
        `${at}.covariance.count`,
        'fewer than the moments before it counted',
      );
    }
    if (c.kind === 'kinetics') this.kinetics(c.kinetics as unknown as Record<string, unknown>, `${at}.kinetics`);
    if (c.kind !== 'observe') return;
    if (c.velocity) this.sums(c.velocity, `${at}.velocity`, false);
    if (c.histogram) this.histogram(c.histogram, `${at}.histogram`);
    const a = c.acceptance as unknown as Record<string, unknown> | undefined;
    if (a)
      this.need(
        isInt(a.proposed, 0, Number.MAX_SAFE_INTEGER) && isInt(a.accepted, 0, a.proposed as number),
        `${at}.acceptance`,
        'not accepted ≤ proposed counts',
      );
  }

  log(log: ShardLog): void {
    this.need(isArray(log.calls), 'log.calls', 'not a list');
    log.calls.forEach((c, i) => {
      const at = `log.calls[${i}]`;
      this.need(
        typeof c === 'object' && c !== null && ['observe', 'moments', 'histogram', 'covariance', 'kinetics'].includes(c.kind),
        `${at}.kind`,
        'not a reduction',
      );
      this.call(c, at);
    });
    this.need(
      typeof log.particles === 'object' && log.particles !== null && !Array.isArray(log.particles),
      'log.particles',
      'not an object',
    );
    for (const [k, x] of Object.entries(log.particles)) {
      this.index(/^\d+$/.test(k) ? Number(k) : k, `log.particles["${k}"]`);
      this.need(isArray(x, this.spec.dims) && x.every(isNum), `log.particles["${k}"]`, `not ${this.spec.dims} numbers`);
    }
  }
}

/**
 * Check a part's `shard` section against the spec its parts share: its range is shard `index` of `count`,
 * its log hashes to `logHash` and holds only what a run of its particles can produce.
 * @throws MergeError naming the part and the field
 */
export async function checkShard(name: string, spec: RunSpec, shard: ShardSection): Promise<void> {
  const check = new PartCheck(name, spec, shard);
  check.need(isInt(shard.count, 1, Number.MAX_SAFE_INTEGER), 'count', `got ${JSON.stringify(shard.count)}; an integer ≥ 1`);
  check.need(isInt(shard.index, 0, shard.count - 1), 'index', `got ${JSON.stringify(shard.index)}; an integer 0 … ${shard.count - 1}`);
  let range: ReturnType<typeof shardRange>;
  try {
    range = shardRange(spec.particles, shard.index, shard.count);
  } catch {
    return check.refuse('count', `${shard.count} shards of ${spec.particles} particles cannot be`);
  }
  check.need(
    shard.first === range.first && shard.particles === range.count,
    'first',
    `shard ${shard.index} of ${shard.count} holds particles [${range.first}, ${range.first + range.count}), not what the part says`,
  );
  check.need(
    typeof shard.logHash === 'string' && shard.logHash === (await sha256Hex(canonicalJson(shard.log))),
    'logHash',
    'does not match its log',
  );
  check.log(shard.log);
}
