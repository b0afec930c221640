/**
 * The particle-cloud demo: a million Langevin particles drawn straight from
 * the GPU over their energy landscape, with controls. (Top-level state is fine
 * in a demo entry; the engine itself has none.)
 */
import GUI from 'lil-gui';
import { browserGpuContext, prepare, Simulation, SpecError, PotentialError, INTEGRATORS, type GpuContext } from '../index.ts';
import { PointRenderer } from '../gpu/render/pointRenderer.ts';
import { LandscapeRenderer } from '../gpu/render/landscapeRenderer.ts';
import { TrailRenderer } from '../gpu/render/trailRenderer.ts';
import { FrameRenderer } from '../gpu/render/frameRenderer.ts';
import { OrbitCamera } from '../gpu/render/camera.ts';
import type { View } from '../gpu/render/view.ts';
import { renderOffscreen, type Pixels } from '../gpu/render/offscreen.ts';
import { PRESETS, presetById, type Preset } from './presets.ts';
import { readParams, writeParams, specFor, viewFor, is3d, lanesOf, type DemoParams } from './params.ts';
import { Plots, LANE_COLORS, type LaneSample } from './plots.ts';
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
  /** lane 0's moments at its last observation */
  lastResult?: { step: number; mean: number[]; variance: number[]; meanEnergy: number; nonFinite: number };
  /** every lane (ensemble side by side) at its last observation */
  lanes: { label: string; particles: number; step: number; temperature: number; meanEnergy: number; bestEnergy: number; mean: number[]; variance: number[] }[];
  /** the 3-D view is on */
  view3d: boolean;
  error?: string;
  /** the controls' values */
  params: DemoParams;
  /** set controls (as a person would) and apply them */
  set(changes: Partial<DemoParams>): Promise<void>;
  /** render one frame (optionally without particles) and return the canvas as a PNG data URL */
  snapshot(options?: { particles?: boolean }): string;
  /** Render one frame offscreen and return the mean R+G+B over 20 × 20 squares centred at canvas pixels. */
  measure(squares: [number, number][], options?: { particles?: boolean }): Promise<number[]>;
  /** The x-marginal histogram of a lane's ensemble now (bins over the view box). */
  histogram(lane?: number): Promise<{ step: number; counts: number[]; outside: number }>;
  /** Turn the 3-D camera (radians), as a pointer drag does. */
  orbit(dAzimuth: number, dElevation: number): void;
  /** Render one frame offscreen and return it as a PNG data URL (works where canvas presentation does not). */
  png(): Promise<string>;
  pause(paused: boolean): void;
}

const canvas = document.querySelector<HTMLCanvasElement>('#view')!;
const title = document.querySelector<HTMLElement>('#title')!;
const stats = document.querySelector<HTMLElement>('#stats')!;
const message = document.querySelector<HTMLElement>('#message')!;
const exprError = document.querySelector<HTMLElement>('#expr-error')!;
const plotsBox = document.querySelector<HTMLElement>('#plots')!;
const laneLabels = document.querySelector<HTMLElement>('#lanes')!;
let plots: Plots | undefined;

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
  lanes: [],
  view3d: false,
  params,
  set: async () => {},
  orbit: (a, e) => camera.orbit(a, e),
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

/** One ensemble and, on the GPU, its renderers. Comparison presets run several side by side. */
interface Lane {
  label: string;
  sim: Simulation;
  points?: PointRenderer;
  landscape?: LandscapeRenderer;
  trails?: TrailRenderer;
  /** the box's edges, in 3-D */
  frame?: FrameRenderer;
}
/** What runs now. */
interface Running {
  lanes: Lane[];
  /** the canvas size of one lane, pixels (square) */
  size: number;
}
let running: Running | undefined;
let gpuContext: GpuContext | undefined;
let format: GPUTextureFormat = 'rgba8unorm';
let context: GPUCanvasContext | null = null;
/** the 3-D view's camera (its angles are kept across rebuilds) */
let camera = new OrbitCamera([0, 0, 0], 1);

/** The view the lanes are drawn with now (the camera moves between frames). */
function currentView(): View {
  const view: View = viewFor(preset, params);
  if (view.dims.length === 3) view.camera = camera.matrix(1);
  return view;
}

