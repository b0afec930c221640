/** Shared by the input tests: the error `prepare` throws for a raw spec. */
import { prepare } from '../../src/engine.ts';
import { InputError } from '../../src/errors.ts';

/** The error `prepare` throws for `raw`, which must be an InputError (anything else, or no error, fails the test). */
export function refusal(raw: unknown): InputError {
  try {
    prepare(raw);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw new Error(`expected an InputError, got ${String(e)}`);
  }
  throw new Error(`expected ${JSON.stringify(raw)?.slice(0, 200)} to be refused`);
}
