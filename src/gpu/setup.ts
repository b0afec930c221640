/**
 * What WebGpuBackend.create builds for a problem besides the ensemble: the
 * integrator's particle kernel (with the spec's kinetics) and the initial
 * positions and velocities.
 */
import type { Problem } from '../backend.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import { MAX_STEPS_PER_DISPATCH } from '../spec.ts';
import { seedKey } from '../rng/philox.ts';
import { velocityInit } from '../init.ts';
import { hasKinetics } from '../run/kinetics.ts';
import type { GpuEnsemble } from './ensemble.ts';
import { InitKernel } from './initKernel.ts';
import { ParticleKernel } from './particleKernel.ts';

/** The integrator's particle kernel for this problem. */
export function buildKernel(ensemble: GpuEnsemble, problem: Problem, options: { workgroupSize?: number }): Promise<ParticleKernel> {
  const { spec, potential } = problem;
  return ParticleKernel.create(ensemble, {
    integrator: INTEGRATOR_TABLE[spec.integrator],
    potentialWGSL: potential.wgsl,
    workgroupSize: options.workgroupSize ?? 64,
    maxSteps: MAX_STEPS_PER_DISPATCH,
    mass: spec.mass,
    leapfrogSteps: spec.leapfrogSteps,
    batch: spec.batch && potential.data ? { ...spec.batch, rows: potential.data.rows } : undefined,
    kinetics: hasKinetics(spec)
      ? { passage: spec.passage, scheduled: spec.schedules !== undefined, params: potential.paramValues.length }
      : undefined,
  });
}

/** Write the initial positions (and velocities) on the GPU from their Philox streams; the init kernels are freed after. */
export async function initialise(ensemble: GpuEnsemble, problem: Problem, workgroupSize: number): Promise<void> {
  const { spec } = problem;
  const key = seedKey(spec.seed);
  const { device, dims } = ensemble;
  const made = [InitKernel.create(device, ensemble.shards, dims, spec.init, key, workgroupSize)];
  if (ensemble.velocities)
    made.push(InitKernel.create(device, ensemble.over(ensemble.velocities), dims, velocityInit(spec), key, workgroupSize, true));
  const settled = await Promise.allSettled(made);
  const inits = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const encoder = device.createCommandEncoder({ label: 'WebGpuBackend.init' });
    for (const k of inits) k.record(encoder);
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
  } finally {
    for (const k of inits) k.destroy();
  }
}
