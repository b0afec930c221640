/**
 * The controls (lil-gui) and `hooks.set`, which sets them as a person would:
 * live where no recompilation is needed, else a rebuild. Every change goes
 * into the URL.
 */
import GUI from 'lil-gui';
import { INTEGRATORS } from '../index.ts';
import { PRESETS, presetById } from './presets.ts';
import { readParams, writeParams, lanesOf, type DemoParams } from './params.ts';
import { fail, page } from './page.ts';
import { rebuild } from './rebuild.ts';
import { fitSoftwareAdapter } from './lanes.ts';
import { savePng, saveJson } from './save.ts';
import { addStepsControl } from './stepsControl.ts';
import { addShareFolder } from './share.ts';
import type { DemoState } from './state.ts';

/** Controls whose change needs a new run (recompilation or new buffers); the others apply live. */
const REBUILD: (keyof DemoParams)[] = [
  'preset',
  'expr',
  'particles',
  'seed',
  'integrator',
  'friction',
  'dims',
  'viewX',
  'viewY',
  'viewZ',
  'view3d',
  'trails',
];

/**
 * Whether the running lanes measure work (a parameter schedule): their temperature must be constant from
 * the first step (the work's T is the spec's), so a new temperature starts a new run instead of applying live.
 */
function measuresWork(state: DemoState): boolean {
  return state.running?.lanes.some((l) => l.sim.spec.schedules !== undefined) ?? false;
}

/** Apply the live controls to every lane (a lane whose preset fixes dt keeps it; a lane that measures work rebuilds for T). */
function applyLive(state: DemoState, changed: Partial<DemoParams>): void {
  const { params } = state;
  for (const [l, lane] of (state.running?.lanes ?? []).entries()) {
    if ('dt' in changed && !('dt' in lanesOf(state.preset)[l].spec)) lane.sim.setStepSize(params.dt);
    if ('temperature' in changed && !lane.sim.spec.schedules) lane.sim.setTemperature(params.temperature);
  }
}

/** Switch to a preset: every control back to the preset's value. */
function choosePreset(state: DemoState, id: string): void {
  state.preset = presetById(id);
  Object.assign(state.params, readParams(new URLSearchParams({ preset: state.preset.id })));
  // the preset's particle count, not one the user chose: a software adapter gets its smaller default again
  if (state.gpuContext) fitSoftwareAdapter(state, state.gpuContext, false);
}

/** `hooks.set`: set controls and apply them (live, or by a rebuild that this awaits). */
export async function setControls(state: DemoState, changes: Partial<DemoParams>): Promise<void> {
  const { params } = state;
  const needsRebuild = REBUILD.some((k) => k in changes && changes[k] !== params[k]) || ('temperature' in changes && measuresWork(state));
  if ('preset' in changes) choosePreset(state, changes.preset!);
  Object.assign(params, changes);
  if ('stepsPerFrame' in changes && !('autoSteps' in changes)) params.autoSteps = false; // a number fixes the steps
  if ('temperature' in changes) params.customT = true;
  applyLive(state, changes);
  if (needsRebuild) await rebuild(state);
  writeParams(params);
}

/** The width (CSS px) below which the page is one column (index.html's phone layout) and the controls start folded. */
const NARROW_WIDTH = 720;

/** The controls on the page: in their own column (index.html), folded to their title bar on a narrow screen (a phone). */
export function buildControls(state: DemoState): void {
  const { params } = state;
  const gui = new GUI({ title: 'Controls', container: page.controls });
  if (matchMedia(`(max-width: ${NARROW_WIDTH - 1}px)`).matches) gui.close();
  const restart = () => void rebuild(state).catch((e) => fail(state.hooks, e));
  gui
    .add(params, 'preset', Object.fromEntries(PRESETS.map((p) => [p.title, p.id])))
    .name('preset')
    .onChange(() => {
      choosePreset(state, params.preset);
      gui.controllersRecursive().forEach((c) => c.updateDisplay());
      restart();
    });
  gui.add(params, 'expr').name('potential E(x, y, …)').onFinishChange(restart);
  gui.add(params, 'particles', 1, 4_000_000, 1).name('particles per lane').onFinishChange(restart);
  gui
    .add(params, 'dt', 1e-5, 0.1)
    .name('dt')
    .onChange(() => applyLive(state, { dt: params.dt }));
  gui
    .add(params, 'temperature', 0, 50)
    .name('temperature')
    .onChange(() => {
      params.customT = true;
      applyLive(state, { temperature: params.temperature });
    })
    .onFinishChange(() => measuresWork(state) && restart());
  gui
    .add(params, 'integrator', [...INTEGRATORS])
    .name('integrator')
    .onChange(restart);
  gui.add(params, 'friction', 0, 20).name('friction γ (baoab)').onFinishChange(restart);
  gui.add(params, 'dims', 2, 16, 1).name('dimension D').onFinishChange(restart);
  addViewFolder(gui, params, restart);
  addStepsControl(gui, state);
  gui
    .add(params, 'seed', 0, 2 ** 31, 1)
    .name('seed')
    .onFinishChange(restart);
  gui.add(params, 'paused').name('pause');
  gui.add({ step: () => (state.loop.stepOnce = true) }, 'step').name('step once');
  gui.add({ reset: restart }, 'reset').name('reset');
  gui.add({ png: () => void savePng(state) }, 'png').name('save PNG');
  gui.add({ json: () => void saveJson(state) }, 'json').name('save result JSON');
  addShareFolder(gui, state);
  gui.onChange(() => writeParams(params));
}

/** The 'view' folder: which coordinates are shown, 3-D, trails. */
function addViewFolder(gui: GUI, params: DemoParams, restart: () => void): void {
  const view = gui.addFolder('view');
  view.add(params, 'viewX', 0, 15, 1).name('horizontal: x_i').onFinishChange(restart);
  view.add(params, 'viewY', 0, 15, 1).name('vertical: x_j').onFinishChange(restart);
  view.add(params, 'view3d').name('3-D (D ≥ 3; drag to orbit)').onChange(restart);
  view.add(params, 'viewZ', 0, 15, 1).name('depth: x_k (3-D)').onFinishChange(restart);
  view.add(params, 'trails').name('trails').onChange(restart);
}
