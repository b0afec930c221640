/**
 * The minimal page: edit a spec, run it with the public API, see the result.
 * (The live particle demo and the experiment runner build on this.)
 */
import { browserGpuContext, RuntimeFailure, Simulation, SpecError, PotentialError, type RunResult } from '../index.ts';

const DEFAULT_SPEC = {
  dims: 2,
  particles: 100000,
  potential: { name: 'double-well' },
  integrator: 'lm',
  dt: 0.01,
  temperature: 0.5,
  steps: 500,
  seed: 42,
  init: { kind: 'normal', mean: [-1, 0], std: 0.1 },
};

/** Automation hook for tests and headless benchmarks. */
interface LangevinPage {
  ready: boolean;
  run(spec: unknown): Promise<RunResult>;
  lastResult?: RunResult;
  backend?: string;
  device?: string;
}

const specBox = document.querySelector<HTMLTextAreaElement>('#spec')!;
const runButton = document.querySelector<HTMLButtonElement>('#run')!;
const status = document.querySelector<HTMLSpanElement>('#status')!;
const out = document.querySelector<HTMLPreElement>('#result')!;
specBox.value = JSON.stringify(DEFAULT_SPEC, null, 2);

async function run(spec: unknown): Promise<RunResult> {
  const sim = await Simulation.create(spec, {
    gpu: browserGpuContext,
    onNotice: (m) => (status.textContent = m),
  });
  try {
    page.backend = sim.backend.kind;
    page.device = sim.backend.device;
    const result = await sim.run((done, total) => (status.textContent = `${sim.backend.kind}: step ${done} / ${total}`));
    page.lastResult = result;
    return result;
  } finally {
    sim.destroy();
  }
}

const page: LangevinPage = { ready: true, run };
(window as unknown as { langevinPage: LangevinPage }).langevinPage = page;
status.textContent = 'ready';

runButton.addEventListener('click', async () => {
  out.classList.remove('error');
  runButton.disabled = true;
  try {
    const result = await run(JSON.parse(specBox.value));
    out.textContent = JSON.stringify(result, null, 2);
    status.textContent = `done on ${result.backend}`;
  } catch (e) {
    out.classList.add('error');
    const userError = e instanceof SpecError || e instanceof PotentialError || e instanceof RuntimeFailure || e instanceof SyntaxError;
    out.textContent = userError ? (e as Error).message : `internal error: ${(e as Error).stack ?? e}`;
    status.textContent = 'failed';
  } finally {
    runButton.disabled = false;
  }
});
