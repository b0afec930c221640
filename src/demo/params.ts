/**
 * The demo's controls and their home in the URL: a link reproduces the run.
 * Query keys: preset, particles, seed, dt, T (a constant temperature instead
 * of the preset's schedule), integrator, gamma (friction), spf (steps per frame: a number, or `auto`), expr, dims,
 * vx, vy, vz (coordinates shown), view3d (1: orbit camera), trails (0/1);
 * tour (a step of the guided tour: tourUrl.ts reads it, writeParams keeps it).
 */
import { PRESETS, presetById, type Preset } from './presets.ts';
import { INTEGRATORS, type IntegratorName } from '../spec.ts';

export interface DemoParams {
  preset: string;
  /** a free expression in x, y replacing the preset's potential; '' = the preset's */
  expr: string;
  particles: number;
  /** step size, time units */
  dt: number;
  /** temperature (k_B = 1); used only when `customT` */
  temperature: number;
  /** the temperature was set by hand (URL or control): constant instead of the preset's schedule */
  customT: boolean;
  integrator: IntegratorName;
  /** friction γ of the inertial integrators (baoab), 1/time */
  friction: number;
  /** dimension D of the particles (2 … 16); the preset's unless changed */
  dims: number;
  /** coordinates shown on the horizontal and vertical axes (for D > 2) */
  viewX: number;
  viewY: number;
  /** coordinate in depth in the 3-D view */
  viewZ: number;
  /** show the particles in 3-D with an orbiting camera (needs D ≥ 3) */
  view3d: boolean;
  /** draw the paths of a few particles */
  trails: boolean;
  /** steps each frame advances when not `autoSteps` (URL `spf=N`; the preset's by default) */
  stepsPerFrame: number;
  /** the frame budget (frameBudget.ts) picks the steps per frame to hold 60 fps (URL `spf=auto` or no `spf`) */
  autoSteps: boolean;
  seed: number;
  paused: boolean;
}

/**
 * Particles per lane on a software WebGPU adapter (SwiftShader, llvmpipe, …) when the URL sets none
 * (lanes.ts `fitSoftwareAdapter`). Measured in headless Chromium on SwiftShader (2 busy cores): the default URL's
 * first frame comes 4–7 s after opening with 2·10^4 to 2·10^5 particles (~24 s with the preset's 10^6), and the
 * offscreen path then shows about one frame a second with 10^4, one every 2 s with 2·10^4, every 3 s with 5·10^4.
 */
export const SOFTWARE_PARTICLES = 20_000;

function num(q: URLSearchParams, key: string, ok: (x: number) => boolean): number | undefined {
  const s = q.get(key);
  const v = s === null ? NaN : Number(s);
  return s !== null && ok(v) ? v : undefined;
}

/** The temperature a preset starts at (its constant, or its schedule's first value). */
export function startTemperature(p: Preset): number {
  const t = p.spec.temperature as number | { schedule: string; from?: number; c?: number; n0?: number; values?: number[] };
  if (typeof t === 'number') return t;
  if (t.schedule === 'log') return t.c! / Math.log(t.n0!);
  if (t.schedule === 'table') return t.values![0];
  return t.from!;
}

/** Controls from a URL query (unknown or bad values fall back to the preset's). */
export function readParams(q: URLSearchParams): DemoParams {
  const preset = presetById(q.get('preset'));
  const T = num(q, 'T', (x) => Number.isFinite(x) && x >= 0);
  const integrator = q.get('integrator');
  return {
    preset: preset.id,
    expr: q.get('expr') ?? '',
    particles: num(q, 'particles', (x) => Number.isInteger(x) && x > 0) ?? preset.spec.particles,
    dt: num(q, 'dt', (x) => Number.isFinite(x) && x > 0) ?? (preset.spec.dt as number),
    temperature: T ?? startTemperature(preset),
    customT: T !== undefined,
    integrator: INTEGRATORS.includes(integrator as IntegratorName)
      ? (integrator as IntegratorName)
      : (preset.spec.integrator as IntegratorName),
    friction: num(q, 'gamma', (x) => Number.isFinite(x) && x >= 0) ?? (preset.spec.friction as number | undefined) ?? 1,
    dims: num(q, 'dims', (x) => Number.isInteger(x) && x >= 2 && x <= 16) ?? preset.spec.dims,
    viewX: num(q, 'vx', (x) => Number.isInteger(x) && x >= 0 && x < 16) ?? preset.view.dims[0],
    viewY: num(q, 'vy', (x) => Number.isInteger(x) && x >= 0 && x < 16) ?? preset.view.dims[1],
    viewZ: num(q, 'vz', (x) => Number.isInteger(x) && x >= 0 && x < 16) ?? 2,
    view3d: q.has('view3d') ? q.get('view3d') === '1' : preset.view3d === true,
    trails: q.has('trails') ? q.get('trails') === '1' : preset.trails !== undefined,
    stepsPerFrame: num(q, 'spf', (x) => Number.isInteger(x) && x > 0) ?? preset.stepsPerFrame,
    autoSteps: num(q, 'spf', (x) => Number.isInteger(x) && x > 0) === undefined,
    seed: num(q, 'seed', (x) => Number.isInteger(x) && x >= 0) ?? preset.spec.seed,
    paused: false,
  };
}

