/**
 * What the demo saves: the view as a PNG and the state of every lane as JSON.
 * (The controls themselves live in the URL: params.ts's `writeParams`.)
 */
import { png } from './drawing.ts';
import { composedPng } from './compose.ts';
import type { DemoState } from './state.ts';
import { download } from '../ui/download.ts';
import { provenance } from '../provenance.ts';
import { normalisedSpec } from '../run/specJson.ts';

/** Download the view as a PNG. */
export async function savePng(state: DemoState): Promise<void> {
  download(`langevin-${state.preset.id}.png`, await png(state));
}

/** Download the canvas and the plots in one PNG (compose.ts) as langevin-PRESET-SEED-STEP.png. */
export async function saveComposedPng(state: DemoState): Promise<void> {
  const step = state.running?.lanes[0].sim.step ?? 0;
  download(`langevin-${state.preset.id}-${state.params.seed}-${step}.png`, await composedPng(state));
}

/**
 * The state of every lane now, as JSON: where it came from (version, time, browser), the controls, the link that
 * reproduces it, and each ensemble's spec (in the input format, defaults filled in), moments and best point (and
 * lane 0's last work reading, where its parameters follow a schedule).
 * Undefined before the first lanes run.
 */
export async function stateJson(state: DemoState): Promise<Record<string, unknown> | undefined> {
  const { running, preset, params } = state;
  if (!running) return undefined;
  const lanes = [];
  for (const lane of running.lanes) {
    const { sim } = lane;
    const m = await sim.moments();
    lanes.push({
      label: lane.label,
      spec: normalisedSpec(sim.spec),
      step: sim.step,
      temperature: sim.temperatureAfter(sim.step),
      final: { mean: m.mean, variance: m.variance, meanEnergy: m.meanEnergy, nonFinite: m.nonFinite },
      best: sim.bestSoFar,
    });
  }
  const first = running.lanes[0].sim.backend;
  // lane 0's work at its last reading (a preset whose parameters follow a schedule: work.ts)
  const work = state.hooks.work ? { work: state.hooks.work } : {};
  return { ...provenance(), preset: preset.id, link: location.href, params, backend: first.kind, device: first.device, lanes, ...work };
}

/** Download stateJson as langevin-PRESET.json. */
export async function saveJson(state: DemoState): Promise<void> {
  const result = await stateJson(state);
  if (result) download(`langevin-${state.preset.id}.json`, new Blob([JSON.stringify(result, null, 2)], { type: 'application/json' }));
}
