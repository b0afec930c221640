/**
 * The experiment runner page (runner.html): load a spec (file, drop, paste or
 * `?spec=URL`, with `&run` to start a spec of this site), check it with the CLI's messages, run
 * it unrendered through the public API on WebGPU (the CPU backend where there
 * is none, or with backend auto on a software adapter), show progress and the live trace, offer the result JSON and the
 * plots as PNG. While a run goes on, its observations are saved in IndexedDB
 * after each chunk and its whole state (positions included) in the Origin
 * Private File System every few seconds; a run interrupted by a closed tab or
 * a lost device is offered on the next visit (and at once after a lost
 * device): download its observations, or resume it from its checkpoint.
 *
 * This file wires the parts together: page.ts (elements and state),
 * specBox.ts (the spec and its check), link.ts and remote.ts (`?spec=`), run.ts (a run), result.ts (the result
 * and its downloads), saver.ts and interrupted.ts (runs kept in IndexedDB).
 * `window.langevinRunner` drives it from puppeteer, benchmarks and tests.
 */
import { browserGpuContext, type RunResult } from '../index.ts';
import { savedResult, savedRuns, showSaved } from './interrupted.ts';
import { loadLink, readLink } from './link.ts';
import { openPage, setState, showNotice, type Page, type RunnerStatus } from './page.ts';
import type { KineticsData } from './kinetics.ts';
import { wireDownloads } from './result.ts';
import { resume, start } from './run.ts';
import { EXAMPLE } from './source.ts';
import { setSpec, wireSpecBox } from './specBox.ts';
import { RunStore, type SavedRun } from './store.ts';

/** Automation hook (puppeteer, headless benchmarks, tests): the page's status and these methods. */
interface LangevinRunner extends RunnerStatus {
  /** Run a spec (object or JSON text) as the Run button does; resolves with the result JSON (partial if cancelled). */
  run(spec: unknown): Promise<RunResult>;
  /** Stop the run after the chunk in flight; its promise resolves with the partial result. */
  cancel(): void;
  /** The interrupted runs saved in this browser. */
  saved(): Promise<SavedRun[]>;
  /** The result rebuilt from a saved run (what "download saved result" gives). */
  savedResult(id: string): Promise<RunResult>;
  /** Resume a saved run from its checkpoint, as its banner's "resume" button does; resolves with the result. */
  resume(id: string): Promise<RunResult>;
  /** The trace plots as a PNG data URL. */
  plotsPng(): string;
  /** What the kinetics plots under the result show (survival curve and fit, work histogram and its markers). */
  kinetics(): KineticsData;
}

const page = openPage(EXAMPLE);
page.resume = (run) => resume(page, run);

const hook: LangevinRunner = Object.assign(page.runner, {
  run: (s: unknown) => {
    setSpec(page, typeof s === 'string' ? { text: s, source: 'spec' } : { text: JSON.stringify(s, null, 2), source: 'spec' });
    return start(page);
  },
  cancel: () => page.controller?.abort(),
  saved: () => savedRuns(page),
  savedResult: (id: string) => savedResult(page, id),
  resume: async (id: string) => {
    const run = (await savedRuns(page)).find((r) => r.id === id);
    if (!run) throw new Error(`no saved run ${id}`);
    page.el.savedBox.querySelector(`[data-id="${CSS.escape(id)}"]`)?.remove();
    return resume(page, run);
  },
  plotsPng: () => page.plots.png(),
  kinetics: () => page.kinetics.data(),
});
(window as unknown as { langevinRunner: LangevinRunner }).langevinRunner = hook;

wireSpecBox(page);
wireDownloads(page);
page.el.runButton.addEventListener('click', () => start(page).catch(() => {})); // failures are shown on the page
page.el.cancelButton.addEventListener('click', () => hook.cancel());

/** Say what this browser lacks (WebGPU, IndexedDB), offer interrupted runs, load `?spec=` and start it on `&run` if it is this site's (link.ts). */
async function init(page: Page): Promise<void> {
  setState(page, 'idle');
  page.el.status.textContent = 'ready';
  if (!navigator.gpu)
    await browserGpuContext().catch((e: Error) =>
      showNotice(page, `${e.message} Runs here use the CPU backend (float64 JavaScript: correct, but far slower than a GPU).`),
    );
  try {
    page.store = await RunStore.open();
    await showSaved(page);
  } catch (e) {
    showNotice(page, `this browser keeps no IndexedDB here (${(e as Error).message}): a run interrupted by a closed tab is lost`);
  }
  const link = readLink(location.search);
  let runNow = false;
  if (link) runNow = await loadLink(page, link);
  else setSpec(page, page.spec);
  page.runner.ready = true;
  if (runNow) start(page).catch(() => {});
}

void init(page);
