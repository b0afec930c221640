/** Shared helpers of the physics tests: one test body, two backends. */
import { Simulation, type Prepared } from '../src/engine.ts';
import type { BackendKind } from '../src/backend.ts';
import type { WebGpuBackendOptions } from '../src/gpu/backend.ts';
import { gpu } from './gpu/harness.ts';
import { COEF_STRIDE } from '../src/integrators/coefficients.ts';

export const BACKENDS: BackendKind[] = ['cpu', 'webgpu'];

/** A Simulation on the given backend; webgpu uses the test file's shared device (not destroyed). */
export async function simulation(raw: unknown, backend: BackendKind, webgpu: WebGpuBackendOptions = {}): Promise<Simulation> {
  return Simulation.create(raw as Prepared, {
    backend,
    gpu: backend === 'webgpu' ? gpu : undefined,
    webgpu: { ...webgpu, ownsDevice: false },
  });
}

/**
 * Run to the end; return the result, the final positions and velocities, and
 * the steps of each `Backend.advance` call (`dispatchSteps`), so a test that
 * compares stepsPerDispatch settings can check the setting took effect.
 */
export async function runAndRead(raw: unknown, backend: BackendKind, webgpu: WebGpuBackendOptions = {}) {
  const sim = await simulation(raw, backend, webgpu);
  const dispatchSteps: number[] = [];
  const advance = sim.backend.advance.bind(sim.backend);
  sim.backend.advance = (step0, coef, extra) => {
    dispatchSteps.push(coef.length / COEF_STRIDE);
    return advance(step0, coef, extra);
  };
  try {
    const result = await sim.run();
    const positions = await sim.backend.readPositions();
    const velocities = await sim.backend.readVelocities();
    return { result, positions, velocities, sim, dispatchSteps };
  } finally {
    sim.destroy();
  }
}

/** Standard error of a sample variance of N normal samples with true variance v. */
export function varianceSE(v: number, n: number): number {
  return v * Math.sqrt(2 / (n - 1));
}

/** Whether two arrays hold the same bits (the same type, length and every byte). */
export function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): boolean {
  return (
    a.constructor === b.constructor &&
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  );
}
