/**
 * Errors a user can fix: the base of every input error (a bad spec field, a
 * bad potential expression, text that is not JSON, a bad data file). The CLI
 * prints `message` alone (no stack) and exits 2; the runner page shows it
 * beside the spec. Callers catch this one type.
 */
export class InputError extends Error {
  override readonly name: string = 'InputError';
}

/**
 * A spec field with a bad value. Every message names the field, the value
 * given and what is allowed.
 */
export class SpecError extends InputError {
  override readonly name = 'SpecError';
  /**
   * @param field dotted path into the spec, e.g. `init.std[1]`
   * @param value the offending value as given
   * @param allowed what would have been accepted
   */
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
    readonly position?: number,
  ) {
    super(`${field}: got ${describeValue(value)}; ${allowed}`);
  }
}

/** A failure of the machine rather than of the input (no adapter, device lost, out of memory): exit 1. */
export class RuntimeFailure extends Error {
  override readonly name = 'RuntimeFailure';
}

/**
 * A string as a JSON string literal, with the line separators JSON leaves
 * raw (U+0085, U+2028, U+2029) escaped too, so that it never breaks a
 * message's line.
 * @example quoted('a\u2028b') // '"a\\u2028b"'
 */
export function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Longest rendering of a value in a message, in characters. */
const DESCRIBED_LENGTH = 80;

/**
 * Compact, bounded rendering of a user value for error messages: the value's
 * JSON (`NaN`, `Infinity` and non-JSON values as `String` gives them), cut to
 * 80 characters. It reads only as much of the value as it shows, so a value
 * nested a million levels deep, cyclic or huge costs a few steps.
 * @example describeValue([1, [2, 'a']]) // '[1,[2,"a"]]'
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  if (value === null || typeof value === 'object' || typeof value === 'string' || typeof value === 'boolean') {
    const out = new BoundedText(DESCRIBED_LENGTH);
    writeJson(value, out);
    s = out.text();
  } else if (typeof value === 'number' && Number.isFinite(value)) s = JSON.stringify(value);
  else s = String(value);
  return s.length > DESCRIBED_LENGTH ? `${s.slice(0, DESCRIBED_LENGTH - 3)}...` : s;
}

/** Text that stops growing once it is longer than `budget`. */
class BoundedText {
  private readonly parts: string[] = [];
  private length = 0;

  constructor(readonly budget: number) {}

  /** Whether the text already exceeds the budget (later parts would not be shown). */
  get full(): boolean {
    return this.length > this.budget;
  }

  add(s: string): void {
    if (this.full) return;
    this.parts.push(s);
    this.length += s.length;
  }

  text(): string {
    return this.parts.join('');
  }
}

/**
 * JSON.stringify's text of `v`, written until `out` is full. Every level adds
 * a bracket before it descends, so the recursion is at most `out.budget` deep.
 */
function writeJson(v: unknown, out: BoundedText): void {
  if (out.full) return;
  if (typeof v === 'string') return out.add(quoted(v.length > out.budget ? v.slice(0, out.budget) : v));
  if (typeof v === 'number') return out.add(Number.isFinite(v) ? JSON.stringify(v) : 'null');
  if (typeof v === 'boolean') return out.add(String(v));
  if (typeof v === 'bigint') return out.add(String(v));
  if (v === null || typeof v !== 'object') return out.add('null');
  if (Array.isArray(v)) {
    out.add('[');
    for (let i = 0; i < v.length && !out.full; i++) {
      if (i > 0) out.add(',');
      writeJson(v[i], out);
    }
    return out.add(']');
  }
  out.add('{');
  let first = true;
  for (const k of Object.keys(v)) {
    if (out.full) break;
    const x = (v as Record<string, unknown>)[k];
    // JSON.stringify leaves out keys whose values it cannot write.
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    if (!first) out.add(',');
    first = false;
    out.add(`${quoted(k.length > out.budget ? k.slice(0, out.budget) : k)}:`);
    writeJson(x, out);
  }
  out.add('}');
}
