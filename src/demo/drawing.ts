/**
 * Drawing the lanes: on the GPU, every lane's renderers recorded into its
 * square of one render pass, presented on the WebGPU canvas or rendered
 * offscreen (shown on a 2-D canvas where presenting fails: fallback.ts, and
 * for `measure` and `png`); without WebGPU, the CPU ensembles as dots on a
 * 2-D canvas.
 */
import { renderOffscreen, type Pixels } from '../gpu/render/offscreen.ts';
import { viewFor } from './params.ts';
import { page } from './page.ts';
import { setPath, showPath, watchPresentation } from './fallback.ts';
import { configureLane } from './lanes.ts';
import type { DemoState, Lane, Running } from './state.ts';

/** The device the lanes' particles (and renderers) live on. */
function gpuOf(r: Running): GPUDevice {
  return r.lanes[0].sim.renderView!.device;
}

/** Record every lane (the landscape in 2-D, trails, particles) into its square of the render pass. */
function record(state: DemoState, r: Running, pass: GPURenderPassEncoder, withParticles: boolean): void {
  r.lanes.forEach((lane, l) => {
    configureLane(state, lane, r.size);
    pass.setViewport(l * r.size, 0, r.size, r.size, 0, 1);
    if (lane.frame) lane.frame.record(pass);
    else lane.landscape!.record(pass);
    lane.trails?.record(pass);
    if (withParticles) lane.points!.record(pass);
  });
}

/** Draw one frame of a GPU run: presented on the WebGPU canvas, or rendered offscreen and shown on a 2-D canvas. */
export async function drawGpu(state: DemoState, r: Running): Promise<void> {
  if (state.draw.path === 'present') present(state, r);
  else if (state.draw.path === 'offscreen') await showOffscreen(state, r);
}

/** Present one frame on the WebGPU canvas; a canvas that fails (or stays empty) moves the page offscreen. */
function present(state: DemoState, r: Running): void {
  const context = state.canvasContext;
  const { draw } = state;
  if (!context) return;
  // a watch, from a second after the first frame, for a canvas that shows nothing (fallback.ts)
  if (draw.presented === 0) watchPresentation(state, performance.now());
  const device = gpuOf(r);
  let view: GPUTextureView;
  try {
    view = context.getCurrentTexture().createView();
  } catch (e) {
    setPath(state, 'offscreen', `presenting to the WebGPU canvas failed: getCurrentTexture threw ${(e as Error).message}`);
    return;
  }
  const encoder = device.createCommandEncoder({ label: 'demo.frame' });
  const pass = encoder.beginRenderPass({
    label: 'demo.pass',
    colorAttachments: [{ view, loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }],
  });
  record(state, r, pass, true);
  pass.end();
  device.queue.submit([encoder.finish()]);
  draw.presented++;
}

/**
 * The offscreen path: render the frame offscreen, read it back and put it on
 * the 2-D canvas, at most every third of the time (so stepping goes on) and 30
 * times a second; the rate it keeps is shown on the page.
 */
async function showOffscreen(state: DemoState, r: Running): Promise<void> {
  const { draw } = state;
  const start = performance.now();
  if (start < draw.nextShow) return;
  const frame = await snapshotPixels(state, true);
  if (state.running !== r || draw.path !== 'offscreen') return;
  page.canvas.getContext('2d')!.putImageData(imageOf(state, frame), 0, 0);
  const now = performance.now();
  draw.nextShow = start + Math.max(3 * (now - start), 1000 / 30);
  draw.shown++;
  if (now - draw.since > 1000) {
    draw.fps = (draw.shown * 1000) / (now - draw.since);
    draw.shown = 0;
    draw.since = now;
    state.hooks.drawFps = draw.fps;
    showPath(state);
  }
}

/** Copy a lane's tracked particles into its trails, after a step. */
export function captureTrails(r: Running, lane: Lane): void {
  const device = gpuOf(r);
  const encoder = device.createCommandEncoder({ label: 'demo.trails' });
  lane.trails!.capture(encoder);
  device.queue.submit([encoder.finish()]);
}

/**
 * The CPU path's frame: every particle of every lane as a 2 × 2 pixel square, added (like the GPU's additive
 * sprites, clamped at white) into one ImageData and put on the 2-D canvas at once — a fillRect per particle
 * took about 0.5 µs each, the whole frame's budget at 40 000 particles.
 */
