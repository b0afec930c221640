/**
 * Lowering: one expression string → the IR of E and of ∂E/∂x_d.
 *
 *   mathjs `parse` → {@link canonical} (validation; coordinates renamed x{i},
 *   parameters and data columns p{i}) → mathjs `derivative` per coordinate
 *   → {@link toIr} → `simplify` (ir.ts)
 *
 * Every refusal is a PotentialError naming the spec field and showing the
 * position in the expression with a caret.
 */
import {
  derivative,
  FunctionNode,
  isConstantNode,
  isFunctionNode,
  isOperatorNode,
  isParenthesisNode,
  isSymbolNode,
  OperatorNode,
  SymbolNode,
  type ConstantNode,
  type MathNode,
  type OperatorNodeFn,
  type OperatorNodeOp,
} from 'mathjs';
import { describeValue } from '../errors.ts';
import { nameList } from '../values.ts';
import { PotentialError } from './error.ts';
import { FUNCTIONS, NonFiniteConstant, num, simplify, type Expr, type Fn } from './ir.ts';
import { expressionError, findIdentifier, parseSource, type Scope } from './source.ts';
import { CONSTANTS, coordinate, LETTERS, OPERATORS, RECIPROCALS, USER_FUNCTIONS, variableNames } from './vocabulary.ts';

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
  const tree = canonical(parseSource(scope), scope);
  const used = new Set<number>();
  tree.traverse((n) => {
    if (isSymbolNode(n) && /^x\d+$/.test(n.name)) used.add(Number(n.name.slice(1)));
  });
  try {
    const energy = simplify(toIr(tree));
    const gradient = Array.from({ length: dims }, (_, d) =>
      used.has(d) ? simplify(toIr(derivative(tree, `x${d}`, { simplify: false }))) : num(0),
    );
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

/** A description of what names are allowed, for messages. */
function allowedNames(scope: Scope): string {
  const params = scope.params.length ? nameList(scope.params) : 'none';
  const columns = scope.columns ? `; data columns: ${scope.columns.length ? nameList(scope.columns) : 'none here'}` : '';
  return `variables for dims = ${scope.dims}: ${variableNames(scope.dims, scope.letters).join(', ')}; constants: pi, e; parameters: ${params}${columns}; functions: ${USER_FUNCTIONS.join(', ')}`;
}

/**
 * Validate a parsed expression and rewrite it into the compiler's vocabulary:
 * coordinates become x{i}, parameters p{i}, parentheses and unary plus vanish.
 * Everything else (matrices, units, comparisons, unknown names…) is rejected
 * with its position.
 */
function canonical(n: MathNode, scope: Scope): MathNode {
  if (isParenthesisNode(n)) return canonical(n.content, scope);
  if (isConstantNode(n)) return checkedConstant(n, scope);
  if (isSymbolNode(n)) return renamedSymbol(n, scope);
  if (isOperatorNode(n)) return canonicalOperator(n, scope);
  if (isFunctionNode(n)) return canonicalCall(n, scope);
  const marker = Object.hasOwn(UNSUPPORTED_MARKERS, n.type) ? UNSUPPORTED_MARKERS[n.type] : undefined;
  const position = marker === undefined ? -1 : scope.source.search(marker);
  throw expressionError(
    scope,
    position >= 0 ? position : undefined,
    `unsupported construct (${n.type.replace(/Node$/, '').toLowerCase()})`,
    `an expression may use numbers, ${allowedNames(scope)}, operators + - * / ^ and parentheses`,
  );
}

/** Where to point for mathjs constructs the compiler does not accept. */
const UNSUPPORTED_MARKERS: Readonly<Record<string, RegExp>> = {
  ArrayNode: /\[/,
  AccessorNode: /[[.]/,
  IndexNode: /[[.]/,
  ObjectNode: /\{/,
  ConditionalNode: /\?/,
  AssignmentNode: /=/,
  FunctionAssignmentNode: /=/,
  BlockNode: /[;\n]/,
  RangeNode: /:/,
  RelationalNode: /[<>=!]/,
};

/** A number literal, which must be a finite number (mathjs also parses strings, booleans, null). */
function checkedConstant(n: ConstantNode, scope: Scope): MathNode {
  if (typeof n.value !== 'number') {
    const position = scope.source.indexOf(typeof n.value === 'string' ? n.value : String(n.value));
    throw expressionError(
      scope,
      position > 0 && typeof n.value === 'string' ? position - 1 : position >= 0 ? position : undefined,
      `unsupported constant ${describeValue(n.value)}`,
      'only numbers are allowed',
    );
  }
  if (!Number.isFinite(n.value)) {
    const literal = [...scope.source.matchAll(/(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/gi)].find((m) => !Number.isFinite(Number(m[0])));
    throw expressionError(
      scope,
      literal?.index,
      `number ${literal?.[0] ?? ''} is too large`,
      'numbers must be below 3.4e38 (the largest 32-bit float)',
    );
  }
  return n;
}

/** A name: a coordinate becomes x{i}; a parameter, then a data column, p{i}; a constant stays. */
function renamedSymbol(n: SymbolNode, scope: Scope): MathNode {
  const i = coordinate(n.name, scope.dims, scope.letters);
  if (i !== undefined) return new SymbolNode(`x${i}`);
  const p = scope.params.indexOf(n.name);
  if (p >= 0) return new SymbolNode(`p${p}`);
  const c = scope.columns?.indexOf(n.name) ?? -1;
  if (c >= 0) return new SymbolNode(`p${scope.params.length + c}`);
  if (Object.hasOwn(CONSTANTS, n.name)) return n;
  const position = findIdentifier(scope.source, n.name, false);
  const why =
    LETTERS.includes(n.name) || /^x\d+$/.test(n.name)
      ? `'${n.name}' is not a variable when dims = ${scope.dims}`
      : `unknown symbol '${n.name}'`;
  const fix = `${allowedNames(scope)}. Define '${n.name}' in ${scope.field.replace(/\.(expr|name|example|prior)$/, '')}.params${scope.columns?.length ? ' or as a data column' : ''} or fix the expression`;
  throw expressionError(scope, position, why, fix);
}

/** An arithmetic operator over canonical operands; unary plus vanishes. */
function canonicalOperator(n: OperatorNode<OperatorNodeOp, OperatorNodeFn>, scope: Scope): MathNode {
  if (!OPERATORS.has(n.fn)) {
    const position = scope.source.indexOf(n.op);
    throw expressionError(
      scope,
      position >= 0 ? position : undefined,
      `unsupported operator '${n.op}'`,
      'allowed operators: + - * / ^ and parentheses',
    );
  }
  if (n.fn === 'add')
    return new OperatorNode(
      '+',
      'add',
      sumTerms(n).map((a) => canonical(a, scope)),
    );
  const args = n.args.map((a) => canonical(a, scope));
  if (n.fn === 'unaryPlus') return args[0];
  return new OperatorNode(n.op as '+', n.fn as 'add', args);
}

/**
 * The terms of a sum, with sums inside it (through parentheses) opened, in
 * order: `a + (b + c) + d` → a, b, c, d. The IR flattens sums the same way
 * (ir.ts `sum`), so this changes no result; it keeps a long sum one level
 * deep for the recursion of differentiation and of the compiler. A loop,
 * however long the chain.
 */
function sumTerms(n: OperatorNode<OperatorNodeOp, OperatorNodeFn>): MathNode[] {
  const terms: MathNode[] = [];
  const stack: MathNode[] = [...n.args].reverse();
  while (stack.length > 0) {
    let t = stack.pop() as MathNode;
    while (isParenthesisNode(t)) t = t.content;
    if (isOperatorNode(t) && t.fn === 'add' && t.args.length === 2) stack.push(...[...t.args].reverse());
    else terms.push(t);
  }
  return terms;
}

/** A call of one of the allowed functions with exactly one argument. */
function canonicalCall(n: FunctionNode, scope: Scope): MathNode {
  const fnName = isSymbolNode(n.fn) ? n.fn.name : undefined;
  const position = fnName === undefined ? undefined : findIdentifier(scope.source, fnName, true);
  if (fnName === undefined || !(USER_FUNCTIONS as string[]).includes(fnName)) {
    const label = fnName === undefined ? 'unsupported function call' : `unknown function '${fnName}'`;
    const hint =
      fnName !== undefined && (coordinate(fnName, scope.dims, scope.letters) !== undefined || scope.params.includes(fnName))
        ? ` ('${fnName}' is a variable or parameter: write ${fnName}*(...) to multiply)`
        : '';
    throw expressionError(scope, position, label + hint, `functions: ${USER_FUNCTIONS.join(', ')}`);
  }
  if (n.args.length !== 1) {
    throw expressionError(
      scope,
      position,
      `${fnName} takes exactly one argument, got ${n.args.length}`,
      'log is the natural logarithm; write log(x)/log(b) for base b',
    );
  }
  return new FunctionNode(new SymbolNode(fnName), [canonical(n.args[0], scope)]);
}

/** Convert a canonical (or mathjs-differentiated) tree to IR; the reciprocals derivatives introduce become 1/f. */
function toIr(n: MathNode): Expr {
  if (isParenthesisNode(n)) return toIr(n.content);
  if (isConstantNode(n)) return num(n.value as number);
  if (isSymbolNode(n)) {
    if (Object.hasOwn(CONSTANTS, n.name)) return num(CONSTANTS[n.name]);
    const m = /^([xp])(\d+)$/.exec(n.name);
    if (m) return { k: m[1] === 'x' ? 'var' : 'par', i: Number(m[2]) };
  }
  if (isOperatorNode(n)) {
    const args = n.args.map(toIr);
    switch (n.fn) {
      case 'add':
        return { k: 'add', args };
      case 'multiply':
        return { k: 'mul', args };
      case 'subtract':
        return { k: 'sub', args };
      case 'divide':
        return { k: 'div', args };
      case 'pow':
        return { k: 'pow', args };
      case 'unaryMinus':
        return { k: 'neg', args };
      case 'unaryPlus':
        return args[0];
    }
  }
  if (isFunctionNode(n) && n.args.length === 1) {
    const name = n.fn.name;
    const arg = toIr(n.args[0]);
    if (Object.hasOwn(FUNCTIONS, name)) return { k: 'call', fn: name as Fn, args: [arg] };
    if (Object.hasOwn(RECIPROCALS, name)) return { k: 'div', args: [num(1), { k: 'call', fn: RECIPROCALS[name], args: [arg] }] };
  }
  // Unreachable for validated input: mathjs's derivative produced something new.
  throw new Error(`potential compiler: unexpected node ${n.type} '${n.toString()}'`);
}
