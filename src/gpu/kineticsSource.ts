/**
 * The WGSL of a run's first-passage region, generated like the potential:
 * `region_contains(x)` and `bridge_probability(a, b, t, h)` with the region's
 * bounds as f32 literals and the coordinates unrolled (no loops or indexed
 * arrays: on a software adapter those cost more than the step). They compute
 * what src/integrators/passage.ts computes in float64: a closed box (a side
 * that is unbounded is not compared) or a closed ball, false for a non-finite
 * coordinate; per bounded face, when both ends lie beyond it and the other
 * coordinates of both within the box, exp(−d·d′/(T·h)), skipped when
 * d·d′ ≥ 17·T·h (below the smallest bridge uniform, 2^−24).
 */
import { F32_MAX } from '../limits.ts';
import type { PassageRegion } from '../integrators/passage.ts';

/** A WGSL f32 literal of x rounded to f32 (finite, |x| ≤ F32_MAX). */
export function f32Literal(x: number): string {
  const t = String(Math.fround(Math.max(-F32_MAX, Math.min(F32_MAX, x))));
  return /[.eE]/.test(t) ? t : `${t}.0`;
}

const lit = f32Literal;

/** Coordinate e of both ends within the box's finite bounds (true when it has none). */
function within(r: { low: number[]; high: number[] }, e: number): string[] {
  const out: string[] = [];
  for (const v of ['a', 'b']) {
    if (r.low[e] !== -Infinity) out.push(`${v}[${e}] >= ${lit(r.low[e])}`);
    if (r.high[e] !== Infinity) out.push(`${v}[${e}] <= ${lit(r.high[e])}`);
  }
  return out;
}

function containsBody(r: PassageRegion, dims: number): string[] {
  const ds = Array.from({ length: dims }, (_, d) => d);
  if (r.kind === 'ball') {
    const s = ds.map((d) => `(x[${d}] - ${lit(r.center[d])}) * (x[${d}] - ${lit(r.center[d])})`).join(' + ');
    return [`let s = ${s};`, `return !is_nonfinite(s) && s <= ${lit(r.radius * r.radius)};`];
  }
  const tests = ds.flatMap((d) => [
    `!is_nonfinite(x[${d}])`,
    ...(r.low[d] !== -Infinity ? [`x[${d}] >= ${lit(r.low[d])}`] : []),
    ...(r.high[d] !== Infinity ? [`x[${d}] <= ${lit(r.high[d])}`] : []),
  ]);
  return [`return ${tests.join(' && ')};`];
}

/** One face's term: `cond` says both ends lie beyond it, `dd` is d·d′. */
function face(cond: string, dd: string, others: string[]): string[] {
  const inside = others.length ? ` && ${others.join(' && ')}` : '';
  return [`if (${cond}) {`, `  let dd = ${dd};`, `  if (dd < 17.0 * th${inside}) {`, '    miss *= 1.0 - exp(-dd / th);', '  }', '}'];
}

function bridgeBody(r: PassageRegion, dims: number): string[] {
  if (r.kind === 'ball') return ['return 0.0;'];
  const out = ['let th = t * h;', 'if (!(th > 0.0)) {', '  return 0.0;', '}', 'var miss = 1.0;'];
  for (let d = 0; d < dims; d++) {
    const others = Array.from({ length: dims }, (_, e) => e).flatMap((e) => (e === d ? [] : within(r, e)));
    if (r.low[d] !== -Infinity) {
      const l = lit(r.low[d]);
      out.push(...face(`a[${d}] < ${l} && b[${d}] < ${l}`, `(${l} - a[${d}]) * (${l} - b[${d}])`, others));
    }
    if (r.high[d] !== Infinity) {
      const hi = lit(r.high[d]);
      out.push(...face(`a[${d}] > ${hi} && b[${d}] > ${hi}`, `(a[${d}] - ${hi}) * (b[${d}] - ${hi})`, others));
    }
  }
  return [...out, 'return 1.0 - miss;'];
}

/** `region_contains` and `bridge_probability` for a region (or for none: never inside, no bridge). */
export function regionWGSL(region: PassageRegion | undefined, dims: number): string {
  const fn = (signature: string, body: string[]) => [`fn ${signature} {`, ...body.map((l) => `  ${l}`), '}', ''];
  return [
    ...fn('region_contains(x: array<f32, D>) -> bool', region ? containsBody(region, dims) : ['return false;']),
    ...fn(
      'bridge_probability(a: array<f32, D>, b: array<f32, D>, t: f32, h: f32) -> f32',
      region ? bridgeBody(region, dims) : ['return 0.0;'],
    ),
  ].join('\n');
}
