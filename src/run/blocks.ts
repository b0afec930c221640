/**
 * Ensembles larger than memory: when a spec's particles do not fit the
 * backend at once, run them in consecutive blocks of whole tiles, one after
 * the other in this process, each recording its reductions as a shard does,
 * and merge the blocks' logs exactly (src/run/shardLog.ts): the result is the
 * one a single run over all particles would give, bit for bit.
 */
import { Simulation, prepare, type Prepared, type RunResult } from '../engine.ts';
import { RuntimeFailure, SpecError } from '../errors.ts';
import { DeviceMemoryError } from '../gpu/ensemble.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import { PARTICLE_BLOCK, type ParticleRange } from '../sums.ts';
import { cpuNeed, gpuNeed, hostMemory, particlesThatFit } from './memory.ts';
import type { RunOptions, SimulationOptions } from './options.ts';
import { ReplayBackend, addLogs, type ShardLog } from './shardLog.ts';

/**
 * The most particles one block holds (2^24): a block's initialisation and a chunk of it take about a second
 * here, so an interrupt is answered within seconds (a scheduler's grace period is ~30 s) and progress moves
 * even when memory would hold far more.
 */
export const MAX_BLOCK_PARTICLES = 2 ** 24;

/** The options of a run that may go in blocks. */
export interface BlockOptions extends SimulationOptions {
  /** particles per block (a multiple of 4096); default: as many whole tiles as the memory preflight allows */
  blockParticles?: number;
  /** told before each block: its number, the count, its particles */
  onBlock?: (index: number, count: number, range: ParticleRange) => void;
}

/**
 * Particles per block when the spec does not fit at once (undefined when it fits): whole tiles within the
 * memory share of the backend the options would pick on this machine (the CPU's float64, or f32 buffers),
 * at most MAX_BLOCK_PARTICLES.
 */
export function blockParticles(prepared: Prepared, options: SimulationOptions): number | undefined {
  const available = options.memory ?? hostMemory();
  if (available === undefined) return undefined;
  const need = options.backend === 'webgpu' ? gpuNeed(prepared) : cpuNeed(prepared);
  const fit = particlesThatFit(need, available);
  if (fit >= prepared.spec.particles) return undefined;
  const block = Math.min(MAX_BLOCK_PARTICLES, Math.floor(fit / PARTICLE_BLOCK) * PARTICLE_BLOCK);
  if (block < PARTICLE_BLOCK)
    throw new SpecError(
      'particles',
      prepared.spec.particles,
      `not even one tile of ${PARTICLE_BLOCK} particles fits in this run's memory share (${fit} particles)`,
    );
  return block;
}

/** Half of `held` particles in whole tiles (undefined below one tile): the next block size after the device refused `held`. */
export function halfBlock(held: number): number | undefined {
  const half = Math.floor(held / 2 / PARTICLE_BLOCK) * PARTICLE_BLOCK;
  return half >= PARTICLE_BLOCK ? half : undefined;
}

/**
 * Run the spec, in blocks when `options.blockParticles` says so, when the memory preflight does, or when the
 * device cannot hold the particles at once (DeviceMemoryError: the blocks halve until one fits). Each block is
 * a simulation over its particles; their logs are added and replayed. Progress counts particle-steps over all
 * blocks (reported as steps of the whole ensemble). A cancelled run in blocks has no partial result.
 * @throws RuntimeFailure when the run is cancelled between blocks; DeviceMemoryError when not one tile fits
 */
export async function runInBlocks(raw: unknown | Prepared, options: BlockOptions = {}, run: RunOptions = {}): Promise<RunResult> {
  const prepared = typeof raw === 'object' && raw !== null && 'potential' in raw && 'spec' in raw ? (raw as Prepared) : prepare(raw);
  let block = options.blockParticles ?? blockParticles(prepared, options);
  for (;;) {
    try {
      return await runWithBlock(prepared, block, options, run);
    } catch (e) {
      const held = e instanceof DeviceMemoryError ? e.held : 0;
      const next = halfBlock(held);
      if (next === undefined) throw e;
      options.onNotice?.(`the device could not hold ${held} particles at once; running in blocks of ${next}`);
      block = next;
    }
  }
}

async function runWithBlock(prepared: Prepared, block: number | undefined, options: BlockOptions, run: RunOptions): Promise<RunResult> {
  const { spec } = prepared;
  if (block === undefined || block >= spec.particles) {
    const sim = await Simulation.create(prepared, options);
    try {
      return await sim.run(run);
    } finally {
      sim.destroy();
    }
  }
  if (block % PARTICLE_BLOCK !== 0 || block < PARTICLE_BLOCK)
    throw new SpecError('blockParticles', block, `a positive multiple of ${PARTICLE_BLOCK}`);
  const count = Math.ceil(spec.particles / block);
  const logs: ShardLog[] = [];
  const devices = new Set<string>();
  let elapsedMs = 0;
  let software = true;
  let kind: RunResult['backend'] = 'cpu';
  for (let b = 0; b < count; b++) {
    const range = { first: b * block, count: Math.min(block, spec.particles - b * block) };
    options.onBlock?.(b, count, range);
    const sim = await Simulation.create(prepared, { ...options, range });
    try {
      const done = range.first * spec.steps;
      const result = await sim.run({
        ...run,
        onProgress: run.onProgress && ((s) => run.onProgress!(Math.floor((done + range.count * s) / spec.particles), spec.steps)),
      });
      if (result.partial)
        throw new RuntimeFailure(`the run in blocks was stopped in block ${b + 1} of ${count}: a run in blocks has no partial result`);
      logs.push(sim.shardLog!);
      devices.add(result.device);
      elapsedMs += result.elapsedMs;
      software &&= result.software;
      kind = result.backend;
    } finally {
      sim.destroy();
    }
  }
  const replay = new ReplayBackend(addLogs(logs), kind, [...devices].join('; '), software);
  const result = await Simulation.replay(prepared, replay).run();
  const what = INTEGRATOR_TABLE[spec.integrator].velocities ? 'positions and velocities' : 'positions';
  return {
    ...result,
    elapsedMs,
    particleStepsPerSecond: elapsedMs > 0 ? Math.round((spec.particles * result.steps) / (elapsedMs / 1000)) : 0,
    notes: [
      ...result.notes,
      `ran in ${count} blocks of at most ${block} particles, one after another (the ${what} of all ${spec.particles} did not fit at once); the blocks were merged exactly, as shards are`,
    ],
  };
}
