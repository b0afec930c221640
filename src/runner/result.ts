/**
 * A result on the page: the CLI's summary and result JSON, the trace plots,
 * the kinetics plots (survival, work: kinetics.ts),
 * and the two downloads (the JSON as `--out` writes it, the plots as PNG).
 */
import type { RunResult } from '../index.ts';
import { summaryLines } from '../summary.ts';
import { download } from '../ui/download.ts';
import type { Page } from './page.ts';

/** The CLI's --out text. */
export const resultJson = (r: RunResult) => JSON.stringify(r, null, 2) + '\n';

/** Show a result and offer its downloads, named for the spec's `source` (a file name, a URL, "pasted spec"). */
export function showResult(page: Page, result: RunResult, source: string): void {
  const { el } = page;
  el.summary.className = result.warnings.length > 0 ? 'warn' : '';
  el.summary.textContent = summaryLines(result, 'page').join('\n');
  el.resultBox.textContent = resultJson(result);
  page.plots.set(result.trace ?? []);
  page.kinetics.show(result);
  const base = (source.split(/[\\/]/).pop() ?? 'spec').replace(/\.json$/i, '').replace(/[^\w.-]+/g, '-') || 'spec';
  page.shown = { result, name: `${base}-${result.partial ? result.partial.reason : 'result'}` };
  el.downloadJson.disabled = el.downloadPng.disabled = false;
}

/** Download the shown result's JSON. */
export function downloadResult(page: Page): void {
  if (page.shown) download(`${page.shown.name}.json`, new Blob([resultJson(page.shown.result)], { type: 'application/json' }));
}

/** Wire the download buttons to the shown result. */
export function wireDownloads(page: Page): void {
  page.el.downloadJson.addEventListener('click', () => downloadResult(page));
  page.el.downloadPng.addEventListener(
    'click',
    async () => page.shown && download(`${page.shown.name}-trace.png`, await (await fetch(page.plots.png())).blob()),
  );
}
