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

/** Compact, bounded rendering of a user value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  } catch {
    s = String(value);
  }
  if (s === undefined) s = String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
