/**
 * The potential compiler: one expression, three targets (DESIGN §3).
 *
 *   spec → source expression (a catalog entry's `expr(D)` or the user's `expr`)
 *        → mathjs `parse` → validation and renaming to x{i} / p{i}
 *        → mathjs `derivative` per coordinate → IR → simplification
 *        → WGSL (f32) `potential_energy` / `potential_gradient`
 *        → JavaScript (float64) `energy` / `gradient` via `new Function`
 *
 * Parameters are never inlined: they are read at run time from
 * `potential_params` (WGSL) or `p` (JS), so changing them needs no recompile.
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
  parse,
  SymbolNode,
  type MathNode,
} from 'mathjs';
import { describeValue } from '../errors.ts';
import { MAX_DIMS } from '../limits.ts';
import { CATALOG, type CatalogEntry } from './catalog.ts';
import { compileDataPotential } from './data.ts';
import { PotentialError } from './error.ts';
import { ConstantOutOfRange, emit, JS, WGSL, type Emitted, type Target } from './emit.ts';
import { FUNCTIONS, NonFiniteConstant, num, print, simplify, type Expr, type Fn } from './ir.ts';
import type { CompiledPotential, PotentialSpec } from './types.ts';

/** Functions allowed in expressions (`sign` is internal: it only arises from differentiating abs). */
const USER_FUNCTIONS: readonly Fn[] = ['sin', 'cos', 'tan', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sinh', 'cosh', 'atan', 'asin', 'acos'];
/** Functions mathjs's derivative introduces, as reciprocals of allowed ones (sec u = 1/cos u, …). */
const RECIPROCALS: Readonly<Record<string, Fn>> = { sec: 'cos', csc: 'sin', cot: 'tan', sech: 'cosh', csch: 'sinh', coth: 'tanh' };
/** Operators allowed in expressions (mathjs `fn` names). */
const OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus']);
const CONSTANTS: Readonly<Record<string, number>> = { pi: Math.PI, e: Math.E };
const LETTERS = ['x', 'y', 'z', 'w'];

/**
 * Compile a potential for D dimensions.
 * @param spec `{ name, params }` for a built-in or `{ expr, params }` for an expression
 * @param dims dimension D of the particles, 1…16
 * @param field the spec field holding `spec`, used in error messages
 * @throws PotentialError naming the field, the value and what is allowed
 * @example
 * const dw = compilePotential({ name: 'double-well', params: { h: 2 } }, 2);
 * dw.energy([0, 0]); // 2 (the barrier)
 * const u = compilePotential({ expr: '(x^2 - a)^2 + y^2', params: { a: 1 } }, 2);
 */
export function compilePotential(spec: PotentialSpec, dims: number, field = 'potential'): CompiledPotential {
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_DIMS) {
    throw new PotentialError(field, dims, `${field}: dims = ${describeValue(dims)} is not supported; potentials take an integer number of dimensions from 1 to ${MAX_DIMS}`);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new PotentialError(field, spec, `${field}: got ${describeValue(spec)}; expected an object {"name": ...} or {"expr": ...} with optional "params"`);
  }
  if (spec.example !== undefined && spec.name === undefined && spec.expr === undefined) {
    return compileDataPotential(spec, dims, field, expressionParams(spec.params, dims, field));
  }
  if ((spec.name === undefined) === (spec.expr === undefined)) {
    throw new PotentialError(field, spec, `${field}: got ${describeValue(spec)}; give exactly one of "name" (a built-in: ${CATALOG.map((c) => c.name).join(', ')}) or "expr" (an expression such as "(x^2 - 1)^2 + 0.5*y^2")`);
  }

  let name: string;
  let source: string;
  let sourceField: string;
  let params: { names: string[]; values: number[] };
  if (spec.expr !== undefined) {
    sourceField = `${field}.expr`;
    if (typeof spec.expr !== 'string' || spec.expr.trim() === '') {
      throw new PotentialError(sourceField, spec.expr, `${sourceField}: got ${describeValue(spec.expr)}; expected a non-empty expression string such as "(x^2 - 1)^2 + 0.5*y^2"`);
    }
    name = 'expr';
    source = spec.expr;
    params = expressionParams(spec.params, dims, field);
  } else {
    sourceField = `${field}.name`;
    const entry = CATALOG.find((c) => c.name === spec.name);
    if (entry === undefined) {
      throw new PotentialError(sourceField, spec.name, `${sourceField}: unknown potential ${describeValue(spec.name)}; known potentials: ${CATALOG.map((c) => c.name).join(', ')} (or give "expr" instead of "name")`);
    }
    if (entry.dims !== 'any' && entry.dims !== dims) {
      throw new PotentialError(sourceField, spec.name, `${sourceField}: '${entry.name}' is defined for dims = ${entry.dims} only, but dims = ${dims} was requested; set dims to ${entry.dims}`);
    }
    name = entry.name;
    source = entry.expr(dims);
    params = catalogParams(entry, spec.params, dims, field);
  }

  // Built-ins are written in x0…x{D−1}, so their parameters may be called w, y, ….
  const { energy: energyIr, gradient: gradientIr } = lowerExpression({ dims, letters: spec.expr !== undefined, params: params.names, source, field: sourceField });

  const names = { var: (i: number) => `x${i}`, par: (i: number) => params.names[i] };
  const paramValues = Float64Array.from(params.values);
  const energyJs = emit(JS, [energyIr]);
  const energyFn = new Function('x', 'p', jsEnergy(energyJs)) as (x: ArrayLike<number>, p: ArrayLike<number>) => number;
  const gradientJs = emit(JS, gradientIr);
  const gradientFn = new Function('x', 'p', 'g', jsGradient(gradientJs)) as (x: ArrayLike<number>, p: ArrayLike<number>, g: Float64Array | number[]) => void;
  let wgsl: string;
  try {
    wgsl = wgslSource(energyIr, gradientIr, params.names, `${name}, D = ${dims}: E = ${source}`);
  } catch (e) {
    if (e instanceof ConstantOutOfRange) {
      throw new PotentialError(sourceField, source, `${sourceField}: in ${JSON.stringify(source)}, the ${e.message} used by the GPU; rescale the expression`);
    }
    throw e;
  }
  return {
    dims,
    name,
    expr: source,
    paramNames: params.names,
    paramValues,
    wgsl,
    energy: (x, p = paramValues) => energyFn(x, p),
    gradient: (x, g, p = paramValues) => gradientFn(x, p, g),
    gradientExprs: gradientIr.map((g) => print(g, names)),
    gradientJs,
    energyJs,
  };
}

