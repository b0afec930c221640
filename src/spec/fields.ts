/**
 * Checks of single spec fields. Each throws a SpecError naming the field (a
 * dotted path), the value given and what is allowed.
 */
import { SpecError } from '../errors.ts';

/** A JSON object being validated. */
export type Obj = Record<string, unknown>;

export function checkKeys(v: Obj, field: string, allowed: string[]): void {
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) {
      throw new SpecError(
        `${field ? field + '.' : ''}${k}`,
        v[k],
        `unknown field; allowed fields${field ? ' of ' + field : ''}: ${allowed.join(', ')}`,
      );
    }
  }
}

export function finite(v: unknown, field: string, cond: (x: number) => boolean = () => true, allowed = 'must be a finite number'): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !cond(v)) throw new SpecError(field, v, allowed);
  return v;
}

export function integer(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SpecError(field, v, `must be an integer from ${min} to ${max}`);
  }
  return v;
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
