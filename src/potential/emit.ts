/**
 * Code generation from the IR, parametrised by target: WGSL (f32, GPU
 * kernels) and JavaScript (float64, CPU reference and quadrature).
 *
 * One walker serves both targets; a {@link Target} supplies only spelling
 * (literals, function names, declarations). Common sub-expressions are
 * computed once into temporaries (`t0`, `t1`, …): every non-trivial
 * sub-tree that occurs more than once across all the expressions of one
 * function is hoisted. Integer powers are expanded into products (by
 * repeated squaring beyond the 4th power) because WGSL's `pow` is undefined
 * for negative bases.
 */
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

/** Largest f32 (2^128 − 2^104). */
const F32_MAX = 3.4028234663852886e38;
/** Smallest normal f32; GPUs flush smaller magnitudes to zero anyway. */
const F32_MIN_NORMAL = 1.1754943508222875e-38;
/** Integer exponents up to this magnitude are expanded into products. */
const MAX_EXPANDED_POWER = 1024;

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

/** A node of the hash-consed DAG: an IR node whose children are DAG ids. */
interface DagNode {
  e: Expr;
  kids: number[];
}

/**
 * Emit a set of expressions that share one scope (the energy alone, or the D
 * components of the gradient), with common sub-expressions computed once.
 */
export function emit(target: Target, exprs: Expr[]): Emitted {
  // 1. Hash-cons the trees into a DAG and count, for each node, the distinct parents (and roots) using it.
  const ids = new Map<string, number>();
  const dag: DagNode[] = [];
  const uses: number[] = [];
  const intern = (e: Expr): number => {
    let key: string;
    let kids: number[] = [];
    if (e.k === 'num') key = `n${e.v}`;
    else if (e.k === 'var' || e.k === 'par') key = `${e.k}${e.i}`;
    else {
      kids = e.args.map(intern);
      key = `${e.k === 'call' ? e.fn : e.k}(${kids.join(',')})`;
    }
    let id = ids.get(key);
    if (id === undefined) {
      id = dag.length;
      ids.set(key, id);
      dag.push({ e, kids });
      uses.push(0);
      for (const kid of kids) uses[kid]++;
    }
    return id;
  };
  const roots = exprs.map(intern);
  for (const r of roots) uses[r]++;

  // 2. Emit, hoisting shared non-leaf nodes into temporaries.
  const temps: string[] = [];
  const tempOf = new Map<string, string>();
  const vars = new Set<number>();
  const pars = new Set<number>();
  const code = new Map<number, string>();
  const temp = (value: string): string => {
    let name = tempOf.get(value);
    if (name === undefined) {
      name = `t${temps.length}`;
      tempOf.set(value, name);
      temps.push(target.decl(name, value));
    }
    return name;
  };
  const isSimple = (s: string): boolean => /^[A-Za-z_]\w*$/.test(s) || /^[\d.e+-]+$/.test(s);
  /** base^n for an integer n ≥ 1, base a simple name or literal */
  const intPow = (base: string, n: number): string => {
    if (n <= 4) return n === 1 ? base : `(${Array(n).fill(base).join(' * ')})`;
    const half = temp(intPow(base, Math.floor(n / 2)));
    return n % 2 === 0 ? `(${half} * ${half})` : `(${half} * ${half} * ${base})`;
  };
  const pow = (baseId: number, exponentId: number): string => {
    const b = dag[baseId].e;
    const x = dag[exponentId].e;
    if (b.k === 'num' && b.v === Math.E) return target.call('exp', visit(exponentId));
    if (x.k === 'num' && Number.isInteger(x.v) && Math.abs(x.v) <= MAX_EXPANDED_POWER && x.v !== 0) {
      let base = visit(baseId);
      if (!isSimple(base)) base = temp(base);
      const p = intPow(base, Math.abs(x.v));
      return x.v > 0 ? p : `(${target.num(1)} / ${p})`;
    }
    if (x.k === 'num') return target.pow(visit(baseId), visit(exponentId));
    // Symbolic exponent: b^x = exp(x log b), identical on every target (defined for b > 0).
    return target.call('exp', `(${visit(exponentId)} * ${target.call('log', visit(baseId))})`);
  };
  const visit = (id: number): string => {
    const known = code.get(id);
    if (known !== undefined) return known;
    const { e, kids } = dag[id];
    const k = kids.map((kid) => () => visit(kid));
    let s: string;
    switch (e.k) {
      case 'num':
        s = target.num(e.v);
        break;
      case 'var':
        vars.add(e.i);
        s = `x${e.i}`;
        break;
      case 'par':
        pars.add(e.i);
        s = `p${e.i}`;
        break;
      case 'add':
        s = `(${k.map((f) => f()).join(' + ')})`;
        break;
      case 'mul':
        s = `(${k.map((f) => f()).join(' * ')})`;
        break;
      case 'sub':
        s = `(${k[0]()} - ${k[1]()})`;
        break;
      case 'div':
        s = `(${k[0]()} / ${k[1]()})`;
        break;
      case 'neg':
        // The operand is a name, a call or parenthesised, so this never spells `--`.
        s = `(-${k[0]()})`;
        break;
      case 'call':
        s = target.call(e.fn, k[0]());
        break;
      case 'pow':
        s = pow(kids[0], kids[1]);
        break;
    }
    if (uses[id] > 1 && e.k !== 'num' && e.k !== 'var' && e.k !== 'par') s = temp(s);
    code.set(id, s);
    return s;
  };
  const results = roots.map(visit);
  return { temps, results, vars: [...vars].sort((a, b) => a - b), pars: [...pars].sort((a, b) => a - b) };
}
