/** The command line's own input error (a bad option, a bad --out path): exit 2, like every InputError. */
import { InputError } from '../errors.ts';

/** Input error of the command line itself; the message names the option, the value and what is allowed. */
export class UsageError extends InputError {
  override readonly name = 'UsageError';
}
