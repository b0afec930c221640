/**
 * Random expressions for the parser and gradient cross-checks against mathjs:
 * every function and operator of the language, in the surface forms users
 * write (implicit multiplication `2x`, `2 x`, `x y`, `2(x+1)`, `(x+1)(y-1)`,
 * mathjs's `1/2x`, unary chains, `2^-x`, every way of writing a number, line
 * breaks after operators and inside brackets, `#` comments), seeded.
 */
import type { Random } from '../fuzz/mutations.ts';
import { USER_FUNCTIONS } from '../../src/potential/vocabulary.ts';

/** Names an expression may use at D = 2 with parameters a and b. */
export const NAMES = ['x', 'y', 'x0', 'x1', 'a', 'b', 'pi', 'e'];
const NUMBERS = ['2', '3', '0.5', '.5', '3.', '1e-1', '2E+0', '1.5e1', '0.25', '7'];
const SPACES = ['', ' ', ' ', '  ', '\t', '\u00A0'];

/** A random expression nested about `depth` levels, text as a user could write it. */
export function randomExpression(r: Random, depth: number): string {
  const s = () => r.pick(SPACES);
  const name = () => r.pick(NAMES);
  const number = () => r.pick(NUMBERS);
  const sub = () => randomExpression(r, depth - 1);
  const paren = () => `(${r.chance(0.1) ? '\n' : ''}${sub()}${s()})`;
  if (depth <= 0 || r.chance(0.15)) return r.chance(0.5) ? name() : number();
  switch (r.int(11)) {
    case 0:
    case 1:
    case 2: {
      // a binary operator over operands as written: bare or in brackets, whatever the precedence
      const operand = () => (r.chance(0.5) ? paren() : sub());
      return `${operand()}${s()}${r.pick(['+', '-', '*', '/', '^'])}${r.chance(0.05) ? '\n' : s()}${operand()}`;
    }
    case 3:
      return `${r.pick(['-', '+', '-', '- -', '-+'])}${s()}${r.chance(0.5) ? paren() : sub()}`;
    case 4:
    case 5:
      return `${r.pick(USER_FUNCTIONS)}${r.chance(0.2) ? ' ' : ''}(${sub()})`;
    case 6:
      return r.pick([`${number()}${name()}`, `${number()} ${name()}`, `${name()} ${name()}`, `${number()}${paren()}`]);
    case 7:
      return r.pick([`${paren()}${paren()}`, `${paren()} ${name()}`, `${paren()}${s()}${number()}`, `${name()}${s()}*${paren()}`]);
    case 8:
      // mathjs's "rule 2": a fraction of numbers before a name or a bracket
      return `${r.pick(['', '-', '+'])}${r.pick(['1', '3', '2.5'])}/${r.pick(['2', '4'])}${r.pick(['', ' '])}${r.chance(0.5) ? name() : paren()}`;
    case 9:
      return `${r.chance(0.5) ? paren() : name()}^${s()}${r.pick(['-', '', '+'])}${r.chance(0.5) ? number() : paren()}`;
    default:
      return paren();
  }
}

/** A random expression, sometimes with a `#` comment at the end. */
export function randomSource(r: Random): string {
  const text = randomExpression(r, 2 + r.int(4));
  return r.chance(0.1) ? `${text} # ${r.pick(['note', 'x^2 + 1', "it's (x", '\u2028fn f() {}'])}` : text;
}
