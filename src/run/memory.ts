/**
 * Memory preflight: the bytes a run needs, checked against what the machine
 * has before anything is allocated, so that too many particles are refused
 * as an input error (exit 2, naming `particles`) instead of failing an
 * allocation or driving the machine into swap.
 */
import { SpecError } from '../errors.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import type { Prepared } from './prepare.ts';

/** What a run's memory grows with: bytes per particle, and bytes that do not depend on the particle count. */
export interface MemoryNeed {
  perParticle: number;
  fixed: number;
  /** what holds the bytes, for the message */
  what: string;
}

/** The CPU backend: float64 positions (and velocities), the data set in float64 (twice: a copy shared with the workers). */
export function cpuNeed({ spec, potential }: Prepared): MemoryNeed {
  const arrays = INTEGRATOR_TABLE[spec.integrator].velocities ? 2 : 1;
  const data = potential.data ? 2 * 8 * potential.data.values.length : 0;
  return {
    perParticle: 8 * spec.dims * arrays,
    fixed: data,
    what: `float64 ${arrays === 2 ? 'positions and velocities' : 'positions'} of the CPU backend`,
  };
}

/** The WebGPU backend: f32 positions (and velocities, and accept counters), the data set in f32. */
export function gpuNeed({ spec, potential }: Prepared): MemoryNeed {
  const entry = INTEGRATOR_TABLE[spec.integrator];
  const floats = spec.dims * (entry.velocities ? 2 : 1) + (entry.metropolis ? 1 : 0);
  return {
    perParticle: 4 * floats,
    fixed: potential.data ? 4 * potential.data.values.length : 0,
    what: 'f32 particle buffers of the WebGPU backend',
  };
}

/**
 * The memory this process may still use, bytes: in Node, the free memory
 * bounded by the cgroup limit; in a browser, half of `navigator.deviceMemory`;
 * undefined where neither is known.
 */
export function hostMemory(): number | undefined {
  const g = globalThis as { process?: NodeProcessLike; navigator?: { deviceMemory?: number } };
  const os = g.process?.getBuiltinModule?.('node:os') as { freemem(): number } | undefined;
  if (os) return Math.min(os.freemem(), g.process?.constrainedMemory?.() || Infinity);
  const gib = g.navigator?.deviceMemory;
  return typeof gib === 'number' && gib > 0 ? (gib * 2 ** 30) / 2 : undefined;
}

interface NodeProcessLike {
  getBuiltinModule?: (name: string) => unknown;
  constrainedMemory?: () => number | undefined;
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 3 : 1)} GiB`;

/**
 * Of the memory available, what a run may take: half, leaving the rest to the
 * process itself (its heap, the result, the workers) and to the other work of
 * a shared machine.
 */
export const MEMORY_SHARE = 0.5;

/** How many particles fit in a run's share of `available` bytes. */
export function particlesThatFit(need: MemoryNeed, available: number): number {
  return Math.max(0, Math.floor((MEMORY_SHARE * available - need.fixed) / need.perParticle));
}

/**
 * Refuse a run that needs more than its share of `available` bytes.
 * @throws SpecError naming `particles`, the bytes needed, the limit and how many particles would fit
 */
export function checkMemory(
  prepared: Prepared,
  need: MemoryNeed,
  available: number | undefined,
  particles = prepared.spec.particles,
): void {
  if (available === undefined || !(available > 0)) return;
  const N = particles;
  const bytes = need.perParticle * N + need.fixed;
  const budget = MEMORY_SHARE * available;
  if (bytes <= budget) return;
  const fit = particlesThatFit(need, available);
  throw new SpecError(
    'particles',
    N,
    `needs ${gib(bytes)} for the ${need.what}, more than the ${gib(budget)} this run may use (${Math.round(100 * MEMORY_SHARE)} % of the ${gib(available)} available); at most ${fit} particles fit`,
  );
}
