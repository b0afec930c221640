/**
 * The frame loop: every animation frame advances the running lanes by the
 * steps per frame, captures trails and draws; once a second it observes them.
 * Each frame that steps is timed (its steps on the GPU with timestamp-query
 * where the device has it, and the wall time until they are done): the sums go
 * into `hooks.frameTimes`, and where the steps per frame are automatic the
 * frame budget (frameBudget.ts) picks them to hold 60 fps.
 */
import { fail, page } from './page.ts';
import { captureTrails, drawCpu, drawGpu } from './drawing.ts';
import { observe } from './observe.ts';
import { isLost, lostMeanwhile } from './fallback.ts';
import { FrameBudget } from './frameBudget.ts';
import { GpuSpanTimer } from '../gpu/spanTimer.ts';
import type { DemoState, FrameMeter, Running } from './state.ts';

/** The automatic steps per frame go up to this many times the preset's. */
const MAX_STEPS_FACTOR = 8;

/** Draw the next animation frame (each frame schedules the one after it). */
export function scheduleFrame(state: DemoState): void {
  requestAnimationFrame(() => void frame(state).catch((e) => fail(state.hooks, e)));
}

async function frame(state: DemoState): Promise<void> {
  const r = state.running;
  const device = r?.lanes[0].sim.renderView?.device;
  const work = r && !isLost(device) ? frameWith(state, r) : Promise.resolve();
  state.loop.inFlight = work.catch(() => {});
  try {
    // GPU work on a lost device may never settle: the loss, or a recovery leaving the run, ends the wait (fallback.ts)
    await Promise.race([work, state.draw.abandoned, ...(device ? [device.lost] : [])]);
  } catch (e) {
    // an error of a run that was replaced meanwhile, or whose device was lost (fallback.ts recovers), is moot
    if (state.running === r && !(await lostMeanwhile(r?.lanes[0].sim.renderView?.device))) throw e;
  }
  scheduleFrame(state);
}

/** The meter of run `r` (made on its first frame). */
function meterOf(state: DemoState, r: Running): FrameMeter {
  const { loop } = state;
  if (loop.meter?.run === r) return loop.meter;
  loop.meter?.timer?.destroy();
  const device = r.lanes[0].sim.renderView?.device;
  const timed = device !== undefined && state.gpuContext?.device === device && state.gpuContext.hasTimestampQuery;
  loop.meter = {
    run: r,
    budget: new FrameBudget({ maxSteps: state.preset.stepsPerFrame * MAX_STEPS_FACTOR }),
    timer: timed ? new GpuSpanTimer(device) : undefined,
  };
  return loop.meter;
}

async function frameWith(state: DemoState, r: Running): Promise<void> {
  const { params, loop, hooks } = state;
  const advance = (!params.paused || loop.stepOnce) && r.lanes.some((l) => l.sim.step < l.sim.spec.steps);
  loop.stepOnce = false;
  const m = meterOf(state, r);
  const steps = params.autoSteps ? m.budget.steps : params.stepsPerFrame;
  const start = performance.now();
  // drawn before stepping: the first frame shows at once, even where a frame's steps take seconds (a million particles in software)
  if (r.lanes[0].points) await drawGpu(state, r);
  else await drawCpu(state, r);
  if (advance) {
    const timing = await advanceLanes(state, r, steps, m.timer);
    if (state.running === r) account(state, m, { steps, ...timing, workMs: performance.now() - start });
  }
  loop.frames++;
  hooks.frameTimes.frames++;
  const now = performance.now();
  if (now - loop.fpsStart > 1000 && state.running === r) {
    hooks.fps = (loop.frames * 1000) / (now - loop.fpsStart);
    loop.frames = 0;
    loop.fpsStart = now;
    await observe(state, r);
    if (state.running === r) page.stats.textContent += ` · ${stepsText(state)}`;
  }
  if (state.running === r) hooks.step = r.lanes[0].sim.step;
}

/**
 * Step every lane whose schedule is not over by `steps` (a lane that is done stays as it ended), and wait until
 * the steps are done. Returns their wall time, ms, and their GPU time, ms, where `timer` times them.
 */
async function advanceLanes(
  state: DemoState,
  r: Running,
  steps: number,
  timer?: GpuSpanTimer,
): Promise<{ stepMs: number; gpuMs?: number }> {
  const start = performance.now();
  timer?.begin();
  for (const lane of r.lanes) {
    const { sim } = lane;
    if (sim.step >= sim.spec.steps) continue;
    await sim.advance(Math.min(steps, sim.spec.steps - sim.step));
    if (lane.trails) captureTrails(r, lane);
  }
  timer?.end();
  await Promise.all(r.lanes.map((l) => l.sim.backend.finish()));
  const stepMs = performance.now() - start;
  const gpuMs = timer ? await timer.read() : undefined;
  state.hooks.device = r.lanes[0].sim.backend.device; // the CPU backend names its threads once it has stepped
  return { stepMs, gpuMs };
}

/** Add one stepped frame to the hooks' sums and, where the steps per frame are automatic, to the frame budget. */
function account(state: DemoState, m: FrameMeter, f: { steps: number; stepMs: number; gpuMs?: number; workMs: number }): void {
  const { hooks, params } = state;
  const t = hooks.frameTimes;
  t.stepped++;
  t.workMs += f.workMs;
  t.stepMs += f.stepMs;
  if (f.gpuMs !== undefined) {
    t.gpuTimed++;
    t.gpuMs += f.gpuMs;
    hooks.gpuMsPerFrame = f.gpuMs;
  }
  if (params.autoSteps) m.budget.record({ steps: f.steps, stepMs: f.gpuMs ?? f.stepMs, frameMs: f.workMs });
  hooks.stepsPerFrame = params.autoSteps ? m.budget.steps : params.stepsPerFrame;
  hooks.holds60fps = !params.autoSteps || m.budget.holds;
}

/** The stats line's part on steps per frame: how many, whether chosen automatically, and the GPU time of a frame's steps. */
function stepsText(state: DemoState): string {
  const { hooks, params } = state;
  const k = hooks.stepsPerFrame;
  const steps = `${k} step${k === 1 ? '' : 's'}/frame`;
  const gpu = hooks.gpuMsPerFrame !== undefined ? ` (GPU ${hooks.gpuMsPerFrame.toFixed(1)} ms)` : '';
  if (!params.autoSteps) return `${steps}${gpu}`;
  const note = hooks.holds60fps ? 'auto, for 60 fps' : 'auto: even 1 step per frame cannot hold 60 fps here';
  return `${steps}${gpu} (${note})`;
}
