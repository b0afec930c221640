/**
 * Checks of single spec fields. Each throws a SpecError naming the field (a
 * dotted path), the value given and what is allowed.
 */
import { describeValue, SpecError } from '../errors.ts';
import { F32_MAX } from '../limits.ts';
import { keyPath } from '../values.ts';

/** A JSON object being validated. */
export type Obj = Record<string, unknown>;

/** Refuse any key of `v` not in `allowed`, naming the first one and listing the allowed fields. */
export function checkKeys(v: Obj, field: string, allowed: string[]): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) {
      throw new SpecError(keyPath(field, k), v[k], `unknown field; allowed fields${field ? ' of ' + field : ''}: ${allowed.join(', ')}`);
    }
  }
}

/** What the f32 range check adds to a field's `allowed` text. */
const F32_RANGE = `within the 32-bit float range the GPU computes in (|x| ≤ ${F32_MAX})`;

/**
 * A real number: finite, meeting `cond`, and within the f32 range (every real
 * number of a spec reaches the GPU as f32, where a larger one would be Infinity).
 */
export function finite(v: unknown, field: string, cond: (x: number) => boolean = () => true, allowed = 'must be a finite number'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !cond(v)) throw new SpecError(field, v, allowed);
  if (Math.abs(v) > F32_MAX) throw new SpecError(field, v, `${allowed}, ${F32_RANGE}`);
  return v;
}

/** An integer from `min` to `max`. */
export function integer(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SpecError(field, v, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

/**
 * The value of an optional field, undefined when it is absent. `null` is
 * refused: a spec leaves a field out to get its default, and `null` is not a
 * value of any field. Own keys only, so a name such as `constructor` never
 * reads Object.prototype.
 * @param absent what leaving the field out means, e.g. "to use the default (1)"
 */
export function optional(v: Obj, key: string, field: string, absent: string): unknown {
  const x = Object.hasOwn(v, key) ? v[key] : undefined;
  if (x === null) throw new SpecError(field, x, `omit the field ${absent}`);
  return x;
}

/** An optional field's value, or `def` when it is absent (`null` is refused, see {@link optional}). */
export function withDefault(v: Obj, key: string, field: string, def: unknown): unknown {
  return optional(v, key, field, `to use the default (${describeValue(def)})`) ?? def;
}

/** A number broadcast to D, or an array of exactly D finite numbers. */
export function vector(
  v: unknown,
  field: string,
  dims: number,
  cond: (x: number) => boolean = () => true,
  what = 'finite numbers',
): number[] {
  if (typeof v === 'number') {
    finite(v, field, cond, `must be a number (used for every coordinate) or an array of ${dims} ${what}`);
    return new Array<number>(dims).fill(v);
  }
  if (!Array.isArray(v) || v.length !== dims) {
    throw new SpecError(field, v, `must be a number (used for every coordinate) or an array of ${dims} ${what} (dims = ${dims})`);
  }
  return v.map((x, i) => finite(x, `${field}[${i}]`, cond, `elements must be ${what}`));
}
