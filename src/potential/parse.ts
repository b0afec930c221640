/**
 * The expression parser: source text → a small syntax tree with the position
 * of every node. It reads the language of mathjs's `parse` (which the
 * compiler used before, and which the tests keep as an oracle) restricted to
 * what a potential may use, with the same precedence, associativity and
 * implicit multiplication, so the same text means the same tree:
 *
 *   sum      := product (('+' | '-') product)*                 left-assoc
 *   product  := implicit (('*' | '/') implicit)*               left-assoc
 *   implicit := rule2 rule2*         juxtaposition: `2x`, `2 x`, `x y`, `2(x+1)`, `(x+1)(x-1)`
 *   rule2    := unary ('/' number unary)*   only where a number (or ±number) is divided by a
 *                                    number followed by a name or '(': `1/2x` = (1/2)·x
 *   unary    := ('-' | '+') unary | power                     `-x^2` = −(x²)
 *   power    := primary ('^' unary)?                          right-assoc: `x^y^z` = x^(y^z), `2^-x`
 *   primary  := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
 *
 * Numbers are decimal (`2`, `.5`, `5.`, `1e-3`, `2E+5`); names are letters,
 * digits, `_` and `$`, not starting with a digit (mathjs's Latin, Greek and
 * letter-like Unicode letters included, so such a name is refused as an
 * unknown symbol, not as a stray character); `#` starts a comment to the end
 * of the line; spaces, tabs and no-break spaces separate tokens, and so does a
 * line break inside brackets or after an operator (elsewhere it would start a
 * second statement). The rest of mathjs's language (comparisons, `!`, `%`,
 * `mod`, strings, matrices, `=`, `;`, `?:`, `.` accessors, hexadecimal
 * numbers, …) is tokenized only to be refused at its character.
 *
 * Recursion is bounded: brackets by the caller (MAX_EXPRESSION_NESTING,
 * checked before parsing), chains of unary signs and powers here, before each
 * recursive call.
 */
import { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_NESTING } from '../limits.ts';
import { ParseError, tokenize, unsupported, type Token } from './tokens.ts';

export { ParseError } from './tokens.ts';

/** Operators of the syntax tree: binary + - * / ^, unary minus `neg` and unary plus `pos`. */
export type Op = '+' | '-' | '*' | '/' | '^' | 'neg' | 'pos';

/**
 * A node of the syntax tree. `at` is the 0-based position in the source of
 * its token (a binary operator's is the operator's); `parens` counts the
 * brackets around it.
 */
export type Node = (
  | { t: 'num'; v: number; text: string }
  | { t: 'name'; name: string }
  | { t: 'call'; name: string; args: Node[] }
  | { t: 'op'; op: Op; args: Node[] }
) & { at: number; parens: number };

/** Most unary signs, powers and brackets the parser enters inside one another: more would nest deeper than MAX_EXPRESSION_DEPTH. */
const MAX_PARSE_LEVEL = MAX_EXPRESSION_DEPTH + MAX_EXPRESSION_NESTING;

/**
 * Parse an expression.
 * @throws ParseError at the character of the first problem (the outermost unsupported construct, else the first syntax error)
 */
export function parseExpression(source: string): Node {
  const tokens = tokenize(source);
  const refused = unsupported(tokens);
  if (refused !== undefined) throw refused;
  return new Parser(tokens).parse();
}

