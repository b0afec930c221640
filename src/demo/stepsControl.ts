/**
 * The 'steps per frame' control: `auto` (the frame budget picks them to hold
 * 60 fps: loop.ts, frameBudget.ts) or a whole number that fixes them, as the
 * URL's `spf` is. A bad entry (or a bad `spf` in the URL) is named on the page
 * and changes nothing.
 */
import type GUI from 'lil-gui';
import { spfProblem, writeParams } from './params.ts';
import { page, say } from './page.ts';
import type { DemoState } from './state.ts';

/** The text of the control for the controls' values. */
function stepsText(state: DemoState): string {
  return state.params.autoSteps ? 'auto' : String(state.params.stepsPerFrame);
}

/** Show `text` after the notice the page shows now (e.g. why it runs on the CPU), or alone. */
function notice(text: string): void {
  if (page.message.hidden || page.message.textContent === '') say(text);
  else page.message.textContent += ` ${text}`;
}

/**
 * Apply an entry of the control: 'auto', or a whole number ≥ 1.
 * @returns whether it was good (a bad one is named on the page)
 */
export function applySteps(state: DemoState, text: string): boolean {
  const t = text.trim().toLowerCase();
  const k = Number(t);
  if (t === 'auto') state.params.autoSteps = true;
  else if (t !== '' && Number.isInteger(k) && k >= 1) Object.assign(state.params, { autoSteps: false, stepsPerFrame: k });
  else {
    notice(`steps per frame = "${text}" is not allowed: enter auto, or a whole number ≥ 1.`);
    return false;
  }
  if (page.message.textContent?.startsWith('steps per frame')) say('');
  return true;
}

/** Add the control to `gui` (and name a bad `spf` of the page's URL). */
export function addStepsControl(gui: GUI, state: DemoState): void {
  // shows the controls' value (after a preset or `hooks.set`, too), or the entry being typed
  let typed: string | undefined;
  const field = {
    get spf(): string {
      return typed ?? stepsText(state);
    },
    set spf(text: string) {
      typed = text;
    },
  };
  const controller = gui
    .add(field, 'spf')
    .name('steps per frame (auto or N)')
    .onFinishChange((text: string) => {
      typed = undefined;
      if (applySteps(state, text)) writeParams(state.params);
      controller.updateDisplay();
    });
  const problem = spfProblem(new URLSearchParams(location.search));
  if (problem) notice(problem);
}