/** The box a 3-D view shows: the preset's view box, with the depth coordinate over the horizontal range. */
function box3d(): [number, number, number, number, number, number] {
  const [x0, x1, y0, y1] = preset.view.box;
  return [x0, x1, y0, y1, x0, x1];
}

/** Point the camera at the 3-D box. */
function frameCamera(): void {
  const next = OrbitCamera.framing(box3d());
  next.azimuth = camera.azimuth;
  next.elevation = camera.elevation;
  camera = next;
}

/**
 * (Re)build the simulation from the controls. A spec error (e.g. a bad
 * expression) is shown next to the control and the old run goes on.
 */
async function rebuild(): Promise<void> {
  const lanes = lanesOf(preset);
  const specs = lanes.map((_, l) => specFor(preset, params, gpuContext ? undefined : cpuParticles(), l));
  let prepared;
  try {
    prepared = specs.map((spec) => prepare(spec));
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
  for (const lane of old?.lanes ?? []) destroyLane(lane);
  const size = lanes.length === 1 ? 800 : 560;
  canvas.width = size * lanes.length;
  canvas.height = size;
  frameCamera();
  const built: Lane[] = [];
  try {
    for (const [l, p] of prepared.entries()) built.push(await buildLane(lanes[l].label, p, size));
  } catch (e) {
    built.forEach(destroyLane);
    throw e;
  }
  running = { lanes: built, size };
  const sim = built[0].sim;
  hooks.step = 0;
  hooks.lastResult = undefined;
  hooks.lanes = [];
  plots?.destroy();
  plots = new Plots(plotsBox, lanes.map((l) => l.label));
  laneLabels.replaceChildren(
    ...lanes.map((l, i) => {
      const span = document.createElement('span');
      span.textContent = l.label;
      span.style.color = LANE_COLORS[i % LANE_COLORS.length];
      return span;
    }),
  );
  laneLabels.hidden = lanes.length === 1;
  hooks.particles = sim.spec.particles;
  hooks.backend = sim.backend.kind;
  hooks.device = sim.backend.device;
  hooks.preset = preset.id;
  hooks.view3d = is3d(params);
  title.textContent = preset.title;
  writeParams(params);
}

/** One lane's simulation and (on the GPU) renderers. */
async function buildLane(label: string, prepared: ReturnType<typeof prepare>, size: number): Promise<Lane> {
  const sim = await Simulation.create(prepared, gpuContext ? { backend: 'webgpu', gpu: async () => gpuContext!, webgpu: { ownsDevice: false } } : { backend: 'cpu' });
  const lane: Lane = { label, sim };
  const view = sim.renderView;
  if (!view) return lane;
  try {
    const shards = view.shards;
    [lane.points, lane.landscape] = await Promise.all([
      PointRenderer.create(view.device, shards, view.params, view.dims, sim.potential.wgsl, format, view.data),
      LandscapeRenderer.create(view.device, view.params, view.dims, sim.potential.wgsl, format, view.data),
    ]);
    if (is3d(params)) lane.frame = await FrameRenderer.create(view.device, format);
    if (params.trails) {
      const t = preset.trails ?? { tracked: 24, length: 300 };
      lane.trails = await TrailRenderer.create(view.device, shards, view.dims, Math.min(t.tracked, shards[0].count), t.length, format);
    }
    configureLane(lane, size);
    return lane;
  } catch (e) {
    destroyLane(lane);
    throw e;
  }
}

/** Set a lane's renderers to the current view (every frame: the camera may move). */
function configureLane(lane: Lane, size: number): void {
  const n = lane.sim.spec.particles;
  // one particle's weight in the additive blend: a dense cloud saturates, a sparse one stays visible
  const intensity = Math.min(1, Math.max(0.02, 4000 / n));
  const view = currentView();
  lane.points?.configure(view, { size: n > 200_000 ? 1 : 1.5, intensity, byEnergy: true, color: [1, 1, 1] }, { width: size, height: size });
  lane.landscape?.configure(view, preset.contour, new Array(lane.sim.spec.dims).fill(0), 0.45);
  lane.trails?.configure(view, 0.9);
  if (view.camera) lane.frame?.configure(view.camera, box3d(), 0.4);
}

function destroyLane(lane: Lane): void {
  lane.points?.destroy();
  lane.landscape?.destroy();
  lane.trails?.destroy();
  lane.frame?.destroy();
  lane.sim.destroy();
}

/** Record every lane (the landscape in 2-D, trails, particles) into its square of the render pass. */
function record(r: Running, pass: GPURenderPassEncoder, withParticles: boolean): void {
  r.lanes.forEach((lane, l) => {
    configureLane(lane, r.size);
    pass.setViewport(l * r.size, 0, r.size, r.size, 0, 1);
    if (lane.frame) lane.frame.record(pass);
    else lane.landscape!.record(pass);
    lane.trails?.record(pass);
    if (withParticles) lane.points!.record(pass);
  });
}

/** The current frame rendered offscreen (same renderers and format as the canvas). */
function snapshotPixels(withParticles: boolean): Promise<Pixels> {
  const r = running!;
  return renderOffscreen(gpuOf(r), canvas.width, canvas.height, format, (pass) => record(r, pass, withParticles));
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
  if (!running?.lanes[0].points) return canvas.toDataURL('image/png');
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

function gpuOf(r: Running): GPUDevice {
  return r.lanes[0].sim.renderView!.device;
}

function drawGpu(r: Running, withParticles = true): void {
  if (!present || !context) return;
  const device = gpuOf(r);
  const encoder = device.createCommandEncoder({ label: 'demo.frame' });
  const pass = encoder.beginRenderPass({ label: 'demo.pass', colorAttachments: [{ view: context.getCurrentTexture().createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }] });
  record(r, pass, withParticles);
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/** Without WebGPU: the CPU ensembles drawn with a 2-D canvas. */
async function drawCpu(r: Running): Promise<void> {
  const g = canvas.getContext('2d')!;
  const [x0, x1, y0, y1] = preset.view.box;
  const [d0, d1] = viewFor(preset, params).dims;
  g.fillStyle = '#000';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = 'rgba(120, 220, 160, 0.7)';
  for (const [l, lane] of r.lanes.entries()) {
    const D = lane.sim.spec.dims;
    const x = await lane.sim.backend.readPositions();
    for (let i = 0; i < lane.sim.spec.particles; i++) {
      const u = l * r.size + ((x[i * D + d0] - x0) / (x1 - x0)) * r.size;
      const v = (1 - (x[i * D + d1] - y0) / (y1 - y0)) * r.size;
      g.fillRect(u - 1, v - 1, 2, 2);
    }
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
  const advance = (!params.paused || stepOnce) && r.lanes.some((l) => l.sim.step < l.sim.spec.steps);
  stepOnce = false;
  if (advance) {
    for (const lane of r.lanes) {
      const { sim } = lane;
      if (sim.step >= sim.spec.steps) continue; // a lane whose schedule is over stays as it ended
      await sim.advance(Math.min(params.stepsPerFrame, sim.spec.steps - sim.step));
      if (lane.trails) {
        const device = gpuOf(r);
        const encoder = device.createCommandEncoder({ label: 'demo.trails' });
        lane.trails.capture(encoder);
        device.queue.submit([encoder.finish()]);
      }
    }
    hooks.device = r.lanes[0].sim.backend.device; // the CPU backend names its threads once it has stepped
  }
  if (r.lanes[0].points) drawGpu(r);
  else await drawCpu(r);
  frames++;
  const now = performance.now();
  if (now - fpsStart > 1000 && running === r) {
    hooks.fps = (frames * 1000) / (now - fpsStart);
    frames = 0;
    fpsStart = now;
    await observe(r);
  }
  if (running === r) hooks.step = r.lanes[0].sim.step;
}

/** Every lane's moments and histogram: the stats line, the hooks and the live plots (x-marginal against the Boltzmann curve, KL, T, ⟨E⟩, best energy, MSD). */
async function observe(r: Running): Promise<void> {
  const samples: LaneSample[] = [];
  const sampled: number[][] = [];
  let exact: number[] | undefined;
  const lanesNow: DemoHooks['lanes'] = [];
  const h = r.lanes[0].sim.spec.histogram!;
  const width = (h.high[0] - h.low[0]) / h.bins[0];
  const centres = Array.from({ length: h.bins[0] }, (_, b) => h.low[0] + (b + 0.5) * width);
  for (const [l, lane] of r.lanes.entries()) {
    const { sim } = lane;
    const m = await sim.moments();
    const counts = await sim.backend.histogram();
    const T = sim.temperatureAfter(sim.step);
    const ref = T > 0 ? sim.reference(T) : { note: 'T = 0' };
    let n = 0;
    for (const c of counts.counts) n += c;
    sampled.push(Array.from(counts.counts, (c) => (n > 0 ? c / (n * width) : 0)));
    if (l === 0 && 'probabilities' in ref) exact = Array.from(ref.probabilities, (p) => p / width);
    const kl = 'probabilities' in ref && n > 0 ? divergences(counts.counts, ref.probabilities).kl : NaN;
    // free particles from a point: MSD = 2·D·T·t exactly (Einstein), whatever dt
    const free = sim.potential.name === 'free' && sim.spec.init.kind === 'point' && typeof sim.spec.temperature === 'number';
    const msd = m.variance.reduce((a, v) => a + v, 0);
    const einstein = free ? 2 * sim.spec.dims * T * sim.spec.dt * sim.step : NaN;
    samples.push({ temperature: T, meanEnergy: m.meanEnergy, bestEnergy: sim.bestSoFar.energy, kl, msd, einstein });
    lanesNow.push({ label: lane.label, particles: sim.spec.particles, step: sim.step, temperature: T, meanEnergy: m.meanEnergy, bestEnergy: sim.bestSoFar.energy, mean: m.mean, variance: m.variance });
    if (l === 0) hooks.lastResult = { step: sim.step, mean: m.mean, variance: m.variance, meanEnergy: m.meanEnergy, nonFinite: m.nonFinite };
  }
  if (running !== r) return;
  hooks.lanes = lanesNow;
  plots?.setMarginal(centres, sampled, exact);
  plots?.add(r.lanes[0].sim.step, samples);
  const sim = r.lanes[0].sim;
  const particles = r.lanes.reduce((a, l) => a + l.sim.spec.particles, 0);
  const lanesText = lanesNow.map((s) => `${r.lanes.length > 1 ? `${s.label.split(':')[0]}: ` : ''}T ${s.temperature.toPrecision(3)} · ⟨E⟩ ${s.meanEnergy.toPrecision(4)}`);
  stats.textContent = `${particles.toLocaleString()} particles · step ${sim.step.toLocaleString()} · ${lanesText.join(' · ')} · ${hooks.fps.toFixed(0)} fps · ${sim.backend.device}${sim.backend.software ? ' (software)' : ''}`;
}

hooks.histogram = async (lane = 0) => {
  const sim = running!.lanes[lane].sim;
  const h = await sim.backend.histogram();
  return { step: sim.step, counts: Array.from(h.counts), outside: h.outside };
};

/** Controls whose change needs a new run (recompilation or new buffers); the others apply live. */
const REBUILD: (keyof DemoParams)[] = ['preset', 'expr', 'particles', 'seed', 'integrator', 'friction', 'dims', 'viewX', 'viewY', 'viewZ', 'view3d', 'trails'];

/** Apply the live controls to every lane (a lane whose preset fixes dt keeps it). */
function applyLive(changed: Partial<DemoParams>): void {
  for (const [l, lane] of (running?.lanes ?? []).entries()) {
    if ('dt' in changed && !('dt' in lanesOf(preset)[l].spec)) lane.sim.setStepSize(params.dt);
    if ('temperature' in changed) lane.sim.setTemperature(params.temperature);
  }
}

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
  gui.add(params, 'expr').name('potential E(x, y, …)').onFinishChange(restart);
  gui.add(params, 'particles', 1, 4_000_000, 1).name('particles per lane').onFinishChange(restart);
  gui.add(params, 'dt', 1e-5, 0.1).name('dt').onChange(() => applyLive({ dt: params.dt }));
  gui.add(params, 'temperature', 0, 50).name('temperature').onChange(() => {
    params.customT = true;
    applyLive({ temperature: params.temperature });
  });
  gui.add(params, 'integrator', [...INTEGRATORS]).name('integrator').onChange(restart);
  gui.add(params, 'friction', 0, 20).name('friction γ (baoab)').onFinishChange(restart);
  gui.add(params, 'dims', 2, 16, 1).name('dimension D').onFinishChange(restart);
  const view = gui.addFolder('view');
  view.add(params, 'viewX', 0, 15, 1).name('horizontal: x_i').onFinishChange(restart);
  view.add(params, 'viewY', 0, 15, 1).name('vertical: x_j').onFinishChange(restart);
  view.add(params, 'view3d').name('3-D (D ≥ 3; drag to orbit)').onChange(restart);
  view.add(params, 'viewZ', 0, 15, 1).name('depth: x_k (3-D)').onFinishChange(restart);
  view.add(params, 'trails').name('trails').onChange(restart);
  gui.add(params, 'stepsPerFrame', 1, 200, 1).name('steps per frame');
  gui.add(params, 'seed', 0, 2 ** 31, 1).name('seed').onFinishChange(restart);
  gui.add(params, 'paused').name('pause');
  gui.add({ step: () => (stepOnce = true) }, 'step').name('step once');
  gui.add({ reset: restart }, 'reset').name('reset');
  gui.add({ png: () => void savePng() }, 'png').name('save PNG');
  gui.add({ json: () => void saveJson() }, 'json').name('save result JSON');
  gui.onChange(() => writeParams(params));
}

/** Pointer drags orbit the 3-D camera; the wheel zooms. */
function bindCamera(): void {
  let last: { x: number; y: number } | undefined;
  canvas.addEventListener('pointerdown', (e) => {
    if (!is3d(params)) return;
    last = { x: e.clientX, y: e.clientY };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!last) return;
    camera.orbit(-0.01 * (e.clientX - last.x), 0.01 * (e.clientY - last.y));
    last = { x: e.clientX, y: e.clientY };
  });
  const end = () => (last = undefined);
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  canvas.addEventListener(
    'wheel',
    (e) => {
      if (!is3d(params)) return;
      e.preventDefault();
      camera.zoom(Math.exp(0.001 * e.deltaY));
    },
    { passive: false },
  );
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

/** The state of every lane now, as JSON: the controls, the link that reproduces it, and each ensemble's moments and best point. */
async function saveJson(): Promise<void> {
  if (!running) return;
  const lanes = [];
  for (const lane of running.lanes) {
    const { sim } = lane;
    const m = await sim.moments();
    lanes.push({
      label: lane.label, spec: sim.spec, step: sim.step, temperature: sim.temperatureAfter(sim.step),
      final: { mean: m.mean, variance: m.variance, meanEnergy: m.meanEnergy, nonFinite: m.nonFinite }, best: sim.bestSoFar,
    });
  }
  const first = running.lanes[0].sim.backend;
  const result = { preset: preset.id, link: location.href, params, backend: first.kind, device: first.device, lanes };
  download(`langevin-${preset.id}.json`, URL.createObjectURL(new Blob([JSON.stringify(result, null, 2)], { type: 'application/json' })));
}

hooks.set = async (changes) => {
  const needsRebuild = REBUILD.some((k) => k in changes && changes[k] !== params[k]);
  if ('preset' in changes) {
    preset = presetById(changes.preset!);
    Object.assign(params, readParams(new URLSearchParams({ preset: preset.id })));
  }
  Object.assign(params, changes);
  if ('temperature' in changes) params.customT = true;
  applyLive(changes);
  if (needsRebuild) await rebuild();
  writeParams(params);
};

/**
 * Particles per lane without WebGPU: 20 000 where the page is cross-origin
 * isolated (served with COOP/COEP, as `npm run demo` does), so the CPU backend
 * steps them on worker threads; 5000 on one thread otherwise.
 */
function cpuParticles(): number {
  return crossOriginIsolated && navigator.hardwareConcurrency > 1 ? 20_000 : 5000;
}

async function start(): Promise<void> {
  try {
    gpuContext = await browserGpuContext();
  } catch (e) {
    const threads = cpuParticles() > 5000 ? `worker threads on ${navigator.hardwareConcurrency} cores` : crossOriginIsolated ? 'one thread: this machine reports one core' : 'one thread: this page is not cross-origin isolated';
    say(`WebGPU is not available here: ${(e as Error).message} Showing ${cpuParticles()} particles computed on the CPU instead (${threads}). For the full demo use a current Chrome or Edge with WebGPU.`);
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
  bindCamera();
  await rebuild();
  hooks.ready = true;
  requestAnimationFrame(() => void frame().catch(fail));
}

void start().catch(fail);
