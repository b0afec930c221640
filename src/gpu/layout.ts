/**
 * Uniform struct layouts: one table per struct is the single source of truth.
 * The WGSL declaration is generated from it (so the shader and the host can
 * never disagree) and the host writes values through it by field name.
 */

/** Field types: 4-byte scalars, and a column-major 4×4 f32 matrix (64 bytes, 16-byte aligned). */
export type FieldType = 'u32' | 'f32' | 'mat4x4f';

const SIZE: Record<FieldType, number> = { u32: 4, f32: 4, mat4x4f: 64 };
const ALIGN: Record<FieldType, number> = { u32: 4, f32: 4, mat4x4f: 16 };
const WGSL_TYPE: Record<FieldType, string> = { u32: 'u32', f32: 'f32', mat4x4f: 'mat4x4<f32>' };

/** A value for a field: a number for scalars, 16 numbers (column-major) for a matrix. */
export type FieldValue = number | ArrayLike<number>;

/** A WGSL struct, in declaration order, laid out by WGSL's uniform rules (offsets aligned, size rounded to 16). */
export class StructLayout<F extends string> {
  /** Size in bytes, rounded up to 16 as uniform buffers require. */
  readonly size: number;
  private readonly offsets: Map<F, { offset: number; type: FieldType }>;

  constructor(
    readonly name: string,
    readonly fields: readonly (readonly [F, FieldType])[],
  ) {
    this.offsets = new Map();
    let offset = 0;
    for (const [f, t] of fields) {
      offset = Math.ceil(offset / ALIGN[t]) * ALIGN[t];
      this.offsets.set(f, { offset, type: t });
      offset += SIZE[t];
    }
    this.size = Math.max(16, Math.ceil(offset / 16) * 16);
  }

  /** The WGSL `struct` declaration. */
  wgsl(): string {
    return `struct ${this.name} {\n${this.fields.map(([f, t]) => `  ${f}: ${WGSL_TYPE[t]},`).join('\n')}\n}\n`;
  }

  /** Byte offset of a field. */
  offsetOf(field: F): number {
    return this.offsets.get(field)!.offset;
  }

  /** Pack values (every field required) into a new buffer-ready ArrayBuffer. */
  pack(values: Record<F, FieldValue>): ArrayBuffer {
    const buf = new ArrayBuffer(this.size);
    const view = new DataView(buf);
    for (const [f, t] of this.fields) {
      const v = values[f];
      const at = this.offsetOf(f);
      if (t === 'mat4x4f') {
        if (typeof v === 'number' || v.length !== 16)
          throw new RangeError(`${this.name}.${f} needs 16 numbers (a column-major 4×4 matrix)`);
        for (let k = 0; k < 16; k++) view.setFloat32(at + 4 * k, v[k], true);
      } else if (typeof v !== 'number') {
        throw new RangeError(`${this.name}.${f} is a scalar, got ${v.length} numbers`);
      } else if (t === 'u32') {
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${this.name}.${f} = ${v} is not a u32`);
        view.setUint32(at, v, true);
      } else {
        view.setFloat32(at, v, true);
      }
    }
    return buf;
  }
}

/**
 * Per-dispatch parameters of the particle kernels (shaders/step.wgsl,
 * shaders/samplers.wgsl): the shard, K, and the random-number words of
 * `streamWords` in particles.ts.
 */
export const ParticleParams = new StructLayout('ParticleParams', [
  ['count', 'u32'], // particles in this shard
  ['base', 'u32'], // global index of the shard's first particle, low word (RNG counter word 0 with the carry)
  ['steps', 'u32'], // K, steps fused in this dispatch
  ['key_lo', 'u32'], // seed, low 32 bits
  ['key_hi', 'u32'], // seed, high 32 bits
  ['call_lo', 'u32'], // Philox call index of the first normal, low word
  ['call_hi', 'u32'], // … high word
  ['phase', 'u32'], // first normal's position within its call (0..3)
  ['step0', 'u32'], // index n of the dispatch's first step in the run, mod 2^32 (mini-batch rows, accept uniform number n)
  ['leapfrog', 'u32'], // HMC: leapfrog steps L per step
  ['base_hi', 'u32'], // ⌊first global index / 2^32⌋ (ensembles past 2^32 particles: the counter's stream word)
  ['flags', 'u32'], // 1: the kinetics count (passage test, work); 0: equilibration before the protocol
] as const);

/** Parameters of the initialisation kernel (shaders/init.wgsl). */
export const InitParams = new StructLayout('InitParams', [
  ['count', 'u32'],
  ['base', 'u32'], // global index of the shard's first particle, low word
  ['key_lo', 'u32'],
  ['key_hi', 'u32'],
  ['base_hi', 'u32'], // … high word
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

/** Parameters of the particle sprites (shaders/points.wgsl) and the trails (shaders/trails.wgsl). */
export const PointParams = new StructLayout('PointParams', [
  ['clip_from_world', 'mat4x4f'], // (x[dim0], x[dim1], x[dim2], 1) → clip space: an orthographic box in 2-D, the orbit camera in 3-D
  ['dim0', 'u32'], // coordinate on the horizontal axis
  ['dim1', 'u32'], // … on the vertical axis
  ['dim2', 'u32'], // … in depth (read only when depth = 1)
  ['depth', 'u32'], // 1: a 3-D view
  ['color_by_energy', 'u32'], // 1: colormap of (E − e_min)/(e_max − e_min); 0: (r, g, b)
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

/** Parameters of the trails (shaders/trails.wgsl): a ring of past positions of the first `tracked` particles. */
export const TrailParams = new StructLayout('TrailParams', [
  ['clip_from_world', 'mat4x4f'],
  ['dim0', 'u32'],
  ['dim1', 'u32'],
  ['dim2', 'u32'],
  ['depth', 'u32'],
  ['tracked', 'u32'], // particles with a trail
  ['length', 'u32'], // slots in the ring
  ['head', 'u32'], // slot written last
  ['filled', 'u32'], // slots holding positions (≤ length)
  ['intensity', 'f32'],
] as const);

/** Parameters of the box frame of 3-D views (shaders/frame.wgsl). */
export const FrameParams = new StructLayout('FrameParams', [
  ['clip_from_world', 'mat4x4f'],
  ['x_min', 'f32'], // box, length units
  ['x_max', 'f32'],
  ['y_min', 'f32'],
  ['y_max', 'f32'],
  ['z_min', 'f32'],
  ['z_max', 'f32'],
  ['brightness', 'f32'],
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
