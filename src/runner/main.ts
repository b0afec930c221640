/**
 * The experiment runner page (runner.html): load a spec (file, drop, paste or
 * `?spec=URL`, with `&run` to start it), check it with the CLI's messages, run
 * it unrendered through the public API on WebGPU (the CPU backend where there
 * is none), show progress and the live trace, offer the result JSON and the
 * plots as PNG. While a run goes on, its observations are saved in IndexedDB
 * after each chunk; a run interrupted by a closed tab or a lost device is
 * offered on the next visit.
 *
 * `window.langevinRunner` drives it from puppeteer, benchmarks and tests.
 */
import { browserGpuContext, prepare, RuntimeFailure, Simulation, type BackendKind, type Observations, type RunResult } from '../index.ts';
import { TracePlots } from './plots.ts';
import { check, describeError, fromFile, fromUrl, isInputError, type SpecText } from './source.ts';
import { QuadratureWorker } from './quadrature.ts';
import { RunStore, type SavedRun } from './store.ts';

const EXAMPLE = {
  dims: 2,
  particles: 100000,
  potential: { name: 'double-well' },
  integrator: 'lm',
  dt: 0.01,
  temperature: 0.5,
  steps: 2000,
  seed: 42,
  init: { kind: 'normal', mean: [-1, 0], std: 0.1 },
  histogram: { dims: [0, 1], bins: [48, 32], low: [-2, -1.5], high: [2, 1.5], from: 1000, every: 100 },
  observe: { every: 100 },
};

/** Yield to the browser (input, painting) once a chunk loop has held the thread this long, milliseconds. */
const FRAME_MS = 10;
/** The CPU backend computes on this thread: its first chunk has this many particle-steps, the next ones last about FRAME_MS. */
const CPU_FIRST_CHUNK = 2 ** 14;

type State = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

interface Progress {
  step: number;
  total: number;
  /** particles × steps done in this run per wall-clock second (yields and saves included) */
  particleStepsPerSecond: number;
  /** at the current rate; NaN before the first chunk */
  secondsLeft: number;
  /** steps done in the last observations that reached IndexedDB */
  savedStep: number;
}

/** Automation hook (puppeteer, headless benchmarks, tests). */
interface LangevinRunner {
  ready: boolean;
  state: State;
  backend?: BackendKind;
  device?: string;
  software?: boolean;
  progress: Progress;
  lastResult?: RunResult;
  /** the message shown for the last failure */
  error?: string;
  /** Run a spec (object or JSON text) as the Run button does; resolves with the result JSON (partial if cancelled). */
  run(spec: unknown): Promise<RunResult>;
  /** Stop the run after the chunk in flight; its promise resolves with the partial result. */
  cancel(): void;
  /** The interrupted runs saved in this browser. */
  saved(): Promise<SavedRun[]>;
  /** The result rebuilt from a saved run (what "download saved result" gives). */
  savedResult(id: string): Promise<RunResult>;
  /** The trace plots as a PNG data URL. */
  plotsPng(): string;
}

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const specBox = $<HTMLTextAreaElement>('#spec');
const sourceLabel = $<HTMLSpanElement>('#source');
const fileInput = $<HTMLInputElement>('#file');
const checkLine = $<HTMLParagraphElement>('#check');
const backendSelect = $<HTMLSelectElement>('#backend');
const runButton = $<HTMLButtonElement>('#run');
const cancelButton = $<HTMLButtonElement>('#cancel');
const bar = $<HTMLProgressElement>('#bar');
const status = $<HTMLSpanElement>('#status');
const notice = $<HTMLParagraphElement>('#notice');
const savedBox = $<HTMLDivElement>('#saved');
const summary = $<HTMLPreElement>('#summary');
const resultBox = $<HTMLPreElement>('#result');
const downloadJson = $<HTMLButtonElement>('#download-json');
const downloadPng = $<HTMLButtonElement>('#download-png');
const plots = new TracePlots($<HTMLDivElement>('#plots'));

let spec: SpecText = { text: JSON.stringify(EXAMPLE, null, 2), source: 'example' };
let controller: AbortController | undefined;
let store: RunStore | undefined;
/** the full reason WebGPU could not be had, when it could not */
let gpuMissing: string | undefined;

const runner: LangevinRunner = {
  ready: false,
  state: 'idle',
  progress: { step: 0, total: 0, particleStepsPerSecond: 0, secondsLeft: NaN, savedStep: 0 },
  run: (s: unknown) => {
    setSpec(typeof s === 'string' ? { text: s, source: 'spec' } : { text: JSON.stringify(s, null, 2), source: 'spec' });
    return start();
  },
  cancel: () => controller?.abort(),
  saved: async () => (store ? store.list() : []),
  savedResult: async (id) => {
    const run = (await runner.saved()).find((r) => r.id === id);
    if (!run) throw new Error(`no saved run ${id}`);
    return Simulation.resultFromObservations(prepare(run.spec), run.observations);
  },
  plotsPng: () => plots.png(),
};
(window as unknown as { langevinRunner: LangevinRunner }).langevinRunner = runner;

