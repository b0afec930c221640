/**
 * Why particles are non-finite, said honestly. A particle counts as
 * non-finite when a coordinate or its energy is not finite in f32 (the GPU's
 * test, mirrored on the CPU). Three causes, told apart from an example
 * particle and, when that particle's position is already NaN, from a probe of
 * the potential where the ensemble has been:
 * - the potential is NaN at a finite position (outside its domain, e.g. the
 *   square root of a negative number): not the step size;
 * - the energy overflows f32 at a finite position (|E| > 3.4·10^38);
 * - neither: the positions left the f32 range, i.e. the dynamics blew up (the
 *   step is too large for the potential).
 */
import type { Moments } from '../backend.ts';
import type { CompiledPotential } from '../potential/index.ts';
import type { RunSpec } from '../spec.ts';
import { mulberry32 } from '../stats/prng.ts';

export type Cause =
  /** E(x) is NaN at this finite position */
  | { kind: 'domain'; x: number[] }
  /** E(x) (energy units) overflows f32 at this finite position */
  | { kind: 'overflow'; x: number[]; energy: number }
  /** the positions left the f32 range */
  | { kind: 'blow-up' };

/** The non-finite particles at one observation and why. */
export interface NonFinite {
  count: number;
  cause?: Cause;
}

const finiteF32 = (v: number) => Number.isFinite(Math.fround(v));

/** The cause at one particle's position (as read back), or undefined when the position and its energy are finite in f32. */
export function causeAt(potential: CompiledPotential, x: number[]): Cause | undefined {
  if (!x.every(finiteF32)) return { kind: 'blow-up' };
  const energy = potential.energy(x);
  if (Number.isNaN(energy)) return { kind: 'domain', x };
  if (!finiteF32(energy)) return { kind: 'overflow', x, energy };
  return undefined;
}

/** Where the ensemble has been: the initial region and, when known, the finite particles' mean ± 6 standard deviations. */
export function visitedBox(spec: RunSpec, moments: Moments | undefined): { low: number[]; high: number[] } {
  const init = spec.init;
  const low: number[] = [];
  const high: number[] = [];
  for (let d = 0; d < spec.dims; d++) {
    const [a, b] =
      init.kind === 'normal'
        ? [init.mean[d] - 6 * init.std[d], init.mean[d] + 6 * init.std[d]]
        : init.kind === 'uniform'
          ? [init.low[d], init.high[d]]
          : [init.x[d], init.x[d]];
    const m = moments && moments.count > 0 ? moments.mean[d] : NaN;
    const s = moments && moments.count > 0 ? 6 * Math.sqrt(moments.variance[d]) : NaN;
    low.push(Number.isFinite(m - s) ? Math.min(a, m - s) : a);
    high.push(Number.isFinite(m + s) ? Math.max(b, m + s) : b);
  }
  return { low, high };
}

/**
 * Look for a finite position in `box` where the potential is NaN or
 * overflows f32: `points` seeded uniform points, then the box's corners (at
 * most 256) and centre. The first found, or undefined.
 */
export function probe(
  potential: CompiledPotential,
  box: { low: number[]; high: number[] },
  points = probePoints(potential),
): Cause | undefined {
  const D = box.low.length;
  const rand = mulberry32(20261206);
  const corners = Math.min(2 ** D, 256);
  for (let k = 0; k < points + corners + 1; k++) {
    const x = box.low.map((lo, d) => {
      const hi = box.high[d];
      if (k < points) return lo + (hi - lo) * rand();
      if (k < points + corners) return (k - points) & (1 << d) ? hi : lo;
      return (lo + hi) / 2;
    });
    const c = causeAt(potential, x);
    if (c && c.kind !== 'blow-up') return c;
  }
  return undefined;
}

/** 4096 points, fewer for a potential from data (each energy sums over its rows): about 2^22 row evaluations at most. */
function probePoints(potential: CompiledPotential): number {
  return potential.data ? Math.max(8, Math.min(4096, Math.floor(2 ** 22 / potential.data.rows))) : 4096;
}

/** A position for a message: up to 4 significant digits per coordinate. */
function at(x: number[]): string {
  return `[${x.map((v) => Number(v.toPrecision(4))).join(', ')}]`;
}

/** What a cause says, completing "… because". */
function because(c: Cause | undefined): string {
  if (c?.kind === 'domain')
    return `the potential is NaN at x = ${at(c.x)} (outside its domain, e.g. the square root or logarithm of a negative number)`;
  if (c?.kind === 'overflow') return `the energy overflows f32 at x = ${at(c.x)} (E = ${c.energy.toPrecision(4)}, |E| > 3.4e38)`;
  return 'a coordinate is not finite in f32 (|x| > 3.4e38)';
}

/**
 * The warnings for non-finite particles: those already non-finite at step 0
 * (before any step), and those that became non-finite during the run, each
 * with its cause. Only a blow-up blames the step size.
 * @param dt the spec's step size as the message shows it
 */
export function nonFiniteWarnings(particles: number, dt: string, start: NonFinite | undefined, end: NonFinite): string[] {
  const out: string[] = [];
  const before = start?.count ?? 0;
  if (before > 0)
    out.push(
      `${before} of ${particles} particles are non-finite at step 0, before any step, because ${because(start?.cause)}: check init and the potential.`,
    );
  const grew = end.count - before;
  if (grew <= 0) return out;
  const c = end.cause;
  if (c === undefined || c.kind === 'blow-up') {
    out.push(`${grew} of ${particles} particles became non-finite: the step is too large for this potential; lower dt (now ${dt}).`);
  } else {
    out.push(
      `${grew} of ${particles} particles became non-finite during the run because ${because(c)}; this is not the step size: restrict the potential to where it is defined, or keep the particles away from there.`,
    );
  }
  return out;
}
