/** A spec made ready to run: validated, defaults filled in, its potential compiled, before any GPU work. */
import { compilePotential, CATALOG, type CompiledPotential } from '../potential/index.ts';
import { validateSpec, type RunSpec } from '../spec.ts';

/** A validated spec with its compiled potential: everything checked before any GPU work. */
export interface Prepared {
  spec: RunSpec;
  potential: CompiledPotential;
}

/**
 * Validate a raw spec (parsed JSON) and compile its potential.
 * @throws SpecError (or PotentialError) naming the field, the value and what is allowed
 */
export function prepare(raw: unknown): Prepared {
  const fixedDims = (name: string) => {
    const d = CATALOG.find((c) => c.name === name)?.dims;
    return typeof d === 'number' ? d : undefined;
  };
  const spec = validateSpec(raw, fixedDims);
  const potential = compilePotential(spec.potential, spec.dims, 'potential');
  return { spec, potential };
}

/** Whether `x` is already prepared (then `Simulation.create` takes it as is). */
export function isPrepared(x: unknown): x is Prepared {
  return typeof x === 'object' && x !== null && 'spec' in x && 'potential' in x && typeof (x as Prepared).potential.energy === 'function';
}
