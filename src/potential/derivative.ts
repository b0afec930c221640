/**
 * Symbolic differentiation of the IR: ∂e/∂x_d, unsimplified (ir.ts `simplify`
 * cleans it up). The rules are those of mathjs's `derivative`, which the
 * compiler used before, term for term in the same order (with sec u written
 * 1/cos u and sech u 1/cosh u), so every potential compiles to the code it
 * compiled to then:
 *
 * - a part that does not read x_d: 0;
 * - sums, differences and negation term by term;
 * - c·f → c·f' for the factors c that do not read x_d; else the product rule;
 * - f/c → f'/c; c/g → −c·(g'/g²); else the quotient rule (f'g − fg')/g²;
 * - c^g → c^g·(log c·g') (0 when c is the number 0 or 1); f^c → c·(f'·f^(c−1))
 *   (0 for the number 0, f' for the number 1); else f^g·(f'·(g/f) + g'·log f);
 * - f(u) → u'·f'(u) or u'/(1/f'(u)) by the chain rule, as in the table below.
 *
 * Recursion follows the tree, whose depth the parser bounds (MAX_EXPRESSION_DEPTH).
 */
import { num, type Expr, type Fn } from './ir.ts';

const op = (k: 'add' | 'mul' | 'sub' | 'div' | 'pow' | 'neg', ...args: Expr[]): Expr => ({ k, args });
const call = (fn: Fn, arg: Expr): Expr => ({ k: 'call', fn, args: [arg] });

/**
 * How each function's derivative enters the chain rule: u'·f'(u) (`times`),
 * or u'/g(u) (`over`, g = 1/f'), or −u'/g(u) (`minusOver`).
 */
const CHAIN: Readonly<Record<Fn, (u: Expr) => ['times' | 'over' | 'minusOver', Expr]>> = {
  sqrt: (u) => ['over', op('mul', num(2), call('sqrt', u))],
  log: (u) => ['over', u],
  exp: (u) => ['times', call('exp', u)],
  sin: (u) => ['times', call('cos', u)],
  cos: (u) => ['times', op('neg', call('sin', u))],
  tan: (u) => ['times', op('pow', op('div', num(1), call('cos', u)), num(2))],
  asin: (u) => ['over', call('sqrt', op('sub', num(1), op('pow', u, num(2))))],
  acos: (u) => ['minusOver', call('sqrt', op('sub', num(1), op('pow', u, num(2))))],
  atan: (u) => ['over', op('add', op('pow', u, num(2)), num(1))],
  sinh: (u) => ['times', call('cosh', u)],
  cosh: (u) => ['times', call('sinh', u)],
  tanh: (u) => ['times', op('pow', op('div', num(1), call('cosh', u)), num(2))],
  // |u|/u, which simplify turns into sign(u) (0 at u = 0, where |u|/u is NaN)
  abs: (u) => ['times', op('div', call('abs', u), u)],
  sign: () => {
    throw new Error('potential compiler: sign is not differentiated (it only arises in derivatives)');
  },
};

/**
 * ∂e/∂x_d of an IR expression as parsed (before `simplify`, so that the rules
 * see the tree mathjs's saw: `x^1` with the number 1, `-1` as a negation).
 */
export function derivative(e: Expr, d: number): Expr {
  const constant = new Map<Expr, boolean>();
  /** Whether `x` does not read x_d. */
  const isConst = (x: Expr): boolean => {
    if (x.k === 'num' || x.k === 'par') return true;
    if (x.k === 'var') return x.i !== d;
    let c = constant.get(x);
    if (c === undefined) {
      c = x.args.every(isConst);
      constant.set(x, c);
    }
    return c;
  };
  const isNum = (x: Expr, v: number) => x.k === 'num' && x.v === v;

  const diff = (x: Expr): Expr => {
    if (x.k === 'var') return num(x.i === d ? 1 : 0);
    if (x.k === 'num' || x.k === 'par' || isConst(x)) return num(0);
    const [a, b] = x.args;
    switch (x.k) {
      case 'call': {
        const [how, f] = CHAIN[x.fn](a);
        const da = diff(a);
        return how === 'times' ? op('mul', da, f) : op('div', how === 'over' ? da : op('neg', da), f);
      }
      case 'add':
        return op('add', ...x.args.map(diff));
      case 'neg':
        return op('neg', diff(a));
      case 'sub':
        return op('sub', diff(a), diff(b));
      case 'mul': {
        const constants = x.args.filter(isConst);
        if (constants.length > 0) {
          const rest = x.args.filter((y) => !isConst(y));
          return op('mul', ...constants, diff(rest.length === 1 ? rest[0] : op('mul', ...rest)));
        }
        return op('add', ...x.args.map((outer) => op('mul', ...x.args.map((inner) => (inner === outer ? diff(inner) : inner)))));
      }
      case 'div':
        if (isConst(b)) return op('div', diff(a), b);
        if (isConst(a)) return op('mul', op('neg', a), op('div', diff(b), op('pow', b, num(2))));
        return op('div', op('sub', op('mul', diff(a), b), op('mul', a, diff(b))), op('pow', b, num(2)));
      case 'pow':
        if (isConst(a)) return isNum(a, 0) || isNum(a, 1) ? num(0) : op('mul', x, op('mul', call('log', a), diff(b)));
        if (isConst(b)) {
          if (isNum(b, 0)) return num(0);
          if (isNum(b, 1)) return diff(a);
          return op('mul', b, op('mul', diff(a), op('pow', a, op('sub', b, num(1)))));
        }
        return op('mul', x, op('add', op('mul', diff(a), op('div', b, a)), op('mul', diff(b), call('log', a))));
    }
  };
  return diff(e);
}
