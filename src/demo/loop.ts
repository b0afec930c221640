/**
 * The frame loop: every animation frame advances the running lanes by the
 * steps per frame, captures trails and draws; once a second it observes them.
 */
import { fail } from './page.ts';
import { captureTrails, drawCpu, drawGpu } from './drawing.ts';
import { observe } from './observe.ts';
import { isLost, lostMeanwhile } from './fallback.ts';
import type { DemoState, Running } from './state.ts';

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

async function frameWith(state: DemoState, r: Running): Promise<void> {
  const { params, loop, hooks } = state;
  const advance = (!params.paused || loop.stepOnce) && r.lanes.some((l) => l.sim.step < l.sim.spec.steps);
  loop.stepOnce = false;
  // drawn before stepping: the first frame shows at once, even where a frame's steps take seconds (a million particles in software)
  if (r.lanes[0].points) await drawGpu(state, r);
  else await drawCpu(state, r);
  if (advance) await advanceLanes(state, r);
  loop.frames++;
  const now = performance.now();
  if (now - loop.fpsStart > 1000 && state.running === r) {
    hooks.fps = (loop.frames * 1000) / (now - loop.fpsStart);
    loop.frames = 0;
    loop.fpsStart = now;
    await observe(state, r);
  }
  if (state.running === r) hooks.step = r.lanes[0].sim.step;
}

/** Step every lane whose schedule is not over by one frame's steps (a lane that is done stays as it ended). */
async function advanceLanes(state: DemoState, r: Running): Promise<void> {
  for (const lane of r.lanes) {
    const { sim } = lane;
    if (sim.step >= sim.spec.steps) continue;
    await sim.advance(Math.min(state.params.stepsPerFrame, sim.spec.steps - sim.step));
    if (lane.trails) captureTrails(r, lane);
  }
  state.hooks.device = r.lanes[0].sim.backend.device; // the CPU backend names its threads once it has stepped
}
