/**
 * Everything the demo changes while it runs, in one object: main.ts creates it
 * and hands it to the modules that read or change it; none of them keeps state
 * of its own.
 */
import type { GpuContext, Simulation } from '../index.ts';
import { OrbitCamera } from '../gpu/render/camera.ts';
import type { PointRenderer } from '../gpu/render/pointRenderer.ts';
import type { LandscapeRenderer } from '../gpu/render/landscapeRenderer.ts';
import type { TrailRenderer } from '../gpu/render/trailRenderer.ts';
import type { FrameRenderer } from '../gpu/render/frameRenderer.ts';
import { presetById, type Preset } from './presets.ts';
import { readParams, type DemoParams } from './params.ts';
import type { Plots } from './plots.ts';
import type { WorkPlots } from './workPlots.ts';
import { createHooks, type DemoHooks, type HookActions } from './hooks.ts';
import { initialDraw, type DrawState } from './drawPath.ts';
import type { FrameBudget } from './frameBudget.ts';
import type { GpuSpanTimer } from '../gpu/spanTimer.ts';

/** One ensemble and, on the GPU, its renderers. Comparison presets run several side by side. */
export interface Lane {
  label: string;
  sim: Simulation;
  points?: PointRenderer;
  landscape?: LandscapeRenderer;
  trails?: TrailRenderer;
  /** the box's edges, in 3-D */
  frame?: FrameRenderer;
}

/** What runs now. */
export interface Running {
  lanes: Lane[];
  /** the canvas size of one lane, pixels (square) */
  size: number;
}

/** The frame loop's bookkeeping. */
export interface LoopState {
  /** frames drawn since `fpsStart` (performance.now(), ms) */
  frames: number;
  fpsStart: number;
  /** 'step once' was pressed: the next frame advances even while paused */
  stepOnce: boolean;
  /** The frame whose GPU work is in flight; a rebuild waits for it before destroying the run it uses. */
  inFlight: Promise<void>;
  /** What times the frames of the running lanes (loop.ts): a new run (other particles, another device) gets a new one. */
  meter?: FrameMeter;
}

/** The frame budget of one run and, where the device has timestamp-query, its GPU span timer. */
export interface FrameMeter {
  run: Running;
  budget: FrameBudget;
  timer?: GpuSpanTimer;
}

export interface DemoState {
  /** the controls' values (the same object as `hooks.params`) */
  readonly params: DemoParams;
  /** the preset the controls belong to */
  preset: Preset;
  /** how frames reach the screen, and why (drawPath.ts, fallback.ts) */
  readonly draw: DrawState;
  /** `window.langevinDemo` */
  readonly hooks: DemoHooks;
  /** the WebGPU device; undefined without WebGPU (the lanes then run on the CPU) */
  gpuContext?: GpuContext;
  /** the colour format of the canvas and of the offscreen renders */
  format: GPUTextureFormat;
  /** the canvas's WebGPU context, when frames are presented */
  canvasContext: GPUCanvasContext | null;
  /** the 3-D view's camera (its angles are kept across rebuilds) */
  camera: OrbitCamera;
  /** the lanes running now; undefined while a rebuild replaces them */
  running?: Running;
  /** the live plots of the running lanes */
  plots?: Plots;
  /**
   * Where lane 0's parameters follow a schedule: the work plots, when its kinetics were last read
   * (performance.now(), ms), at which step, and how long that took (ms)
   */
  work?: { plots: WorkPlots; at: number; step: number; cost: number };
  readonly loop: LoopState;
  /**
   * Read once a second right after the observation, inside the frame (so its read-backs of the lanes never overlap
   * the frame's: each reduction has one staging buffer): the guided tour's key number (tour.ts)
   */
  afterObserve?: (r: Running) => Promise<void>;
}

/** The state of a page opened with URL query `query`, before anything runs. */
export function createState(query: URLSearchParams, actions: HookActions): DemoState {
  const params = readParams(query);
  const preset = presetById(params.preset);
  return {
    params,
    preset,
    draw: initialDraw(query),
    hooks: createHooks(params, preset.id, actions),
    format: 'rgba8unorm',
    canvasContext: null,
    camera: new OrbitCamera([0, 0, 0], 1),
    loop: { frames: 0, fpsStart: performance.now(), stepOnce: false, inFlight: Promise.resolve() },
  };
}
