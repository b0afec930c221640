/**
 * The potential compiler's entry: checks what every potential needs (D, an
 * object) and hands the spec to its back end: a potential from data
 * (`example`, data.ts) or a built-in or expression (`name` / `expr`,
 * expression.ts). See index.ts for the whole pipeline.
 */
import { describeValue } from '../errors.ts';
import { MAX_DIMS } from '../limits.ts';
import { isObject } from '../values.ts';
import { CATALOG } from './catalog.ts';
import { compileDataPotential } from './data.ts';
import { PotentialError } from './error.ts';
import { compileExpression } from './expression.ts';
import type { CompiledPotential, PotentialSpec } from './types.ts';

/**
 * Compile a potential for D dimensions.
 * @param spec `{ name, params }` for a built-in, `{ expr, params }` for an expression, or `{ example, data, prior, params }` for a potential from data
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
    throw new PotentialError(
      field,
      dims,
      `${field}: dims = ${describeValue(dims)} is not supported; potentials take an integer number of dimensions from 1 to ${MAX_DIMS}`,
    );
  }
  if (!isObject(spec)) {
    throw new PotentialError(
      field,
      spec,
      `${field}: got ${describeValue(spec)}; expected an object {"name": ...} or {"expr": ...} with optional "params"`,
    );
  }
  if (spec.example !== undefined && spec.name === undefined && spec.expr === undefined) {
    return compileDataPotential(spec, dims, field);
  }
  if ((spec.name === undefined) === (spec.expr === undefined)) {
    throw new PotentialError(
      field,
      spec,
      `${field}: got ${describeValue(spec)}; give exactly one of "name" (a built-in: ${CATALOG.map((c) => c.name).join(', ')}) or "expr" (an expression such as "(x^2 - 1)^2 + 0.5*y^2")`,
    );
  }
  return compileExpression(spec, dims, field);
}
