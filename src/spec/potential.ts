/** Validation of the spec's potential (a built-in, an expression, or a potential from data) and its mini-batch. */
import { SpecError } from '../errors.ts';
import { validateData, type DataSet } from '../data.ts';
import { MAX_BATCH_WITHOUT_REPLACEMENT } from '../rng/batch.ts';
import { MAX_IDENTIFIER_LENGTH } from '../limits.ts';
import { isObject, keyPath, nameList } from '../values.ts';
import { checkKeys, finite, integer, optional, withDefault, type Obj } from './fields.ts';
import type { BatchSpec, RunSpec } from './types.ts';

/** The spec's potential: exactly one of a built-in (`name`), an expression (`expr`) or a potential from data (`example` with `data`), and its `params`. */
export function potential(v: unknown): RunSpec['potential'] {
  const kinds = '{"name": ...} or {"expr": ...} (or {"data": ..., "example": ..., "prior": ...}: a potential from data)';
  if (!isObject(v)) throw new SpecError('potential', v, `must be an object ${kinds}, with optional "params"`);
  checkKeys(v, 'potential', ['name', 'expr', 'params', 'data', 'example', 'prior']);
  const given = ['name', 'expr', 'example'].filter((k) => Object.hasOwn(v, k) && v[k] !== undefined);
  if (given.length !== 1)
    throw new SpecError(
      'potential',
      v,
      `must have exactly one of "name" (a built-in), "expr" (an expression) or "example" (with "data": a potential from data), i.e. ${kinds}`,
    );
  if (v.name !== undefined && typeof v.name !== 'string')
    throw new SpecError('potential.name', v.name, 'must be a string (run `npx langevin potentials` for the list)');
  if (v.expr !== undefined && (typeof v.expr !== 'string' || v.expr.trim() === ''))
    throw new SpecError('potential.expr', v.expr, 'must be a non-empty expression string, e.g. "(x^2 - 1)^2 + 0.5*y^2"');
  const fromData = v.example !== undefined;
  if (!fromData && (v.data !== undefined || v.prior !== undefined)) {
    throw new SpecError(
      v.data !== undefined ? 'potential.data' : 'potential.prior',
      v.data !== undefined ? v.data : v.prior,
      'belongs to a potential from data: give "example" (the loss of one data row) with "data", and no "name" or "expr"',
    );
  }
  const data = fromData ? dataPart(v) : undefined;
  const out: RunSpec['potential'] = {
    name: v.name as string | undefined,
    expr: v.expr as string | undefined,
    params: params(withDefault(v, 'params', 'potential.params', {}), data),
  };
  if (data) Object.assign(out, data);
  return out;
}

/** A potential from data's `example`, `prior` (default "0") and `data`. */
function dataPart(v: Obj): { example: string; prior: string; data: DataSet } {
  if (typeof v.example !== 'string' || v.example.trim() === '')
    throw new SpecError(
      'potential.example',
      v.example,
      'must be a non-empty expression in the coordinates and the data columns, e.g. "(y - x*u)^2/2"',
    );
  const prior = optional(v, 'prior', 'potential.prior', 'to use the default ("0": no prior)');
  if (prior !== undefined && (typeof prior !== 'string' || prior.trim() === ''))
    throw new SpecError('potential.prior', prior, 'must be a non-empty expression in the coordinates, e.g. "x^2/20 + y^2/2" (default "0")');
  if (v.data === undefined)
    throw new SpecError(
      'potential.data',
      undefined,
      'is required with "example": {"columns": [...], "rows": [[...], ...]} or {"file": "points.csv"}',
    );
  const data = validateData(v.data, 'potential.data');
  return { example: v.example, prior: prior === undefined ? '0' : (prior as string), data };
}

/** `params`: name → finite number, array of finite numbers, or schedule (checked later); no name may also be a data column. */
function params(given: unknown, data: { data: DataSet } | undefined): Record<string, number | number[]> {
  if (!isObject(given)) throw new SpecError('potential.params', given, 'must be an object of name: number (or array of numbers)');
  const columns = data?.data.columns;
  for (const [k, p] of Object.entries(given)) {
    const field = keyPath('potential.params', k);
    if (k.length > MAX_IDENTIFIER_LENGTH)
      throw new SpecError('potential.params', k, `parameter names must be at most ${MAX_IDENTIFIER_LENGTH} characters long`);
    // schedule objects are checked with the protocol (src/spec/kinetics.ts)
    if (Array.isArray(p))
      p.forEach((x, i) => isObject(x) || finite(x, `${field}[${i}]`, () => true, 'must be a finite number or a schedule'));
    else if (!isObject(p)) finite(p, field, () => true, 'must be a finite number, an array of finite numbers, or a schedule object');
    if (columns?.includes(k))
      throw new SpecError(field, p, `'${k}' is also a data column (columns: ${nameList(columns)}); rename one of them`);
  }
  return given as Record<string, number | number[]>;
}

/** A data column may not be named like a coordinate (x0…, and x, y, z, w when dims ≤ 4), a constant or a function. */
export function checkColumnNames(data: DataSet, dims: number): void {
  const letters = ['x', 'y', 'z', 'w'].slice(0, dims <= 4 ? dims : 0);
  const reserved = new Set(['pi', 'e', 'sin', 'cos', 'tan', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sinh', 'cosh', 'atan', 'asin', 'acos']);
  data.columns.forEach((c, j) => {
    const m = /^x(0|[1-9]\d*)$/.exec(c);
    if (letters.includes(c) || (m && Number(m[1]) < dims)) {
      throw new SpecError(
        `potential.data.columns[${j}]`,
        c,
        `clashes with a coordinate (the parameters being learned are ${[...letters, ...Array.from({ length: dims }, (_, i) => `x${i}`)].join(', ')} for dims = ${dims}); rename the column`,
      );
    }
    if (reserved.has(c))
      throw new SpecError(
        `potential.data.columns[${j}]`,
        c,
        'clashes with a constant or function name (pi, e, sin, cos, exp, log, …); rename the column',
      );
  });
}

export function batchSpec(b: unknown, replace: unknown, data: DataSet | undefined): BatchSpec | undefined {
  if (b === undefined) {
    if (replace !== undefined) throw new SpecError('replace', replace, 'belongs to a mini-batch: give "batch" (rows per gradient) too');
    return undefined;
  }
  if (!data)
    throw new SpecError('batch', b, 'needs a potential from data ({"data", "example", "prior"}): a mini-batch is a subset of its rows');
  const N = data.rows.length;
  const size = integer(b, 'batch', 1, N);
  if (replace !== undefined && typeof replace !== 'boolean')
    throw new SpecError('replace', replace, 'must be true (rows drawn with replacement, the default) or false (without replacement)');
  if (replace === false && size > MAX_BATCH_WITHOUT_REPLACEMENT) {
    throw new SpecError(
      'batch',
      b,
      `must be at most ${MAX_BATCH_WITHOUT_REPLACEMENT} with "replace": false (or use "replace": true, or omit "batch" for the full data set of ${N} rows)`,
    );
  }
  return { size, replace: replace !== false };
}
