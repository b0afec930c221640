/**
 * The particle-cloud demo: a million Langevin particles drawn straight from
 * the GPU over their energy landscape. (Top-level state is fine in a demo
 * entry; the engine itself has none.)
 */
import { browserGpuContext, Simulation, type GpuContext } from '../index.ts';
import { WebGpuBackend } from '../gpu/backend.ts';
import { PointRenderer } from '../gpu/render/pointRenderer.ts';
import { LandscapeRenderer } from '../gpu/render/landscapeRenderer.ts';
import { PRESETS, presetById, type Preset } from './presets.ts';

/** Automation hooks for tests and the headless benchmark. */
interface DemoHooks {
  ready: boolean;
  backend?: 'webgpu' | 'cpu';
  device?: string;
  particles: number;
  step: number;
  fps: number;
  preset: string;
  lastResult?: { step: number; mean: number[]; variance: number[]; meanEnergy: number; nonFinite: number };
  error?: string;
  /** render one frame (optionally without particles) and return the canvas as a PNG data URL */
  snapshot(options?: { particles?: boolean }): string;
  /**
   * Render one frame offscreen (same renderers, same format as the canvas) and
   * return the mean R+G+B over 20 × 20 squares centred at the given canvas pixels.
   */
  measure(squares: [number, number][], options?: { particles?: boolean }): Promise<number[]>;
  pause(paused: boolean): void;
}

const canvas = document.querySelector<HTMLCanvasElement>('#view')!;
const title = document.querySelector<HTMLElement>('#title')!;
const stats = document.querySelector<HTMLElement>('#stats')!;
const message = document.querySelector<HTMLElement>('#message')!;
const presetSelect = document.querySelector<HTMLSelectElement>('#preset')!;

const query = new URLSearchParams(location.search);
const preset: Preset = presetById(query.get('preset'));
const particles = positiveInt(query.get('particles')) ?? preset.spec.particles;
const seed = positiveInt(query.get('seed')) ?? preset.spec.seed;
/** `?present=0`: step without presenting frames (headless tests and benchmarks); `measure` still renders offscreen. */
const present = query.get('present') !== '0';

const hooks: DemoHooks = {
  ready: false,
  particles,
  step: 0,
  fps: 0,
  preset: preset.id,
  snapshot: () => '',
  measure: async () => [],
  pause: (p) => (paused = p),
};
(window as unknown as { langevinDemo: DemoHooks }).langevinDemo = hooks;
let paused = false;

function positiveInt(s: string | null): number | undefined {
  const n = s === null ? NaN : Number(s);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  message.textContent = text;
  message.className = kind;
  message.hidden = text === '';
}

for (const p of PRESETS) presetSelect.add(new Option(p.title, p.id, false, p.id === preset.id));
presetSelect.addEventListener('change', () => {
  const q = new URLSearchParams(location.search);
  q.set('preset', presetSelect.value);
  location.search = q.toString();
});
title.textContent = preset.title;

