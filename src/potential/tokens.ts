/**
 * The tokenizer of the expression parser (parse.ts): mathjs's tokens, so that
 * the same text splits the same way, and the refusal of those the language
 * lacks. Every loop here is flat: no input can exhaust the stack.
 */

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

export interface Token {
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
export function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let nesting = 0;
  let i = 0;
  const push = (kind: Token['kind'], start: number) => tokens.push({ kind, text: s.slice(start, i), at: start });
  for (;;) {
    i = skipBlank(s, i, nesting);
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
      i = stringEnd(s, i);
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

/** Where the next token starts: past blanks and `#` comments (a comment ends at a line break). */
function skipBlank(s: string, i: number, nesting: number): number {
  for (;;) {
    if (s[i] === '#') while (i < s.length && s[i] !== '\n') i++;
    if (i < s.length && isBlank(s[i], nesting)) i++;
    else return i;
  }
}

/** The end of the string starting with the quote at `i`, read only to be refused whole: past the closing quote (escapes skipped), or the end. */
function stringEnd(s: string, i: number): number {
  const quote = s[i];
  for (i++; i < s.length && s[i] !== quote; i++) if (s[i] === '\\') i++;
  return Math.min(i + 1, s.length);
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
export function unsupported(tokens: Token[]): ParseError | undefined {
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
