/** The one error type of the potential compiler. */
import { InputError } from '../errors.ts';

/**
 * An error in a potential spec that the user can fix. The message names the
 * field, the value given and what is allowed; for expressions it also shows
 * the position with a caret under the offending character.
 */
export class PotentialError extends InputError {
  override readonly name = 'PotentialError';
  /**
   * @param field dotted path into the spec, e.g. `potential.expr` or `potential.params.k`
   * @param value the offending value as given
   * @param message the complete, self-explanatory message
   * @param position 0-based index into the expression string, where applicable
   */
  constructor(
    readonly field: string,
    readonly value: unknown,
    message: string,
    readonly position?: number,
  ) {
    super(message);
  }
}