export async function drawCpu(state: DemoState, r: Running): Promise<void> {
  const { canvas } = page;
  const g = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const image = g.createImageData(width, height);
  new Uint32Array(image.data.buffer).fill(0xff000000); // opaque black (RGBA bytes, little-endian words)
  const [x0, x1, y0, y1] = state.preset.view.box;
  const [d0, d1] = viewFor(state.preset, state.params).dims;
  for (const [l, lane] of r.lanes.entries()) {
    const x = await lane.sim.backend.readPositions();
    const box = { left: l * r.size, scaleX: r.size / (x1 - x0), scaleY: r.size / (y1 - y0), x0, y1 };
    addPoints(image, x, lane.sim.spec.dims, [d0, d1], lane.sim.spec.particles, box);
  }
  g.putImageData(image, 0, 0);
}

/** Add `n` particles' 2 × 2 squares (colour 0.7 × (120, 220, 160)) at coordinates `dims` of `x` into `image`. */
function addPoints(
  image: ImageData,
  x: ArrayLike<number>,
  D: number,
  [d0, d1]: number[],
  n: number,
  box: { left: number; scaleX: number; scaleY: number; x0: number; y1: number },
): void {
  const { width, height, data } = image;
  for (let i = 0; i < n; i++) {
    const u = Math.floor(box.left + (x[i * D + d0] - box.x0) * box.scaleX - 1);
    const v = Math.floor((box.y1 - x[i * D + d1]) * box.scaleY - 1);
    if (!(u >= 0 && v >= 0 && u + 1 < width && v + 1 < height)) continue; // off the canvas, or not finite
    for (const s of [4 * (v * width + u), 4 * ((v + 1) * width + u)]) {
      data[s] += 84;
      data[s + 1] += 154;
      data[s + 2] += 112;
      data[s + 4] += 84;
      data[s + 5] += 154;
      data[s + 6] += 112;
    }
  }
}

/** The current frame rendered offscreen (same renderers and format as the canvas). */
function snapshotPixels(state: DemoState, withParticles: boolean): Promise<Pixels> {
  const r = state.running!;
  return renderOffscreen(gpuOf(r), page.canvas.width, page.canvas.height, state.format, (pass) => record(state, r, pass, withParticles));
}

/** `hooks.measure`: one frame offscreen, the mean R+G+B over the 20 × 20 square centred at each canvas pixel. */
export async function measure(state: DemoState, squares: [number, number][], options: { particles?: boolean } = {}): Promise<number[]> {
  const { pixels, bytesPerRow } = await snapshotPixels(state, options.particles ?? true);
  return squares.map(([cx, cy]) => {
    let sum = 0;
    for (let y = cy - 10; y < cy + 10; y++) {
      for (let x = cx - 10; x < cx + 10; x++) {
        const s = y * bytesPerRow + 4 * x;
        sum += pixels[s] + pixels[s + 1] + pixels[s + 2];
      }
    }
    return sum / 400;
  });
}

/** Read-back pixels (RGBA or BGRA, padded rows) as the canvas's ImageData. */
function imageOf(state: DemoState, { pixels, bytesPerRow, width, height }: Pixels): ImageData {
  const image = new ImageData(width, height);
  const bgra = state.format === 'bgra8unorm';
  const data = image.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = y * bytesPerRow + 4 * x;
      const d = 4 * (y * width + x);
      data[d] = pixels[s + (bgra ? 2 : 0)];
      data[d + 1] = pixels[s + 1];
      data[d + 2] = pixels[s + (bgra ? 0 : 2)];
      data[d + 3] = 255;
    }
  }
  return image;
}

/** One frame as a PNG data URL: rendered offscreen on the GPU, else the canvas as it is. */
export async function png(state: DemoState): Promise<string> {
  const { canvas } = page;
  if (!state.running?.lanes[0].points) return canvas.toDataURL('image/png');
  const frame = await snapshotPixels(state, true);
  const out = document.createElement('canvas');
  out.width = frame.width;
  out.height = frame.height;
  out.getContext('2d')!.putImageData(imageOf(state, frame), 0, 0);
  return out.toDataURL('image/png');
}
