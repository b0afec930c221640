/**
 * A run from the page: check the spec, create the simulation (WebGPU, or the
 * CPU backend where there is none) or resume one from its checkpoint, run it
 * in chunks that leave the browser responsive, show its progress, save its
 * observations (IndexedDB) and every few seconds its checkpoint (OPFS) as it
 * goes, and show the result, the partial result of a cancelled run, or the
 * failure.
 */
import { browserGpuContext, RuntimeFailure, Simulation, type BackendKind, type Prepared, type RunResult } from '../index.ts';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from './checkpoints.ts';
import { setSpec } from './specBox.ts';
import type { SavedRun } from './store.ts';
import { fmt } from '../summary.ts';
import { showSaved } from './interrupted.ts';
import { fail, setState, showNotice, type Page } from './page.ts';
import { QuadratureWorker } from './quadrature.ts';
import { showResult } from './result.ts';
import { holdLock, lockName, Saver } from './saver.ts';
import { describeError } from './source.ts';
import { showCheck } from './specBox.ts';

/** Yield to the browser (input, painting) once a chunk loop has held the thread this long, milliseconds. */
const FRAME_MS = 10;
/** The CPU backend computes on this thread: its first chunk has this many particle-steps, the next ones last about FRAME_MS. */
const CPU_FIRST_CHUNK = 2 ** 14;

/** Run the page's spec; resolves with the result (partial if cancelled), rejects with what the page shows as the failure. */
export async function start(page: Page): Promise<RunResult> {
  const { prepared, raw } = begin(page);
  const sim = await createSimulation(page, prepared);
  const id = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  return drive(page, sim, prepared, { id, spec: raw, source: page.spec.source, startedAt: Date.now(), stepsPlanned: prepared.spec.steps });
}

/**
 * Resume an interrupted run from its checkpoint (checkpoints.ts) on the backend it ran on: the result is the
 * uninterrupted run's (bit for bit on the same backend and device class).
 * @throws Error (shown as the failure) when the run has no checkpoint any more or it cannot be resumed here
 */
export async function resume(page: Page, run: SavedRun): Promise<RunResult> {
  const state = await loadCheckpoint(run.id);
  if (!state) {
    const message = `the run ${run.source} has no checkpoint to resume from (only its observations were saved: download them)`;
    fail(page, message);
    throw new Error(message);
  }
  setSpec(page, { text: JSON.stringify(run.spec, null, 2), source: run.source });
  const { prepared } = begin(page);
  let sim: Simulation;
  try {
    sim = await Simulation.resume(prepared, state, { backend: state.observations.backend, gpu: browserGpuContext });
  } catch (e) {
    fail(page, `could not resume ${run.source}: ${describeError(e)}`, e);
    throw e;
  }
  Object.assign(page.runner, { backend: sim.backend.kind, device: sim.backend.device, software: sim.backend.software });
  for (const row of state.observations.trace) page.plots.add(row);
  showNotice(page, `resumed ${run.source} from its checkpoint at step ${sim.step.toLocaleString('en')}`);
  const { observations: _, savedAt: __, ...record } = run;
  return drive(page, sim, prepared, record);
}

/** Run `sim` to its end on the page: progress, saved observations and checkpoints, the result or the failure. */
async function drive(
  page: Page,
  sim: Simulation,
  prepared: Prepared,
  record: Omit<SavedRun, 'observations' | 'savedAt'>,
): Promise<RunResult> {
  const total = prepared.spec.steps;
  const where = `${sim.backend.kind} on ${sim.backend.device}${sim.backend.software && sim.backend.kind === 'webgpu' ? ' (software adapter)' : ''}`;
  // held while this run goes on: another tab does not offer its record as interrupted
  const unlock = holdLock(lockName(record.id));
  const saver = new Saver(page, record);
  page.controller = new AbortController();
  const quadrature = prepared.spec.histogram ? new QuadratureWorker(record.spec) : undefined;
  const t0 = performance.now();
  const pacer = new ChunkPacer(prepared.spec.particles, t0, sim.step);
  const checkpoints = new Checkpointer(page, record.id, sim, saver);
  try {
    const result = await sim.run({
      signal: page.controller.signal,
      onProgress: progressShower(page, where, prepared.spec, t0, sim.step),
      onTrace: (row) => page.plots.add(row),
      reference: quadrature && ((T) => quadrature.reference(T)),
      maxStepsPerChunk: sim.backend.kind === 'cpu' ? () => pacer.cpuChunk : undefined,
      onChunk: async (o) => {
        pacer.measured(o.step);
        saver.save(o);
        await checkpoints.maybe();
        await pacer.pause(o.step);
      },
    });
    await saver.forget();
    await removeCheckpoint(record.id);
    finish(page, result, where, total);
    return result;
  } catch (e) {
    // a lost device or a GPU error: what the run observed is kept and offered (with the last checkpoint: resumable)
    await saver.flush(sim.observations);
    unlock();
    fail(page, `${describeError(e)}. The observations up to step ${sim.observations.step} are saved: see above.`, e);
    await showSaved(page);
    throw e;
  } finally {
    unlock();
    quadrature?.terminate();
    page.controller = undefined;
    sim.destroy();
  }
}

/** Saves the run's checkpoint every `runner.checkpointSeconds` between chunks (where the browser has OPFS). */
class Checkpointer {
  private last = performance.now();
  private off = false;

  constructor(
    private readonly page: Page,
    private readonly id: string,
    private readonly sim: Simulation,
    private readonly saver: Saver,
  ) {}

