/**
 * What part of configuration space a picture shows, and the matrix that maps
 * it to clip space (shared by the particle, trail and landscape renderers).
 */
import { mat4 } from 'gl-matrix';

/** What part of configuration space a picture shows. */
export interface View {
  /** coordinates on the horizontal and vertical axes (and, in 3-D, in depth) */
  dims: [number, number] | [number, number, number];
  /** view box, length units: [x_min, x_max, y_min, y_max] (the 2-D picture; the landscape's extent) */
  box: [number, number, number, number];
  /** energies at the bottom and top of the colour ramp */
  energyRange: [number, number];
  /** 3-D only: column-major clip-from-world matrix applied to (x[dims[0]], x[dims[1]], x[dims[2]], 1), e.g. `OrbitCamera.matrix` */
  camera?: ArrayLike<number>;
}

/** The clip-from-world matrix of a view: its camera in 3-D, else the box mapped onto the whole target (z = 0 → depth ½). */
export function clipFromWorld(view: View): Float32Array {
  if (view.camera) return Float32Array.from(view.camera);
  const [x0, x1, y0, y1] = view.box;
  return mat4.orthoZO(new Float32Array(16), x0, x1, y0, y1, -1, 1) as Float32Array;
}

/** The shared fields of PointParams and TrailParams that place coordinates on the screen. */
export function placement(view: View): { clip_from_world: Float32Array; dim0: number; dim1: number; dim2: number; depth: number } {
  const three = view.dims.length === 3 && view.camera !== undefined;
  return {
    clip_from_world: clipFromWorld(view),
    dim0: view.dims[0],
    dim1: view.dims[1],
    dim2: three ? view.dims[2]! : view.dims[0],
    depth: three ? 1 : 0,
  };
}
