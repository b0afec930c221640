/**
 * Potentials: expression → symbolic gradient → WGSL + JS, and the catalog of
 * built-ins (DESIGN §3).
 */
export { compilePotential } from './compile.ts';
export { PotentialError } from './error.ts';
export { MAX_DIMS } from '../limits.ts';
export type { CompiledPotential, PotentialSpec } from './types.ts';
export { CATALOG, type CatalogEntry, type CatalogParam } from './catalog.ts';
