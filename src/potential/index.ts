/**
 * Potentials: one expression → symbolic gradient → WGSL (f32) + JS (float64),
 * and the catalog of built-ins (DESIGN §3). The pipeline, by module:
 *
 * - compile.ts: `compilePotential`, which checks D and picks the back end;
 * - expression.ts: the back end for a built-in (catalog.ts) or an expression;
 * - data.ts: the back end for a potential from data, prior + Σ example over rows;
 * - params.ts: parameter names and values (`a: [1, 2]` → a_0, a_1);
 * - source.ts: the size limits of an expression, parsing, errors pointing at a character;
 * - parse.ts, tokens.ts: the parser (tokens → syntax tree with positions; mathjs's grammar, restricted);
 * - lower.ts: validate and rename (vocabulary.ts) → IR, differentiate (derivative.ts);
 * - ir.ts: the IR and its simplifier; emit.ts: IR → code in one target's spelling;
 * - assemble.ts: emitted code → JS function bodies and WGSL functions;
 * - types.ts, error.ts: what goes in and out, and the one error type.
 */
export { compilePotential } from './compile.ts';
export { PotentialError } from './error.ts';
export { MAX_DIMS } from '../limits.ts';
export type { CompiledPotential, PotentialSpec } from './types.ts';
export { CATALOG, type CatalogEntry, type CatalogParam } from './catalog.ts';
