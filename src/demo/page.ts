/**
 * The page's elements (index.html) and the messages shown in it. The only
 * demo module that looks elements up.
 */
import type { DemoHooks } from './hooks.ts';
import { LANE_COLORS } from './plots.ts';

const element = (selector: string) => document.querySelector<HTMLElement>(selector)!;

/** The elements of index.html the demo writes to. */
export const page = {
  /** where the lanes are drawn, side by side */
  canvas: document.querySelector<HTMLCanvasElement>('#view')!,
  title: element('#title'),
  /** what the preset shows, in a sentence or two (presets with a `story`) */
  story: element('#story'),
  /** the guided tour's panel (tour.ts, tourPanel.ts), and the header's link that starts the tour */
  tour: element('#tour'),
  tourLink: element('#tour-link'),
  /** the line of numbers under the canvas */
  stats: element('#stats'),
  /** the line that says which path draws the frames, and why (fallback.ts) */
  drawing: element('#drawing span'),
  /** Restart, shown after a lost device (fallback.ts) */
  restart: element('#drawing button'),
  /** a notice or the error that stopped the demo */
  message: element('#message'),
  /** the spec error of the controls (e.g. a bad expression) */
  exprError: element('#expr-error'),
  plots: element('#plots'),
  /** the lanes' labels over the canvas */
  laneLabels: element('#lanes'),
  /** where lil-gui puts the controls */
  controls: element('#controls'),
};

/** Show a notice (or, with '', hide it). */
export function say(text: string, kind: 'info' | 'error' = 'info'): void {
  page.message.textContent = text;
  page.message.className = kind;
  page.message.hidden = text === '';
}

/** Stop with an error: shown on the page and in `hooks.error` (the first cause is kept). */
export function fail(hooks: DemoHooks, e: unknown): void {
  const text = e instanceof Error ? e.message : String(e);
  if (hooks.error) return; // keep the first cause
  hooks.error = text;
  console.warn('langevin demo stopped:', e instanceof Error ? e.stack : e);
  say(`Stopped: ${text}`, 'error');
}

/** Replace the canvas with a fresh one of the same size (one that had a WebGPU context never gives a 2-D one). */
export function freshCanvas(): HTMLCanvasElement {
  const old = page.canvas;
  const canvas = old.cloneNode(false) as HTMLCanvasElement;
  old.replaceWith(canvas);
  page.canvas = canvas;
  return canvas;
}

/** Label the lanes over the canvas in their plot colours (hidden for a single lane). */
export function showLaneLabels(labels: string[]): void {
  page.laneLabels.replaceChildren(
    ...labels.map((label, i) => {
      const span = document.createElement('span');
      span.textContent = label;
      span.style.color = LANE_COLORS[i % LANE_COLORS.length];
      return span;
    }),
  );
  page.laneLabels.hidden = labels.length === 1;
}
