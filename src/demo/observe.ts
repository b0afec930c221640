/**
 * Once a second, every lane's moments and histogram: the stats line, the hooks
 * and the live plots (x-marginal against the Boltzmann curve, KL, T, ⟨E⟩, best
 * energy, MSD); and every two seconds the work of a run with a parameter
 * schedule (work.ts).
 */
import type { Moments } from '../index.ts';
import { divergences } from '../stats/divergence.ts';
import type { LaneSample } from './plots.ts';
import type { LaneReport } from './hooks.ts';
import { page } from './page.ts';
import type { DemoState, Lane, Running } from './state.ts';
import { observeWork } from './work.ts';

/** One lane now, as the plots, the hooks and the stats line want it. */
interface LaneObservation {
  moments: Moments;
  sample: LaneSample;
  report: LaneReport;
  /** the x-marginal's sampled density per unit length, one value per bin */
  density: number[];
  /** the exact Boltzmann density per unit length at the lane's temperature, where there is one */
  exact?: number[];
}

/** Observe every lane of `r` and show the result (unless `r` was replaced meanwhile). */
export async function observe(state: DemoState, r: Running): Promise<void> {
  const h = r.lanes[0].sim.spec.histogram!;
  const width = (h.high[0] - h.low[0]) / h.bins[0];
  const centres = Array.from({ length: h.bins[0] }, (_, b) => h.low[0] + (b + 0.5) * width);
  const observed: LaneObservation[] = [];
  for (const [l, lane] of r.lanes.entries()) {
    const o = await observeLane(lane, width);
    const m = o.moments;
    if (l === 0)
      state.hooks.lastResult = {
        step: lane.sim.step,
        mean: m.mean,
        variance: m.variance,
        meanEnergy: m.meanEnergy,
        nonFinite: m.nonFinite,
      };
    observed.push(o);
  }
  if (state.running !== r) return;
  state.hooks.lanes = observed.map((o) => o.report);
  state.plots?.setMarginal(
    centres,
    observed.map((o) => o.density),
    observed[0].exact,
  );
  state.plots?.add(
    r.lanes[0].sim.step,
    observed.map((o) => o.sample),
  );
  showStats(state, r);
  await observeWork(state, r);
  await state.afterObserve?.(r);
}

async function observeLane(lane: Lane, width: number): Promise<LaneObservation> {
  const { sim } = lane;
  const m = await sim.moments();
  const counts = await sim.backend.histogram();
  const T = sim.temperatureAfter(sim.step);
  // parameters that follow a schedule: the Boltzmann reference at their start values is not the one of now
  const ref = sim.spec.schedules ? { note: 'parameter schedule' } : T > 0 ? sim.reference(T) : { note: 'T = 0' };
  let n = 0;
  for (const c of counts.counts) n += c;
  const density = Array.from(counts.counts, (c) => (n > 0 ? c / (n * width) : 0));
  const exact = 'probabilities' in ref ? Array.from(ref.probabilities, (p) => p / width) : undefined;
  const kl = 'probabilities' in ref && n > 0 ? divergences(counts.counts, ref.probabilities).kl : NaN;
  // free particles from a point: MSD = 2·D·T·t exactly (Einstein), whatever dt
  const free = sim.potential.name === 'free' && sim.spec.init.kind === 'point' && typeof sim.spec.temperature === 'number';
  const msd = m.variance.reduce((a, v) => a + v, 0);
  const einstein = free ? 2 * sim.spec.dims * T * sim.spec.dt * sim.step : NaN;
  const bestEnergy = sim.bestSoFar.energy;
  return {
    moments: m,
    sample: { temperature: T, meanEnergy: m.meanEnergy, bestEnergy, kl, msd, einstein },
    report: {
      label: lane.label,
      particles: sim.spec.particles,
      step: sim.step,
      temperature: T,
      meanEnergy: m.meanEnergy,
      bestEnergy,
      mean: m.mean,
      variance: m.variance,
    },
    density,
    exact,
  };
}

/** The line under the canvas: particles, step, each lane's T and ⟨E⟩, fps and device. */
function showStats(state: DemoState, r: Running): void {
  const sim = r.lanes[0].sim;
  const particles = r.lanes.reduce((a, l) => a + l.sim.spec.particles, 0);
  const lanesText = state.hooks.lanes.map(
    (s) =>
      `${r.lanes.length > 1 ? `${s.label.split(':')[0]}: ` : ''}T ${s.temperature.toPrecision(3)} · ⟨E⟩ ${s.meanEnergy.toPrecision(4)}`,
  );
  const device = `${sim.backend.device}${sim.backend.software ? ' (software)' : ''}`;
  page.stats.textContent = `${particles.toLocaleString()} particles · step ${sim.step.toLocaleString()} · ${lanesText.join(' · ')} · ${state.hooks.fps.toFixed(0)} fps · ${device}`;
}

/** `hooks.histogram`: a lane's x-marginal histogram now. */
export async function histogram(state: DemoState, lane = 0): Promise<{ step: number; counts: number[]; outside: number }> {
  const r = state.running;
  if (!r) throw new Error('no histogram now: the demo is replacing its lanes (try again when hooks.ready)');
  const sim = r.lanes[lane].sim;
  const h = await sim.backend.histogram();
  return { step: sim.step, counts: Array.from(h.counts), outside: h.outside };
}
