import { describe, expect, it } from 'vitest';
import { simulation } from '../support.ts';
import type { WebGpuBackend } from '../../src/gpu/backend.ts';
import { PointRenderer, type PointStyle } from '../../src/gpu/render/pointRenderer.ts';
import { LandscapeRenderer } from '../../src/gpu/render/landscapeRenderer.ts';
import type { View } from '../../src/gpu/render/view.ts';
import { TrailRenderer } from '../../src/gpu/render/trailRenderer.ts';
import { FrameRenderer } from '../../src/gpu/render/frameRenderer.ts';
import { OrbitCamera } from '../../src/gpu/render/camera.ts';
import { renderOffscreen } from '../../src/gpu/render/offscreen.ts';
import { colormap } from './harness.ts';

const SIZE = 64;
const FORMAT: GPUTextureFormat = 'rgba8unorm';
const view: View = { dims: [0, 1], box: [-1, 1, -1, 1], energyRange: [0, 1] };

/** Render into a SIZE × SIZE texture cleared to black and read the RGBA8 pixels back (rows of 256 bytes). */
async function render(device: GPUDevice, draw: (pass: GPURenderPassEncoder) => void): Promise<Uint8Array> {
  const { pixels, bytesPerRow } = await renderOffscreen(device, SIZE, SIZE, FORMAT, draw);
  expect(bytesPerRow).toBe(SIZE * 4);
  return pixels;
}

const pixel = (p: Uint8Array, x: number, y: number) => Array.from(p.slice(4 * (y * SIZE + x), 4 * (y * SIZE + x) + 3));

async function particlesAt(points: number[][]) {
  const sim = await simulation(
    { dims: points[0].length, particles: points.length, potential: { name: 'harmonic' }, dt: 0.01, steps: 0 },
    'webgpu',
  );
  const backend = sim.backend as WebGpuBackend;
  backend.writePositions(Float32Array.from(points.flat()));
  return { sim, backend, buffers: sim.renderView! };
}

