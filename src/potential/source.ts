/**
 * An expression's source text, up to a parsed tree the compiler can walk
 * safely: the size limits (src/limits.ts) checked before and after parse.ts
 * parses it, and the errors that point at a character of it.
 *
 * Before parsing: the length and the bracket nesting (the parser recurses a
 * few frames per bracket; it bounds chains of signs and powers itself).
 * After: the node count, the depth (what differentiation and the compiler
 * recurse along) and the length of every name. Every walk here is a loop, so
 * no input can exhaust the stack.
 */
import { quoted } from '../errors.ts';
import {
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  MAX_EXPRESSION_NESTING,
  MAX_EXPRESSION_NODES,
  MAX_IDENTIFIER_LENGTH,
} from '../limits.ts';
import { nameList } from '../values.ts';
import { PotentialError } from './error.ts';
import { ParseError, parseExpression, type Node } from './parse.ts';
import { USER_FUNCTIONS, variableNames } from './vocabulary.ts';

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

/**
 * The source parsed (parse.ts), within every size limit.
 * @throws PotentialError for a source too long, nested too deeply, too large or with too long a name, for a syntax error and for a construct the language does not have, at its character
 */
export function parseSource(scope: Scope): Node {
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
  let tree: Node;
  try {
    tree = parseExpression(source);
  } catch (e) {
    if (e instanceof ParseError) throw refused(scope, e);
    throw e;
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

/** The parser's refusal as a PotentialError at its character, with what is allowed instead. */
function refused(scope: Scope, e: ParseError): PotentialError {
  switch (e.kind) {
    case 'deep':
      return tooDeep(scope, e.position);
    case 'syntax':
      return expressionError(scope, e.position, `syntax error: ${e.message}`);
    case 'operator':
      return expressionError(scope, e.position, e.message, 'allowed operators: + - * / ^ and parentheses');
    case 'constant':
      return expressionError(scope, e.position, e.message, 'only numbers are allowed');
    case 'construct':
      return expressionError(
        scope,
        e.position,
        e.message,
        `an expression may use numbers, ${allowedNames(scope)}, operators + - * / ^ and parentheses`,
      );
  }
}

/** A description of what names are allowed, for messages. */
export function allowedNames(scope: Scope): string {
  const params = scope.params.length ? nameList(scope.params) : 'none';
  const columns = scope.columns ? `; data columns: ${scope.columns.length ? nameList(scope.columns) : 'none here'}` : '';
  return `variables for dims = ${scope.dims}: ${variableNames(scope.dims, scope.letters).join(', ')}; constants: pi, e; parameters: ${params}${columns}; functions: ${USER_FUNCTIONS.join(', ')}`;
}

/** Index of the first bracket ( [ { that opens level MAX_EXPRESSION_NESTING + 1, if any; a `#` comment (to the line's end) is not read. */
function bracketTooDeep(source: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      const eol = source.indexOf('\n', i);
      if (eol < 0) break;
      i = eol;
    } else if (c === '(' || c === '[' || c === '{') {
      if (++depth > MAX_EXPRESSION_NESTING) return i;
    } else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
  }
  return undefined;
}

/** A node of the parsed tree and its depth: operations it is nested in, itself included. */
interface Visit {
  node: Node;
  depth: number;
}

/** Whether a node is a binary sum (its brackets aside). */
const isSum = (n: Node) => n.t === 'op' && n.op === '+';

/**
 * Count the nodes, measure the depth and check every name's length, in one
 * loop over the tree. Nodes count as mathjs counted them (a pair of brackets
 * is a node, a call two: itself and its name), so the limits mean what they
 * meant. Depth counts as the compiler sees the tree: brackets add no level,
 * and a sum inside a sum none either (sums are flattened).
 */
function checkTree(tree: Node, scope: Scope): void {
  const stack: Visit[] = [{ node: tree, depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as Visit;
    nodes += 1 + node.parens + (node.t === 'call' ? 1 : 0);
    if (nodes > MAX_EXPRESSION_NODES) {
      throw expressionError(
        scope,
        undefined,
        `too large: more than ${MAX_EXPRESSION_NODES} numbers, names, operators and calls`,
        'split it into a shorter expression, or use parameters for repeated constants',
      );
    }
    if (depth > MAX_EXPRESSION_DEPTH) throw tooDeep(scope, node.at);
    if ((node.t === 'name' || node.t === 'call') && node.name.length > MAX_IDENTIFIER_LENGTH) {
      throw expressionError(
        scope,
        node.at,
        `the name ${quoted(node.name.slice(0, 24))}… is ${node.name.length} characters long`,
        `names are at most ${MAX_IDENTIFIER_LENGTH} characters`,
      );
    }
    if (node.t === 'op' || node.t === 'call') {
      for (const child of node.args) stack.push({ node: child, depth: depth + (isSum(node) && isSum(child) ? 0 : 1) });
    }
  }
}
