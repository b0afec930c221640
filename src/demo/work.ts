/**
 * The work of a run whose potential parameters follow a schedule (the
 * work-theorem preset): every second or two, lane 0's `sim.kinetics()` (each
 * particle's work so far, read back from the particles, with Jarzynski's ΔF
 * and its bootstrap error) into the work plots and `hooks.work`.
 */
import type { Simulation } from '../index.ts';
import { page } from './page.ts';
import { WorkPlots } from './workPlots.ts';
import type { DemoState, Running } from './state.ts';

/**
 * Milliseconds between readings: at least this, and at least 10 times the last reading took (each reads every
 * particle's work back and bootstraps ΔF: ~0.2 s per 10^5 particles on the CPU), so that it costs ≤ 10 %.
 */
export const WORK_EVERY_MS = 1000;

/** The exact ΔF after `step` steps where the preset knows it: its own potential, at the run's constant temperature. */
function exactOf(state: DemoState, sim: Simulation): ((step: number) => number) | undefined {
  const T = sim.spec.temperature;
  const f = state.preset.exactDeltaF;
  if (!f || state.params.expr.trim() !== '' || typeof T !== 'number' || !(T > 0)) return undefined;
  return (step) => f(step, T);
}

/** A new run: work plots (first in the plot column) where lane 0's parameters follow a schedule, else none. */
export function startWork(state: DemoState, sim: Simulation): void {
  state.work?.plots.destroy();
  state.work = undefined;
  state.hooks.work = undefined;
  if (!sim.spec.schedules) return;
  state.work = { plots: new WorkPlots(page.plots, sim.spec.steps, exactOf(state, sim)), at: -Infinity, step: -1, cost: 0 };
}

/** Read lane 0's work when WORK_EVERY_MS have passed and it has stepped since the last reading, and show it. */
export async function observeWork(state: DemoState, r: Running): Promise<void> {
  const work = state.work;
  const sim = r.lanes[0].sim;
  const now = performance.now();
  if (!work || now - work.at < Math.max(WORK_EVERY_MS, 10 * work.cost) || sim.step === work.step) return;
  work.at = now;
  const step = sim.step;
  const w = (await sim.kinetics()).work;
  work.cost = performance.now() - now;
  if (state.running !== r || state.work !== work || !w) return;
  work.step = step;
  const exact = exactOf(state, sim)?.(step);
  work.plots.add(step, w, exact);
  const j = w.jarzynski;
  state.hooks.work = {
    step,
    particles: w.particles,
    edges: w.histogram.edges,
    counts: w.histogram.counts,
    total: w.histogram.counts.reduce((a, c) => a + c, 0),
    nonFinite: w.nonFinite,
    mean: w.mean,
    deltaF: j?.deltaF ?? null,
    standardError: j?.standardError ?? null,
    effectiveSamples: j?.effectiveSamples ?? null,
    ...(exact !== undefined ? { exactDeltaF: exact } : {}),
  };
}
