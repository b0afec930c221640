/**
 * Parameters: from `potential.params` as written to the scalar names and
 * values the compiled potential reads by index (`p{i}`, `potential_params[i]`).
 * An array expands to one scalar per element: `k: [1, 4]` gives k_0, k_1.
 */
import { describeValue } from '../errors.ts';
import { F32_MAX, MAX_IDENTIFIER_LENGTH } from '../limits.ts';
import { isIdentifier, isObject, keyPath } from '../values.ts';
import type { CatalogEntry } from './catalog.ts';
import { PotentialError } from './error.ts';
import type { PotentialSpec } from './types.ts';
import { isReserved, USER_FUNCTIONS, variableNames } from './vocabulary.ts';

/** Scalar parameters in uniform order: `values[i]` is parameter `names[i]`. */
export interface Params {
  names: string[];
  values: number[];
}

/**
 * Parameters of a built-in: its own, in catalog order, defaults filled in; a
 * per-dimension parameter takes one number (broadcast) or D of them.
 * @throws PotentialError for an unknown name, a wrong count or a value that is not a finite number
 */
export function catalogParams(entry: CatalogEntry, given: PotentialSpec['params'], dims: number, field: string): Params {
  const obj = paramObject(given, field);
  rejectUnknown(entry, obj, field);
  const names: string[] = [];
  const values: number[] = [];
  for (const [key, def] of Object.entries(entry.params)) {
    const f = `${field}.params.${key}`;
    const v = Object.hasOwn(obj, key) ? obj[key] : def.default;
    if (def.perDimension) {
      if (Array.isArray(v) && v.length !== dims) {
        throw new PotentialError(
          f,
          v,
          `${f}: got ${describeValue(v)} (${v.length} numbers); expected one number (used for every dimension) or ${dims} numbers, one per dimension (dims = ${dims})`,
        );
      }
      const list = Array.isArray(v) ? v : Array<unknown>(dims).fill(v);
      list.forEach((x, i) => {
        names.push(`${key}_${i}`);
        values.push(finite(x, Array.isArray(v) ? `${f}[${i}]` : f, 'a finite number'));
      });
    } else {
      if (Array.isArray(v))
        throw new PotentialError(
          f,
          v,
          `${f}: got ${describeValue(v)}; expected a single finite number (this parameter is not per-dimension)`,
        );
      names.push(key);
      values.push(finite(v, f, 'a finite number'));
    }
  }
  return { names, values };
}

/** A built-in takes only its own parameters; the message lists them. */
function rejectUnknown(entry: CatalogEntry, obj: Record<string, unknown>, field: string): void {
  const known = Object.keys(entry.params);
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(entry.params, key)) {
      const f = keyPath(`${field}.params`, key);
      throw new PotentialError(
        f,
        obj[key],
        `${f}: unknown parameter ${shownName(key)} for potential '${entry.name}'; ${known.length ? `known parameters: ${known.join(', ')}` : 'it takes no parameters'}`,
      );
    }
  }
}

/**
 * Parameters of an expression (or a potential from data), in the order given:
 * numbers, or arrays `a: [1, 2]` expanded to a_0, a_1.
 * @throws PotentialError for a name the language reserves, a name defined twice or a value that is not a finite number
 */
export function expressionParams(given: PotentialSpec['params'], dims: number, field: string): Params {
  const obj = paramObject(given, field);
  const names: string[] = [];
  const values: number[] = [];
  const add = (name: string, value: number, f: string) => {
    if (names.includes(name))
      throw new PotentialError(f, value, `${f}: parameter '${name}' is defined twice (an array parameter a: [...] defines a_0, a_1, …)`);
    names.push(name);
    values.push(value);
  };
  for (const [key, v] of Object.entries(obj)) {
    const f = keyPath(`${field}.params`, key);
    if (!isIdentifier(key) || isReserved(key, dims)) {
      throw new PotentialError(
        f,
        key,
        `${f}: ${shownName(key)} cannot be a parameter name; use letters, digits and _ (not starting with a digit, at most ${MAX_IDENTIFIER_LENGTH} characters), other than the variables (${variableNames(dims).join(', ')}; x0, x1, … at any dims), the constants pi, e and the function names ${USER_FUNCTIONS.join(', ')}`,
      );
    }
    if (Array.isArray(v)) {
      if (v.length === 0)
        throw new PotentialError(f, v, `${f}: got an empty array; expected a finite number or a non-empty array of finite numbers`);
      v.forEach((x, i) => add(`${key}_${i}`, finite(x, `${f}[${i}]`, 'a finite number'), f));
    } else {
      add(key, finite(v, f, 'a finite number or an array of finite numbers'), f);
    }
  }
  return { names, values };
}

/** A name as a message shows it: 'k' when short and printable, else escaped and shortened. */
function shownName(key: string): string {
  return key.length <= MAX_IDENTIFIER_LENGTH && /^[\x20-\x7e]*$/.test(key) ? `'${key}'` : describeValue(key);
}

/** `params` as an object (absent means none). */
function paramObject(given: unknown, field: string): Record<string, unknown> {
  if (given === undefined) return {};
  if (!isObject(given)) {
    throw new PotentialError(
      `${field}.params`,
      given,
      `${field}.params: got ${describeValue(given)}; expected an object of name: number (or array of numbers)`,
    );
  }
  return given;
}

/** A parameter value, which must be a finite number within the f32 range (the GPU reads parameters as f32). */
function finite(v: unknown, field: string, expected: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new PotentialError(field, v, `${field}: got ${describeValue(v)}; expected ${expected}`);
  if (Math.abs(v) > F32_MAX)
    throw new PotentialError(
      field,
      v,
      `${field}: got ${describeValue(v)}; expected ${expected} within the 32-bit float range the GPU computes in (|x| ≤ ${F32_MAX})`,
    );
  return v;
}
