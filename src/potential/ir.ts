/**
 * The potential compiler's intermediate representation: a small expression
 * tree over coordinates, parameters and numbers, its algebraic simplifier, and
 * a printer back to the expression syntax (parse.ts; mathjs reads it too).
 *
 * The tree is produced from the parser's syntax tree (see lower.ts) after
 * validation, and differentiated by derivative.ts, so it only ever holds what
 * every target can evaluate.
 */

/** Elementary functions of the IR; each is a WGSL built-in of the same name and a `Math.*` function. */
export type Fn = 'sin' | 'cos' | 'tan' | 'exp' | 'log' | 'sqrt' | 'abs' | 'tanh' | 'sinh' | 'cosh' | 'atan' | 'asin' | 'acos' | 'sign';

/** Float64 implementation of every {@link Fn} (also used for constant folding). */
export const FUNCTIONS: Readonly<Record<Fn, (v: number) => number>> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  tanh: Math.tanh,
  sinh: Math.sinh,
  cosh: Math.cosh,
  atan: Math.atan,
  asin: Math.asin,
  acos: Math.acos,
  sign: Math.sign,
};

/**
 * An expression. `var` is coordinate x_i, `par` is parameter p_i (the index
 * into `CompiledPotential.paramValues`). `add` and `mul` are n-ary; `sub`,
 * `div` and `pow` have two arguments; `neg` and `call` one.
 */
export type Expr =
  | { k: 'num'; v: number }
  | { k: 'var'; i: number }
  | { k: 'par'; i: number }
  | { k: 'add' | 'mul' | 'sub' | 'div' | 'pow' | 'neg'; args: Expr[] }
  | { k: 'call'; fn: Fn; args: Expr[] };

/** Thrown when constant folding meets a non-finite value (log(0), 1/0, (−1)^0.5, …). */
export class NonFiniteConstant extends Error {
  constructor(readonly text: string) {
    super(`constant sub-expression ${text} is not a finite number`);
  }
}

export const num = (v: number): Expr => ({ k: 'num', v });
const op = (k: 'add' | 'mul' | 'sub' | 'div' | 'pow' | 'neg', ...args: Expr[]): Expr => ({ k, args });
const isNum = (e: Expr, v?: number): e is { k: 'num'; v: number } => e.k === 'num' && (v === undefined || e.v === v);

/** Structural equality. */
export function same(a: Expr, b: Expr): boolean {
  switch (a.k) {
    case 'num':
      return b.k === 'num' && a.v === b.v;
    case 'var':
    case 'par':
      return b.k === a.k && a.i === b.i;
    default:
      return (
        b.k === a.k &&
        (a.k !== 'call' || (b as { fn: Fn }).fn === a.fn) &&
        a.args.length === b.args.length &&
        a.args.every((x, i) => same(x, b.args[i]))
      );
  }
}

/**
 * Bottom-up algebraic clean-up of raw derivatives: constant folding; the
 * identities 0+a, a−0, 0−a, a−(−b), 1·a, 0·a, a/1, 0/a, a^0, a^1, 1^a, −(−a);
 * flattening of nested sums and products; signs pulled out of products and
 * quotients; and |u|/u → sign(u), which turns the derivative of abs
 * (d|u|/du = |u|/u, NaN at u = 0) into one that is 0 there.
 *
 * It never reorders non-constant terms and never duplicates work, so the
 * result evaluates like the input up to float rounding of folded constants.
 * @throws NonFiniteConstant when a constant sub-expression is not finite
 */
export function simplify(e: Expr): Expr {
  if (e.k === 'num' || e.k === 'var' || e.k === 'par') return e;
  const args = e.args.map(simplify);
  return e.k === 'call' ? call(e.fn, args[0]) : build(e.k, args);
}

/** A function call of a simplified argument. */
function call(fn: Fn, a: Expr): Expr {
  return isNum(a) ? folded(FUNCTIONS[fn](a.v), () => `${fn}(${a.v})`) : { k: 'call', fn, args: [a] };
}

/** A folded constant; non-finite results abort compilation with a readable message. */
function folded(v: number, text: () => string): Expr {
  if (!Number.isFinite(v)) throw new NonFiniteConstant(text());
  return num(v);
}

