/**
 * How frames reach the screen, and what the page does when that fails. In
 * order: the WebGPU simulation presented on a WebGPU canvas ('present'); the
 * same simulation rendered offscreen and read back into a 2-D canvas at a rate
 * it can sustain ('offscreen'); the CPU backend drawn on a 2-D canvas ('cpu').
 * A failed or lost presentation (configure or getCurrentTexture throwing, the
 * device lost while presenting, a canvas that stays empty) moves down the
 * list; a lost device is re-created once, and Restart re-creates it once more,
 * never reloading the page. `?backend=cpu|webgpu` and `?present=offscreen`
 * (`?present=0` is the same) force a path. One line on the page says which
 * path draws and why (`hooks.drawPath`, `hooks.drawReason`).
 */
import { browserGpuContext, type GpuContext } from '../index.ts';
import { freshCanvas, page, say } from './page.ts';
import { rebuild } from './rebuild.ts';
import { bindCamera } from './camera.ts';
import type { DemoState } from './state.ts';
import { abandonment, type DrawPath } from './drawPath.ts';
import { fitSoftwareAdapter } from './lanes.ts';

/** Move to `path` for `reason`, and say so. */
export function setPath(state: DemoState, path: DrawPath, reason: string): void {
  const { draw } = state;
  if (path !== 'present' && state.canvasContext) {
    // a canvas that had a WebGPU context never gives a 2-D one: draw on a fresh element
    state.canvasContext.unconfigure();
    state.canvasContext = null;
    freshCanvas();
    bindCamera(state);
  }
  if (path !== draw.path) console.warn(`langevin demo: drawing ${path} (${reason})`);
  draw.path = path;
  draw.reason = reason;
  draw.nextShow = 0;
  draw.shown = 0;
  draw.since = performance.now();
  draw.fps = 0;
  state.hooks.drawFps = undefined;
  showPath(state);
}

/** The line that names the path: e.g. "drawing: WebGPU offscreen → 2-D canvas, 12 fps (…)". */
export function showPath(state: DemoState): void {
  const { path, reason, fps } = state.draw;
  state.hooks.drawPath = path;
  state.hooks.drawReason = reason;
  const how =
    path === 'present'
      ? 'WebGPU → WebGPU canvas'
      : path === 'offscreen'
        ? `WebGPU offscreen → 2-D canvas, ${rate(fps)}`
        : 'CPU → 2-D canvas';
  page.drawing.textContent = `drawing: ${how} (${reason})`;
}

/**
 * `langevinDemo.loseDevice()`: destroy the device and handle the loss at once
 * (where the browser's GPU process is wedged, the device's `lost` may take long
 * to settle; its report is then ignored, the page having left the device).
 */
export function loseDevice(state: DemoState): void {
  const device = state.gpuContext?.device;
  if (!device) return;
  device.destroy();
  lostDevices.add(device);
  const info = { reason: 'destroyed', message: 'destroyed through langevinDemo.loseDevice()' } as GPUDeviceLostInfo;
  void recover(state, lossReason(state, info)).catch((e) => recoveryFailed(state, e));
}

/** The offscreen path's read-back rate, as the page says it. */
function rate(fps: number): string {
  if (fps === 0) return 'starting';
  if (fps < 0.5) return `one frame every ${(1 / fps).toFixed(0)} s`;
  return `${fps.toFixed(fps < 10 ? 1 : 0)} fps`;
}

/** Start drawing on the GPU context `gpu`: configure the WebGPU canvas (when presenting) and watch the device. */
export function useDevice(state: DemoState, gpu: GpuContext): void {
  state.gpuContext = gpu;
  fitSoftwareAdapter(state, gpu);
  state.format = navigator.gpu.getPreferredCanvasFormat();
  if (state.draw.path === 'present') {
    try {
      state.canvasContext = page.canvas.getContext('webgpu');
      if (!state.canvasContext) throw new Error('the canvas gave no WebGPU context');
      state.canvasContext.configure({ device: gpu.device, format: state.format, alphaMode: 'opaque' });
    } catch (e) {
      setPath(state, 'offscreen', `presenting to the WebGPU canvas failed: configuring it threw ${(e as Error).message}`);
    }
  }
  void gpu.device.lost.then((info) => {
    lostDevices.add(gpu.device);
    if (state.gpuContext?.device !== gpu.device) return; // a device the page already left
    void recover(state, lossReason(state, info)).catch((e) => recoveryFailed(state, e));
  });
  showPath(state);
}

function lossReason(state: DemoState, info: GPUDeviceLostInfo): string {
  const { path, presented } = state.draw;
  const detail = info.message ? ` — ${info.message}` : '';
  if (path !== 'present') return `the WebGPU device was lost: ${info.reason}${detail}`;
  const when = presented <= 1 ? 'the first frame' : `${presented} frames`;
  return `presenting to the WebGPU canvas failed: device lost after ${when}${detail}`;
}

/**
 * The device is gone: re-create it (while re-creations are left) and draw
 * offscreen, else run on the CPU; then rebuild the lanes and offer Restart.
 */
