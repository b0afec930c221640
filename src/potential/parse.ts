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

/**
 * Why a text is not an expression: `syntax` (malformed), `operator` (one of
 * mathjs's that the language lacks), `construct` (matrix, accessor,
 * conditional, assignment, block…), `constant` (a string) or `deep` (more
 * operations nested than the compiler allows).
 */
export class ParseError extends Error {
  constructor(
    readonly kind: 'syntax' | 'operator' | 'construct' | 'constant' | 'deep',
    message: string,
    readonly position: number | undefined,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'num' | 'name' | 'op' | 'str' | 'newline' | 'end';
  text: string;
  at: number;
}

/** Delimiters of mathjs's language, longest first where one is a prefix of another. */
const DELIMITERS3 = new Set(['>>>']);
const DELIMITERS2 = new Set(['.*', './', '.^', '^|', '==', '!=', '<=', '>=', '<<', '>>', '?.', '??']);
const DELIMITERS1 = new Set([...',()[]{}"\';+-*/%^~!&|=:?<>']);
/** Words mathjs reads as operators. */
const NAMED_DELIMITERS = new Set(['mod', 'to', 'in', 'and', 'xor', 'or', 'not']);
/** Tokens after which a value has ended, so a following `'` is a postfix operator and a line break ends the statement. */
const CLOSERS = new Set([')', ']', '}', "'", '!']);

/** Whether `c` is whitespace between tokens (a line break only inside brackets). */
const isBlank = (c: string, nesting: number) => c === ' ' || c === '\t' || c === '\u00A0' || (c === '\n' && nesting > 0);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
/** A decimal point, not the start of `.*`, `./` or `.^`. */
const isDecimalMark = (c: string | undefined, next: string | undefined) => c === '.' && next !== '/' && next !== '*' && next !== '^';

/** Whether the character at `i` is a letter of a name, as mathjs counts them (surrogate pairs of math letters included). */
function isAlpha(s: string, i: number): boolean {
  const c = s[i];
  if (c === undefined) return false;
  if (/^[a-zA-Z_$\u00C0-\u02AF\u0370-\u03FF\u2100-\u214F]$/.test(c)) return true;
  const mathLetter = (hi: string | undefined, lo: string | undefined) =>
    hi === '\uD835' &&
    lo !== undefined &&
    /^[\uDC00-\uDFFF]$/.test(lo) &&
    /^[^\uDC55\uDC9D\uDCA0\uDCA1\uDCA3\uDCA4\uDCA7\uDCA8\uDCAD\uDCBA\uDCBC\uDCC4\uDD06\uDD0B\uDD0C\uDD15\uDD1D\uDD3A\uDD3F\uDD45\uDD47-\uDD49\uDD51\uDEA6\uDEA7\uDFCC\uDFCD]$/.test(
      lo,
    );
  return mathLetter(c, s[i + 1]) || mathLetter(s[i - 1], c);
}

/** A character for a message: itself if printable ASCII, else U+XXXX. */
function showChar(c: string): string {
  return /^[\x21-\x7e]$/.test(c) ? `'${c}'` : `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The tokens of `s`, ending with an `end` token; a line break a statement could end at is a `newline` token. */
function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let nesting = 0;
  let i = 0;
  const push = (kind: Token['kind'], start: number) => tokens.push({ kind, text: s.slice(start, i), at: start });
  for (;;) {
    for (;;) {
      if (s[i] === '#') while (i < s.length && s[i] !== '\n') i++;
      if (i < s.length && isBlank(s[i], nesting)) i++;
      else break;
    }
    const start = i;
    const c = s[i];
    if (c === undefined) {
      push('end', start);
      return tokens;
    }
    const prev = tokens.at(-1);
    if (c === '\n') {
      i++;
      // mathjs skips a line break after an operator; elsewhere it ends a statement.
      if (prev === undefined || prev.kind !== 'op' || CLOSERS.has(prev.text)) push('newline', start);
      continue;
    }
    if (DELIMITERS3.has(s.slice(i, i + 3))) {
      i += 3;
      push('op', start);
      continue;
    }
    const two = s.slice(i, i + 2);
    if (DELIMITERS2.has(two) && (two !== '?.' || !isDigit(s[i + 2]))) {
      i += 2;
      push('op', start);
      continue;
    }
    const valueEnded = prev !== undefined && (prev.kind === 'num' || prev.kind === 'name' || prev.kind === 'str' || CLOSERS.has(prev.text));
    if (c === '"' || (c === "'" && !valueEnded)) {
      // A string, read only to be refused whole: up to the closing quote (escapes skipped) or the end.
      for (i++; i < s.length && s[i] !== c; i++) if (s[i] === '\\') i++;
      i = Math.min(i + 1, s.length);
      push('str', start);
      continue;
    }
    if (DELIMITERS1.has(c)) {
      i++;
      if (c === '(' || c === '[' || c === '{') nesting++;
      else if (c === ')' || c === ']' || c === '}') nesting = Math.max(0, nesting - 1);
      push('op', start);
      continue;
    }
    if (isDigit(c) || c === '.') {
      i = number(s, i);
      push(s.slice(start, i) === '.' ? 'op' : 'num', start);
      continue;
    }
    if (isAlpha(s, i)) {
      while (isAlpha(s, i) || isDigit(s[i])) i++;
      push(NAMED_DELIMITERS.has(s.slice(start, i)) ? 'op' : 'name', start);
      continue;
    }
    throw new ParseError('syntax', `Unexpected character ${showChar(c)}`, start);
  }
}

/** The end of the number starting at `i`, read as mathjs reads it (hexadecimal, binary and octal included, to be refused whole). */
function number(s: string, i: number): number {
  const start = i;
  const prefix = s.slice(i, i + 2);
  if (prefix === '0b' || prefix === '0o' || prefix === '0x') {
    i += 2;
    while (isAlpha(s, i) || isDigit(s[i]) || s[i] === '.') i++;
    return i;
  }
  if (s[i] === '.') {
    if (!isDigit(s[i + 1])) return i + 1; // a lone '.': an accessor
    i++;
  } else {
    while (isDigit(s[i])) i++;
    if (isDecimalMark(s[i], s[i + 1])) i++;
  }
  while (isDigit(s[i])) i++;
  if (s[i] === 'e' || s[i] === 'E') {
    if (isDigit(s[i + 1]) || s[i + 1] === '-' || s[i + 1] === '+') {
      i++;
      if (s[i] === '+' || s[i] === '-') i++;
      if (!isDigit(s[i])) throw new ParseError('syntax', `Digit expected in the exponent of ${s.slice(start, i)}`, start);
      while (isDigit(s[i])) i++;
      if (isDecimalMark(s[i], s[i + 1])) throw new ParseError('syntax', `Digit expected, got '.' after ${s.slice(start, i)}`, i);
    } else if (isDecimalMark(s[i + 1], s[i + 2])) {
      throw new ParseError('syntax', `Digit expected, got '.' after ${s.slice(start, i + 1)}`, i + 1);
    }
  }
  return i;
}

/**
 * The token of mathjs's language the expression language lacks that mathjs
 * would have put outermost in the tree (shallowest in brackets, then of the
 * loosest binding, then first), as a ParseError; undefined if none. So
 * `x > 0 ? x : 0` is refused as a conditional, not a comparison.
 */
function unsupported(tokens: Token[]): ParseError | undefined {
  let found: { error: ParseError; depth: number; rank: number } | undefined;
  let depth = 0;
  tokens.forEach((tok, k) => {
    const prev = tokens[k - 1];
    const afterValue = prev !== undefined && (prev.kind === 'num' || prev.kind === 'name' || prev.kind === 'str' || CLOSERS.has(prev.text));
    const what = refusal(tok, afterValue);
    if (what !== undefined) {
      const [rank, kind, message] = what;
      if (found === undefined || depth < found.depth || (depth === found.depth && rank < found.rank)) {
        found = { error: new ParseError(kind, message, tok.at), depth, rank };
      }
    }
    if (tok.text === '(' || tok.text === '[' || tok.text === '{') depth++;
    else if (tok.text === ')' || tok.text === ']' || tok.text === '}') depth = Math.max(0, depth - 1);
  });
  return found?.error;
}

/** mathjs's binding strength of the operators the language lacks (0 = loosest), after mathjs's parse levels. */
const OPERATOR_RANK: Readonly<Record<string, number>> = {
  or: 3,
  xor: 4,
  and: 5,
  '|': 6,
  '^|': 7,
  '&': 8,
  '==': 9,
  '!=': 9,
  '<': 9,
  '>': 9,
  '<=': 9,
  '>=': 9,
  '<<': 10,
  '>>': 10,
  '>>>': 10,
  to: 11,
  in: 11,
  mod: 14,
  '%': 14,
  '.*': 14,
  './': 14,
  '~': 15,
  not: 15,
  '.^': 16,
  '??': 17,
  '!': 18,
  "'": 18,
};

/** [rank, kind, message] of a token the language lacks, or undefined for one it has. */
function refusal(tok: Token, afterValue: boolean): [number, ParseError['kind'], string] | undefined {
  const t = tok.text;
  if (tok.kind === 'newline' || t === ';') return [0, 'construct', 'unsupported construct (block: a second statement)'];
  if (tok.kind === 'str') return [20, 'constant', `unsupported constant ${t}`];
  if (tok.kind === 'num' && /^0[box]/.test(t)) return [20, 'syntax', `unsupported number ${t} (numbers are decimal)`];
  if (tok.kind !== 'op') return undefined;
  if (Object.hasOwn(OPERATOR_RANK, t)) return [OPERATOR_RANK[t], 'operator', `unsupported operator '${t}'`];
  if (t === '=') return [1, 'construct', 'unsupported construct (assignment)'];
  if (t === '?') return [2, 'construct', 'unsupported construct (conditional)'];
  if (t === ':') return [12, 'construct', 'unsupported construct (range)'];
  if (t === '.' || t === '?.' || (t === '[' && afterValue)) return [19, 'construct', 'unsupported construct (accessor)'];
  if (t === '[') return [20, 'construct', 'unsupported construct (array)'];
  if (t === '{') return [20, 'construct', 'unsupported construct (object)'];
  return undefined;
}

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

  private sum(): Node {
    let node = this.product();
    while (this.is('+') || this.is('-')) {
      const { text, at } = this.tok;
      this.k++;
      node = op(text as Op, at, node, this.product());
    }
    return node;
  }

  private product(): Node {
    let node = this.implicit();
    while (this.is('*') || this.is('/')) {
      const { text, at } = this.tok;
      this.k++;
      node = op(text as Op, at, node, this.implicit());
    }
    return node;
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
