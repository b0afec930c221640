/**
 * Code generation from the IR, parametrised by target: WGSL (f32, GPU
 * kernels) and JavaScript (float64, CPU reference and quadrature).
 *
 * One walker serves both targets; a {@link Target} supplies only spelling
 * (literals, function names, declarations). Common sub-expressions are
 * computed once into temporaries (`t0`, `t1`, …): every non-trivial
 * sub-tree that occurs more than once across all the expressions of one
 * function is hoisted. Integer powers, of any size, are expanded into
 * products (by repeated squaring beyond the 4th power) because WGSL's `pow`
 * is undefined for negative bases: both targets then compute the same
 * products.
 *
 * Generated code stays shallow whatever the expression: a sub-expression
 * nested more than MAX_CODE_NESTING parentheses deep, and every run of
 * MAX_CHAIN operands of a sum or product, goes into a temporary (WGSL's
 * parser refuses about 128 nested parentheses or 512 chained operands, and
 * V8's parser recurses along the nesting). A temporary holds the same
 * operations in the same order, so the values are unchanged.
 */
import { F32_MAX, F32_MIN_NORMAL } from '../limits.ts';
import type { Expr, Fn } from './ir.ts';

/** How a target spells things. */
export interface Target {
  /** a float literal (the value is finite) */
  num(v: number): string;
  /** a call of an elementary function */
  call(fn: Fn, arg: string): string;
  /** base^exponent for a constant non-integer exponent */
  pow(base: string, exponent: string): string;
  /** an immutable local declaration */
  decl(name: string, value: string): string;
}

/** Deepest parenthesis nesting of one generated expression before it is put in a temporary. */
const MAX_CODE_NESTING = 24;
/** Most operands of one generated sum or product before its first ones are put in a temporary. */
const MAX_CHAIN = 64;

/** Thrown when a constant cannot be written as an f32 literal. */
export class ConstantOutOfRange extends Error {
  constructor(readonly value: number) {
    super(`constant ${value} is outside the range of 32-bit floats (±3.4e38)`);
  }
}

/** Minimal decimal spelling with a decimal point or exponent (`2.0`, `0.5`, `1e-7`). */
function floatText(v: number): string {
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** WGSL: f32 arithmetic, built-ins of the same names, `let`. */
export const WGSL: Target = {
  num(v) {
    if (Math.abs(v) > F32_MAX) throw new ConstantOutOfRange(v);
    // GPUs may flush subnormals to zero; writing 0 makes every GPU agree.
    if (Math.abs(v) < F32_MIN_NORMAL) v = 0;
    return v < 0 ? `(-${floatText(-v)})` : floatText(v);
  },
  call: (fn, arg) => `${fn}(${arg})`,
  pow: (base, exponent) => `pow(${base}, ${exponent})`,
  decl: (name, value) => `let ${name} = ${value};`,
};

/** JavaScript: float64 arithmetic, `Math.*`, `const`. */
export const JS: Target = {
  num: (v) => (v < 0 ? `(-${floatText(-v)})` : floatText(v)),
  call: (fn, arg) => `Math.${fn}(${arg})`,
  pow: (base, exponent) => `Math.pow(${base}, ${exponent})`,
  decl: (name, value) => `const ${name} = ${value};`,
};

/** The body of one generated function. */
export interface Emitted {
  /** temporaries, in dependency order (declarations in the target's syntax) */
  temps: string[];
  /** one code string per input expression, using `x{i}`, `p{i}` and the temporaries */
  results: string[];
  /** coordinates read (the caller binds `x{i}`) */
  vars: number[];
  /** parameters read (the caller binds `p{i}`) */
  pars: number[];
}

/**
 * Emit a set of expressions that share one scope (the energy alone, or the D
 * components of the gradient), with common sub-expressions computed once.
 */
export function emit(target: Target, exprs: Expr[]): Emitted {
  const dag = new Dag();
  const roots = exprs.map((e) => dag.intern(e));
  for (const r of roots) dag.uses[r]++;
  const writer = new Writer(target, dag);
  const results = roots.map((r) => writer.visit(r));
  return { temps: writer.temps, results, vars: [...writer.vars].sort((a, b) => a - b), pars: [...writer.pars].sort((a, b) => a - b) };
}

/** A node of the hash-consed DAG: an IR node whose children are DAG ids. */
interface DagNode {
  e: Expr;
  kids: number[];
}

/** Expression trees hash-consed into a DAG: one node per distinct sub-tree, and how many distinct parents (and roots) use each. */
class Dag {
  readonly nodes: DagNode[] = [];
  readonly uses: number[] = [];
  private readonly ids = new Map<string, number>();

  /** The id of `e`'s node, added (with its children) if new. */
  intern(e: Expr): number {
    let key: string;
    let kids: number[] = [];
    if (e.k === 'num') key = `n${e.v}`;
    else if (e.k === 'var' || e.k === 'par') key = `${e.k}${e.i}`;
    else {
      kids = e.args.map((a) => this.intern(a));
      key = `${e.k === 'call' ? e.fn : e.k}(${kids.join(',')})`;
    }
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.nodes.length;
      this.ids.set(key, id);
      this.nodes.push({ e, kids });
      this.uses.push(0);
      for (const kid of kids) this.uses[kid]++;
    }
    return id;
  }
}