// ---- the spec: file, drop, paste, ?spec=URL ----

function setSpec(s: SpecText): void {
  spec = s;
  specBox.value = s.text;
  showCheck();
}

/** Check the spec as the CLI would and say so under the box. */
function showCheck(): ReturnType<typeof check> {
  sourceLabel.textContent = spec.source;
  const c = check(spec);
  checkLine.className = c.ok ? 'ok' : 'error';
  checkLine.textContent = c.ok
    ? `valid: ${c.prepared.spec.particles.toLocaleString('en')} particles × ${c.prepared.spec.steps.toLocaleString('en')} steps, ${c.prepared.spec.dims}-D, ${c.prepared.spec.integrator.toUpperCase()}`
    : c.message;
  return c;
}

let checkTimer: ReturnType<typeof setTimeout> | undefined;
specBox.addEventListener('input', () => {
  spec = { text: specBox.value, source: 'pasted spec' };
  clearTimeout(checkTimer);
  checkTimer = setTimeout(showCheck, 250);
});

fileInput.addEventListener('change', async () => {
  const file = fileInput.files?.[0];
  if (file) setSpec(await fromFile(file));
  fileInput.value = '';
});

document.addEventListener('dragover', (e) => {
  e.preventDefault();
  specBox.classList.add('drop');
});
document.addEventListener('dragleave', () => specBox.classList.remove('drop'));
document.addEventListener('drop', async (e) => {
  e.preventDefault();
  specBox.classList.remove('drop');
  const file = e.dataTransfer?.files[0];
  if (file) setSpec(await fromFile(file));
  else {
    const text = e.dataTransfer?.getData('text/plain');
    if (text) setSpec({ text, source: 'dropped text' });
  }
});

// ---- running ----

