/**
 * An expression's source text, up to a parsed tree the compiler can walk
 * safely: the size limits (src/limits.ts) checked before and after mathjs
 * parses it, and the errors that point at a character of it.
 *
 * Before parsing: the length and the bracket nesting (the parser recurses
 * about 20 frames per bracket). After: the node count, the depth (what
 * differentiation and the compiler recurse along) and the length of every
 * name. Every walk here is a loop, so no input can exhaust the stack.
 */
import { isFunctionNode, isOperatorNode, isParenthesisNode, isSymbolNode, parse, type MathNode } from 'mathjs';
import { quoted } from '../errors.ts';
import {
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  MAX_EXPRESSION_NESTING,
  MAX_EXPRESSION_NODES,
  MAX_IDENTIFIER_LENGTH,
} from '../limits.ts';
import { PotentialError } from './error.ts';

/** What an expression may refer to. */
export interface Scope {
  dims: number;
  /** whether x, y, z, w name coordinates (user expressions with D ≤ 4) */
  letters: boolean;
  /** parameter names, index = position in paramValues */
  params: string[];
  source: string;
  /** spec field of the source, for messages */
  field: string;
  /** data column names (potentials from data), read as parameters params.length + c */
  columns?: string[];
}

/** Longest source quoted whole in a message; a longer one is shown around the character in question. */
const QUOTED_WHOLE = 160;
/** Characters shown on each side of the position in a longer source. */
const CONTEXT = 60;

/**
 * An error about the expression, with the position shown by a caret:
 * ```
 * potential.expr: unknown symbol 'q' at character 5 of "x + q": …
 *   x + q
 *       ^
 * ```
 * A source longer than 160 characters is shown as the 120 around the position.
 */
export function expressionError(scope: Scope, position: number | undefined, what: string, hint = ''): PotentialError {
  const { source, field } = scope;
  const at = position === undefined ? '' : ` at character ${position + 1}`;
  const { text, offset } = excerpt(source, position);
  let message = `${field}: ${what}${at} of ${text === source ? quoted(source) : `…${quoted(text)}…`}${hint ? `; ${hint}` : ''}`;
  if (position !== undefined) {
    // One character for one, so the caret stays under its character.
    const line = text.replace(/[\p{Cc}\u0085\u2028\u2029]/gu, ' ');
    message += `\n  ${line}\n  ${' '.repeat(Math.min(position - offset, line.length))}^`;
  }
  return new PotentialError(field, source, message, position);
}

/** The part of `source` a message shows, and the index in `source` of its first character. */
function excerpt(source: string, position: number | undefined): { text: string; offset: number } {
  if (source.length <= QUOTED_WHOLE) return { text: source, offset: 0 };
  const start = Math.max(0, Math.min((position ?? 0) - CONTEXT, source.length - 2 * CONTEXT));
  return { text: source.slice(start, start + 2 * CONTEXT), offset: start };
}

/** Whether `c` may continue an identifier (letters, digits, _, $), so a name next to it is part of a longer one. */
function isNameChar(c: string | undefined): boolean {
  return c !== undefined && /[\w$]/.test(c);
}

/**
 * 0-based position of identifier `name` in the source (as a call `name(` when
 * `call`), if found: an occurrence not inside a longer name nor after a dot.
 * Plain string search: a name is never turned into a regular expression.
 */
export function findIdentifier(source: string, name: string, call: boolean): number | undefined {
  let first: number | undefined;
  for (let i = source.indexOf(name); i >= 0 && name !== ''; i = source.indexOf(name, i + 1)) {
    const before = source[i - 1];
    if (isNameChar(before) || before === '.' || isNameChar(source[i + name.length])) continue;
    first ??= i;
    if (/^\s*\(/.test(source.slice(i + name.length, i + name.length + 64)) === call) return i;
  }
  return first;
}

/**
 * The source parsed by mathjs, within every size limit.
 * @throws PotentialError for a source too long, nested too deeply, too large or with too long a name, and for a syntax error, at its character
 */
export function parseSource(scope: Scope): MathNode {
  const { source, field } = scope;
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new PotentialError(
      field,
      source,
      `${field}: got an expression of ${source.length} characters; at most ${MAX_EXPRESSION_LENGTH} are allowed`,
    );
  }
  const deep = bracketTooDeep(source);
  if (deep !== undefined) throw tooDeep(scope, deep);
  let tree: MathNode;
  try {
    tree = parse(source);
  } catch (e) {
    // A chain of ^ or of unary signs nests the parser too; past the stack it is the same error.
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw tooDeep(scope, undefined);
    throw syntaxError(scope, e);
  }
  checkTree(tree, scope);
  return tree;
}