export async function recover(state: DemoState, reason: string): Promise<void> {
  const { draw } = state;
  if (draw.recovery) {
    // a loss while recovering: handled once the recovery is done, if the page is still on that device
    const device = state.gpuContext?.device;
    return draw.recovery.then(() => (device && state.gpuContext?.device === device ? recover(state, reason) : undefined));
  }
  draw.recovery = recoverNow(state, reason);
  try {
    await draw.recovery;
  } finally {
    draw.recovery = undefined;
  }
}

async function recoverNow(state: DemoState, reason: string): Promise<void> {
  const { draw } = state;
  let gpu: GpuContext | undefined;
  if (draw.recreations > 0) {
    draw.recreations--;
    gpu = await newDevice().catch((e: Error) => {
      reason += `; a new WebGPU device failed too (${e.message})`;
      return undefined;
    });
  } else if (state.gpuContext) reason += '; the device was re-created once already';
  if (!gpu && draw.gpuOnly) throw new Error(`${reason}; ?backend=webgpu rules out the CPU`);
  setPath(state, gpu ? 'offscreen' : 'cpu', reason);
  state.gpuContext = undefined;
  if (gpu) useDevice(state, gpu);
  // a frame stuck on the lost device must not hold the loop or the rebuild up
  draw.abandon();
  Object.assign(draw, abandonment());
  state.loop.inFlight = Promise.race([state.loop.inFlight, new Promise<void>((ok) => setTimeout(ok, 1000))]);
  await rebuild(state);
  offerRestart();
}

/**
 * A fresh WebGPU device, tested with one empty submission. A lost device can
 * take the browser's GPU process with it: adapters come back after a moment,
 * so the adapter is asked for a few times over about two seconds.
 */
async function newDevice(): Promise<GpuContext> {
  let failure: unknown;
  for (let attempt = 0; attempt < 4; attempt++) {
    await new Promise((ok) => setTimeout(ok, 500));
    try {
      const gpu = await browserGpuContext();
      gpu.device.queue.submit([gpu.device.createCommandEncoder().finish()]);
      await gpu.device.queue.onSubmittedWorkDone();
      return gpu;
    } catch (e) {
      failure = e;
    }
  }
  throw failure;
}

/** Restart (after a lost device): one more device re-creation, drawing offscreen; the CPU if that fails. */
export async function restart(state: DemoState): Promise<void> {
  state.draw.recreations = 1;
  state.hooks.error = undefined;
  say('');
  await recover(state, 'restarted after a lost device');
}

/** Show Restart (after a lost device); main.ts wires it once with `bindRestart`. */
function offerRestart(): void {
  page.restart.hidden = false;
}

/** Restart's button: re-create the device once (drawing offscreen), else the CPU; never a reload. */
export function bindRestart(state: DemoState): void {
  page.restart.title = 'Re-create the WebGPU device once (drawing offscreen); the CPU if that fails';
  page.restart.addEventListener('click', () => void restart(state).catch((e) => recoveryFailed(state, e)));
}

function recoveryFailed(state: DemoState, e: unknown): void {
  const text = e instanceof Error ? e.message : String(e);
  state.hooks.error ??= text;
  say(`Stopped: ${text}`, 'error');
}

const lostDevices = new WeakSet<GPUDevice>();

/** Whether `device` was lost (as reported by its `lost` promise). */
export function isLost(device: GPUDevice | undefined): boolean {
  return device !== undefined && lostDevices.has(device);
}

/** Whether the run on `device` failed because the device was lost (waits briefly for the loss to be reported). */
export async function lostMeanwhile(device: GPUDevice | undefined): Promise<boolean> {
  if (!device) return false;
  const timeout = new Promise<undefined>((ok) => setTimeout(() => ok(undefined), 300));
  return (await Promise.race([device.lost, timeout])) !== undefined;
}

/** How long after the first presented frame the canvas is first checked, and how often after that, ms. */
const WATCH_FIRST_MS = 1000;
const WATCH_EVERY_MS = 500;
/** The canvas is judged once it has presented this many frames, or after WATCH_LAST_MS whatever it presented. */
const WATCH_FRAMES = 2;
const WATCH_LAST_MS = 3000;

/**
 * From a second after the first presented frame (`since`, performance.now() ms): a WebGPU canvas that has
 * presented two frames (or tried for 3 s) and shows nothing at all (where the landscape should be) failed, and
 * its device is suspect too (here presenting takes the whole WebGPU instance down, and GPU work may hang without
 * the device being reported lost): a new device draws offscreen.
 */
export function watchPresentation(state: DemoState, since: number): void {
  const check = () => {
    if (state.draw.path !== 'present' || !state.canvasContext) return;
    const waited = performance.now() - since;
    if (state.draw.presented < WATCH_FRAMES && waited < WATCH_LAST_MS) return void setTimeout(check, WATCH_EVERY_MS);
    if (!canvasIsEmpty()) return;
    const reason = `presenting to the WebGPU canvas failed: the canvas stayed empty (${state.draw.presented} frames in ${(waited / 1000).toFixed(1)} s)`;
    void recover(state, reason).catch((e) => recoveryFailed(state, e));
  };
  setTimeout(check, WATCH_FIRST_MS);
}

function canvasIsEmpty(): boolean {
  const probe = document.createElement('canvas');
  probe.width = probe.height = 32;
  const g = probe.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(page.canvas, 0, 0, 32, 32);
  const data = g.getImageData(0, 0, 32, 32).data;
  for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 0) return false;
  return true;
}