/** An operator node over already simplified arguments, with the rules above applied. */
function build(k: 'add' | 'mul' | 'sub' | 'div' | 'pow' | 'neg', args: Expr[]): Expr {
  const [a, b] = args;
  switch (k) {
    case 'neg':
      if (isNum(a)) return num(-a.v);
      return a.k === 'neg' ? a.args[0] : op('neg', a);
    case 'add':
      return sum(args);
    case 'sub':
      if (isNum(a) && isNum(b)) return folded(a.v - b.v, () => `${a.v} - ${b.v}`);
      if (isNum(b, 0)) return a;
      if (isNum(a, 0)) return build('neg', [b]);
      if (b.k === 'neg') return build('add', [a, b.args[0]]);
      return op('sub', a, b);
    case 'mul':
      return product(args);
    case 'div':
      if (isNum(a) && isNum(b)) return folded(a.v / b.v, () => `${a.v} / ${b.v}`);
      if (isNum(a, 0)) return num(0);
      if (isNum(b, 1)) return a;
      if (isNum(b, -1)) return build('neg', [a]);
      if (a.k === 'call' && a.fn === 'abs' && same(a.args[0], b)) return { k: 'call', fn: 'sign', args: [b] };
      if (a.k === 'neg') return build('neg', [build('div', [a.args[0], b])]);
      if (b.k === 'neg') return build('neg', [build('div', [a, b.args[0]])]);
      return op('div', a, b);
    case 'pow':
      if (isNum(a) && isNum(b)) return folded(Math.pow(a.v, b.v), () => `${a.v} ^ ${b.v}`);
      if (isNum(b, 0) || isNum(a, 1)) return num(1);
      if (isNum(b, 1)) return a;
      return op('pow', a, b);
  }
}

/** A flattened sum with its constant terms folded into one, last (dropped when 0). */
function sum(args: Expr[]): Expr {
  const terms: Expr[] = [];
  const nums: number[] = [];
  for (const t of args.flatMap((x) => (x.k === 'add' ? x.args : [x]))) {
    if (isNum(t)) nums.push(t.v);
    else terms.push(t);
  }
  const c = nums.reduce((s, v) => s + v, 0);
  if (c !== 0 || terms.length === 0) terms.push(folded(c, () => nums.join(' + ')));
  return terms.length === 1 ? terms[0] : op('add', ...terms);
}

/** A flattened product with its constant factors and signs folded into one leading factor and a negation. */
function product(args: Expr[]): Expr {
  const factors: Expr[] = [];
  const nums: number[] = [];
  let c = 1;
  for (let t of args.flatMap((x) => (x.k === 'mul' ? x.args : [x]))) {
    if (t.k === 'neg') {
      c = -c;
      t = t.args[0];
    }
    if (isNum(t)) {
      c *= t.v;
      nums.push(t.v);
    } else factors.push(t);
  }
  folded(c, () => nums.join(' * '));
  if (c === 0) return num(0);
  if (factors.length === 0) return num(c);
  if (Math.abs(c) !== 1) factors.unshift(num(Math.abs(c)));
  const magnitude = factors.length === 1 ? factors[0] : op('mul', ...factors);
  return c < 0 ? op('neg', magnitude) : magnitude;
}

/** How {@link print} names coordinates and parameters. */
export interface Names {
  var(i: number): string;
  par(i: number): string;
}

/** Binding strength in the expression syntax: sums < products < unary minus < powers < atoms. */
function precedence(e: Expr): number {
  switch (e.k) {
    case 'add':
    case 'sub':
      return 1;
    case 'mul':
    case 'div':
      return 2;
    case 'neg':
      return 3;
    case 'pow':
      return 4;
    case 'num':
      return e.v < 0 ? 3 : 5;
    default:
      return 5;
  }
}

/**
 * Print an expression in the expression syntax with the fewest parentheses
 * that keep its meaning (`pi` and `e` by name): parsed again (parse.ts, or
 * mathjs), `print(e)` evaluates like `e`.
 */
export function print(e: Expr, names: Names): string {
  const wrap = (x: Expr, min: number): string => {
    const s = print(x, names);
    return precedence(x) < min ? `(${s})` : s;
  };
  switch (e.k) {
    case 'num':
      return e.v === Math.PI ? 'pi' : e.v === Math.E ? 'e' : String(e.v);
    case 'var':
      return names.var(e.i);
    case 'par':
      return names.par(e.i);
    case 'call':
      return `${e.fn}(${print(e.args[0], names)})`;
    case 'neg':
      return `-${wrap(e.args[0], 4)}`;
    case 'add':
      return e.args.map((x, i) => (i === 0 ? wrap(x, 1) : x.k === 'neg' ? `- ${wrap(x.args[0], 2)}` : `+ ${wrap(x, 2)}`)).join(' ');
    case 'sub':
      return `${wrap(e.args[0], 1)} - ${wrap(e.args[1], 2)}`;
    case 'mul':
      return e.args.map((x) => wrap(x, 2)).join(' * ');
    case 'div':
      return `${wrap(e.args[0], 2)} / ${wrap(e.args[1], 3)}`;
    case 'pow':
      // ^ is right-associative and binds tighter than unary minus.
      return `${wrap(e.args[0], 5)} ^ ${wrap(e.args[1], 5)}`;
  }
}