/**
 * Parse, validate and differentiate one expression: the IR of E and of
 * ∂E/∂x_d for every coordinate, simplified. Parameter i is IR `par` i; a data
 * column c (scope.columns) is `par` (params.length + c).
 * @throws PotentialError naming the field and the position in the expression
 */
export function lowerExpression(scope: Scope): { energy: Expr; gradient: Expr[] } {
  const { dims, source, field } = scope;
  const tree = canonical(parseSource(scope), scope);
  const used = new Set<number>();
  tree.traverse((n) => {
    if (isSymbolNode(n) && /^x\d+$/.test(n.name)) used.add(Number(n.name.slice(1)));
  });
  try {
    const energy = simplify(toIr(tree));
    const gradient = Array.from({ length: dims }, (_, d) => (used.has(d) ? simplify(toIr(derivative(tree, `x${d}`, { simplify: false }))) : num(0)));
    return { energy, gradient };
  } catch (e) {
    if (e instanceof NonFiniteConstant) {
      throw new PotentialError(field, source, `${field}: in ${JSON.stringify(source)}, the ${e.message} (e.g. log(0), 1/0 or a negative number to a non-integer power); rewrite that part of the expression`);
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Parameters

/** Catalog parameters: defaults, broadcast of per-dimension numbers, and checks. */
function catalogParams(entry: CatalogEntry, given: PotentialSpec['params'], dims: number, field: string): { names: string[]; values: number[] } {
  const known = Object.keys(entry.params);
  const obj = paramObject(given, field);
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(entry.params, key)) {
      throw new PotentialError(`${field}.params.${key}`, obj[key], `${field}.params.${key}: unknown parameter '${key}' for potential '${entry.name}'; ${known.length ? `known parameters: ${known.join(', ')}` : 'it takes no parameters'}`);
    }
  }
  const names: string[] = [];
  const values: number[] = [];
  for (const [key, def] of Object.entries(entry.params)) {
    const f = `${field}.params.${key}`;
    const v = obj[key] ?? def.default;
    if (def.perDimension) {
      if (Array.isArray(v) && v.length !== dims) {
        throw new PotentialError(f, v, `${f}: got ${describeValue(v)} (${v.length} numbers); expected one number (used for every dimension) or ${dims} numbers, one per dimension (dims = ${dims})`);
      }
      const list = Array.isArray(v) ? v : Array<unknown>(dims).fill(v);
      list.forEach((x, i) => {
        names.push(`${key}_${i}`);
        values.push(finite(x, Array.isArray(v) ? `${f}[${i}]` : f, 'a finite number'));
      });
    } else {
      if (Array.isArray(v)) throw new PotentialError(f, v, `${f}: got ${describeValue(v)}; expected a single finite number (this parameter is not per-dimension)`);
      names.push(key);
      values.push(finite(v, f, 'a finite number'));
    }
  }
  return { names, values };
}

/** Parameters of an expression: numbers, or arrays `a: [1, 2]` expanded to a_0, a_1. */
function expressionParams(given: PotentialSpec['params'], dims: number, field: string): { names: string[]; values: number[] } {
  const obj = paramObject(given, field);
  const names: string[] = [];
  const values: number[] = [];
  const add = (name: string, value: number, f: string) => {
    if (names.includes(name)) throw new PotentialError(f, value, `${f}: parameter '${name}' is defined twice (an array parameter a: [...] defines a_0, a_1, …)`);
    names.push(name);
    values.push(value);
  };
  for (const [key, v] of Object.entries(obj)) {
    const f = `${field}.params.${key}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || isReserved(key, dims)) {
      throw new PotentialError(f, key, `${f}: '${key}' cannot be a parameter name; use letters, digits and _ (not starting with a digit), other than the variables (${variableNames(dims).join(', ')}; x0, x1, … at any dims), the constants pi, e and the function names ${USER_FUNCTIONS.join(', ')}`);
    }
    if (Array.isArray(v)) {
      if (v.length === 0) throw new PotentialError(f, v, `${f}: got an empty array; expected a finite number or a non-empty array of finite numbers`);
      v.forEach((x, i) => add(`${key}_${i}`, finite(x, `${f}[${i}]`, 'a finite number'), f));
    } else {
      add(key, finite(v, f, 'a finite number or an array of finite numbers'), f);
    }
  }
  return { names, values };
}

function paramObject(given: unknown, field: string): Record<string, unknown> {
  if (given === undefined) return {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new PotentialError(`${field}.params`, given, `${field}.params: got ${describeValue(given)}; expected an object of name: number (or array of numbers)`);
  }
  return given as Record<string, unknown>;
}

function finite(v: unknown, field: string, expected: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PotentialError(field, v, `${field}: got ${describeValue(v)}; expected ${expected}`);
  return v;
}

function isReserved(name: string, dims: number): boolean {
  return coordinate(name, dims, true) !== undefined || /^x\d+$/.test(name) || name in CONSTANTS || (USER_FUNCTIONS as string[]).includes(name) || name in RECIPROCALS;
}

// ---------------------------------------------------------------------------
// Parsing and validation

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

/** Coordinate index of a variable name for D dimensions (x, y, z, w only when `letters` and D ≤ 4), or undefined. */
function coordinate(name: string, dims: number, letters: boolean): number | undefined {
  const m = /^x(0|[1-9]\d*)$/.exec(name);
  const i = m ? Number(m[1]) : letters && dims <= LETTERS.length ? LETTERS.indexOf(name) : -1;
  return i >= 0 && i < dims ? i : undefined;
}

function variableNames(dims: number, letters = true): string[] {
  const indexed = Array.from({ length: dims }, (_, i) => `x${i}`);
  return letters && dims <= LETTERS.length ? [...LETTERS.slice(0, dims), ...indexed] : indexed;
}

/** mathjs parse, with syntax errors turned into PotentialError at the reported character. */
function parseSource(scope: Scope): MathNode {
  try {
    return parse(scope.source);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const m = /\(char (\d+)\)/.exec(message);
    const char = m ? Number(m[1]) : typeof (e as { char?: unknown }).char === 'number' ? (e as { char: number }).char : undefined;
    const detail = message.replace(/\s*\(char \d+\)/, '');
    throw expressionError(scope, char === undefined ? undefined : char - 1, `syntax error: ${detail}`);
  }
}

/**
 * An error about the expression, with the position shown by a caret:
 * ```
 * potential.expr: unknown symbol 'q' at character 5 of "x + q": …
 *   x + q
 *       ^
 * ```
 */
function expressionError(scope: Scope, position: number | undefined, what: string, hint = ''): PotentialError {
  const { source, field } = scope;
  const at = position === undefined ? '' : ` at character ${position + 1}`;
  let message = `${field}: ${what}${at} of ${JSON.stringify(source)}${hint ? `; ${hint}` : ''}`;
  if (position !== undefined) {
    const line = source.replace(/[\n\r\t]/g, ' ');
    message += `\n  ${line}\n  ${' '.repeat(Math.min(position, line.length))}^`;
  }
  return new PotentialError(field, source, message, position);
}

/** 0-based position of identifier `name` in the source (as a call `name(` when `call`), if found. */
function findIdentifier(source: string, name: string, call: boolean): number | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`(?<![\\w$.])${escaped}(?![\\w$])`, 'g');
  let first: number | undefined;
  for (const m of source.matchAll(re)) {
    first ??= m.index;
    if (/^\s*\(/.test(source.slice(m.index + name.length)) === call) return m.index;
  }
  return first;
}

/** A description of what names are allowed, for messages. */
function allowedNames(scope: Scope): string {
  const params = scope.params.length ? scope.params.join(', ') : 'none';
  const columns = scope.columns ? `; data columns: ${scope.columns.length ? scope.columns.join(', ') : 'none here'}` : '';
  return `variables for dims = ${scope.dims}: ${variableNames(scope.dims, scope.letters).join(', ')}; constants: pi, e; parameters: ${params}${columns}; functions: ${USER_FUNCTIONS.join(', ')}`;
}

/**
 * Validate a parsed expression and rewrite it into the compiler's vocabulary:
 * coordinates become x{i}, parameters p{i}, parentheses and unary plus vanish.
 * Everything else (matrices, units, comparisons, unknown names…) is rejected
 * with its position.
 */
function canonical(node: MathNode, scope: Scope): MathNode {
  const walk = (n: MathNode): MathNode => {
    if (isParenthesisNode(n)) return walk(n.content);
    if (isConstantNode(n)) {
      if (typeof n.value !== 'number') {
        const position = scope.source.indexOf(typeof n.value === 'string' ? n.value : String(n.value));
        throw expressionError(scope, position > 0 && typeof n.value === 'string' ? position - 1 : position >= 0 ? position : undefined, `unsupported constant ${describeValue(n.value)}`, 'only numbers are allowed');
      }
      if (!Number.isFinite(n.value)) {
        const literal = [...scope.source.matchAll(/(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/gi)].find((m) => !Number.isFinite(Number(m[0])));
        throw expressionError(scope, literal?.index, `number ${literal?.[0] ?? ''} is too large`, 'numbers must be below 3.4e38 (the largest 32-bit float)');
      }
      return n;
    }
    if (isSymbolNode(n)) {
      const i = coordinate(n.name, scope.dims, scope.letters);
      if (i !== undefined) return new SymbolNode(`x${i}`);
      const p = scope.params.indexOf(n.name);
      if (p >= 0) return new SymbolNode(`p${p}`);
      const c = scope.columns?.indexOf(n.name) ?? -1;
      if (c >= 0) return new SymbolNode(`p${scope.params.length + c}`);
      if (n.name in CONSTANTS) return n;
      const position = findIdentifier(scope.source, n.name, false);
      const why = LETTERS.includes(n.name) || /^x\d+$/.test(n.name) ? `'${n.name}' is not a variable when dims = ${scope.dims}` : `unknown symbol '${n.name}'`;
      const fix = `${allowedNames(scope)}. Define '${n.name}' in ${scope.field.replace(/\.(expr|name|example|prior)$/, '')}.params${scope.columns?.length ? ' or as a data column' : ''} or fix the expression`;
      throw expressionError(scope, position, why, fix);
    }
    if (isOperatorNode(n)) {
      if (!OPERATORS.has(n.fn)) {
        const position = scope.source.indexOf(n.op);
        throw expressionError(scope, position >= 0 ? position : undefined, `unsupported operator '${n.op}'`, 'allowed operators: + - * / ^ and parentheses');
      }
      const args = n.args.map(walk);
      if (n.fn === 'unaryPlus') return args[0];
      return new OperatorNode(n.op as '+', n.fn as 'add', args);
    }
    if (isFunctionNode(n)) {
      const fnName = isSymbolNode(n.fn) ? n.fn.name : undefined;
      const position = fnName === undefined ? undefined : findIdentifier(scope.source, fnName, true);
      if (fnName === undefined || !(USER_FUNCTIONS as string[]).includes(fnName)) {
        const label = fnName === undefined ? 'unsupported function call' : `unknown function '${fnName}'`;
        const hint = fnName !== undefined && (coordinate(fnName, scope.dims, scope.letters) !== undefined || scope.params.includes(fnName)) ? ` ('${fnName}' is a variable or parameter: write ${fnName}*(...) to multiply)` : '';
        throw expressionError(scope, position, label + hint, `functions: ${USER_FUNCTIONS.join(', ')}`);
      }
      if (n.args.length !== 1) {
        throw expressionError(scope, position, `${fnName} takes exactly one argument, got ${n.args.length}`, 'log is the natural logarithm; write log(x)/log(b) for base b');
      }
      return new FunctionNode(new SymbolNode(fnName), [walk(n.args[0])]);
    }
    const marker = UNSUPPORTED_MARKERS[n.type];
    const position = marker === undefined ? -1 : scope.source.search(marker);
    throw expressionError(scope, position >= 0 ? position : undefined, `unsupported construct (${n.type.replace(/Node$/, '').toLowerCase()})`, `an expression may use numbers, ${allowedNames(scope)}, operators + - * / ^ and parentheses`);
  };
  return walk(node);
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

/** Convert a validated (or mathjs-differentiated) tree to IR. */
function toIr(n: MathNode): Expr {
  if (isParenthesisNode(n)) return toIr(n.content);
  if (isConstantNode(n)) return num(n.value as number);
  if (isSymbolNode(n)) {
    if (n.name in CONSTANTS) return num(CONSTANTS[n.name]);
    const m = /^([xp])(\d+)$/.exec(n.name);
    if (m) return { k: m[1] === 'x' ? 'var' : 'par', i: Number(m[2]) };
  }
  if (isOperatorNode(n)) {
    const args = n.args.map(toIr);
    switch (n.fn) {
      case 'add': return { k: 'add', args };
      case 'multiply': return { k: 'mul', args };
      case 'subtract': return { k: 'sub', args };
      case 'divide': return { k: 'div', args };
      case 'pow': return { k: 'pow', args };
      case 'unaryMinus': return { k: 'neg', args };
      case 'unaryPlus': return args[0];
    }
  }
  if (isFunctionNode(n) && n.args.length === 1) {
    const name = n.fn.name;
    const arg = toIr(n.args[0]);
    if (name in FUNCTIONS) return { k: 'call', fn: name as Fn, args: [arg] };
    if (name in RECIPROCALS) return { k: 'div', args: [num(1), { k: 'call', fn: RECIPROCALS[name], args: [arg] }] };
  }
  // Unreachable for validated input: mathjs's derivative produced something new.
  throw new Error(`potential compiler: unexpected node ${n.type} '${n.toString()}'`);
}

// ---------------------------------------------------------------------------
// Targets

/** Declarations binding the coordinates and parameters used (`x0 = x[0]`, `p0 = p[0]`). */
export function bindings(target: Target, vars: number[], pars: number[], paramArray: string, paramNames?: string[]): string[] {
  return [
    ...vars.map((i) => target.decl(`x${i}`, `x[${i}]`)),
    ...pars.map((i) => target.decl(`p${i}`, `${paramArray}[${i}]`) + (paramNames ? ` // ${paramNames[i]}` : '')),
  ];
}

function jsEnergy(out: Emitted): string {
  return ['"use strict";', ...bindings(JS, out.vars, out.pars, 'p'), ...out.temps, `return ${out.results[0]};`].join('\n');
}

function jsGradient(out: Emitted): string {
  return ['"use strict";', ...bindings(JS, out.vars, out.pars, 'p'), ...out.temps, ...out.results.map((r, d) => `g[${d}] = ${r};`)].join('\n');
}

/**
 * The WGSL functions. A function that reads no parameter still names
 * `potential_params` in a phony assignment, so that a pipeline with
 * `layout: 'auto'` keeps the binding whatever the potential.
 */
function wgslSource(energy: Expr, gradient: Expr[], paramNames: string[], comment: string): string {
  const indent = (lines: string[]) => lines.map((l) => `  ${l}`);
  const head = (out: Emitted) => [
    ...(out.pars.length === 0 ? ['_ = &potential_params; // keeps the binding in auto layouts'] : []),
    ...bindings(WGSL, out.vars, out.pars, 'potential_params', paramNames),
  ];
  const e = emit(WGSL, [energy]);
  const g = emit(WGSL, gradient);
  return [
    `// Potential ${comment.replace(/[\n\r]/g, ' ')}`,
    'fn potential_energy(x: array<f32, D>) -> f32 {',
    ...indent([...head(e), ...e.temps, `return ${e.results[0]};`]),
    '}',
    '',
    'fn potential_gradient(x: array<f32, D>) -> array<f32, D> {',
    ...indent([
      ...head(g),
      ...g.temps,
      'var g: array<f32, D>;',
      // g is zero-initialised: identically zero components need no store.
      ...g.results.flatMap((r, d) => (gradient[d].k === 'num' && gradient[d].v === 0 ? [] : [`g[${d}] = ${r};`])),
      'return g;',
    ]),
    '}',
    '',
  ].join('\n');
}