async function startGpu(ctx: GpuContext): Promise<void> {
  const spec = { ...preset.spec, particles, seed };
  const sim = await Simulation.create(spec, { backend: 'webgpu', gpu: async () => ctx, webgpu: { ownsDevice: true } });
  const backend = sim.backend as WebGpuBackend;
  const device = backend.gpu;
  const context = canvas.getContext('webgpu');
  if (!context) throw new Error('the canvas gave no WebGPU context');
  const format = navigator.gpu.getPreferredCanvasFormat();
  context.configure({ device, format, alphaMode: 'opaque' });
  const [points, landscape] = await Promise.all([
    PointRenderer.create(device, backend.shards, backend.paramsBuffer, spec.dims, sim.potential.wgsl, format),
    LandscapeRenderer.create(device, backend.paramsBuffer, spec.dims, sim.potential.wgsl, format),
  ]);
  const target = { width: canvas.width, height: canvas.height };
  // one particle's weight in the additive blend: a dense cloud saturates, a sparse one stays visible
  const intensity = Math.min(1, Math.max(0.02, 4000 / particles));
  points.configure(preset.view, { size: particles > 200_000 ? 1 : 1.5, intensity, byEnergy: true, color: [1, 1, 1] }, target);
  landscape.configure(preset.view, preset.contour, new Array(spec.dims).fill(0), 0.45);

  const record = (encoder: GPUCommandEncoder, view: GPUTextureView, withParticles: boolean) => {
    const pass = encoder.beginRenderPass({
      label: 'demo.pass',
      colorAttachments: [{ view, loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }],
    });
    landscape.record(pass);
    if (withParticles) points.record(pass);
    pass.end();
  };
  const draw = (withParticles = true) => {
    if (!present) return;
    const encoder = device.createCommandEncoder({ label: 'demo.frame' });
    record(encoder, context.getCurrentTexture().createView(), withParticles);
    device.queue.submit([encoder.finish()]);
  };
  hooks.measure = async (squares, options = {}) => {
    const { width, height } = canvas;
    const texture = device.createTexture({ label: 'demo.offscreen', size: [width, height], format, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
    const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
    const readback = device.createBuffer({ label: 'demo.readback', size: bytesPerRow * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const encoder = device.createCommandEncoder({ label: 'demo.measure' });
    record(encoder, texture.createView(), options.particles ?? true);
    encoder.copyTextureToBuffer({ texture }, { buffer: readback, bytesPerRow }, [width, height]);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const px = new Uint8Array(readback.getMappedRange());
    const out = squares.map(([cx, cy]) => {
      let sum = 0;
      for (let y = cy - 10; y < cy + 10; y++) for (let x = cx - 10; x < cx + 10; x++) sum += px[y * bytesPerRow + 4 * x] + px[y * bytesPerRow + 4 * x + 1] + px[y * bytesPerRow + 4 * x + 2];
      return sum / 400;
    });
    readback.unmap();
    readback.destroy();
    texture.destroy();
    return out;
  };
  hooks.snapshot = (options = {}) => {
    draw(options.particles ?? true);
    return canvas.toDataURL('image/png');
  };
  hooks.backend = 'webgpu';
  hooks.device = backend.device;
  void sim.lost.then((why) => {
    if (hooks.error) return;
    say(`The GPU device was lost (${why}). Reload the page to start again.`, 'error');
    hooks.error = why;
  });

  let frames = 0;
  let fpsStart = performance.now();
  const frame = async () => {
    if (!paused && sim.step < sim.spec.steps) await sim.advance(Math.min(preset.stepsPerFrame, sim.spec.steps - sim.step));
    draw();
    frames++;
    const now = performance.now();
    if (now - fpsStart > 1000) {
      hooks.fps = (frames * 1000) / (now - fpsStart);
      frames = 0;
      fpsStart = now;
      const m = await sim.moments();
      hooks.lastResult = { step: sim.step, mean: m.mean, variance: m.variance, meanEnergy: m.meanEnergy, nonFinite: m.nonFinite };
      stats.textContent =
        `${particles.toLocaleString()} particles · step ${sim.step.toLocaleString()} · T ${sim.temperatureAfter(sim.step).toPrecision(3)} · ` +
        `⟨E⟩ ${m.meanEnergy.toPrecision(4)} · ${hooks.fps.toFixed(0)} fps · ${backend.device}${backend.software ? ' (software adapter)' : ''}`;
    }
    hooks.step = sim.step;
    requestAnimationFrame(() => void frame().catch(fail));
  };
  hooks.ready = true;
  requestAnimationFrame(() => void frame().catch(fail));
}

/** Without WebGPU: a small ensemble on the CPU backend, drawn with a 2-D canvas. */
async function startCpu(why: string): Promise<void> {
  const n = Math.min(particles, 5000);
  say(`${why} Showing ${n} particles computed on the CPU instead. For the full demo use a current Chrome or Edge with WebGPU.`);
  const spec = { ...preset.spec, particles: n, seed };
  const sim = await Simulation.create(spec, { backend: 'cpu' });
  const g = canvas.getContext('2d')!;
  const [x0, x1, y0, y1] = preset.view.box;
  const [d0, d1] = preset.view.dims;
  const draw = async () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = 'rgba(120, 220, 160, 0.7)';
    const x = await sim.backend.readPositions();
    for (let i = 0; i < n; i++) {
      const u = ((x[i * spec.dims + d0] - x0) / (x1 - x0)) * canvas.width;
      const v = (1 - (x[i * spec.dims + d1] - y0) / (y1 - y0)) * canvas.height;
      g.fillRect(u - 1, v - 1, 2, 2);
    }
  };
  hooks.snapshot = () => canvas.toDataURL('image/png');
  hooks.backend = 'cpu';
  hooks.device = sim.backend.device;
  hooks.particles = n;
  hooks.ready = true;
  const frame = async () => {
    if (!paused && sim.step < sim.spec.steps) await sim.advance(Math.min(preset.stepsPerFrame, sim.spec.steps - sim.step));
    await draw();
    hooks.step = sim.step;
    stats.textContent = `${n} particles (CPU) · step ${sim.step}`;
    requestAnimationFrame(() => void frame().catch(fail));
  };
  requestAnimationFrame(() => void frame().catch(fail));
}

function fail(e: unknown): void {
  const text = e instanceof Error ? e.message : String(e);
  if (hooks.error) return; // keep the first cause
  hooks.error = text;
  console.warn('langevin demo stopped:', e instanceof Error ? e.stack : e);
  say(`Stopped: ${text}`, 'error');
}

async function start(): Promise<void> {
  let ctx: GpuContext;
  try {
    ctx = await browserGpuContext();
  } catch (e) {
    await startCpu(`WebGPU is not available here: ${(e as Error).message}`);
    return;
  }
  await startGpu(ctx);
}

void start().catch(fail);
