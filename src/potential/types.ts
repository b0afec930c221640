/**
 * The shapes the potential compiler takes and gives: a potential as written
 * in a run spec, and the compiled potential every backend consumes.
 */
import type { DataSet } from '../data.ts';
import type { Emitted } from './emit.ts';

/** A potential as written in a run spec: a built-in by `name`, or an expression `expr`, with `params`. */
export interface PotentialSpec {
  /** a catalog name, e.g. `double-well` (exclusive with `expr`) */
  name?: string;
  /**
   * an expression in the coordinates, e.g. `(x^2 - 1)^2 + 0.5*k*y^2`: variables
   * x, y, z, w (D ≤ 4) or x0 … x{D−1}; constants pi, e; functions sin, cos, tan,
   * exp, log (natural), sqrt, abs, tanh, sinh, cosh, atan, asin, acos; operators
   * + − * / ^ (exclusive with `name`)
   */
  expr?: string;
  /** parameter values; an array `a: [1, 2]` defines a_0, a_1 (per-dimension for catalog parameters) */
  params?: Record<string, number | number[]>;
  /** potential from data: the loss of one row, in the coordinates, parameters and data columns (exclusive with name/expr) */
  example?: string;
  /** potential from data: the prior term, in the coordinates and parameters (default "0") */
  prior?: string;
  /** potential from data: the rows (validated, src/data.ts) */
  data?: DataSet;
}

/** A compiled potential: the same energy for the GPU (WGSL), the CPU (JS) and quadrature (JS, float64). */
export interface CompiledPotential {
  /** dimension D of x, 1…16 */
  dims: number;
  /** catalog name, or 'expr' for a user expression */
  name: string;
  /** the source expression: a catalog entry's expansion in x0…x{D−1}, or the user's expression as written */
  expr: string;
  /** scalar parameter names in uniform order, e.g. ['k_0', 'k_1'] or ['h', 'c', 'k'] */
  paramNames: string[];
  /** parameter values, same order as paramNames */
  paramValues: Float64Array;
  /**
   * WGSL defining `fn potential_energy(x: array<f32, D>) -> f32` and
   * `fn potential_gradient(x: array<f32, D>) -> array<f32, D>`. The including
   * kernel declares `const D: u32` and a module-scope `potential_params`
   * (array<f32>) holding paramValues as f32.
   */
  wgsl: string;
  /**
   * E(x) in float64.
   * @param x position, length D
   * @param p parameter values (default paramValues)
   * @example compilePotential({ name: 'harmonic', params: { k: [1, 4] } }, 2).energy([1, 2]) // 8.5
   */
  energy(x: ArrayLike<number>, p?: ArrayLike<number>): number;
  /**
   * ∇E(x) in float64, written to g[0…D−1].
   * @param x position, length D
   * @param g output, length ≥ D
   * @param p parameter values (default paramValues)
   */
  gradient(x: ArrayLike<number>, g: Float64Array | number[], p?: ArrayLike<number>): void;
  /** ∂E/∂x_d after simplification, one string per dimension in the expression syntax (docs and debugging) */
  gradientExprs: string[];
  /**
   * The float64 JavaScript of ∇E as `gradient` evaluates it, in pieces that a
   * code generator can inline (src/cpu/kernels/): temporaries, then one
   * expression per component, in `x{i}` (bound by the caller to coordinate i)
   * and `p{i}` (parameter i). Same text as `gradient`, so the same float64 result.
   */
  gradientJs?: Emitted;
  /** The float64 JavaScript of E as `energy` evaluates it, in the same pieces as `gradientJs` (one result). */
  energyJs?: Emitted;
  /**
   * Present for a potential from data, E(x) = prior(x) + Σ_i example(x; row_i).
   * `energy`/`gradient` above are then the full-batch sums; `wgsl` also declares
   * `potential_data` at @group(1) @binding(0) (see src/potential/data.ts).
   */
  data?: DataPotential;
}

/** The data-specific parts of a compiled potential from data. */
export interface DataPotential {
  /** column names, in row order */
  columns: string[];
  /** N, rows in the data set */
  rows: number;
  /** the data, N × C row-major, float64 as given (the GPU holds it as f32) */
  values: Float64Array;
  /** the prior expression as written ("0" when absent) */
  prior: string;
  /** the per-row loss as written */
  example: string;
  /** prior(x) in float64 */
  priorEnergy(x: ArrayLike<number>, p?: ArrayLike<number>): number;
  /** ∇prior(x) in float64, written to g */
  priorGradient(x: ArrayLike<number>, g: Float64Array | number[], p?: ArrayLike<number>): void;
  /** example(x; row) in float64 */
  exampleEnergy(x: ArrayLike<number>, row: number, p?: ArrayLike<number>): number;
  /** ∇_x example(x; row) in float64, written to g */
  exampleGradient(x: ArrayLike<number>, row: number, g: Float64Array | number[], p?: ArrayLike<number>): void;
  /**
   * The float64 JavaScript of ∇prior and ∇example as the two functions above
   * evaluate them, for code generators (src/cpu/kernels/): in `x{i}`, `p{i}`
   * for the P scalar parameters (i < P) and `p{P + c}` for column c of the row.
   */
  gradientJs: { prior: Emitted; example: Emitted };
  /** The same for prior(x) and example(x; row), one result each. */
  energyJs: { prior: Emitted; example: Emitted };
}