/** The error for nesting beyond MAX_EXPRESSION_NESTING brackets or MAX_EXPRESSION_DEPTH operations. */
function tooDeep(scope: Scope, position: number | undefined): PotentialError {
  return expressionError(
    scope,
    position,
    'nested too deeply',
    `at most ${MAX_EXPRESSION_NESTING} brackets inside one another and ${MAX_EXPRESSION_DEPTH} operations inside one another; a sum a + b + c + … is one level however long, but a chain a - b - c - … nests one level per operator (write it a + (-b) + (-c) + …)`,
  );
}

/** mathjs's syntax error as a PotentialError at the reported character. */
function syntaxError(scope: Scope, e: unknown): PotentialError {
  const message = e instanceof Error ? e.message : String(e);
  const m = /\(char (\d+)\)/.exec(message);
  const char = m ? Number(m[1]) : typeof (e as { char?: unknown }).char === 'number' ? (e as { char: number }).char : undefined;
  const detail = message.replace(/\s*\(char \d+\)/, '').replace(/[\p{Cc}\u0085\u2028\u2029]/gu, ' ');
  return expressionError(scope, char === undefined ? undefined : char - 1, `syntax error: ${detail}`);
}

/** Index of the first bracket ( [ { that opens level MAX_EXPRESSION_NESTING + 1, if any. */
function bracketTooDeep(source: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '(' || c === '[' || c === '{') {
      if (++depth > MAX_EXPRESSION_NESTING) return i;
    } else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** A node of the parsed tree and its depth: operations it is nested in, itself included. */
interface Visit {
  node: MathNode;
  depth: number;
}

/**
 * Count the nodes, measure the depth and check every name's length, in one
 * loop over the tree. Depth counts as the compiler sees the tree: parentheses
 * add no level, and a sum inside a sum none either (sums are flattened).
 */
function checkTree(tree: MathNode, scope: Scope): void {
  const stack: Visit[] = [{ node: tree, depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as Visit;
    if (++nodes > MAX_EXPRESSION_NODES) {
      throw expressionError(
        scope,
        undefined,
        `too large: more than ${MAX_EXPRESSION_NODES} numbers, names, operators and calls`,
        'split it into a shorter expression, or use parameters for repeated constants',
      );
    }
    if (depth > MAX_EXPRESSION_DEPTH) throw tooDeep(scope, undefined);
    if (isSymbolNode(node) && node.name.length > MAX_IDENTIFIER_LENGTH) {
      throw expressionError(
        scope,
        findIdentifier(scope.source, node.name, false),
        `the name ${quoted(node.name.slice(0, 24))}… is ${node.name.length} characters long`,
        `names are at most ${MAX_IDENTIFIER_LENGTH} characters`,
      );
    }
    node.forEach((child) => stack.push({ node: child, depth: depth + (levelOf(node, child) ? 1 : 0) }));
  }
}

/** Whether `child` sits one level deeper than `parent` (not through parentheses, not a sum inside a sum). */
function levelOf(parent: MathNode, child: MathNode): boolean {
  if (isParenthesisNode(parent)) return false;
  let inner = child;
  while (isParenthesisNode(inner)) inner = inner.content;
  const isSum = (n: MathNode) => isOperatorNode(n) && n.fn === 'add' && n.args.length === 2;
  return !(isSum(parent) && isSum(inner)) && !(isFunctionNode(parent) && child === parent.fn);
}
