/**
 * The guided tour (issue 18): `?tour=<id>` opens a step of tourSteps.ts — its preset and settings (tourUrl.ts),
 * a panel with its text, formula and key number read once a second (tourPanel.ts), and its plot made
 * prominent (the demo's chart, the work plots, or the key number over the steps: tourKeyPlot.ts). Previous /
 * Next (buttons, ← →) move between steps without reloading: a new history entry per step (Back works) and a
 * new run by the demo's own rebuild (rebuild.ts), which destroys the old lanes' GPU resources. "leave tour"
 * returns to the plain demo with the run going on; choosing another preset in the controls leaves it too.
 */
import './tour.css';
import { readParams, writeParams } from './params.ts';
import { fitSoftwareAdapter } from './lanes.ts';
import { presetById } from './presets.ts';
import { buildControls } from './controls.ts';
import { rebuild } from './rebuild.ts';
import { fail, page, say } from './page.ts';
import { TourPanel } from './tourPanel.ts';
import { TourKeyPlot } from './tourKeyPlot.ts';
import { TOUR, type TourStep } from './tourSteps.ts';
import { leaveQuery, moveQuery, openingOf, type TourOpening } from './tourUrl.ts';
import type { PlotName, Plots } from './plots.ts';
import type { DemoState, Running } from './state.ts';

const isDemoPlot = (plot: string): plot is PlotName => ['marginal', 'relaxation', 'energy', 'diffusion'].includes(plot);

/** The tour on one demo page: main.ts makes one, before the first run, with what the page's URL opens. */
export class Tour {
  /** the step shown; undefined outside the tour */
  private index?: number;
  private readonly panel: TourPanel;
  /** the key number over the steps (steps with `plot: 'key'`, from the first reading) */
  private keyPlot?: TourKeyPlot;
  /** the plots on which the step's chart was made prominent (a rebuild makes new ones) */
  private featured?: Plots;
  /** moves run in order: one (its rebuild included) ends before the next starts */
  private moves: Promise<void> = Promise.resolve();

  constructor(
    private readonly state: DemoState,
    opening: TourOpening,
  ) {
    this.panel = new TourPanel(page.tour, {
      previous: () => this.move(-1),
      next: () => this.move(1),
      leave: () => this.request(async () => this.leave()),
    });
    if (opening.problem) say(page.message.hidden ? opening.problem : `${page.message.textContent} ${opening.problem}`);
    // the URL is the step's before the first run writes the controls into it (a bad ?tour= value is replaced)
    if (opening.index !== undefined) history.replaceState(null, '', `${location.pathname}?${opening.query}`);
    this.index = opening.index;
    this.show();
    state.afterObserve = (r) => this.readKey(r);
    this.bind();
  }

  /** The links, keys and history entries that move through the tour. */
  private bind(): void {
    page.tourLink.addEventListener('click', (e) => {
      e.preventDefault();
      this.request(() => this.goTo(0));
    });
    document.addEventListener('keydown', (e) => {
      if (this.index === undefined || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const target = e.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      e.preventDefault();
      this.move(e.key === 'ArrowLeft' ? -1 : 1);
    });
    // Back and Forward: the entry's URL (read now: a move may be under way) says the step, or the plain demo, and its settings
    window.addEventListener('popstate', () => {
      const opening = openingOf(new URLSearchParams(location.search));
      this.request(() => this.apply(opening));
    });
  }

  private step(): TourStep | undefined {
    return this.index === undefined ? undefined : TOUR[this.index];
  }

  /** Run `move` after the moves before it; a failure stops the demo with its message. */
  private request(move: () => Promise<void>): void {
    this.moves = this.moves.then(move).catch((e) => fail(this.state.hooks, e));
  }

  /** Previous (−1) or Next (+1), where there is one. */
  private move(delta: -1 | 1): void {
    this.request(async () => {
      if (this.index === undefined) return;
      const to = this.index + delta;
      if (to >= 0 && to < TOUR.length) await this.goTo(to);
    });
  }

  /** Open step `to` in a new history entry, keeping the particles, seed and drawing path. */
  private async goTo(to: number): Promise<void> {
    const query = moveQuery(TOUR[to], new URLSearchParams(location.search));
    history.pushState(null, '', `${location.pathname}?${query}`);
    await this.apply(openingOf(query));
  }

  /** Show what `opening` says (a step, or the plain demo) and start its run with its settings. */
  private async apply(opening: TourOpening): Promise<void> {
    const { state } = this;
    const params = readParams(opening.query);
    state.preset = presetById(params.preset);
    Object.assign(state.params, params, { paused: state.params.paused });
    if (state.gpuContext) fitSoftwareAdapter(state, state.gpuContext, opening.query.has('particles'));
    // the controls show the new settings (lil-gui reads them when built)
    page.controls.replaceChildren();
    buildControls(state);
    this.index = opening.index;
    this.show();
    await rebuild(state);
    this.feature();
  }

  /** Leave the tour, the run going on: the plain demo's URL (a new history entry: Back returns to the step). */
  private leave(): void {
    if (this.index === undefined) return;
    history.pushState(null, '', `${location.pathname}?${leaveQuery(new URLSearchParams(location.search))}`);
    this.index = undefined;
    this.show();
    writeParams(this.state.params);
  }

  /** The panel, hooks and plot marks of the step now (or none of them outside the tour). */
  private show(): void {
    const { state } = this;
    this.keyPlot?.destroy();
    this.keyPlot = undefined;
    this.featured = undefined;
    const step = this.step();
    page.tourLink.hidden = step !== undefined;
    if (!step) {
      this.panel.hide();
      state.hooks.tour = undefined;
      delete page.plots.dataset.tourPlot;
      state.plots?.feature();
      return;
    }
    this.panel.show(step, this.index!, TOUR.length);
    state.hooks.tour = { id: step.id, index: this.index!, plot: step.plot, key: null, step: 0 };
    page.plots.dataset.tourPlot = step.plot; // tour.css dims the other plots
  }

  /** Make the step's chart prominent on the plots of the run now (once per set of plots). */
  private feature(): void {
    const step = this.step();
    if (!step || this.featured === this.state.plots) return;
    this.featured = this.state.plots;
    this.state.plots?.feature(isDemoPlot(step.plot) ? step.plot : undefined);
  }

  /** Once a second, after the frame's observation of run `r`: the step's key number into the panel, hooks and key plot. */
  private async readKey(r: Running): Promise<void> {
    const { state } = this;
    const step = this.step();
    if (!step || state.running !== r) return;
    if (state.preset.id !== step.preset) return this.quit(); // the controls chose another preset
    this.feature(); // the controls may have rebuilt the run, with new plots
    const at = r.lanes[0].sim.step;
    const key = await step.key(state, r);
    if (state.running !== r || this.step() !== step) return;
    state.hooks.tour = { id: step.id, index: this.index!, plot: step.plot, key, step: at };
    this.panel.showKey(key);
    if (key && step.plot === 'key') {
      this.keyPlot ??= new TourKeyPlot(page.plots, key.label);
      this.keyPlot.add(at, key);
    }
  }

  /** Leave the tour without a history entry (the controls changed the run away from the step). */
  private quit(): void {
    history.replaceState(null, '', `${location.pathname}?${leaveQuery(new URLSearchParams(location.search))}`);
    this.index = undefined;
    this.show();
  }
}
