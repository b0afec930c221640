/**
 * The names of the expression language: coordinates (x, y, z, w for D ≤ 4,
 * and x0 … x{D−1} at any D), the constants pi and e and the elementary
 * functions. The lowering accepts exactly these (lower.ts; the operators are
 * the parser's, parse.ts); a
 * parameter or data column may not take one of them (params.ts).
 */
import type { Fn } from './ir.ts';

/** Functions allowed in expressions (`sign` is internal: it only arises from differentiating abs). */
export const USER_FUNCTIONS: readonly Fn[] = [
  'sin',
  'cos',
  'tan',
  'exp',
  'log',
  'sqrt',
  'abs',
  'tanh',
  'sinh',
  'cosh',
  'atan',
  'asin',
  'acos',
];
/** Named constants and their values. */
export const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };
/** Letters naming x0 … x3 when D ≤ 4. */
export const LETTERS: readonly string[] = ['x', 'y', 'z', 'w'];

/** Coordinate index of a variable name for D dimensions (x, y, z, w only when `letters` and D ≤ 4), or undefined. */
export function coordinate(name: string, dims: number, letters: boolean): number | undefined {
  const m = /^x(0|[1-9]\d*)$/.exec(name);
  const i = m ? Number(m[1]) : letters && dims <= LETTERS.length ? LETTERS.indexOf(name) : -1;
  return i >= 0 && i < dims ? i : undefined;
}

/** The variable names of D dimensions, for messages: `x, y, x0, x1` (letters first, where they apply). */
export function variableNames(dims: number, letters = true): string[] {
  const indexed = Array.from({ length: dims }, (_, i) => `x${i}`);
  return letters && dims <= LETTERS.length ? [...LETTERS.slice(0, dims), ...indexed] : indexed;
}

/** Whether a name belongs to the language at D dimensions (a variable, x{i} at any D, a constant or a function), so cannot name a parameter. */
export function isReserved(name: string, dims: number): boolean {
  return (
    coordinate(name, dims, true) !== undefined ||
    /^x\d+$/.test(name) ||
    Object.hasOwn(CONSTANTS, name) ||
    (USER_FUNCTIONS as string[]).includes(name)
  );
}
