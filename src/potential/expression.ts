/**
 * The expression back end: a built-in (its catalog expression for D) or a
 * user expression → a CompiledPotential.
 *
 *   spec → source expression and parameters → lowering (lower.ts)
 *        → WGSL (f32) `potential_energy` / `potential_gradient`
 *        → JavaScript (float64) `energy` / `gradient` via `new Function`
 *
 * Parameters are never inlined: they are read at run time from
 * `potential_params` (WGSL) or `p` (JS), so changing them needs no recompile.
 */
import { describeValue } from '../errors.ts';
import { jsCode, WGSL_PARAM_ROW, wgslComment, wgslFunctions } from './assemble.ts';
import { CATALOG } from './catalog.ts';
import { ConstantOutOfRange } from './emit.ts';
import { PotentialError } from './error.ts';
import { print } from './ir.ts';
import { lowerExpression, type Lowered } from './lower.ts';
import { catalogParams, expressionParams, type Params } from './params.ts';
import type { CompiledPotential, PotentialSpec } from './types.ts';

/** A spec resolved to the expression to compile. */
interface Source {
  /** catalog name, or 'expr' for a user expression */
  name: string;
  /** the expression: the catalog's expansion in x0…x{D−1}, or the user's as written */
  expr: string;
  /** spec field of the expression, for messages: `….name` or `….expr` */
  field: string;
  /** whether x, y, z, w name coordinates (user expressions only, so built-ins' parameters may be called w, y, …) */
  letters: boolean;
  params: Params;
}

/**
 * Compile a built-in (`spec.name`) or an expression (`spec.expr`) for D
 * dimensions; the caller has checked D and that exactly one of them is given.
 * @throws PotentialError naming the field, the value and what is allowed
 */
export function compileExpression(spec: PotentialSpec, dims: number, field: string): CompiledPotential {
  const source = spec.expr !== undefined ? userExpression(spec, dims, field) : builtIn(spec, dims, field);
  const lowered = lowerExpression({ dims, letters: source.letters, params: source.params.names, source: source.expr, field: source.field });
  const paramValues = Float64Array.from(source.params.values);
  const js = jsCode(lowered, source.params.names.length);
  const energyFn = new Function('x', 'p', js.energyBody) as (x: ArrayLike<number>, p: ArrayLike<number>) => number;
  const gradientFn = new Function('x', 'p', 'g', js.gradientBody) as (
    x: ArrayLike<number>,
    p: ArrayLike<number>,
    g: Float64Array | number[],
  ) => void;
  const names = { var: (i: number) => `x${i}`, par: (i: number) => source.params.names[i] };
  return {
    dims,
    name: source.name,
    expr: source.expr,
    paramNames: source.params.names,
    paramValues,
    wgsl: wgslSource(source, dims, lowered),
    energy: (x, p = paramValues) => energyFn(x, p),
    gradient: (x, g, p = paramValues) => gradientFn(x, p, g),
    gradientExprs: lowered.gradient.map((g) => print(g, names)),
    gradientJs: js.gradient,
    energyJs: js.energy,
  };
}

/** `spec.expr`: a non-empty string, with parameters as given. */
function userExpression(spec: PotentialSpec, dims: number, field: string): Source {
  const sourceField = `${field}.expr`;
  if (typeof spec.expr !== 'string' || spec.expr.trim() === '') {
    throw new PotentialError(
      sourceField,
      spec.expr,
      `${sourceField}: got ${describeValue(spec.expr)}; expected a non-empty expression string such as "(x^2 - 1)^2 + 0.5*y^2"`,
    );
  }
  return { name: 'expr', expr: spec.expr, field: sourceField, letters: true, params: expressionParams(spec.params, dims, field) };
}

/** `spec.name`: a catalog entry defined for D, expanded for D, with its parameters' defaults filled in. */
function builtIn(spec: PotentialSpec, dims: number, field: string): Source {
  const sourceField = `${field}.name`;
  const entry = CATALOG.find((c) => c.name === spec.name);
  if (entry === undefined) {
    throw new PotentialError(
      sourceField,
      spec.name,
      `${sourceField}: unknown potential ${describeValue(spec.name)}; known potentials: ${CATALOG.map((c) => c.name).join(', ')} (or give "expr" instead of "name")`,
    );
  }
  if (entry.dims !== 'any' && entry.dims !== dims) {
    throw new PotentialError(
      sourceField,
      spec.name,
      `${sourceField}: '${entry.name}' is defined for dims = ${entry.dims} only, but dims = ${dims} was requested; set dims to ${entry.dims}`,
    );
  }
  return {
    name: entry.name,
    expr: entry.expr(dims),
    field: sourceField,
    letters: false,
    params: catalogParams(entry, spec.params, dims, field),
  };
}

/**
 * `potential_energy` and `potential_gradient` in WGSL.
 * @throws PotentialError when a constant has no f32 literal
 */
function wgslSource(source: Source, dims: number, lowered: Lowered): string {
  try {
    // source.name is 'expr' or a catalog entry's name: never the user's text
    const comment = wgslComment(`${source.name}, D = ${dims}`, lowered.energy);
    return [comment, WGSL_PARAM_ROW, '', ...wgslFunctions('potential', lowered, { params: source.params.names.length })].join('\n');
  } catch (e) {
    if (e instanceof ConstantOutOfRange) {
      throw new PotentialError(
        source.field,
        source.expr,
        `${source.field}: in ${describeValue(source.expr)}, the ${e.message} used by the GPU; rescale the expression`,
      );
    }
    throw e;
  }
}