/**
 * Writes the code of DAG nodes in one target's spelling, each node once:
 * a non-leaf node used more than once is hoisted into a temporary, and so
 * are the factors of large integer powers. Children are written in order
 * and only when needed, which fixes the numbering of the temporaries.
 */
class Writer {
  /** temporaries, in dependency order */
  readonly temps: string[] = [];
  /** coordinates read */
  readonly vars = new Set<number>();
  /** parameters read */
  readonly pars = new Set<number>();
  private readonly tempOf = new Map<string, string>();
  private readonly code = new Map<number, string>();

  constructor(
    private readonly target: Target,
    private readonly dag: Dag,
  ) {}

  /** The code of node `id`: a name, a literal or an expression. */
  visit(id: number): string {
    const known = this.code.get(id);
    if (known !== undefined) return known;
    const { e } = this.dag.nodes[id];
    let s = this.spell(id);
    const composite = e.k !== 'num' && e.k !== 'var' && e.k !== 'par';
    if (composite && (this.dag.uses[id] > 1 || nesting(s) > MAX_CODE_NESTING)) s = this.temp(s);
    this.code.set(id, s);
    return s;
  }

  private spell(id: number): string {
    const { e, kids } = this.dag.nodes[id];
    const kid = (j: number) => this.visit(kids[j]);
    switch (e.k) {
      case 'num':
        return this.target.num(e.v);
      case 'var':
        this.vars.add(e.i);
        return `x${e.i}`;
      case 'par':
        this.pars.add(e.i);
        return `p${e.i}`;
      case 'add':
        return this.chain(kids, ' + ');
      case 'mul':
        return this.chain(kids, ' * ');
      case 'sub':
        return `(${kid(0)} - ${kid(1)})`;
      case 'div':
        return `(${kid(0)} / ${kid(1)})`;
      case 'neg':
        // The operand is a name, a call or parenthesised, so this never spells `--`.
        return `(-${kid(0)})`;
      case 'call':
        return this.target.call(e.fn, kid(0));
      case 'pow':
        return this.pow(kids[0], kids[1]);
    }
  }

  /**
   * Operands joined by `op`, evaluated left to right: `(a + b + c)`. Past
   * MAX_CHAIN operands the first MAX_CHAIN become a temporary, which is the
   * first operand of the rest: the same left-to-right order.
   */
  private chain(kids: number[], op: string): string {
    const parts = kids.map((k) => this.visit(k));
    while (parts.length > MAX_CHAIN) parts.splice(0, MAX_CHAIN, this.temp(`(${parts.slice(0, MAX_CHAIN).join(op)})`));
    return `(${parts.join(op)})`;
  }

  /** base^exponent: e^x as exp, integer powers as products, other constant exponents as pow, others as exp(x log b). */
  private pow(baseId: number, exponentId: number): string {
    const b = this.dag.nodes[baseId].e;
    const x = this.dag.nodes[exponentId].e;
    if (b.k === 'num' && b.v === Math.E) return this.target.call('exp', this.visit(exponentId));
    if (x.k === 'num' && Number.isInteger(x.v) && x.v !== 0) {
      let base = this.visit(baseId);
      if (!isSimple(base)) base = this.temp(base);
      const p = this.intPow(base, Math.abs(x.v));
      return x.v > 0 ? p : `(${this.target.num(1)} / ${p})`;
    }
    if (x.k === 'num') return this.target.pow(this.visit(baseId), this.visit(exponentId));
    // Symbolic exponent: b^x = exp(x log b), identical on every target (defined for b > 0).
    return this.target.call('exp', `(${this.visit(exponentId)} * ${this.target.call('log', this.visit(baseId))})`);
  }

  /** base^n for an integer n ≥ 1, base a simple name or literal: at most 2·log2(n) products (n < 2^1024) */
  private intPow(base: string, n: number): string {
    if (n <= 4) return n === 1 ? base : `(${Array(n).fill(base).join(' * ')})`;
    const half = this.temp(this.intPow(base, Math.floor(n / 2)));
    return n % 2 === 0 ? `(${half} * ${half})` : `(${half} * ${half} * ${base})`;
  }

  /** A temporary holding `value` (the same one for the same text). */
  private temp(value: string): string {
    let name = this.tempOf.get(value);
    if (name === undefined) {
      name = `t${this.temps.length}`;
      this.tempOf.set(value, name);
      this.temps.push(this.target.decl(name, value));
    }
    return name;
  }
}

/** Deepest nesting of parentheses in generated code. */
function nesting(code: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < code.length; i++) {
    if (code[i] === '(') max = Math.max(max, ++depth);
    else if (code[i] === ')') depth--;
  }
  return max;
}

/** A name or a literal, which a product may repeat. */
function isSimple(s: string): boolean {
  return /^[A-Za-z_]\w*$/.test(s) || /^[\d.e+-]+$/.test(s);
}
