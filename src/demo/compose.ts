/**
 * The view as a person sees it, in one 2-D canvas: the particles' canvas on
 * the left and the live plots (uPlot charts in `#plots`, each with its title)
 * stacked to its right. "Save PNG (canvas + plots)" and every recorded video
 * frame (record.ts) are drawn by `composeInto`.
 */
import { png } from './drawing.ts';
import { page } from './page.ts';
import type { DemoState } from './state.ts';

/** Height of a plot's title line over its chart, pixels. */
const TITLE = 18;
const BACKGROUND = '#111';
const PLOT_BACKGROUND = '#181818';

/** One chart of `#plots`: its title and its canvas (axes and series; the legend is HTML and not drawn). */
interface Chart {
  title: string;
  canvas: HTMLCanvasElement;
  /** the chart's size on the page, CSS pixels (the canvas holds devicePixelRatio times as many) */
  width: number;
  height: number;
}

/** The charts shown in `#plots` now, top to bottom (hidden ones skipped). */
function charts(): Chart[] {
  const out: Chart[] = [];
  for (const root of Array.from(page.plots.querySelectorAll<HTMLElement>('.uplot'))) {
    const canvas = root.querySelector('canvas');
    if (!canvas || root.getClientRects().length === 0) continue;
    const width = parseFloat(canvas.style.width) || canvas.width;
    const height = parseFloat(canvas.style.height) || canvas.height;
    out.push({ title: root.querySelector('.u-title')?.textContent ?? '', canvas, width, height });
  }
  return out;
}

/** Size of the composed picture, pixels: the canvas's width plus the widest chart's; the taller of the canvas and the charts' column. */
export function composedSize(view: { width: number; height: number } = page.canvas): { width: number; height: number } {
  const column = charts();
  const width = view.width + Math.max(0, ...column.map((c) => c.width));
  const height = Math.max(
    view.height,
    column.reduce((h, c) => h + TITLE + c.height, 0),
  );
  return { width, height };
}

/**
 * What the particles' canvas shows now, as something a 2-D canvas can draw: the page's canvas where it is a 2-D
 * canvas (the offscreen and CPU paths), else (a WebGPU canvas, which keeps nothing once presented) one frame
 * rendered offscreen by the same renderers.
 */
export async function viewImage(state: DemoState): Promise<CanvasImageSource & { width: number; height: number }> {
  if (state.draw.path !== 'present' || !state.running?.lanes[0].points) return page.canvas;
  const blob = await (await fetch(await png(state))).blob();
  return createImageBitmap(blob);
}

/**
 * Draw the view and the charts into `out` (2-D), at the top left; the rest of `out` (e.g. padding to an even size
 * for a video encoder) is the page's background.
 */
export function composeInto(out: HTMLCanvasElement, view: CanvasImageSource & { width: number; height: number }): void {
  const g = out.getContext('2d')!;
  g.fillStyle = BACKGROUND;
  g.fillRect(0, 0, out.width, out.height);
  g.drawImage(view, 0, 0);
  let y = 0;
  g.font = '12px system-ui, sans-serif';
  g.textBaseline = 'middle';
  g.textAlign = 'center';
  for (const c of charts()) {
    g.fillStyle = PLOT_BACKGROUND;
    g.fillRect(view.width, y, c.width, TITLE + c.height);
    g.fillStyle = '#ddd';
    g.fillText(c.title, view.width + c.width / 2, y + TITLE / 2, c.width);
    g.drawImage(c.canvas, view.width, y + TITLE, c.width, c.height);
    y += TITLE + c.height;
  }
}

/** The canvas and the plots as one PNG data URL (what "save PNG (canvas + plots)" downloads). */
export async function composedPng(state: DemoState): Promise<string> {
  const view = await viewImage(state);
  const out = document.createElement('canvas');
  Object.assign(out, composedSize(view));
  composeInto(out, view);
  return out.toDataURL('image/png');
}