  async maybe(): Promise<void> {
    const seconds = this.page.runner.checkpointSeconds;
    if (this.off || !(seconds >= 0) || performance.now() - this.last < 1000 * seconds || this.sim.step >= this.sim.spec.steps) return;
    try {
      await saveCheckpoint(this.id, this.sim);
      this.page.runner.progress.checkpointStep = this.sim.step;
      this.saver.checkpointStep = this.sim.step;
    } catch (e) {
      this.off = true;
      showNotice(this.page, `could not save a checkpoint (${(e as Error).message}): an interrupted run can be downloaded, not resumed`);
    }
    this.last = performance.now();
  }
}

/**
 * Clear the last run off the page and check the spec; from here on the page is running.
 * @throws Error with the check's message, shown as the failure, when the spec is not valid
 */
function begin(page: Page): { prepared: Prepared; raw: unknown } {
  const { runner, el } = page;
  if (runner.state === 'running') throw new Error('a run is in progress: cancel it first');
  runner.error = undefined;
  runner.lastResult = undefined;
  el.downloadJson.disabled = el.downloadPng.disabled = true;
  el.summary.textContent = el.resultBox.textContent = '';
  const c = showCheck(page);
  if (!c.ok) {
    fail(page, c.message);
    throw new Error(c.message);
  }
  setState(page, 'running');
  page.plots.set([]);
  page.kinetics.clear();
  const total = c.prepared.spec.steps;
  Object.assign(runner.progress, { step: 0, total, particleStepsPerSecond: 0, secondsLeft: NaN, savedStep: 0, checkpointStep: 0 });
  el.bar.max = total;
  el.bar.value = 0;
  el.status.textContent = 'compiling…';
  return c;
}

/** The simulation on the chosen backend; where WebGPU falls back to the CPU, the notice gives the whole reason. */
async function createSimulation(page: Page, prepared: Prepared): Promise<Simulation> {
  // the engine's notice keeps the first clause of why there is no GPU; the page shows all of it
  let gpuMissing: string | undefined;
  const gpu = async () => {
    try {
      return await browserGpuContext();
    } catch (e) {
      if (e instanceof RuntimeFailure) gpuMissing = e.message;
      throw e;
    }
  };
  let sim: Simulation;
  try {
    sim = await Simulation.create(prepared, {
      backend: page.el.backendSelect.value as 'auto' | BackendKind,
      gpu,
      onNotice: (m) =>
        showNotice(
          page,
          gpuMissing
            ? `${gpuMissing} This run uses the CPU backend instead (float64 JavaScript on this thread: correct, but far slower than a GPU).`
            : m,
        ),
    });
  } catch (e) {
    fail(page, describeError(e), e);
    throw e;
  }
  Object.assign(page.runner, { backend: sim.backend.kind, device: sim.backend.device, software: sim.backend.software });
  return sim;
}

/** The run's onProgress: the hook's progress, the bar and the status line. */
function progressShower(
  page: Page,
  where: string,
  { particles, steps: total }: Prepared['spec'],
  t0: number,
  from: number,
): (done: number) => void {
  const { progress } = page.runner;
  return (done) => {
    const seconds = (performance.now() - t0) / 1000;
    const rate = (done - from) / seconds;
    Object.assign(progress, { step: done, particleStepsPerSecond: rate * particles || 0, secondsLeft: (total - done) / rate });
    page.el.bar.value = done;
    page.el.status.textContent = `${where}: step ${done.toLocaleString('en')} / ${total.toLocaleString('en')}, ${fmt(progress.particleStepsPerSecond)} particle-steps/s, ${duration(progress.secondsLeft)} left`;
  };
}

/** Show the result of a run that completed or was cancelled. */
function finish(page: Page, result: RunResult, where: string, total: number): void {
  page.runner.lastResult = result;
  showResult(page, result, page.spec.source);
  setState(page, result.partial ? 'cancelled' : 'done');
  page.el.status.textContent = result.partial
    ? `${where}: cancelled at step ${result.steps} of ${total}; the partial result is below`
    : `${where}: done, ${total.toLocaleString('en')} steps in ${duration(result.elapsedMs / 1000)}`;
}

/**
 * Keeps the page responsive between chunks: sizes the CPU backend's chunks
 * (which compute on this thread) to last about FRAME_MS, and yields to the
 * browser once the chunk loop has held the thread FRAME_MS.
 */
class ChunkPacer {
  /** CPU backend: steps in the next chunk */
  cpuChunk: number;
  private lastYield: number;
  private chunkStart: { time: number; step: number };

  constructor(particles: number, t0: number, step: number) {
    this.cpuChunk = Math.max(1, Math.floor(CPU_FIRST_CHUNK / particles));
    this.lastYield = t0;
    this.chunkStart = { time: t0, step };
  }

  /** A chunk ended at `step`: size the next CPU chunk from its measured speed (at most twice the last). */
  measured(step: number): void {
    const stepsPerMs = (step - this.chunkStart.step) / Math.max(0.1, performance.now() - this.chunkStart.time);
    this.cpuChunk = Math.max(1, Math.min(2 * this.cpuChunk, Math.floor(stepsPerMs * FRAME_MS)));
  }

  /** Yield to the browser if the thread has been held FRAME_MS; the next chunk starts timing after this. */
  async pause(step: number): Promise<void> {
    if (performance.now() - this.lastYield > FRAME_MS) {
      await yieldToBrowser();
      this.lastYield = performance.now();
    }
    this.chunkStart = { time: performance.now(), step };
  }
}

/** Let the browser handle input and paint: a macrotask (MessageChannel, not clamped like setTimeout). */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

/** Seconds as the status line gives them: "42 s", "3 min 5 s", "1 h 12 min"; "…" while unknown. */
function duration(s: number): string {
  if (!Number.isFinite(s)) return '…';
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
