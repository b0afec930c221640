/**
 * The runner page's elements and state, in one object every part of the page
 * is given (no module keeps state of its own), and the few changes of state
 * every part makes: the run state, the notice, a failure.
 */
import { RuntimeFailure, type BackendKind, type RunResult } from '../index.ts';
import { KineticsPlots } from './kinetics.ts';
import { TracePlots } from './plots.ts';
import { isInputError, type SpecText } from './source.ts';
import type { RunStore, SavedRun } from './store.ts';

export type RunState = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

export interface Progress {
  step: number;
  total: number;
  /** particles × steps done in this run per wall-clock second (yields and saves included) */
  particleStepsPerSecond: number;
  /** at the current rate; NaN before the first chunk */
  secondsLeft: number;
  /** steps done in the last observations that reached IndexedDB */
  savedStep: number;
  /** the step of the last checkpoint saved (OPFS), 0 before any */
  checkpointStep: number;
}

/** What `window.langevinRunner` shows of the page; main.ts adds the hook's methods to this same object. */
export interface RunnerStatus {
  ready: boolean;
  state: RunState;
  backend?: BackendKind;
  device?: string;
  software?: boolean;
  progress: Progress;
  lastResult?: RunResult;
  /** the message shown for the last failure */
  error?: string;
  /** seconds between checkpoints of a run (default 3; a negative number saves none) */
  checkpointSeconds: number;
}

/** The elements of runner.html the script reads or changes. */
export interface Elements {
  specBox: HTMLTextAreaElement;
  sourceLabel: HTMLSpanElement;
  fileInput: HTMLInputElement;
  checkLine: HTMLParagraphElement;
  backendSelect: HTMLSelectElement;
  runButton: HTMLButtonElement;
  cancelButton: HTMLButtonElement;
  bar: HTMLProgressElement;
  status: HTMLSpanElement;
  notice: HTMLParagraphElement;
  /** says where a spec from another site (or a data: or blob: URL) came from */
  originNotice: HTMLParagraphElement;
  savedBox: HTMLDivElement;
  summary: HTMLPreElement;
  resultBox: HTMLPreElement;
  downloadJson: HTMLButtonElement;
  downloadPng: HTMLButtonElement;
}

/** The page: its elements and everything that changes while it is open. */
export interface Page {
  readonly el: Elements;
  readonly plots: TracePlots;
  /** the survival and work plots of a result with kinetics, under the summary */
  readonly kinetics: KineticsPlots;
  readonly runner: RunnerStatus;
  /** the spec in the box and where it came from */
  spec: SpecText;
  /** the saved runs; undefined until opened, or where this browser keeps no IndexedDB */
  store?: RunStore;
  /** aborts the run in progress */
  controller?: AbortController;
  /** resumes a saved run from its checkpoint (run.ts; set by main.ts, so that the banners need not import the run) */
  resume?: (run: SavedRun) => Promise<RunResult>;
  /** the result on the page and the base name of its downloads */
  shown?: { result: RunResult; name: string };
}

/** Find runner.html's elements; the box starts with `spec`. */
export function openPage(spec: SpecText): Page {
  const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
  const el: Elements = {
    specBox: $('#spec'),
    sourceLabel: $('#source'),
    fileInput: $('#file'),
    checkLine: $('#check'),
    backendSelect: $('#backend'),
    runButton: $('#run'),
    cancelButton: $('#cancel'),
    bar: $('#bar'),
    status: $('#status'),
    notice: $('#notice'),
    originNotice: $('#origin'),
    savedBox: $('#saved'),
    summary: $('#summary'),
    resultBox: $('#result'),
    downloadJson: $('#download-json'),
    downloadPng: $('#download-png'),
  };
  const runner: RunnerStatus = {
    ready: false,
    state: 'idle',
    progress: { step: 0, total: 0, particleStepsPerSecond: 0, secondsLeft: NaN, savedStep: 0, checkpointStep: 0 },
    checkpointSeconds: 3,
  };
  return { el, plots: new TracePlots($('#plots')), kinetics: new KineticsPlots($('#kinetics')), runner, spec };
}

/** Enter a run state: the buttons and the backend choice follow it. */
export function setState(page: Page, s: RunState): void {
  page.runner.state = s;
  document.body.dataset.state = s;
  page.el.runButton.disabled = s === 'running';
  page.el.cancelButton.disabled = s !== 'running';
  page.el.backendSelect.disabled = s === 'running';
}

/** Show the notice above the spec (undefined: hide it). */
export function showNotice(page: Page, text: string | undefined): void {
  page.el.notice.hidden = !text;
  page.el.notice.textContent = text ?? '';
}

/** Show the notice on where the spec in the box came from (undefined: hide it). */
export function showOrigin(page: Page, text: string | undefined): void {
  page.el.originNotice.hidden = !text;
  page.el.originNotice.textContent = text ?? '';
}

/** Show a failure in the summary box; errors that are neither the user's nor the runtime's also go to the console. */
export function fail(page: Page, message: string, e?: unknown): void {
  page.runner.error = message;
  setState(page, 'failed');
  page.el.status.textContent = 'failed';
  page.el.summary.className = 'error';
  page.el.summary.textContent = message;
  if (e !== undefined && !isInputError(e) && !(e instanceof RuntimeFailure)) console.warn(e);
}
