/**
 * OrbitCamera: a perspective camera orbiting a point of configuration space
 * (z up), for 3-D views of particle clouds. Pure state + gl-matrix; the demo
 * turns pointer drags and wheel turns into `orbit` and `zoom`.
 */
import { mat4, vec3 } from 'gl-matrix';

export class OrbitCamera {
  /** angle about the z axis, radians */
  azimuth = 0.6;
  /** angle above the xy plane, radians, kept inside (−π/2, π/2) */
  elevation = 0.45;

  /**
   * @param target point looked at, length units
   * @param distance from the target, length units
   * @param fovy vertical field of view, radians
   */
  constructor(
    public target: [number, number, number],
    public distance: number,
    public fovy = Math.PI / 4,
  ) {}

  /** A camera that frames a box [x0, x1, y0, y1, z0, z1] from outside it. */
  static framing(box: [number, number, number, number, number, number]): OrbitCamera {
    const [x0, x1, y0, y1, z0, z1] = box;
    const radius = 0.5 * Math.hypot(x1 - x0, y1 - y0, z1 - z0);
    return new OrbitCamera([(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2], (radius / Math.sin(Math.PI / 8)) * 1.05);
  }

  /** Eye position, length units. */
  eye(): [number, number, number] {
    const c = Math.cos(this.elevation);
    const [tx, ty, tz] = this.target;
    return [
      tx + this.distance * c * Math.cos(this.azimuth),
      ty + this.distance * c * Math.sin(this.azimuth),
      tz + this.distance * Math.sin(this.elevation),
    ];
  }

  /** Turn by (dAzimuth, dElevation) radians; elevation stays within ±85°. */
  orbit(dAzimuth: number, dElevation: number): void {
    const limit = (85 * Math.PI) / 180;
    this.azimuth += dAzimuth;
    this.elevation = Math.min(limit, Math.max(-limit, this.elevation + dElevation));
  }

  /** Multiply the distance by `factor` (> 1 moves away). */
  zoom(factor: number): void {
    if (factor > 0 && Number.isFinite(factor)) this.distance *= factor;
  }

  /** Column-major clip-from-world matrix (WebGPU depth range 0…1) for a target of this aspect ratio (width / height). */
  matrix(aspect: number): Float32Array {
    const projection = mat4.perspectiveZO(mat4.create(), this.fovy, aspect, this.distance / 100, this.distance * 10);
    const view = mat4.lookAt(mat4.create(), vec3.fromValues(...this.eye()), vec3.fromValues(...this.target), vec3.fromValues(0, 0, 1));
    return Float32Array.from(mat4.multiply(mat4.create(), projection, view));
  }
}
