/** Checks on values parsed from JSON, shared by the validators. */
import { describeValue } from './errors.ts';
import { MAX_IDENTIFIER_LENGTH } from './limits.ts';

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A key that reads safely in a dotted field path: short, and only letters, digits, _, $ and -. */
const PLAIN_KEY = new RegExp(`^[A-Za-z0-9_$-]{1,${MAX_IDENTIFIER_LENGTH}}$`);

/**
 * The field path of `key` inside `parent`: `parent.key`, or, for a key that
 * is empty, long or holds other characters (line breaks, quotes, dots),
 * `parent["…"]` with the key escaped and shortened, so a message built from
 * it stays one bounded line.
 * @example keyPath('potential.params', 'k') // 'potential.params.k'
 */
export function keyPath(parent: string, key: string): string {
  if (PLAIN_KEY.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent || 'spec'}[${describeValue(key)}]`;
}

/** An identifier of the expression language (a parameter or a data column name): letters, digits and _, not starting with a digit, at most MAX_IDENTIFIER_LENGTH characters. */
export function isIdentifier(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_IDENTIFIER_LENGTH && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** Names for a message, comma-separated: all of them up to 24, else the first 24 and how many there are. */
export function nameList(names: readonly string[]): string {
  const shown = 24;
  return names.length <= shown ? names.join(', ') : `${names.slice(0, shown).join(', ')}, … (${names.length} in all)`;
}