function setState(s: State): void {
  runner.state = s;
  document.body.dataset.state = s;
  runButton.disabled = s === 'running';
  cancelButton.disabled = s !== 'running';
  backendSelect.disabled = s === 'running';
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e4 || (a < 1e-3 && x !== 0) ? x.toExponential(3) : x.toFixed(4);
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '…';
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** Let the browser handle input and paint: a macrotask (MessageChannel, not clamped like setTimeout). */
function yieldToBrowser(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

/** The browser's GPU; remembers the whole reason when there is none (the engine's notice keeps its first clause). */
async function gpu() {
  try {
    return await browserGpuContext();
  } catch (e) {
    if (e instanceof RuntimeFailure) gpuMissing = e.message;
    throw e;
  }
}

function showNotice(text: string | undefined): void {
  notice.hidden = !text;
  notice.textContent = text ?? '';
}

/**
 * Keeps a run's observations in IndexedDB: after every chunk, skipping a chunk
 * while the previous save is still being written (a save copies the
 * observations when it starts).
 */
class Saver {
  private writing: Promise<void> = Promise.resolve();
  private busy = false;

  constructor(private readonly record: Omit<SavedRun, 'observations' | 'savedAt'>) {}

  save(o: Observations): void {
    if (!store || this.busy) return;
    this.busy = true;
    const step = o.step;
    this.writing = store
      .put({ ...this.record, savedAt: Date.now(), observations: o })
      .then(() => void (runner.progress.savedStep = step))
      .catch((e) => showNotice(`could not save the run's observations in IndexedDB (${(e as Error).message}); an interrupted run will be lost`))
      .finally(() => (this.busy = false));
  }

  /** Save now (after the last write), e.g. when the run failed. */
  async flush(o: Observations): Promise<void> {
    await this.writing;
    this.busy = false;
    this.save(o);
    await this.writing;
  }

  /** The run ended with a result in hand: forget it (after any write in flight). */
  async forget(): Promise<void> {
    await this.writing;
    await store?.delete(this.record.id);
  }
}

async function start(): Promise<RunResult> {
  if (runner.state === 'running') throw new Error('a run is in progress: cancel it first');
  runner.error = undefined;
  runner.lastResult = undefined;
  downloadJson.disabled = downloadPng.disabled = true;
  summary.textContent = resultBox.textContent = '';
  const c = showCheck();
  if (!c.ok) {
    fail(c.message);
    throw new Error(c.message);
  }
  setState('running');
  plots.set([]);
  const { prepared, raw } = c;
  const total = prepared.spec.steps;
  Object.assign(runner.progress, { step: 0, total, particleStepsPerSecond: 0, secondsLeft: NaN, savedStep: 0 });
  bar.max = total;
  bar.value = 0;
  status.textContent = 'compiling…';
  let sim: Simulation;
  try {
    gpuMissing = undefined;
    sim = await Simulation.create(prepared, {
      backend: backendSelect.value as 'auto' | BackendKind,
      gpu,
      onNotice: (m) => showNotice(gpuMissing ? `${gpuMissing} This run uses the CPU backend instead (float64 JavaScript on this thread: correct, but far slower than a GPU).` : m),
    });
  } catch (e) {
    fail(describeError(e), e);
    throw e;
  }
  Object.assign(runner, { backend: sim.backend.kind, device: sim.backend.device, software: sim.backend.software });
  const runId = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const where = `${sim.backend.kind} on ${sim.backend.device}${sim.backend.software && sim.backend.kind === 'webgpu' ? ' (software adapter)' : ''}`;
  // held while this run goes on: another tab does not offer its record as interrupted
  const unlock = holdLock(lockName(runId));
  const saver = new Saver({ id: runId, spec: raw, source: spec.source, startedAt: Date.now(), stepsPlanned: total });
  controller = new AbortController();
  const quadrature = prepared.spec.histogram ? new QuadratureWorker(raw) : undefined;
  const t0 = performance.now();
  let lastYield = t0;
  // CPU backend: steps per chunk, adapted after each chunk to its measured speed
  let cpuChunk = Math.max(1, Math.floor(CPU_FIRST_CHUNK / prepared.spec.particles));
  let chunkStart = { time: t0, step: 0 };
  const onProgress = (done: number) => {
    const seconds = (performance.now() - t0) / 1000;
    const rate = done / seconds;
    Object.assign(runner.progress, { step: done, particleStepsPerSecond: (rate * prepared.spec.particles) || 0, secondsLeft: (total - done) / rate });
    bar.value = done;
    status.textContent = `${where}: step ${done.toLocaleString('en')} / ${total.toLocaleString('en')}, ${fmt(runner.progress.particleStepsPerSecond)} particle-steps/s, ${duration(runner.progress.secondsLeft)} left`;
  };
  try {
    const result = await sim.run({
      signal: controller.signal,
      onProgress,
      onTrace: (row) => plots.add(row),
      reference: quadrature && ((T) => quadrature.reference(T)),
      maxStepsPerChunk: sim.backend.kind === 'cpu' ? () => cpuChunk : undefined,
      onChunk: async (o) => {
        const now = performance.now();
        const stepsPerMs = (o.step - chunkStart.step) / Math.max(0.1, now - chunkStart.time);
        cpuChunk = Math.max(1, Math.min(2 * cpuChunk, Math.floor(stepsPerMs * FRAME_MS)));
        saver.save(o);
        if (performance.now() - lastYield > FRAME_MS) {
          await yieldToBrowser();
          lastYield = performance.now();
        }
        chunkStart = { time: performance.now(), step: o.step };
      },
    });
    await saver.forget();
    runner.lastResult = result;
    showResult(result);
    setState(result.partial ? 'cancelled' : 'done');
    status.textContent = result.partial ? `${where}: cancelled at step ${result.steps} of ${total}; the partial result is below` : `${where}: done, ${total.toLocaleString('en')} steps in ${duration(result.elapsedMs / 1000)}`;
    return result;
  } catch (e) {
    // a lost device or a GPU error: what the run observed is kept and offered
    await saver.flush(sim.observations);
    unlock();
    fail(`${describeError(e)}. The observations up to step ${sim.observations.step} are saved: see above.`, e);
    await showSaved();
    throw e;
  } finally {
    unlock();
    quadrature?.terminate();
    controller = undefined;
    sim.destroy();
  }
}

const lockName = (id: string) => `langevin-runner-run-${id}`;

/** Hold a Web Lock until the returned function is called (no-op where there are no Web Locks). */
function holdLock(name: string): () => void {
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  void navigator.locks?.request(name, () => held);
  return release;
}

/** Names of the locks held now, by any tab of this origin. */
async function heldLocks(): Promise<Set<string>> {
  const q = await navigator.locks?.query();
  return new Set((q?.held ?? []).map((l) => l.name ?? ''));
}

function fail(message: string, e?: unknown): void {
  runner.error = message;
  setState('failed');
  status.textContent = 'failed';
  summary.className = 'error';
  summary.textContent = message;
  if (e !== undefined && !isInputError(e) && !(e instanceof RuntimeFailure)) console.warn(e);
}

/** The CLI's terminal summary, in the page. */
function summarize(r: RunResult): string {
  const f = r.final;
  const lines = [
    `${r.particles.toLocaleString('en')} particles × ${r.steps.toLocaleString('en')} steps${r.partial ? ` (of ${r.partial.stepsPlanned.toLocaleString('en')}: ${r.partial.reason})` : ''} on ${r.backend} (${r.device}) in ${(r.elapsedMs / 1000).toFixed(2)} s, ${fmt(r.particleStepsPerSecond)} particle-steps/s`,
    `mean [${f.mean.map(fmt).join(', ')}]  variance [${f.variance.map(fmt).join(', ')}]  mean energy ${fmt(f.meanEnergy)}  T ${fmt(f.temperature)}`,
  ];
  if (r.divergence && r.boltzmann) {
    const d = r.divergence;
    lines.push(`vs Boltzmann at T = ${fmt(r.boltzmann.temperature)}: KL ${fmt(d.kl)} (floor ${fmt(d.klFloor)})  TV ${fmt(d.tv)}  χ² ${fmt(d.chi2)} / ${d.dof} dof, p = ${fmt(d.pValue)}${d.note ? ' (not calibrated: snapshots are correlated)' : ''}`);
  }
  lines.push(`best energy ${fmt(r.best.energy)} at [${r.best.x.map(fmt).join(', ')}] (step ${r.best.step})${r.target ? `; ${(100 * r.target.fraction).toFixed(2)}% within ${r.target.radius} of the target` : ''}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

let shown: { result: RunResult; name: string } | undefined;

function showResult(result: RunResult, source = spec.source): void {
  summary.className = result.warnings.length > 0 ? 'warn' : '';
  summary.textContent = summarize(result);
  resultBox.textContent = resultJson(result);
  plots.set(result.trace ?? []);
  const base = (source.split(/[\\/]/).pop() ?? 'spec').replace(/\.json$/i, '').replace(/[^\w.-]+/g, '-') || 'spec';
  shown = { result, name: `${base}-${result.partial ? result.partial.reason : 'result'}` };
  downloadJson.disabled = downloadPng.disabled = false;
}

/** The CLI's --out text. */
const resultJson = (r: RunResult) => JSON.stringify(r, null, 2) + '\n';

function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

downloadJson.addEventListener('click', () => shown && download(`${shown.name}.json`, new Blob([resultJson(shown.result)], { type: 'application/json' })));
downloadPng.addEventListener('click', async () => shown && download(`${shown.name}-trace.png`, await (await fetch(plots.png())).blob()));
runButton.addEventListener('click', () => start().catch(() => {})); // failures are shown on the page
cancelButton.addEventListener('click', () => runner.cancel());

// ---- interrupted runs ----

async function showSaved(): Promise<void> {
  savedBox.replaceChildren();
  const runs = await runner.saved();
  const live = await heldLocks();
  for (const run of runs) {
    if (run.observations === undefined || live.has(lockName(run.id))) continue; // still running in some tab
    const div = document.createElement('div');
    div.className = 'banner';
    div.dataset.id = run.id;
    const text = document.createElement('span');
    const o = run.observations;
    text.textContent = `A run did not finish: ${run.source}, started ${new Date(run.startedAt).toLocaleString()}, saved at step ${o.step.toLocaleString('en')} of ${run.stepsPlanned.toLocaleString('en')} (${o.trace.length} trace rows${o.histogram ? `, ${o.histogram.snapshots.length} histogram snapshots` : ''}). `;
    const get = document.createElement('button');
    get.className = 'download-saved';
    get.textContent = 'download saved result';
    get.addEventListener('click', async () => {
      try {
        const result = await runner.savedResult(run.id);
        showResult(result, run.source);
        download(`${shown!.name}.json`, new Blob([resultJson(result)], { type: 'application/json' }));
      } catch (e) {
        fail(describeError(e), e);
      }
    });
    const discard = document.createElement('button');
    discard.className = 'discard';
    discard.textContent = 'discard';
    discard.addEventListener('click', async () => {
      await store?.delete(run.id);
      div.remove();
    });
    div.append(text, get, ' ', discard);
    savedBox.append(div);
  }
}

// ---- start up ----

async function init(): Promise<void> {
  setState('idle');
  status.textContent = 'ready';
  if (!navigator.gpu) await browserGpuContext().catch((e: Error) => showNotice(`${e.message} Runs here use the CPU backend (float64 JavaScript: correct, but far slower than a GPU).`));
  try {
    store = await RunStore.open();
    await showSaved();
  } catch (e) {
    showNotice(`this browser keeps no IndexedDB here (${(e as Error).message}): a run interrupted by a closed tab is lost`);
  }
  const params = new URLSearchParams(location.search);
  const url = params.get('spec');
  if (url) {
    try {
      setSpec(await fromUrl(url));
    } catch (e) {
      spec = { text: '', source: url };
      specBox.value = '';
      sourceLabel.textContent = url;
      fail(describeError(e), e);
      checkLine.className = 'error';
      checkLine.textContent = runner.error!;
    }
  } else setSpec(spec);
  runner.ready = true;
  if (url && params.has('run') && runner.state !== 'failed') start().catch(() => {});
}

void init();