/** What is wrong with the URL's `spf` (steps per frame), in a sentence naming it; undefined where it is absent or good. */
export function spfProblem(q: URLSearchParams): string | undefined {
  const s = q.get('spf');
  if (s === null || s === 'auto' || num(q, 'spf', (x) => Number.isInteger(x) && x > 0) !== undefined) return undefined;
  return `spf (steps per frame) = "${s}" is not allowed: use auto, or a whole number ≥ 1. Choosing the steps per frame automatically.`;
}

/** Write every control into the URL (without reloading). */
export function writeParams(p: DemoParams): void {
  const q = new URLSearchParams({
    preset: p.preset,
    particles: String(p.particles),
    seed: String(p.seed),
    dt: String(p.dt),
    integrator: p.integrator,
    gamma: String(p.friction),
    spf: p.autoSteps ? 'auto' : String(p.stepsPerFrame),
  });
  if (p.customT) q.set('T', String(p.temperature));
  q.set('dims', String(p.dims));
  q.set('vx', String(p.viewX));
  q.set('vy', String(p.viewY));
  q.set('vz', String(p.viewZ));
  q.set('view3d', p.view3d ? '1' : '0');
  q.set('trails', p.trails ? '1' : '0');
  if (p.expr) q.set('expr', p.expr);
  const here = new URLSearchParams(location.search);
  // the drawing path, and the guided tour's step (tour.ts): the controls are the step's, and the URL reproduces it
  for (const key of ['present', 'backend', 'tour']) {
    const value = here.get(key);
    if (value !== null) q.set(key, value);
  }
  history.replaceState(null, '', `${location.pathname}?${q}`);
}

/** Pad (or cut) an init's per-coordinate arrays to D coordinates: new coordinates start at 0, spread like the last one. */
function resizeInit(init: Record<string, unknown>, dims: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...init };
  for (const [k, v] of Object.entries(init)) {
    if (!Array.isArray(v)) continue;
    const pad = k === 'std' || k === 'low' || k === 'high' ? v[v.length - 1] : 0;
    out[k] = Array.from({ length: dims }, (_, i) => (i < v.length ? v[i] : pad));
  }
  return out;
}

/**
 * A preset's passage region sized to D: a box's bounds cut or padded with null (unbounded: the region is the
 * same set of the coordinates it names), a ball's centre padded with 0.
 */
function resizePassage(passage: Record<string, unknown>, dims: number): Record<string, unknown> {
  const region = { ...(passage.region as Record<string, unknown>) };
  for (const k of ['low', 'high', 'center'] as const) {
    const v = region[k];
    if (Array.isArray(v)) region[k] = Array.from({ length: dims }, (_, i) => (i < v.length ? v[i] : k === 'center' ? 0 : null));
  }
  return { ...passage, region };
}

/** The view for the controls: the preset's box on the chosen pair of coordinates (and depth coordinate in 3-D; the camera is the caller's). */
export function viewFor(preset: Preset, p: DemoParams): Preset['view'] {
  const d = (i: number) => Math.min(i, p.dims - 1);
  return { ...preset.view, dims: is3d(p) ? [d(p.viewX), d(p.viewY), d(p.viewZ)] : [d(p.viewX), d(p.viewY)] };
}

/** Whether the controls ask for (and D allows) the 3-D view. */
export function is3d(p: DemoParams): boolean {
  return p.view3d && p.dims >= 3;
}

/** The lanes (side-by-side ensembles) of a preset: at least one. */
export function lanesOf(preset: Preset): { label: string; spec: Record<string, unknown> }[] {
  return preset.lanes ?? [{ label: '', spec: {} }];
}

/** The run spec of one lane for the controls (particles capped at `maxParticles`, e.g. for the CPU fallback). */
export function specFor(preset: Preset, p: DemoParams, maxParticles?: number, lane = 0): Record<string, unknown> & { dims: number } {
  const view = viewFor(preset, p);
  const spec: Record<string, unknown> & { dims: number } = {
    ...preset.spec,
    dims: p.dims,
    init: resizeInit(preset.spec.init as Record<string, unknown>, p.dims),
    particles: Math.min(p.particles, maxParticles ?? Infinity),
    seed: p.seed,
    dt: p.dt,
    integrator: p.integrator,
    friction: p.friction,
    ...lanesOf(preset)[lane].spec, // what a lane is about (its integrator, schedule, dt) is fixed by the preset
  };
  if (spec.passage) spec.passage = resizePassage(spec.passage as Record<string, unknown>, p.dims);
  if (p.customT) spec.temperature = p.temperature;
  // the x-marginal over the view box, for the live histogram and KL
  spec.histogram = { dims: [view.dims[0]], bins: 80, low: view.box[0], high: view.box[1] };
  if (p.expr.trim() !== '') spec.potential = { expr: p.expr };
  return spec;
}

export { PRESETS };
