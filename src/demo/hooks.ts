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

/** Automation hooks for tests and the headless benchmark. */
export interface DemoHooks {
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
  lanes: LaneReport[];
  /** how frames reach the screen (src/demo/fallback.ts): presented on the WebGPU canvas, rendered offscreen and read back into a 2-D canvas, or the CPU backend */
  drawPath?: 'present' | 'offscreen' | 'cpu';
  /** why that path, as the page's "drawing:" line says */
  drawReason?: string;
  /** the offscreen path's read-backs per second */
  drawFps?: number;
  /** the 3-D view is on */
  view3d: boolean;
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
}

/** The hooks' actions, which main.ts wires to the demo's modules. */
export type HookActions = Pick<
  DemoHooks,
  'set' | 'snapshot' | 'measure' | 'histogram' | 'orbit' | 'png' | 'pause' | 'savedJson' | 'loseDevice' | 'restart'
>;

/** The hooks of a page that has not started yet (`params` is the controls' object itself, not a copy). */
export function createHooks(params: DemoParams, preset: string, actions: HookActions): DemoHooks {
  return { ready: false, particles: params.particles, step: 0, fps: 0, preset, lanes: [], view3d: false, params, ...actions };
}

/** Publish the hooks as `window.langevinDemo`. */
export function exposeHooks(hooks: DemoHooks): void {
  (window as unknown as { langevinDemo: DemoHooks }).langevinDemo = hooks;
}