describe('rendering from the simulation buffers (Dawn, offscreen)', () => {
  it('draws each finite particle as a 4 × 4 pixel sprite where the view box puts it, and skips non-finite ones', async () => {
    const { sim, backend, buffers } = await particlesAt([
      [0, 0],
      [0.5, -0.5],
      [NaN, 0],
      [0.25, Infinity],
    ]);
    try {
      const points = await PointRenderer.create(buffers.device, buffers.shards, buffers.params, 2, sim.potential.wgsl, FORMAT);
      const style: PointStyle = { size: 2, intensity: 1, byEnergy: false, color: [1, 1, 1] };
      points.configure(view, style, { width: SIZE, height: SIZE });
      const p = await render(backend.gpu, (pass) => points.record(pass));
      let lit = 0;
      for (let i = 0; i < SIZE * SIZE; i++) if (p[4 * i] > 0) lit++;
      expect(lit).toBe(32);
      // (0, 0) → the pixels around the centre; (0.5, −0.5) → around (48, 48) (y grows downwards)
      for (const [x, y] of [
        [30, 30],
        [33, 33],
        [46, 46],
        [49, 49],
      ])
        expect(pixel(p, x, y)).toEqual([255, 255, 255]);
      expect(pixel(p, 29, 32)).toEqual([0, 0, 0]);
      expect(pixel(p, 45, 48)).toEqual([0, 0, 0]);
      points.destroy();
    } finally {
      sim.destroy();
    }
  });

  it('colours by energy through the colormap, and blends additively', async () => {
    const { sim, backend, buffers } = await particlesAt([
      [0, 0],
      [0.5, -0.5],
      [-0.5, 0.5],
      [-0.5, 0.5],
    ]);
    try {
      const points = await PointRenderer.create(buffers.device, buffers.shards, buffers.params, 2, sim.potential.wgsl, FORMAT);
      points.configure(view, { size: 2, intensity: 1, byEnergy: true, color: [0, 0, 0] }, { width: SIZE, height: SIZE });
      const p = await render(backend.gpu, (pass) => points.record(pass));
      const expectRgb = (got: number[], want: number[]) =>
        got.forEach((g, c) => expect(Math.abs(g - Math.min(255, want[c] * 255))).toBeLessThanOrEqual(2));
      expectRgb(pixel(p, 32, 32), colormap(0)); // E = 0
      expectRgb(pixel(p, 48, 48), colormap(0.25)); // E = ½(0.25 + 0.25)
      expectRgb(
        pixel(p, 16, 16),
        colormap(0.25).map((v) => 2 * v),
      ); // two particles on one spot add up
      points.destroy();
    } finally {
      sim.destroy();
    }
  });

  it('paints the landscape from the same potential: heat map colours at pixel centres, contour lines', async () => {
    const { sim, backend, buffers } = await particlesAt([[0, 0]]);
    try {
      const land = await LandscapeRenderer.create(buffers.device, buffers.params, 2, sim.potential.wgsl, FORMAT);
      const contour = 0.37;
      land.configure(view, contour, [0, 0], 0.6);
      const p = await render(backend.gpu, (pass) => land.record(pass));
      let checked = 0;
      let lines = 0;
      for (let y = 0; y < SIZE; y += 3) {
        for (let x = 0; x < SIZE; x += 3) {
          const u = -1 + (2 * (x + 0.5)) / SIZE;
          const v = 1 - (2 * (y + 0.5)) / SIZE;
          const e = 0.5 * (u * u + v * v);
          const level = e / contour;
          // distance to the nearest contour in pixels, as the shader measures it (fwidth of the level)
          const fw = ((Math.abs(u) + Math.abs(v)) * (2 / SIZE)) / contour;
          const fromLine = Math.abs(level - Math.round(level)) / Math.max(fw, 1e-6);
          const got = pixel(p, x, y);
          if (fromLine > 1.5) {
            colormap(e).forEach((c, i) => expect(Math.abs(got[i] - 0.6 * c * 255)).toBeLessThanOrEqual(3));
            checked++;
          } else if (fromLine < 0.3) {
            // on a contour line: mixed towards white
            const base = colormap(e).map((c) => 0.6 * c * 255);
            expect(got[0] + got[1] + got[2]).toBeGreaterThan(base[0] + base[1] + base[2] + 60);
            lines++;
          }
        }
      }
      expect(checked).toBeGreaterThan(200);
      expect(lines).toBeGreaterThan(0);
      land.destroy();
    } finally {
      sim.destroy();
    }
  });

  it('3-D: the orbit camera projects with perspective (farther is nearer the centre), sprites keep their pixel size, and nothing behind the eye is drawn', async () => {
    // eye on the +x axis looking at the origin, z up: +y is to the right, +z up; t = tan(fovy/2)
    const camera = new OrbitCamera([0, 0, 0], 1);
    camera.azimuth = 0;
    camera.elevation = 0;
    const t = Math.tan(camera.fovy / 2);
    const d = camera.distance;
    // ndc = (y, z)/(depth·t): (0, t/2, 0) → x_ndc ½ (pixel 48); (0, 0, t/2) → y_ndc ½ (row 16);
    // (−d, t/2, 0) at depth 2d → x_ndc ¼ (pixel 40); (3d, 0, 0) is behind the eye
    const { sim, backend, buffers } = await particlesAt([
      [0, t / 2, 0],
      [0, 0, t / 2],
      [-d, t / 2, 0],
      [3 * d, 0, 0],
    ]);
    try {
      const points = await PointRenderer.create(buffers.device, buffers.shards, buffers.params, 3, sim.potential.wgsl, FORMAT);
      points.configure(
        { dims: [0, 1, 2], box: [-1, 1, -1, 1], energyRange: [0, 1], camera: camera.matrix(1) },
        { size: 2, intensity: 1, byEnergy: false, color: [1, 1, 1] },
        { width: SIZE, height: SIZE },
      );
      const p = await render(backend.gpu, (pass) => points.record(pass));
      let lit = 0;
      for (let i = 0; i < SIZE * SIZE; i++) if (p[4 * i] > 0) lit++;
      expect(lit).toBe(3 * 16);
      for (const [x, y] of [
        [46, 30],
        [49, 33],
        [30, 14],
        [33, 17],
        [38, 30],
        [41, 33],
      ])
        expect(pixel(p, x, y), `(${x}, ${y})`).toEqual([255, 255, 255]);
      expect(pixel(p, 45, 32)).toEqual([0, 0, 0]);
      points.destroy();
    } finally {
      sim.destroy();
    }
  });

  it("trails: the tracked particles' past positions joined by fading segments, the others without", async () => {
    const { sim, backend, buffers } = await particlesAt([
      [-0.5, 0],
      [0.9, 0.9],
    ]);
    try {
      const trails = await TrailRenderer.create(buffers.device, buffers.shards, 2, 1, 4, FORMAT);
      trails.configure(view, 1);
      const capture = () => {
        const encoder = backend.gpu.createCommandEncoder();
        trails.capture(encoder);
        backend.gpu.queue.submit([encoder.finish()]);
      };
      capture();
      const one = await render(backend.gpu, (pass) => trails.record(pass));
      expect(one.filter((v, i) => i % 4 !== 3 && v > 0).length).toBe(0); // one position: no segment yet
      backend.writePositions(Float32Array.from([0.5, 0, 0.9, -0.9]));
      capture();
      const p = await render(backend.gpu, (pass) => trails.record(pass));
      // the segment (−0.5, 0) → (0.5, 0) lies on the line between rows 31 and 32 from pixel 16 to 48
      const lit = (x: number) => pixel(p, x, 31)[0] + pixel(p, x, 32)[0] > 0;
      for (let x = 17; x < 47; x++) expect(lit(x), `x = ${x}`).toBe(true);
      expect(lit(8)).toBe(false);
      expect(lit(56)).toBe(false);
      let total = 0;
      for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) if (y !== 31 && y !== 32 && pixel(p, x, y)[0] > 0) total++;
      expect(total).toBe(0); // the untracked particle has no trail
      trails.destroy();
    } finally {
      sim.destroy();
    }
  });

  it("the 3-D box frame: seen face-on, its near square's edges lie where the camera projects them", async () => {
    const { sim, backend, buffers } = await particlesAt([[0, 0]]);
    try {
      // eye on +x at distance 1 + 1/t looking at the origin: the near face x = 1 (depth 1/t) spans ndc ±1 exactly; put it at ±½
      const camera = new OrbitCamera([0, 0, 0], 1);
      camera.azimuth = 0;
      camera.elevation = 0;
      const t = Math.tan(camera.fovy / 2);
      camera.distance = 1 + 2 / t; // near face at depth 2/t: half-width 1 → ndc ½
      const frame = await FrameRenderer.create(backend.gpu, FORMAT);
      frame.configure(camera.matrix(1), [-1, 1, -1, 1, -1, 1], 1);
      const p = await render(backend.gpu, (pass) => frame.record(pass));
      // near face: the square from pixel 16 to 48; the far face (depth 2/t + 2) is smaller, inside it
      const litNear = (x: number, y: number) =>
        [-1, 0, 1].some((dx) => [-1, 0, 1].some((dy) => pixel(p, x + dx, y + dy).some((c) => c > 0)));
      for (const k of [20, 32, 44]) {
        expect(litNear(k, 16), `top ${k}`).toBe(true);
        expect(litNear(k, 48), `bottom ${k}`).toBe(true);
        expect(litNear(16, k), `left ${k}`).toBe(true);
        expect(litNear(48, k), `right ${k}`).toBe(true);
      }
      expect(pixel(p, 4, 32)).toEqual([0, 0, 0]);
      expect(pixel(p, 32, 32)).toEqual([0, 0, 0]);
      frame.destroy();
    } finally {
      sim.destroy();
    }
  });
});
