/**
 * `window.langevinDemo`: what tests (tests/browser/demo.test.ts) and the
 * headless benchmark (bench/demo-fps.ts) read and drive. A plain object whose
 * fields the demo overwrites as it runs, so a copy (`{ ...langevinDemo }`) is a
 * snapshot of the state.
 */
import type { DemoParams } from './params.ts';

/** One lane (ensemble side by side) at its last observation. */
export interface LaneReport {
  label: string;
  particles: number;
  step: number;
  temperature: number;
  meanEnergy: number;
  bestEnergy: number;
  mean: number[];
  variance: number[];
}

/** Lane 0's work at its last kinetics reading (presets whose potential parameters follow a schedule: src/demo/work.ts). */
export interface WorkReport {
  /** steps done when it was read */
  step: number;
  particles: number;
  /** the work histogram: bin edges (energy units) and counts */
  edges: number[];
  counts: number[];
  /** Σ counts: the particles with a finite work */
  total: number;
  nonFinite: number;
  /** ⟨W⟩, energy units (null without particles) */
  mean: number | null;
  /** Jarzynski's ΔF = −T ln⟨e^{−W/T}⟩ and its bootstrap standard error (null without particles) */
  deltaF: number | null;
  standardError: number | null;
  effectiveSamples: number | null;
  /** the exact ΔF of the preset's potential at this step, where known */
  exactDeltaF?: number;
}

/**
 * The frame loop's timing since the page opened (loop.ts), as sums, so that a reader (bench/demo-fps.ts) takes
 * differences over its own window.
 */
export interface FrameTimes {
  /** frames run */
  frames: number;
  /** frames that advanced steps, and the wall time of their work (drawing and steps until done), ms */
  stepped: number;
  workMs: number;
  /** the wall time of those frames' steps until done, ms */
  stepMs: number;
  /** frames whose steps were timed on the GPU (timestamp-query), and their GPU time, ms */
  gpuTimed: number;
  gpuMs: number;
}

/** The guided tour's step (tour.ts; its steps: tourSteps.ts, whose `KeyNumber` the key is). */
export interface TourReport {
  /** the step's id and its index in the tour (0-based) */
  id: string;
  index: number;
  /** the plot made prominent: one of the demo's charts, 'work' (the work plots) or 'key' (the key number over the steps) */
  plot: string;
  /** the key number at its last reading, in the units the step states; null until measurable */
  key: { label: string; measured: number; se: number; exact: number } | null;
  /** steps lane 0 had done when `key` was read */
  step: number;
}

/** A recorded clip as `record` reports it (record.ts): the file's name, format, bytes (base64) and size. */
export interface ClipReport {
  name: string;
  mime: string;
  /** the format in words, e.g. "WebM (VP9)" */
  label: string;
  /** mediabunny's codec name (avc, vp9, vp8); undefined for the GIF */
  codec?: string;
  base64: string;
  frames: number;
  /** pixels */
  width: number;
  height: number;
  fps: number;
  /** the clip's length (frames / fps) and how long capturing took, seconds */
  seconds: number;
  wallSeconds: number;
}

/** Automation hooks for tests and the headless benchmark. */
export interface DemoHooks {
  ready: boolean;
  backend?: 'webgpu' | 'cpu';
  device?: string;
  particles: number;
  step: number;
  fps: number;
  /** steps per frame now: the controls' `stepsPerFrame`, or the frame budget's choice where `params.autoSteps` */
  stepsPerFrame: number;
  /** the GPU time of the last timed frame's steps, ms (timestamp-query); undefined without it (or on the CPU) */
  gpuMsPerFrame?: number;
  /** whether one step per frame is predicted to fit 60 fps (automatic steps only; false: the page says it cannot) */
  holds60fps: boolean;
  frameTimes: FrameTimes;
  preset: string;
  /** lane 0's moments at its last observation */
  lastResult?: { step: number; mean: number[]; variance: number[]; meanEnergy: number; nonFinite: number };
  /** every lane (ensemble side by side) at its last observation */
  lanes: LaneReport[];
  /** how frames reach the screen (src/demo/fallback.ts): presented on the WebGPU canvas, rendered offscreen and read back into a 2-D canvas, or the CPU backend */
  drawPath?: 'present' | 'offscreen' | 'cpu';
  /** why that path, as the page's "drawing:" line says */
  drawReason?: string;
  /** the offscreen path's read-backs per second */
  drawFps?: number;
  /** the 3-D view is on */
  view3d: boolean;
  /** the guided tour's step now; undefined outside the tour */
  tour?: TourReport;
  /** lane 0's work so far, read every ~2 s (presets with a parameter schedule) */
  work?: WorkReport;
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
  /** Destroy the WebGPU device and handle it as a lost device (tests of the fallback). */
  loseDevice(): void;
  /** What the Restart button does: re-create the device once (drawing offscreen), else the CPU. */
  restart(): Promise<void>;
  /** what "save result JSON" downloads (save.ts's stateJson), or undefined before the lanes run */
  savedJson(): Promise<Record<string, unknown> | undefined>;
  /** Record the view (canvas + plots) for `seconds` and report the clip, its bytes as base64 (record.ts); nothing is downloaded. */
  record(seconds: number): Promise<ClipReport>;
  /** The canvas and the plots in one PNG data URL, what "save PNG (canvas + plots)" downloads (compose.ts). */
  composedPng(): Promise<string>;
  /** A lane's run spec as "download spec" saves it (share.ts); undefined before the lanes run. */
  specJson(lane?: number): Record<string, unknown> | undefined;
  /** The link "copy link" copies (every control and the step) and the runner page's link on lane 0's spec (share.ts). */
  shareLinks(): { link: string; runner?: string };
  /** What "copy link" does: the link on the clipboard, or (`copied` false) in a field to copy from. */
  copyLink(): Promise<{ url: string; copied: boolean }>;
}

/** The hooks' actions, which main.ts wires to the demo's modules. */
export type HookActions = Pick<
  DemoHooks,
  | 'set'
  | 'snapshot'
  | 'measure'
  | 'histogram'
  | 'orbit'
  | 'png'
  | 'pause'
  | 'savedJson'
  | 'loseDevice'
  | 'restart'
  | 'record'
  | 'composedPng'
  | 'specJson'
  | 'shareLinks'
  | 'copyLink'
>;

/** The hooks of a page that has not started yet (`params` is the controls' object itself, not a copy). */
export function createHooks(params: DemoParams, preset: string, actions: HookActions): DemoHooks {
  const frameTimes = { frames: 0, stepped: 0, workMs: 0, stepMs: 0, gpuTimed: 0, gpuMs: 0 };
  const steps = { stepsPerFrame: params.stepsPerFrame, holds60fps: true, frameTimes };
  return { ready: false, particles: params.particles, step: 0, fps: 0, ...steps, preset, lanes: [], view3d: false, params, ...actions };
}

/** Publish the hooks as `window.langevinDemo`. */
export function exposeHooks(hooks: DemoHooks): void {
  (window as unknown as { langevinDemo: DemoHooks }).langevinDemo = hooks;
}
