/**
 * What a renderer may use of an ensemble that lives on the GPU: the device and
 * read-only views of the buffers the engine owns (never destroy them; they go
 * with `Simulation.destroy`). The demo gets it from `Simulation.renderView`.
 */
import type { Shard } from './particles.ts';

export interface RenderView {
  /** the device the particles live on */
  readonly device: GPUDevice;
  /** coordinates per particle */
  readonly dims: number;
  /** the particles, one storage buffer per shard: x[i·D + d], f32, global indices [base, base + count) */
  readonly shards: readonly Shard[];
  /** the potential's parameters (f32 storage buffer, potential.paramNames order) */
  readonly params: GPUBuffer;
  /** the potential's data (f32 rows × columns) for a potential from data */
  readonly data?: GPUBuffer;
}
