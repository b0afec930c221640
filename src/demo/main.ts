/**
 * The particle-cloud demo: a million Langevin particles drawn straight from
 * the GPU over their energy landscape, with controls. (Top-level state is fine
 * in a demo entry; the engine itself has none.)
 */
import GUI from 'lil-gui';
import { browserGpuContext, prepare, Simulation, SpecError, PotentialError, type GpuContext } from '../index.ts';
import { WebGpuBackend } from '../gpu/backend.ts';
import { PointRenderer } from '../gpu/render/pointRenderer.ts';
import { LandscapeRenderer } from '../gpu/render/landscapeRenderer.ts';
import { renderOffscreen, type Pixels } from '../gpu/render/offscreen.ts';
import { PRESETS, presetById, type Preset } from './presets.ts';
import { readParams, writeParams, specFor, viewFor, type DemoParams } from './params.ts';
import { Plots } from './plots.ts';
import { divergences } from '../stats/divergence.ts';

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
  /** the controls' values */
  params: DemoParams;
  /** set controls (as a person would) and apply them */
  set(changes: Partial<DemoParams>): Promise<void>;
  /** render one frame (optionally without particles) and return the canvas as a PNG data URL */
  snapshot(options?: { particles?: boolean }): string;
  /** Render one frame offscreen and return the mean R+G+B over 20 × 20 squares centred at canvas pixels. */
  measure(squares: [number, number][], options?: { particles?: boolean }): Promise<number[]>;
  /** The x-marginal histogram of the ensemble now (bins over the view box). */
  histogram(): Promise<{ step: number; counts: number[]; outside: number }>;
  /** Render one frame offscreen and return it as a PNG data URL (works where canvas presentation does not). */
  png(): Promise<string>;
  pause(paused: boolean): void;
}

const canvas = document.querySelector<HTMLCanvasElement>('#view')!;
const title = document.querySelector<HTMLElement>('#title')!;
const stats = document.querySelector<HTMLElement>('#stats')!;
const message = document.querySelector<HTMLElement>('#message')!;
const exprError = document.querySelector<HTMLElement>('#expr-error')!;
const plots = new Plots(document.querySelector<HTMLElement>('#plots')!);

const query = new URLSearchParams(location.search);
const params: DemoParams = readParams(query);
let preset: Preset = presetById(params.preset);
/** `?present=0`: step without presenting frames (headless tests and benchmarks); `measure`/`png` still render offscreen. */
const present = query.get('present') !== '0';

const hooks: DemoHooks = {
  ready: false,
  particles: params.particles,
  step: 0,
  fps: 0,
  preset: preset.id,
  params,
  set: async () => {},
  snapshot: () => '',
  measure: async () => [],
  png: async () => '',
  histogram: async () => ({ step: 0, counts: [], outside: 0 }),
  pause: (p) => (params.paused = p),
};
(window as unknown as { langevinDemo: DemoHooks }).langevinDemo = hooks;

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  message.textContent = text;
  message.className = kind;
  message.hidden = text === '';
}

function fail(e: unknown): void {
  const text = e instanceof Error ? e.message : String(e);
  if (hooks.error) return; // keep the first cause
  hooks.error = text;
  console.warn('langevin demo stopped:', e instanceof Error ? e.stack : e);
  say(`Stopped: ${text}`, 'error');
}

/** What runs now: the simulation and, on the GPU, its renderers. */
interface Running {
  sim: Simulation;
  points?: PointRenderer;
  landscape?: LandscapeRenderer;
}
let running: Running | undefined;
let gpuContext: GpuContext | undefined;
let format: GPUTextureFormat = 'rgba8unorm';
let context: GPUCanvasContext | null = null;

/**
 * (Re)build the simulation from the controls. A spec error (e.g. a bad
 * expression) is shown next to the control and the old run goes on.
 */
