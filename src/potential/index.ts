/**
 * Potentials: expression → symbolic gradient → WGSL + JS, and the catalog of
 * built-ins (DESIGN §3).
 */
export { compilePotential, PotentialError, MAX_DIMS, type CompiledPotential, type PotentialSpec } from './compile.ts';
export { CATALOG, type CatalogEntry, type CatalogParam } from './catalog.ts';
