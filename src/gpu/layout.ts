/**
 * Uniform struct layouts: one table per struct is the single source of truth.
 * The WGSL declaration is generated from it (so the shader and the host can
 * never disagree) and the host writes values through it by field name.
 */

export type ScalarType = 'u32' | 'f32';

/** A WGSL struct of 4-byte scalars, in declaration order (offset = 4 × index). */
export class StructLayout<F extends string> {
  /** Size in bytes, rounded up to 16 as uniform buffers require. */
  readonly size: number;
  private readonly offsets: Map<F, { offset: number; type: ScalarType }>;

  constructor(readonly name: string, readonly fields: readonly (readonly [F, ScalarType])[]) {
    this.offsets = new Map(fields.map(([f, t], i) => [f, { offset: 4 * i, type: t }]));
    this.size = Math.max(16, Math.ceil((4 * fields.length) / 16) * 16);
  }

  /** The WGSL `struct` declaration. */
  wgsl(): string {
    return `struct ${this.name} {\n${this.fields.map(([f, t]) => `  ${f}: ${t},`).join('\n')}\n}\n`;
  }

  /** Byte offset of a field. */
  offsetOf(field: F): number {
    return this.offsets.get(field)!.offset;
  }

  /** Pack values (every field required) into a new buffer-ready ArrayBuffer. */
  pack(values: Record<F, number>): ArrayBuffer {
    const buf = new ArrayBuffer(this.size);
    const view = new DataView(buf);
    for (const [f, t] of this.fields) {
      const v = values[f];
      if (t === 'u32') {
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${this.name}.${f} = ${v} is not a u32`);
        view.setUint32(this.offsetOf(f), v, true);
      } else {
        view.setFloat32(this.offsetOf(f), v, true);
      }
    }
    return buf;
  }
}

/** Per-dispatch parameters of the step kernel (shaders/step.wgsl). */
export const StepParams = new StructLayout('StepParams', [
  ['count', 'u32'], // particles in this shard
  ['base', 'u32'], // global index of the shard's first particle (RNG counter word 0)
  ['steps', 'u32'], // K, steps fused in this dispatch
  ['key_lo', 'u32'], // seed, low 32 bits
  ['key_hi', 'u32'], // seed, high 32 bits
  ['call_lo', 'u32'], // Philox call index of the first normal, low word
  ['call_hi', 'u32'], // … high word
  ['phase', 'u32'], // first normal's position within its call (0..3)
  ['step0', 'u32'], // index of the dispatch's first step in the run, mod 2^32 (mini-batch RNG counter)
] as const);

/** Parameters of the initialisation kernel (shaders/init.wgsl). */
export const InitParams = new StructLayout('InitParams', [
  ['count', 'u32'],
  ['base', 'u32'],
  ['key_lo', 'u32'],
  ['key_hi', 'u32'],
] as const);

/** Parameters of the moments reduction (shaders/moments.wgsl). */
export const MomentsParams = new StructLayout('MomentsParams', [
  ['count', 'u32'], // particles in this shard
  ['row0', 'u32'], // first output row of this shard in `partials`
  ['base', 'u32'], // global index of the shard's first particle
] as const);

/** Parameters of the histogram pass (shaders/histogram.wgsl). */
export const HistogramParams = new StructLayout('HistogramParams', [
  ['count', 'u32'], // particles in this shard
  ['axes', 'u32'], // 1 or 2
  ['dim0', 'u32'], // coordinate binned on axis 0
  ['dim1', 'u32'], // … on axis 1 (= dim0 when axes = 1)
  ['bins0', 'u32'],
  ['bins1', 'u32'], // 1 when axes = 1
  ['low0', 'f32'],
  ['low1', 'f32'],
  ['scale0', 'f32'], // f32(bins0 / (high0 - low0))
  ['scale1', 'f32'],
] as const);

/** Parameters of the particle sprites (shaders/points.wgsl). */
export const PointParams = new StructLayout('PointParams', [
  ['dim0', 'u32'], // coordinate on the horizontal axis
  ['dim1', 'u32'], // … on the vertical axis
  ['color_by_energy', 'u32'], // 1: colormap of (E − e_min)/(e_max − e_min); 0: (r, g, b)
  ['x_min', 'f32'], // view box, length units
  ['x_max', 'f32'],
  ['y_min', 'f32'],
  ['y_max', 'f32'],
  ['width', 'f32'], // render target size, pixels
  ['height', 'f32'],
  ['point_size', 'f32'], // sprite half size, pixels
  ['intensity', 'f32'], // additive weight of one particle
  ['e_min', 'f32'],
  ['e_max', 'f32'],
  ['r', 'f32'],
  ['g', 'f32'],
  ['b', 'f32'],
] as const);

/** Parameters of the landscape heat map (shaders/landscape.wgsl). */
export const LandscapeParams = new StructLayout('LandscapeParams', [
  ['dim0', 'u32'],
  ['dim1', 'u32'],
  ['x_min', 'f32'],
  ['x_max', 'f32'],
  ['y_min', 'f32'],
  ['y_max', 'f32'],
  ['e_min', 'f32'], // energy at the bottom of the colour ramp
  ['e_max', 'f32'], // … at its top
  ['contour', 'f32'], // energy between contour lines
  ['brightness', 'f32'],
] as const);