async function rebuild(): Promise<void> {
  const spec = specFor(preset, params, gpuContext ? undefined : 5000);
  let prepared;
  try {
    prepared = prepare(spec);
    exprError.textContent = '';
  } catch (e) {
    if (e instanceof SpecError || e instanceof PotentialError) {
      exprError.textContent = e.message;
      return;
    }
    throw e;
  }
  const old = running;
  running = undefined; // new frames skip; the one in flight finishes with the old run
  await frameInFlight;
  old?.points?.destroy();
  old?.landscape?.destroy();
  old?.sim.destroy();
  const sim = await Simulation.create(prepared, gpuContext ? { backend: 'webgpu', gpu: async () => gpuContext!, webgpu: { ownsDevice: false } } : { backend: 'cpu' });
  const next: Running = { sim };
  if (sim.backend instanceof WebGpuBackend) {
    const b = sim.backend;
    [next.points, next.landscape] = await Promise.all([
      PointRenderer.create(b.gpu, b.shards, b.paramsBuffer, spec.dims, sim.potential.wgsl, format),
      LandscapeRenderer.create(b.gpu, b.paramsBuffer, spec.dims, sim.potential.wgsl, format),
    ]);
    const n = sim.spec.particles;
    // one particle's weight in the additive blend: a dense cloud saturates, a sparse one stays visible
    const intensity = Math.min(1, Math.max(0.02, 4000 / n));
    const view = viewFor(preset, params);
    next.points.configure(view, { size: n > 200_000 ? 1 : 1.5, intensity, byEnergy: true, color: [1, 1, 1] }, canvas);
    next.landscape.configure(view, preset.contour, new Array(spec.dims).fill(0), 0.45);
  }
  running = next;
  hooks.step = 0;
  hooks.lastResult = undefined;
  plots.clear();
  hooks.particles = sim.spec.particles;
  hooks.backend = sim.backend.kind;
  hooks.device = sim.backend.device;
  hooks.preset = preset.id;
  title.textContent = preset.title;
  writeParams(params);
}

/** Record the landscape and the particles into a render pass. */
function record(r: Running, pass: GPURenderPassEncoder, withParticles: boolean): void {
  r.landscape!.record(pass);
  if (withParticles) r.points!.record(pass);
}

/** The current frame rendered offscreen (same renderers and format as the canvas). */
function snapshotPixels(withParticles: boolean): Promise<Pixels> {
  const r = running!;
  return renderOffscreen((r.sim.backend as WebGpuBackend).gpu, canvas.width, canvas.height, format, (pass) => record(r, pass, withParticles));
}

hooks.measure = async (squares, options = {}) => {
  const { pixels, bytesPerRow } = await snapshotPixels(options.particles ?? true);
  return squares.map(([cx, cy]) => {
    let sum = 0;
    for (let y = cy - 10; y < cy + 10; y++) for (let x = cx - 10; x < cx + 10; x++) sum += pixels[y * bytesPerRow + 4 * x] + pixels[y * bytesPerRow + 4 * x + 1] + pixels[y * bytesPerRow + 4 * x + 2];
    return sum / 400;
  });
};

hooks.png = async () => {
  if (!running?.points) return canvas.toDataURL('image/png');
  const { pixels, bytesPerRow } = await snapshotPixels(true);
  const { width, height } = canvas;
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const image = new ImageData(width, height);
  const bgra = format === 'bgra8unorm';
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = y * bytesPerRow + 4 * x;
      const d = 4 * (y * width + x);
      image.data[d] = pixels[s + (bgra ? 2 : 0)];
      image.data[d + 1] = pixels[s + 1];
      image.data[d + 2] = pixels[s + (bgra ? 0 : 2)];
      image.data[d + 3] = 255;
    }
  }
  out.getContext('2d')!.putImageData(image, 0, 0);
  return out.toDataURL('image/png');
};

