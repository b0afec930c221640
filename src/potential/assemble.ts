/**
 * Whole functions from emitted expressions (emit.ts), shared by both back
 * ends: a JavaScript function body (float64) and a pair of WGSL functions
 * (f32) per lowered expression.
 *
 * The IR's parameter index i reads scalar parameter i when i < P (the number
 * of scalar parameters) and column i − P of the current data row otherwise
 * (the example of a potential from data). A function binds only what it reads.
 *
 * No text a user wrote reaches generated source, not even a comment: these
 * functions take counts, never names, and the comment heading a potential's
 * WGSL prints the lowered expression over indices (`x0`, `p1`). A user's text
 * could otherwise end a `//` comment (WGSL ends one at U+000B, U+000C,
 * U+0085, U+2028 and U+2029 as well as at \n and \r) and be compiled.
 */
import { emit, JS, WGSL, type Emitted, type Target } from './emit.ts';
import { print, type Expr } from './ir.ts';
import type { Lowered } from './lower.ts';

/** Declarations binding the coordinates and parameters used (`x0 = x[0]`, `p0 = p[0]`). */
function bindings(target: Target, vars: number[], pars: number[], param: (i: number) => string): string[] {
  return [...vars.map((i) => target.decl(`x${i}`, `x[${i}]`)), ...pars.map((i) => target.decl(`p${i}`, param(i)))];
}

/**
 * The WGSL row of parameters the potential reads: `potential_params[param_row + i]`. A kernel whose
 * parameters follow a schedule binds a table of rows there and sets `param_row` to the step's row
 * offset; everywhere else it stays 0 (one row).
 */
export const WGSL_PARAM_ROW = 'var<private> param_row: u32 = 0u;';

/** The float64 JavaScript of one lowered expression: pieces for code generators, and function bodies. */
export interface JsCode {
  /** E, one result */
  energy: Emitted;
  /** ∇E, one result per coordinate */
  gradient: Emitted;
  /** body of `(x, p[, v, o]) => E` */
  energyBody: string;
  /** body of `(x, p[, v, o], g) => void`, storing every component g[d] */
  gradientBody: string;
}

/**
 * JavaScript for one lowered expression reading P scalar parameters from `p`;
 * data columns, if any, come from `v[o + c]` (the data, at the row's offset).
 */
export function jsCode(lowered: Lowered, P: number): JsCode {
  const energy = emit(JS, [lowered.energy]);
  const gradient = emit(JS, lowered.gradient);
  return {
    energy,
    gradient,
    energyBody: jsBody(energy, P, [`return ${energy.results[0]};`]),
    gradientBody: jsBody(
      gradient,
      P,
      gradient.results.map((r, d) => `g[${d}] = ${r};`),
    ),
  };
}

function jsBody(out: Emitted, P: number, tail: string[]): string {
  const columns = out.pars.filter((i) => i >= P).map((i) => JS.decl(`p${i}`, `v[o + ${i - P}]`));
  return [
    '"use strict";',
    ...bindings(
      JS,
      out.vars,
      out.pars.filter((i) => i < P),
      (i) => `p[${i}]`,
    ),
    ...columns,
    ...out.temps,
    ...tail,
  ].join('\n');
}

/** What a WGSL potential function reads besides the coordinates: counts only, so no name can reach the source. */
export interface WgslScope {
  /** P, the number of scalar parameters, read from `potential_params` */
  params: number;
  /** the number of data columns, for a function of one data row: it then takes `row: u32` and reads `potential_data` */
  columns?: number;
}

/**
 * `fn {stem}_energy(x) -> f32` and `fn {stem}_gradient(x) -> array<f32, D>`
 * (with `row: u32` after x when the scope has columns), each followed by a
 * blank line.
 * @throws ConstantOutOfRange when a constant has no f32 literal
 */
export function wgslFunctions(stem: string, lowered: Lowered, scope: WgslScope): string[] {
  const e = emit(WGSL, [lowered.energy]);
  const g = emit(WGSL, lowered.gradient);
  const args = `x: array<f32, D>${scope.columns !== undefined ? ', row: u32' : ''}`;
  return [
    ...wgslFunction(`fn ${stem}_energy(${args}) -> f32`, [...wgslHead(e, scope), ...e.temps, `return ${e.results[0]};`]),
    ...wgslFunction(`fn ${stem}_gradient(${args}) -> array<f32, D>`, [
      ...wgslHead(g, scope),
      ...g.temps,
      ...wgslStores(g, lowered.gradient),
    ]),
  ];
}

/**
 * The comment line that opens a potential's WGSL: what it is and its energy as
 * lowered, over coordinate and parameter indices (`x0`, `p1`; a data column is
 * `p{P + c}`), so that it reads the same as the code below it.
 * @param what our own words, e.g. `double-well, D = 2` (never a user's text)
 */
export function wgslComment(what: string, energy: Expr): string {
  return `// Potential ${what}: E = ${print(energy, { var: (i) => `x${i}`, par: (i) => `p${i}` })}`;
}

function wgslFunction(signature: string, body: string[]): string[] {
  return [`${signature} {`, ...body.map((l) => `  ${l}`), '}', ''];
}

/**
 * The bindings of a WGSL function. One that reads no parameter still names
 * `potential_params` (and a row function `potential_data`) in a phony
 * assignment, so that a pipeline with `layout: 'auto'` keeps the binding
 * whatever the potential.
 */
function wgslHead(out: Emitted, scope: WgslScope): string[] {
  const P = scope.params;
  return [
    ...(scope.columns !== undefined ? ['_ = &potential_data; // keeps the binding whatever the example reads'] : []),
    ...(out.pars.every((i) => i >= P) ? ['_ = &potential_params; // keeps the binding in auto layouts'] : []),
    ...bindings(
      WGSL,
      out.vars,
      out.pars.filter((i) => i < P),
      (i) => `potential_params[param_row + ${i}u]`,
    ),
    ...out.pars.filter((i) => i >= P).map((i) => WGSL.decl(`p${i}`, `potential_data[row * POTENTIAL_COLUMNS + ${i - P}u]`)),
  ];
}

/** The gradient's stores: g is zero-initialised, so identically zero components need none. */
function wgslStores(out: Emitted, gradient: Expr[]): string[] {
  return [
    'var g: array<f32, D>;',
    ...out.results.flatMap((r, d) => (gradient[d].k === 'num' && gradient[d].v === 0 ? [] : [`g[${d}] = ${r};`])),
    'return g;',
  ];
}
