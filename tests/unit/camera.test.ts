import { describe, expect, it } from 'vitest';
import { OrbitCamera } from '../../src/gpu/render/camera.ts';
import { clipFromWorld } from '../../src/gpu/render/view.ts';

/** clip = M·(x, y, z, 1), column-major, then the perspective divide. */
function project(m: Float32Array, p: number[]): number[] {
  const c = [0, 1, 2, 3].map((r) => m[r] * p[0] + m[4 + r] * p[1] + m[8 + r] * p[2] + m[12 + r]);
  return [c[0] / c[3], c[1] / c[3], c[2] / c[3], c[3]];
}

const BOX: [number, number, number, number, number, number] = [-2, 2, -1, 3, 0, 5];

/** (u, v, depth) in normalised device coordinates and the clip w of the box's 8 corners, the box framed, seen from 6 × 4 angles. */
function cornersFromAllAngles(box: typeof BOX): [number, number, number, number][] {
  const c = OrbitCamera.framing(box);
  const out: [number, number, number, number][] = [];
  for (const az of [0, 1, 2, 3, 4, 5]) {
    for (const el of [-1.2, 0, 0.7, 1.4]) {
      c.azimuth = az;
      c.elevation = el;
      const m = c.matrix(1);
      for (const x of [box[0], box[1]])
        for (const y of [box[2], box[3]])
          for (const z of [box[4], box[5]]) out.push(project(m, [x, y, z]) as [number, number, number, number]);
    }
  }
  return out;
}

describe('views: the matrices that place particles on the screen', () => {
  it('2-D: the view box maps onto the whole target, z = 0 to depth ½', () => {
    const m = clipFromWorld({ dims: [0, 1], box: [-2, 6, 1, 3], energyRange: [0, 1] });
    expect(project(m, [-2, 1, 0])).toEqual([-1, -1, 0.5, 1]);
    expect(project(m, [6, 3, 0])).toEqual([1, 1, 0.5, 1]);
    expect(project(m, [2, 2, 0]).slice(0, 2)).toEqual([0, 0]);
  });

  it('the orbit camera looks at its target from distance d at the given angles, z up', () => {
    const c = new OrbitCamera([1, 2, 3], 4);
    c.azimuth = Math.PI / 2;
    c.elevation = 0;
    const [x, y, z] = c.eye();
    expect([x, y, z].map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 6, 3]);
    const m = c.matrix(1);
    const centre = project(m, [1, 2, 3]);
    expect(Math.abs(centre[0])).toBeLessThan(1e-6);
    expect(Math.abs(centre[1])).toBeLessThan(1e-6);
    expect(centre[3]).toBeCloseTo(4, 5); // w = depth along the view axis
    // looking along −y with z up: +x is to the left, +z up, at ndc (Δ/(d·tan(fovy/2)))
    const t = Math.tan(c.fovy / 2);
    const side = project(m, [2, 2, 3]);
    expect(side[0]).toBeCloseTo(-1 / (4 * t), 5);
    const up = project(m, [1, 2, 4]);
    expect(up[1]).toBeCloseTo(1 / (4 * t), 5);
  });

  it('framing a box keeps its eight corners in view from any angle', () => {
    for (const [u, v, depth, w] of cornersFromAllAngles(BOX)) {
      expect(w).toBeGreaterThan(0);
      expect(Math.max(Math.abs(u), Math.abs(v))).toBeLessThanOrEqual(1);
      expect(depth).toBeGreaterThanOrEqual(0);
      expect(depth).toBeLessThanOrEqual(1);
    }
  });

  it('framing is tight (the bounding sphere fills the field of view, 5 % margin); orbit clamps the elevation; zoom scales the distance', () => {
    const c = OrbitCamera.framing(BOX);
    // centre (0, 1, 2.5), radius ½·|(4, 4, 5)|; seen from the eye the sphere's half-angle asin(R/d) is that of the view, sin(fovy/2), shrunk by 1.05
    const R = 0.5 * Math.hypot(4, 4, 5);
    expect(c.target).toEqual([0, 1, 2.5]);
    expect(R / c.distance).toBeCloseTo(Math.sin(c.fovy / 2) / 1.05, 12);
    c.elevation = 0;
    c.orbit(0.5, 10);
    expect(c.elevation).toBeCloseTo((85 * Math.PI) / 180, 12);
    const d = c.distance;
    c.zoom(1.5);
    expect(c.distance).toBeCloseTo(1.5 * d, 12);
    c.zoom(-1);
    expect(c.distance).toBeCloseTo(1.5 * d, 12);
  });
});
