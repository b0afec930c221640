/**
 * Replacing the running lanes when a control needs a new run (a new preset,
 * expression, particle count, …): new simulations, renderers, plots (and work
 * plots: work.ts) and labels.
 */
import { InputError, prepare, type Prepared } from '../index.ts';
import { specFor, writeParams, is3d, lanesOf } from './params.ts';
import { Plots } from './plots.ts';
import { page, showLaneLabels } from './page.ts';
import { frameCamera } from './camera.ts';
import { buildLane, cpuParticles, destroyLane } from './lanes.ts';
import { startWork } from './work.ts';
import type { DemoState, Lane } from './state.ts';

/**
 * (Re)build the simulation from the controls. A spec error (e.g. a bad
 * expression) is shown next to the control and the old run goes on.
 */
export async function rebuild(state: DemoState): Promise<void> {
  const lanes = lanesOf(state.preset);
  const prepared = prepareLanes(state, lanes.length);
  if (!prepared) return;
  const old = state.running;
  state.running = undefined; // new frames skip; the one in flight finishes with the old run
  await state.loop.inFlight;
  for (const lane of old?.lanes ?? []) destroyLane(lane);
  const size = lanes.length === 1 ? 800 : 560;
  page.canvas.width = size * lanes.length;
  page.canvas.height = size;
  frameCamera(state);
  const built: Lane[] = [];
  try {
    for (const [l, p] of prepared.entries()) built.push(await buildLane(state, lanes[l].label, p, size));
  } catch (e) {
    built.forEach(destroyLane);
    throw e;
  }
  state.running = { lanes: built, size };
  announce(
    state,
    built[0],
    lanes.map((l) => l.label),
  );
}

/** Every lane's spec prepared; undefined (the error shown) where the controls make a bad spec. */
function prepareLanes(state: DemoState, count: number): Prepared[] | undefined {
  const cap = state.gpuContext ? undefined : cpuParticles();
  const specs = Array.from({ length: count }, (_, l) => specFor(state.preset, state.params, cap, l));
  try {
    const prepared = specs.map((spec) => prepare(spec));
    page.exprError.textContent = '';
    return prepared;
  } catch (e) {
    if (e instanceof InputError) {
      page.exprError.textContent = e.message;
      return undefined;
    }
    throw e;
  }
}

/** A new run starts: fresh hooks, plots and labels, and the controls in the URL. */
function announce(state: DemoState, first: Lane, labels: string[]): void {
  const { hooks, params } = state;
  const { sim } = first;
  hooks.step = 0;
  hooks.lastResult = undefined;
  hooks.lanes = [];
  state.plots?.destroy();
  // a run that measures work: no Boltzmann reference at fixed parameters (KL) and no free diffusion (MSD) to show
  const work = sim.spec.schedules !== undefined;
  state.plots = new Plots(page.plots, labels, work ? ['relaxation', 'diffusion'] : []);
  startWork(state, sim);
  showLaneLabels(labels);
  hooks.particles = sim.spec.particles;
  hooks.backend = sim.backend.kind;
  hooks.device = sim.backend.device;
  hooks.preset = state.preset.id;
  hooks.view3d = is3d(params);
  page.title.textContent = state.preset.title;
  page.story.textContent = state.preset.story ?? '';
  page.story.hidden = !state.preset.story;
  writeParams(params);
}
