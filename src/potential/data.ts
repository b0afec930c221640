/**
 * Potentials from data (README "Potentials from data"): a particle is a
 * parameter vector x, and
 *
 *   E(x) = prior(x) + Σ_{i<N} example(x; row_i)
 *
 * the negative log-posterior of a model, so T = 1 samples the posterior. Both
 * expressions go through the same lowering and assembly as any potential
 * (symbolic gradient, one emitter, WGSL f32 + JS float64). Data columns are read like
 * parameters: column c of the example is parameter P + c, bound to
 * `potential_data[row·C + c]` in WGSL and to `v[o + c]` in JS.
 *
 * WGSL interface (spliced at `//!potential` like any potential):
 *   @group(1) @binding(0) var<storage, read> potential_data: array<f32>;  // N × C, row-major
 *   const POTENTIAL_ROWS: u32 (N), POTENTIAL_COLUMNS: u32 (C)
 *   fn potential_prior_energy(x) -> f32, fn potential_prior_gradient(x) -> array<f32, D>
 *   fn potential_example_energy(x, row: u32) -> f32, fn potential_example_gradient(x, row: u32) -> array<f32, D>
 *   fn potential_energy(x) -> f32, fn potential_gradient(x) -> array<f32, D>   (full batch: loops over the rows)
 * Every kernel that uses a potential binds the data at group 1
 * (src/gpu/potentialData.ts) when `CompiledPotential.data` is present.
 */
import type { DataSet } from '../data.ts';
import { describeValue } from '../errors.ts';
import { jsCode, WGSL_PARAM_ROW, wgslComment, wgslFunctions, type JsCode } from './assemble.ts';
import { ConstantOutOfRange } from './emit.ts';
import { PotentialError } from './error.ts';
import { print } from './ir.ts';
import { lowerExpression, type Lowered } from './lower.ts';
import { expressionParams } from './params.ts';
import type { CompiledPotential, DataPotential, PotentialSpec } from './types.ts';

/** A position or a parameter vector, as the functions read them. */
type X = ArrayLike<number>;
/** A gradient, as the functions write it. */
type G = Float64Array | number[];

/** The float64 functions of prior and example; the example's also take the data `v` and the row's offset `o`. */
interface DataFunctions {
  prior: JsCode;
  example: JsCode;
  priorEnergy: (x: X, p: X) => number;
  priorGradient: (x: X, p: X, g: G) => void;
  exampleEnergy: (x: X, p: X, v: Float64Array, o: number) => number;
  exampleGradient: (x: X, p: X, v: Float64Array, o: number, g: G) => void;
}

/**
 * Compile a potential from data.
 * @param spec with `example`, `data`, optional `prior` (default "0") and `params` (as for an expression)
 * @throws PotentialError naming `potential.example`, `potential.prior` or `potential.params.…` and the position, e.g. for an unknown column
 */
export function compileDataPotential(spec: PotentialSpec, dims: number, field: string): CompiledPotential {
  const params = expressionParams(spec.params, dims, field);
  const data = spec.data as DataSet;
  const columns = data.columns;
  const example = expressionText(spec.example, `${field}.example`);
  const prior = spec.prior === undefined ? '0' : expressionText(spec.prior, `${field}.prior`);
  const priorIr = lowerExpression({ dims, letters: true, params: params.names, source: prior, field: `${field}.prior`, columns: [] });
  const exampleIr = lowerExpression({ dims, letters: true, params: params.names, source: example, field: `${field}.example`, columns });
  const table = dataTable(columns, data.rows);
  const paramValues = Float64Array.from(params.values);
  const P = params.names.length;
  const fns = dataFunctions(priorIr, exampleIr, P);
  const names = { var: (i: number) => `x${i}`, par: (i: number) => (i < P ? params.names[i] : columns[i - P]) };
  return {
    dims,
    name: 'data',
    expr: `${prior} + Σ_i (${example})`,
    paramNames: params.names,
    paramValues,
    wgsl: checkedWgsl(priorIr, exampleIr, { dims, params: P, columns: columns.length, rows: table.rows }, { prior, example }, field),
    ...fullBatch(fns, table, dims, paramValues),
    gradientExprs: priorIr.gradient.map((g, d) => `${print(g, names)} + Σ_i (${print(exampleIr.gradient[d], names)})`),
    data: { ...table, prior, example, ...rowFunctions(fns, table, paramValues) },
  };
}

/**
 * The WGSL, or a PotentialError naming `prior` or `example` when one of them
 * holds a constant outside the f32 range (as the expression back end does).
 */
function checkedWgsl(prior: Lowered, example: Lowered, shape: DataShape, text: { prior: string; example: string }, field: string): string {
  try {
    return wgslSource(prior, example, shape);
  } catch (e) {
    if (!(e instanceof ConstantOutOfRange)) throw e;
    const which = outOfRange(() => wgslFunctions('potential_prior', prior, { params: shape.params })) ? 'prior' : 'example';
    const f = `${field}.${which}`;
    throw new PotentialError(
      f,
      text[which],
      `${f}: in ${describeValue(text[which])}, the ${e.message} used by the GPU; rescale the expression`,
    );
  }
}

/** Whether emitting WGSL with `emit` meets a constant outside the f32 range. */
function outOfRange(emit: () => unknown): boolean {
  try {
    emit();
    return false;
  } catch (e) {
    if (e instanceof ConstantOutOfRange) return true;
    throw e;
  }
}

