/**
 * Lowering: one expression string → the IR of E and of ∂E/∂x_d.
 *
 *   `parseSource` (source.ts, parse.ts) → {@link toIr} (validation;
 *   coordinates become IR `var` i, parameters and data columns `par` i, pi and
 *   e numbers) → `derivative` per coordinate (derivative.ts) → `simplify` (ir.ts)
 *
 * Every refusal is a PotentialError naming the spec field and showing the
 * position in the expression with a caret.
 */
import { describeValue } from '../errors.ts';
import { derivative } from './derivative.ts';
import { PotentialError } from './error.ts';
import { NonFiniteConstant, num, simplify, type Expr, type Fn } from './ir.ts';
import type { Node } from './parse.ts';
import { allowedNames, expressionError, parseSource, type Scope } from './source.ts';
import { CONSTANTS, coordinate, LETTERS, USER_FUNCTIONS } from './vocabulary.ts';

export type { Scope } from './source.ts';

/** An expression lowered to IR: E, and ∂E/∂x_d for every coordinate d (the number 0 where E does not read x_d). */
export interface Lowered {
  energy: Expr;
  gradient: Expr[];
}

/**
 * Parse, validate and differentiate one expression: the IR of E and of
 * ∂E/∂x_d for every coordinate, simplified. Parameter i is IR `par` i; a data
 * column c (scope.columns) is `par` (params.length + c).
 * @throws PotentialError naming the field and the position in the expression
 */
export function lowerExpression(scope: Scope): Lowered {
  const { dims, source, field } = scope;
  const tree = toIr(parseSource(scope), scope);
  const used = new Set<number>();
  const stack = [tree];
  while (stack.length > 0) {
    const e = stack.pop() as Expr;
    if (e.k === 'var') used.add(e.i);
    else if (e.k !== 'num' && e.k !== 'par') stack.push(...e.args);
  }
  try {
    const energy = simplify(tree);
    const gradient = Array.from({ length: dims }, (_, d) => (used.has(d) ? simplify(derivative(tree, d)) : num(0)));
    return { energy, gradient };
  } catch (e) {
    if (e instanceof NonFiniteConstant) {
      throw new PotentialError(
        field,
        source,
        `${field}: in ${describeValue(source)}, the ${e.message} (e.g. log(0), 1/0 or a negative number to a non-integer power); rewrite that part of the expression`,
      );
    }
    throw e;
  }
}

/** IR of each binary operator of the syntax tree. */
const BINARY = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' } as const;
/** Names mathjs read as constants that are not numbers the language has. */
const NOT_NUMBERS = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);

/**
 * Validate a parsed expression and convert it to IR, in source order (the
 * first problem is the one reported): coordinates become `var` i, parameters
 * and data columns `par` i, pi and e numbers; brackets and unary plus vanish,
 * and a sum of sums becomes one sum. Unknown names and functions, a wrong
 * number of arguments and numbers beyond float range are refused with their
 * position.
 */
function toIr(n: Node, scope: Scope): Expr {
  switch (n.t) {
    case 'num':
      if (!Number.isFinite(n.v)) {
        throw expressionError(scope, n.at, `number ${n.text} is too large`, 'numbers must be below 3.4e38 (the largest 32-bit float)');
      }
      return num(n.v);
    case 'name':
      return symbol(n, scope);
    case 'call':
      return functionCall(n, scope);
    case 'op':
      if (n.op === 'pos') return toIr(n.args[0], scope);
      if (n.op === 'neg') return { k: 'neg', args: [toIr(n.args[0], scope)] };
      if (n.op === '+') return { k: 'add', args: sumTerms(n).map((a) => toIr(a, scope)) };
      return { k: BINARY[n.op], args: n.args.map((a) => toIr(a, scope)) };
  }
}

/**
 * The terms of a sum, with sums inside it (in brackets or not) opened, in
 * order: `a + (b + c) + d` → a, b, c, d. The IR's simplifier flattens sums the
 * same way (ir.ts `sum`), so this changes no result; it keeps a long sum one
 * level deep for the recursion of differentiation and of the compiler. A
 * loop, however long the chain.
 */
function sumTerms(n: Node): Node[] {
  const terms: Node[] = [];
  const stack: Node[] = [n];
  while (stack.length > 0) {
    const t = stack.pop() as Node;
    if (t.t === 'op' && t.op === '+') stack.push(t.args[1], t.args[0]);
    else terms.push(t);
  }
  return terms;
}

/** A name: a coordinate becomes `var` i; a parameter, then a data column, `par` i; a constant its number. */
function symbol(n: Node & { t: 'name' }, scope: Scope): Expr {
  const { name } = n;
  if (NOT_NUMBERS.has(name)) throw expressionError(scope, n.at, `unsupported constant ${name}`, 'only finite numbers are allowed');
  const i = coordinate(name, scope.dims, scope.letters);
  if (i !== undefined) return { k: 'var', i };
  const p = scope.params.indexOf(name);
  if (p >= 0) return { k: 'par', i: p };
  const c = scope.columns?.indexOf(name) ?? -1;
  if (c >= 0) return { k: 'par', i: scope.params.length + c };
  if (Object.hasOwn(CONSTANTS, name)) return num(CONSTANTS[name]);
  const why =
    LETTERS.includes(name) || /^x\d+$/.test(name) ? `'${name}' is not a variable when dims = ${scope.dims}` : `unknown symbol '${name}'`;
  const fix = `${allowedNames(scope)}. Define '${name}' in ${scope.field.replace(/\.(expr|name|example|prior)$/, '')}.params${scope.columns?.length ? ' or as a data column' : ''} or fix the expression`;
  throw expressionError(scope, n.at, why, fix);
}

/** A call of one of the allowed functions with exactly one argument. */
function functionCall(n: Node & { t: 'call' }, scope: Scope): Expr {
  const { name } = n;
  if (!(USER_FUNCTIONS as string[]).includes(name)) {
    const hint =
      coordinate(name, scope.dims, scope.letters) !== undefined || scope.params.includes(name)
        ? ` ('${name}' is a variable or parameter: write ${name}*(...) to multiply)`
        : '';
    throw expressionError(scope, n.at, `unknown function '${name}'${hint}`, `functions: ${USER_FUNCTIONS.join(', ')}`);
  }
  if (n.args.length !== 1) {
    throw expressionError(
      scope,
      n.at,
      `${name} takes exactly one argument, got ${n.args.length}`,
      'log is the natural logarithm; write log(x)/log(b) for base b',
    );
  }
  return { k: 'call', fn: name as Fn, args: [toIr(n.args[0], scope)] };
}
