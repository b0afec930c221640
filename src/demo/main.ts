/**
 * The particle-cloud demo: a million Langevin particles drawn straight from
 * the GPU over their energy landscape, with controls. This file wires the
 * modules to one state object and starts the page; the demo's files are:
 * state (what changes while it runs), hooks (`window.langevinDemo`), page
 * (elements, messages), lanes and rebuild (simulations and renderers),
 * drawing and fallback (which path draws, and what happens when one fails), loop, observe (stats, plots), controls, camera, save,
 * tour (the guided tour: tourUrl, tourPanel, tourKeyPlot; its steps' physics in tourSteps),
 * record, compose and share (the 'Record & share' folder: video, PNG of canvas + plots, link, spec, runner).
 */
import { browserGpuContext } from '../index.ts';
import { createState } from './state.ts';
import { exposeHooks } from './hooks.ts';
import { say, fail } from './page.ts';
import { bindRestart, loseDevice, restart, setPath, useDevice } from './fallback.ts';
import { bindCamera } from './camera.ts';
import { buildControls, setControls } from './controls.ts';
import { cpuParticles } from './lanes.ts';
import { rebuild } from './rebuild.ts';
import { measure, png } from './drawing.ts';
import { histogram } from './observe.ts';
import { scheduleFrame } from './loop.ts';
import { stateJson } from './save.ts';
import { Tour } from './tour.ts';
import { openingOf } from './tourUrl.ts';
import { recordReport } from './record.ts';
import { composedPng } from './compose.ts';
import { copyLink, linkedStep, runnerLink, runToStep, shareLink, specJson } from './share.ts';

const query = new URLSearchParams(location.search);
// ?tour=<id>: the guided tour's step, with its preset and settings (tourUrl.ts)
const opening = openingOf(query);
const state = createState(opening.query, {
  set: (changes) => setControls(state, changes),
  snapshot: () => '',
  measure: (squares, options) => measure(state, squares, options),
  histogram: (lane) => histogram(state, lane),
  orbit: (dAzimuth, dElevation) => state.camera.orbit(dAzimuth, dElevation),
  png: () => png(state),
  pause: (paused) => (state.params.paused = paused),
  savedJson: () => stateJson(state),
  loseDevice: () => loseDevice(state),
  restart: () => restart(state),
  record: (seconds) => recordReport(state, seconds),
  composedPng: () => composedPng(state),
  specJson: (lane) => specJson(state, lane),
  shareLinks: () => ({ link: shareLink(state), runner: runnerLink(state) }),
  copyLink: () => copyLink(state),
});
exposeHooks(state.hooks);

/**
 * WebGPU for the simulations and a path to draw them on (fallback.ts), or
 * (saying why) the CPU backend and a 2-D canvas.
 */
async function connectGpu(): Promise<void> {
  if (state.draw.path === 'cpu') return setPath(state, 'cpu', state.draw.reason);
  try {
    useDevice(state, await browserGpuContext());
  } catch (e) {
    if (state.draw.gpuOnly) throw e;
    const threads =
      cpuParticles() > 5000
        ? `worker threads on ${navigator.hardwareConcurrency} cores`
        : crossOriginIsolated
          ? 'one thread: this machine reports one core'
          : 'one thread: this page is not cross-origin isolated';
    say(
      `WebGPU is not available here: ${(e as Error).message} Showing ${cpuParticles()} particles computed on the CPU instead (${threads}). For the full demo use a current Chrome or Edge with WebGPU.`,
    );
    setPath(state, 'cpu', 'WebGPU is not available here');
  }
}

async function start(): Promise<void> {
  bindRestart(state);
  await connectGpu();
  // a shared link's `step`: run to it, paused (share.ts)
  const step = linkedStep(query);
  if (step !== undefined) state.params.paused = true;
  buildControls(state);
  bindCamera(state);
  new Tour(state, opening);
  await rebuild(state);
  if (step !== undefined) await runToStep(state, step);
  state.hooks.ready = true;
  scheduleFrame(state);
}

void start().catch((e) => fail(state.hooks, e));
