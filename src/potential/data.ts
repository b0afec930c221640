/**
 * Potentials from data (README "Potentials from data"): a particle is a
 * parameter vector x, and
 *
 *   E(x) = prior(x) + Σ_{i<N} example(x; row_i)
 *
 * the negative log-posterior of a model, so T = 1 samples the posterior. Both
 * expressions go through the same compiler as any potential (symbolic
 * gradient, one emitter, WGSL f32 + JS float64). Data columns are read like
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
import { jsCode, wgslComment, wgslFunctions } from './assemble.ts';
import { print } from './ir.ts';
import { lowerExpression, type Lowered } from './lower.ts';
import type { Params } from './params.ts';
import type { CompiledPotential, DataPotential, PotentialSpec } from './types.ts';

/**
 * Compile a potential from data.
 * @param spec with `example`, `data` and optional `prior`
 * @param params the scalar parameters (already expanded and checked)
 * @throws PotentialError naming `potential.example` or `potential.prior` and the position, e.g. for an unknown column
 */
export function compileDataPotential(spec: PotentialSpec, dims: number, field: string, params: Params): CompiledPotential {
  const data = spec.data as DataSet;
  const example = spec.example as string;
  const prior = spec.prior ?? '0';
  const P = params.names.length;
  const C = data.columns.length;
  const N = data.rows.length;
  const priorIr = lowerExpression({ dims, letters: true, params: params.names, source: prior, field: `${field}.prior`, columns: [] });
  const exampleIr = lowerExpression({ dims, letters: true, params: params.names, source: example, field: `${field}.example`, columns: data.columns });

  const values = new Float64Array(N * C);
  data.rows.forEach((r, i) => values.set(r, i * C));
  const paramValues = Float64Array.from(params.values);

  // JS (float64). Example functions read column c as v[o + c].
  const pj = jsCode(priorIr, P);
  const ej = jsCode(exampleIr, P);
  type Fn = (...a: unknown[]) => unknown;
  const priorE = new Function('x', 'p', pj.energyBody) as Fn;
  const priorG = new Function('x', 'p', 'g', pj.gradientBody) as Fn;
  const exE = new Function('x', 'p', 'v', 'o', ej.energyBody) as Fn;
  const exG = new Function('x', 'p', 'v', 'o', 'g', ej.gradientBody) as Fn;

  const ge = new Float64Array(dims);
  const part: DataPotential = {
    columns: data.columns,
    rows: N,
    values,
    prior,
    example,
    priorEnergy: (x, p = paramValues) => priorE(x, p) as number,
    priorGradient: (x, g, p = paramValues) => void priorG(x, p, g),
    exampleEnergy: (x, row, p = paramValues) => exE(x, p, values, row * C) as number,
    exampleGradient: (x, row, g, p = paramValues) => void exG(x, p, values, row * C, g),
    gradientJs: { prior: pj.gradient, example: ej.gradient },
    energyJs: { prior: pj.energy, example: ej.energy },
  };
  const energy = (x: ArrayLike<number>, p: ArrayLike<number> = paramValues): number => {
    let e = priorE(x, p) as number;
    for (let r = 0; r < N; r++) e += exE(x, p, values, r * C) as number;
    return e;
  };
  const gradient = (x: ArrayLike<number>, g: Float64Array | number[], p: ArrayLike<number> = paramValues): void => {
    priorG(x, p, g);
    for (let r = 0; r < N; r++) {
      exG(x, p, values, r * C, ge);
      for (let d = 0; d < dims; d++) g[d] += ge[d];
    }
  };

  const names = { var: (i: number) => `x${i}`, par: (i: number) => (i < P ? params.names[i] : data.columns[i - P]) };
  return {
    dims,
    name: 'data',
    expr: `${prior} + Σ_i (${example})`,
    paramNames: params.names,
    paramValues,
    wgsl: wgslSource(priorIr, exampleIr, params.names, data.columns, N, `from data, D = ${dims}, N = ${N}: E = ${prior} + sum over rows of ${example}`),
    energy,
    gradient,
    gradientExprs: priorIr.gradient.map((g, d) => `${print(g, names)} + Σ_i (${print(exampleIr.gradient[d], names)})`),
    data: part,
  };
}

/** The WGSL of a potential from data (see the module comment for the interface). */
function wgslSource(prior: Lowered, example: Lowered, paramNames: string[], columns: string[], rows: number, comment: string): string {
  return [
    wgslComment(comment),
  '@group(1) @binding(0) var<storage, read> potential_data: array<f32>;',
    `const POTENTIAL_ROWS: u32 = ${rows}u;`,
    `const POTENTIAL_COLUMNS: u32 = ${columns.length}u;`,
  '',
    ...wgslFunctions('potential_prior', prior, { paramNames }),
    ...wgslFunctions('potential_example', example, { paramNames, columns }),
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