/** An expression as given through the API: a non-empty string (the spec validator has checked one from a spec). */
function expressionText(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '')
    throw new PotentialError(field, v, `${field}: got ${describeValue(v)}; expected a non-empty expression string`);
  return v;
}

/** JavaScript of prior and example, compiled; the example reads column c as `v[o + c]`. */
function dataFunctions(prior: Lowered, example: Lowered, P: number): DataFunctions {
  const pj = jsCode(prior, P);
  const ej = jsCode(example, P);
  return {
    prior: pj,
    example: ej,
    priorEnergy: new Function('x', 'p', pj.energyBody) as DataFunctions['priorEnergy'],
    priorGradient: new Function('x', 'p', 'g', pj.gradientBody) as DataFunctions['priorGradient'],
    exampleEnergy: new Function('x', 'p', 'v', 'o', ej.energyBody) as DataFunctions['exampleEnergy'],
    exampleGradient: new Function('x', 'p', 'v', 'o', 'g', ej.gradientBody) as DataFunctions['exampleGradient'],
  };
}

/** The data as the functions read it: N rows of C numbers, row-major, float64. */
type Table = Pick<DataPotential, 'columns' | 'rows' | 'values'>;

function dataTable(columns: string[], rows: number[][]): Table {
  const values = new Float64Array(rows.length * columns.length);
  rows.forEach((r, i) => values.set(r, i * columns.length));
  return { columns, rows: rows.length, values };
}

/** The per-row functions of {@link DataPotential}, with parameters defaulting to the compiled values. */
function rowFunctions(
  fns: DataFunctions,
  { values, columns }: Table,
  paramValues: Float64Array,
): Omit<DataPotential, keyof Table | 'prior' | 'example'> {
  const C = columns.length;
  return {
    priorEnergy: (x, p = paramValues) => fns.priorEnergy(x, p),
    priorGradient: (x, g, p = paramValues) => void fns.priorGradient(x, p, g),
    exampleEnergy: (x, row, p = paramValues) => fns.exampleEnergy(x, p, values, row * C),
    exampleGradient: (x, row, g, p = paramValues) => void fns.exampleGradient(x, p, values, row * C, g),
    gradientJs: { prior: fns.prior.gradient, example: fns.example.gradient },
    energyJs: { prior: fns.prior.energy, example: fns.example.energy },
  };
}

/** E = prior + Σ over all N rows of example, and its gradient, in float64. */
function fullBatch(
  fns: DataFunctions,
  { values, rows: N, columns }: Table,
  dims: number,
  paramValues: Float64Array,
): Pick<CompiledPotential, 'energy' | 'gradient'> {
  const C = columns.length;
  const ge = new Float64Array(dims);
  const energy = (x: X, p: X = paramValues): number => {
    let e = fns.priorEnergy(x, p);
    for (let r = 0; r < N; r++) e += fns.exampleEnergy(x, p, values, r * C);
    return e;
  };
  const gradient = (x: X, g: G, p: X = paramValues): void => {
    fns.priorGradient(x, p, g);
    for (let r = 0; r < N; r++) {
      fns.exampleGradient(x, p, values, r * C, ge);
      for (let d = 0; d < dims; d++) g[d] += ge[d];
    }
  };
  return { energy, gradient };
}

/** The counts a potential from data is generated from (never its column or parameter names). */
interface DataShape {
  dims: number;
  /** P, scalar parameters */
  params: number;
  /** C, data columns (column c is the example's parameter P + c) */
  columns: number;
  /** N, data rows */
  rows: number;
}

/** The WGSL of a potential from data (see the module comment for the interface). */
function wgslSource(prior: Lowered, example: Lowered, { dims, params, columns, rows }: DataShape): string {
  return [
    wgslComment(`from data, D = ${dims}, N = ${rows}: prior`, prior.energy),
    wgslComment(`from data: example (column c of the row is p${params}+c)`, example.energy),
    '@group(1) @binding(0) var<storage, read> potential_data: array<f32>;',
    `const POTENTIAL_ROWS: u32 = ${rows}u;`,
    `const POTENTIAL_COLUMNS: u32 = ${columns}u;`,
    WGSL_PARAM_ROW,
    '',
    ...wgslFunctions('potential_prior', prior, { params }),
    ...wgslFunctions('potential_example', example, { params, columns }),
    ...FULL_BATCH,
  ].join('\n');
}

/** The full-batch energy and gradient: prior + Σ over every row (f32 accumulation). */
const FULL_BATCH = [
  '// Full batch: prior + sum over all rows (f32 accumulation).',
  'fn potential_energy(x: array<f32, D>) -> f32 {',
  '  var e = potential_prior_energy(x);',
  '  for (var r = 0u; r < POTENTIAL_ROWS; r++) {',
  '    e += potential_example_energy(x, r);',
  '  }',
  '  return e;',
  '}',
  '',
  'fn potential_gradient(x: array<f32, D>) -> array<f32, D> {',
  '  var g = potential_prior_gradient(x);',
  '  for (var r = 0u; r < POTENTIAL_ROWS; r++) {',
  '    let ge = potential_example_gradient(x, r);',
  '    for (var d = 0u; d < D; d++) {',
  '      g[d] += ge[d];',
  '    }',
  '  }',
  '  return g;',
  '}',
  '',
];