/** Recursive descent over the tokens, one method per level of the grammar above (mathjs's parse levels). */
class Parser {
  private k = 0;
  private level = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.sum();
    const tok = this.tok;
    if (tok.kind !== 'end') throw this.syntax(tok.kind === 'op' ? `Unexpected operator ${tok.text}` : `Unexpected part "${tok.text}"`);
    return node;
  }

  private get tok(): Token {
    return this.tokens[this.k];
  }

  private is(text: string): boolean {
    return this.tok.kind === 'op' && this.tok.text === text;
  }

  private syntax(message: string): ParseError {
    return new ParseError('syntax', message, this.tok.at);
  }

  /** Run `f` one level deeper, refusing past MAX_PARSE_LEVEL before recursing. */
  private deeper<T>(f: () => T): T {
    if (++this.level > MAX_PARSE_LEVEL) throw new ParseError('deep', 'nested too deeply', this.tok.at);
    const result = f();
    this.level--;
    return result;
  }

  /** A left-associative chain of `ops` between operands parsed by `operand`. */
  private chain(ops: readonly [Op, Op], operand: () => Node): Node {
    let node = operand();
    while (this.is(ops[0]) || this.is(ops[1])) {
      const { text, at } = this.tok;
      this.k++;
      node = op(text as Op, at, node, operand());
    }
    return node;
  }

  private sum(): Node {
    return this.chain(['+', '-'], () => this.product());
  }

  private product(): Node {
    return this.chain(['*', '/'], () => this.implicit());
  }

  /** Juxtaposition, as mathjs: before a name or '(' always, before a number unless the last factor is a number or an operation. */
  private implicit(): Node {
    let node = this.rule2();
    let last = node;
    for (;;) {
      const tok = this.tok;
      const bare = last.parens === 0;
      if (tok.kind === 'name' || this.is('(') || (tok.kind === 'num' && !(bare && (last.t === 'num' || last.t === 'op')))) {
        last = this.rule2();
        node = op('*', tok.at, node, last);
      } else return node;
    }
  }

  /** mathjs's "rule 2": a number (or ±number) over a number followed by a name or '(' is a fraction that multiplies what follows. */
  private rule2(): Node {
    let node = this.unary();
    let last = node;
    while (this.is('/') && isRule2(last)) {
      const next = this.tokens[this.k + 1];
      const after = this.tokens[this.k + 2];
      if (next.kind !== 'num' || !(after.kind === 'name' || (after.kind === 'op' && after.text === '('))) break;
      const at = this.tok.at;
      this.k++;
      last = this.unary();
      node = op('/', at, node, last);
    }
    return node;
  }

  private unary(): Node {
    if (this.is('-') || this.is('+')) {
      const { text, at } = this.tok;
      this.k++;
      return op(
        text === '-' ? 'neg' : 'pos',
        at,
        this.deeper(() => this.unary()),
      );
    }
    return this.power();
  }

  private power(): Node {
    const base = this.primary();
    if (!this.is('^')) return base;
    const at = this.tok.at;
    this.k++;
    return op(
      '^',
      at,
      base,
      this.deeper(() => this.unary()),
    );
  }

  private primary(): Node {
    const tok = this.tok;
    if (tok.kind === 'name') {
      this.k++;
      if (!this.is('(')) return { t: 'name', name: tok.text, at: tok.at, parens: 0 };
      const args = this.deeper(() => this.bracketed(true));
      return { t: 'call', name: tok.text, args, at: tok.at, parens: 0 };
    }
    if (tok.kind === 'num') {
      this.k++;
      return { t: 'num', v: Number(tok.text), text: tok.text, at: tok.at, parens: 0 };
    }
    if (this.is('(')) {
      const [inner] = this.deeper(() => this.bracketed(false));
      return { ...inner, parens: inner.parens + 1 };
    }
    throw this.syntax(tok.kind === 'end' ? 'Unexpected end of expression' : 'Value expected');
  }

  /** `( sum )`, or the arguments of a call `( [sum (, sum)*] )`, from the '(' on. */
  private bracketed(call: boolean): Node[] {
    this.k++;
    const items: Node[] = [];
    if (!(call && this.is(')'))) {
      items.push(this.sum());
      while (call && this.is(',')) {
        this.k++;
        items.push(this.sum());
      }
    }
    if (!this.is(')')) throw this.syntax('Parenthesis ) expected');
    this.k++;
    return items;
  }
}

function op(o: Op, at: number, ...args: Node[]): Node {
  return { t: 'op', op: o, args, at, parens: 0 };
}

/** mathjs's `rule2Node`: a bare number, or a bare unary sign of a bare number. */
function isRule2(n: Node): boolean {
  const bareNum = (m: Node) => m.t === 'num' && m.parens === 0;
  return bareNum(n) || (n.t === 'op' && n.parens === 0 && (n.op === 'neg' || n.op === 'pos') && bareNum(n.args[0]));
}