function drawGpu(r: Running, withParticles = true): void {
  if (!present || !context) return;
  const device = (r.sim.backend as WebGpuBackend).gpu;
  const encoder = device.createCommandEncoder({ label: 'demo.frame' });
  const pass = encoder.beginRenderPass({ label: 'demo.pass', colorAttachments: [{ view: context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] });
  record(r, pass, withParticles);
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/** Without WebGPU: the CPU ensemble drawn with a 2-D canvas. */
async function drawCpu(r: Running): Promise<void> {
  const g = canvas.getContext('2d')!;
  const [x0, x1, y0, y1] = preset.view.box;
  const [d0, d1] = viewFor(preset, params).dims;
  const D = r.sim.spec.dims;
  g.fillStyle = '#000';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = 'rgba(120, 220, 160, 0.7)';
  const x = await r.sim.backend.readPositions();
  for (let i = 0; i < r.sim.spec.particles; i++) {
    const u = ((x[i * D + d0] - x0) / (x1 - x0)) * canvas.width;
    const v = (1 - (x[i * D + d1] - y0) / (y1 - y0)) * canvas.height;
    g.fillRect(u - 1, v - 1, 2, 2);
  }
}

let frames = 0;
let fpsStart = performance.now();
let stepOnce = false;
/** The frame whose GPU work is in flight; a rebuild waits for it before destroying the run it uses. */
let frameInFlight: Promise<void> = Promise.resolve();

async function frame(): Promise<void> {
  const r = running;
  const work = r ? frameWith(r) : Promise.resolve();
  frameInFlight = work.catch(() => {});
  try {
    await work;
  } catch (e) {
    if (running === r) throw e; // an error of a run that was replaced meanwhile is moot
  }
  requestAnimationFrame(() => void frame().catch(fail));
}

async function frameWith(r: Running): Promise<void> {
  const { sim } = r;
  if ((!params.paused || stepOnce) && sim.step < sim.spec.steps) await sim.advance(Math.min(params.stepsPerFrame, sim.spec.steps - sim.step));
  stepOnce = false;
  if (r.points) drawGpu(r);
  else await drawCpu(r);
  frames++;
  const now = performance.now();
  if (now - fpsStart > 1000 && running === r) {
    hooks.fps = (frames * 1000) / (now - fpsStart);
    frames = 0;
    fpsStart = now;
    const m = await sim.moments();
    hooks.lastResult = { step: sim.step, mean: m.mean, variance: m.variance, meanEnergy: m.meanEnergy, nonFinite: m.nonFinite };
    await observe(r, m.meanEnergy, m.variance);
    stats.textContent =
      `${sim.spec.particles.toLocaleString()} particles · step ${sim.step.toLocaleString()} · T ${sim.temperatureAfter(sim.step).toPrecision(3)} · ` +
      `⟨E⟩ ${m.meanEnergy.toPrecision(4)} · ${hooks.fps.toFixed(0)} fps · ${sim.backend.device}${sim.backend.software ? ' (software)' : ''}`;
  }
  if (running === r) hooks.step = sim.step;
}

/** The live plots: the x-marginal against the Boltzmann curve, KL, T, ⟨E⟩ and best energy. */
async function observe(r: Running, meanEnergy: number, variance: number[]): Promise<void> {
  const { sim } = r;
  const h = sim.spec.histogram!;
  const counts = await sim.backend.histogram();
  const T = sim.temperatureAfter(sim.step);
  const ref = T > 0 ? sim.reference(T) : { note: 'T = 0' };
  const width = (h.high[0] - h.low[0]) / h.bins[0];
  let n = 0;
  for (const c of counts.counts) n += c;
  const centres = Array.from({ length: h.bins[0] }, (_, b) => h.low[0] + (b + 0.5) * width);
  const sampled = Array.from(counts.counts, (c) => (n > 0 ? c / (n * width) : 0));
  const exact = 'probabilities' in ref ? Array.from(ref.probabilities, (p) => p / width) : undefined;
  plots.setMarginal(centres, sampled, exact);
  const kl = 'probabilities' in ref && n > 0 ? divergences(counts.counts, ref.probabilities).kl : NaN;
  // free particles from a point: MSD = 2·D·T·t exactly (Einstein), whatever dt
  const free = sim.potential.name === 'free' && sim.spec.init.kind === 'point' && typeof sim.spec.temperature === 'number';
  const msd = variance.reduce((a, v) => a + v, 0);
  const einstein = free ? 2 * sim.spec.dims * T * sim.spec.dt * sim.step : NaN;
  plots.add({ step: sim.step, temperature: T, meanEnergy, bestEnergy: sim.bestSoFar.energy, kl, msd, einstein });
}

hooks.histogram = async () => {
  const sim = running!.sim;
  const h = await sim.backend.histogram();
  return { step: sim.step, counts: Array.from(h.counts), outside: h.outside };
};

/** The controls (lil-gui): live where no recompilation is needed, else a rebuild. */
function buildGui(): void {
  const gui = new GUI({ title: 'Langevin', container: document.querySelector<HTMLElement>('#controls')! });
  const restart = () => void rebuild().catch(fail);
  gui
    .add(params, 'preset', Object.fromEntries(PRESETS.map((p) => [p.title, p.id])))
    .name('preset')
    .onChange(() => {
      preset = presetById(params.preset);
      Object.assign(params, readParams(new URLSearchParams({ preset: params.preset })));
      gui.controllersRecursive().forEach((c) => c.updateDisplay());
      restart();
    });
  gui.add(params, 'expr').name('potential E(x, y)').onFinishChange(restart);
  gui.add(params, 'particles', 1, 4_000_000, 1).name('particles').onFinishChange(restart);
  gui.add(params, 'dt', 1e-5, 0.1).name('dt').onChange(() => running?.sim.setStepSize(params.dt));
  gui.add(params, 'temperature', 0, 50).name('temperature').onChange(() => {
    params.customT = true;
    running?.sim.setTemperature(params.temperature);
  });
  gui.add(params, 'integrator', ['em', 'lm']).name('integrator').onChange(restart);
  gui.add(params, 'dims', 2, 16, 1).name('dimension D').onFinishChange(restart);
  gui.add(params, 'viewX', 0, 15, 1).name('horizontal: x_i').onFinishChange(restart);
  gui.add(params, 'viewY', 0, 15, 1).name('vertical: x_j').onFinishChange(restart);
  gui.add(params, 'stepsPerFrame', 1, 200, 1).name('steps per frame');
  gui.add(params, 'seed', 0, 2 ** 31, 1).name('seed').onFinishChange(restart);
  gui.add(params, 'paused').name('pause');
  gui.add({ step: () => (stepOnce = true) }, 'step').name('step once');
  gui.add({ reset: restart }, 'reset').name('reset');
  gui.add({ png: () => void savePng() }, 'png').name('save PNG');
  gui.add({ json: () => void saveJson() }, 'json').name('save result JSON');
  gui.onChange(() => writeParams(params));
}

function download(name: string, url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
}

async function savePng(): Promise<void> {
  download(`langevin-${preset.id}.png`, await hooks.png());
}

async function saveJson(): Promise<void> {
  if (!running) return;
  const m = await running.sim.moments();
  const result = { preset: preset.id, params, step: running.sim.step, backend: running.sim.backend.kind, device: running.sim.backend.device, final: { mean: m.mean, variance: m.variance, meanEnergy: m.meanEnergy, nonFinite: m.nonFinite } };
  download(`langevin-${preset.id}.json`, URL.createObjectURL(new Blob([JSON.stringify(result, null, 2)], { type: 'application/json' })));
}

hooks.set = async (changes) => {
  const needsRebuild = ['preset', 'expr', 'particles', 'seed', 'integrator', 'dims', 'viewX', 'viewY'].some((k) => k in changes && changes[k as keyof DemoParams] !== params[k as keyof DemoParams]);
  if ('preset' in changes) {
    preset = presetById(changes.preset!);
    Object.assign(params, readParams(new URLSearchParams({ preset: preset.id })));
  }
  Object.assign(params, changes);
  if ('dt' in changes) running?.sim.setStepSize(params.dt);
  if ('temperature' in changes) {
    params.customT = true;
    running?.sim.setTemperature(params.temperature);
  }
  if (needsRebuild) await rebuild();
  writeParams(params);
};

async function start(): Promise<void> {
  try {
    gpuContext = await browserGpuContext();
  } catch (e) {
    say(`WebGPU is not available here: ${(e as Error).message} Showing 5000 particles computed on the CPU instead. For the full demo use a current Chrome or Edge with WebGPU.`);
  }
  if (gpuContext) {
    format = navigator.gpu.getPreferredCanvasFormat();
    if (present) {
      context = canvas.getContext('webgpu');
      context?.configure({ device: gpuContext.device, format, alphaMode: 'opaque' });
    }
    void gpuContext.device.lost.then((info) => {
      if (hooks.error) return;
      hooks.error = info.message;
      say(`The GPU device was lost (${info.reason}: ${info.message}).`, 'error');
      const again = document.createElement('button');
      again.textContent = 'Restart';
      again.addEventListener('click', () => location.reload());
      message.append(' ', again);
    });
  }
  buildGui();
  await rebuild();
  hooks.ready = true;
  requestAnimationFrame(() => void frame().catch(fail));
}

void start().catch(fail);
