/**
 * Interrupted runs: the records in the page's RunStore whose run is live in
 * no tab, each offered in a banner (download the result rebuilt from its
 * observations, resume it from its checkpoint, or discard it).
 */
import { prepare, Simulation, type RunResult } from '../index.ts';
import { fail, type Page } from './page.ts';
import { downloadResult, showResult } from './result.ts';
import { heldLocks, lockName } from './saver.ts';
import { describeError } from './source.ts';
import type { SavedRun } from './store.ts';
import { removeCheckpoint } from './checkpoints.ts';

/** The runs saved in this browser, live or interrupted. */
export async function savedRuns(page: Page): Promise<SavedRun[]> {
  return page.store ? page.store.list() : [];
}

/** The result rebuilt from a saved run's observations. */
export async function savedResult(page: Page, id: string): Promise<RunResult> {
  const run = (await savedRuns(page)).find((r) => r.id === id);
  if (!run) throw new Error(`no saved run ${id}`);
  return Simulation.resultFromObservations(prepare(run.spec), run.observations, run.savedAt);
}

/** Replace the banners with one per interrupted run. */
export async function showSaved(page: Page): Promise<void> {
  page.el.savedBox.replaceChildren();
  const runs = await savedRuns(page);
  const live = await heldLocks();
  for (const run of runs) {
    if (run.observations === undefined || live.has(lockName(run.id))) continue; // still running in some tab
    page.el.savedBox.append(banner(page, run));
  }
}

function banner(page: Page, run: SavedRun): HTMLDivElement {
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
      showResult(page, await savedResult(page, run.id), run.source);
      downloadResult(page);
    } catch (e) {
      fail(page, describeError(e), e);
    }
  });
  const discard = document.createElement('button');
  discard.className = 'discard';
  discard.textContent = 'discard';
  discard.addEventListener('click', async () => {
    await page.store?.delete(run.id);
    await removeCheckpoint(run.id);
    div.remove();
  });
  div.append(text, get, ' ');
  if (run.checkpointStep !== undefined && page.resume) {
    const resume = page.resume;
    const go = document.createElement('button');
    go.className = 'resume';
    go.textContent = `resume from step ${run.checkpointStep.toLocaleString('en')}`;
    go.addEventListener('click', () => {
      div.remove();
      resume(run).catch(() => {}); // failures are shown on the page
    });
    div.append(go, ' ');
  }
  div.append(discard);
  return div;
}
