/** The options of `Simulation.create` and `Simulation.run`. */
import type { BackendKind, ParticleRange } from '../backend.ts';
import type { CpuBackendOptions } from '../cpu/backend.ts';
import type { GpuContext } from '../gpu/device.ts';
import type { WebGpuBackendOptions } from '../gpu/backend.ts';
import type { Observations } from './observations.ts';
import type { ReferenceSource } from './references.ts';
import type { TraceRow } from './sections.ts';

export interface SimulationOptions {
  /** 'auto' (default): webgpu on a hardware adapter, else (none, or a software one such as SwiftShader) cpu with a notice */
  backend?: 'auto' | BackendKind;
  /** how to get a WebGPU device here (Node: nodeGpuContext; browser: browserGpuContext) */
  gpu?: () => Promise<GpuContext>;
  /** one-line notices (e.g. falling back to the CPU) */
  onNotice?: (message: string) => void;
  webgpu?: WebGpuBackendOptions;
  /** CPU backend: threads ('auto' = all cores, 1 = this thread, 0 = the reference step) */
  cpu?: CpuBackendOptions;
  /**
   * Memory this run may draw on, bytes (default: what the machine has free,
   * src/run/memory.ts `hostMemory`). A run needing more than half of it is
   * refused before allocating (SpecError naming `particles`).
   */
  memory?: number;
  /**
   * Run only these particles of the ensemble (global indices; `first` a multiple of PARTICLE_BLOCK = 4096):
   * a shard. Their random numbers, trajectories and tile sums are those of the whole run; the simulation
   * records its reductions (`Simulation.shardLog`) for an exact merge.
   */
  range?: ParticleRange;
}

/** Progress of a run: steps done out of total. */
export type ProgressFn = (done: number, total: number) => void;

/** Options of `Simulation.run`. */
export interface RunOptions {
  /** steps done out of total, after every chunk */
  onProgress?: ProgressFn;
  /** abort to stop after the chunk in flight: `run` then resolves with the partial result (`partial.reason` 'cancelled') */
  signal?: AbortSignal;
  /**
   * Called after every chunk and awaited before the next is submitted: a page
   * yields to the browser here, or saves the observations. `observations` holds
   * the numbers as of this chunk, but its arrays and objects are the run's own
   * (they change as the run goes on): copy what you keep, change nothing.
   * Its time is not counted in `elapsedMs`.
   */
  onChunk?: (observations: Observations) => void | Promise<void>;
  /**
   * Called once when the run stops early (its signal aborted), before the final observation pass: the
   * moment to save a checkpoint (`Simulation.checkpoint`) that a resumed run continues from.
   */
  onStop?: () => void | Promise<void>;
  /** each trace row, as it is observed */
  onTrace?: (row: TraceRow) => void;
  /**
   * At most this many steps per backend call (default and maximum: `stepsPerDispatch`); a function is
   * asked before every chunk (e.g. to keep a CPU-backend chunk within a frame). Results do not depend on it.
   */
  maxStepsPerChunk?: number | (() => number);
  /**
   * Compute the Boltzmann reference of the spec's histogram at temperature T elsewhere, e.g. in a Worker
   * running `boltzmannReference(prepare(spec).potential, spec.histogram, T)` (the quadrature takes 0.1–1 s
   * and would block a page). Default: computed on this thread. Asked once per temperature.
   */
  reference?: ReferenceSource;
}
