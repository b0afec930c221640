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
import { describeValue } from '../errors.ts';
import { MAX_DIMS } from '../limits.ts';
import { CATALOG } from './catalog.ts';
import { compileDataPotential } from './data.ts';
import { PotentialError } from './error.ts';
import { jsCode, wgslComment, wgslFunctions } from './assemble.ts';
import { ConstantOutOfRange } from './emit.ts';
import { print } from './ir.ts';
import { lowerExpression } from './lower.ts';
import { catalogParams, expressionParams, type Params } from './params.ts';
import type { CompiledPotential, PotentialSpec } from './types.ts';

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
  let params: Params;
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
  const js = jsCode({ energy: energyIr, gradient: gradientIr }, params.names.length);
  const energyFn = new Function('x', 'p', js.energyBody) as (x: ArrayLike<number>, p: ArrayLike<number>) => number;
  const gradientFn = new Function('x', 'p', 'g', js.gradientBody) as (x: ArrayLike<number>, p: ArrayLike<number>, g: Float64Array | number[]) => void;
  let wgsl: string;
  try {
    const comment = wgslComment(`${name}, D = ${dims}: E = ${source}`);
    wgsl = [comment, ...wgslFunctions('potential', { energy: energyIr, gradient: gradientIr }, { paramNames: params.names })].join('\n');
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
    gradientJs: js.gradient,
    energyJs: js.energy,
  };
}
