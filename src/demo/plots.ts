/**
 * Live plots of the demo (uPlot): the x-marginal histogram against the exact
 * Boltzmann curve, the KL(t) relaxation curve, T(t), ⟨E⟩(t) and best energy,
 * and the mean-square displacement against Einstein's 2DTt. With several
 * lanes (ensembles side by side) each lane has its own series.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const WIDTH = 360;
const HEIGHT = 160;
const HISTORY = 600;
/** lane colours: lane 0, lane 1, … */
export const LANE_COLORS = ['#6cf', '#f8c', '#8f8', '#fc6'];

/** What one lane shows at one observation. */
export interface LaneSample {
  temperature: number;
  meanEnergy: number;
  bestEnergy: number;
  /** NaN when there is no Boltzmann reference */
  kl: number;
  /** mean-square displacement Σ_d Var(x_d), length² (from a point start it is the MSD) */
  msd: number;
  /** Einstein's 2·D·T·t for free diffusion (t = step·dt), or NaN where it does not apply */
  einstein: number;
}

const gap = null as unknown as number;
const orGap = (v: number) => (Number.isFinite(v) ? v : gap);

/** A series' label: with several lanes, suffixed with the lane's short name. */
function seriesName(lanes: string[], what: string, lane: number): string {
  return lanes.length > 1 ? `${what} (${lanes[lane].split(':')[0]})` : what;
}

/** One series of `what` per lane, in the lanes' colours. */
function seriesPerLane(lanes: string[], what: string, extra: Partial<uPlot.Series>): uPlot.Series[] {
  return lanes.map((_, l) => ({ label: seriesName(lanes, what, l), stroke: LANE_COLORS[l % LANE_COLORS.length], ...extra }));
}

/** The charts of `Plots`, by name. */
export type PlotName = 'marginal' | 'relaxation' | 'energy' | 'diffusion';
const PLOT_NAMES: PlotName[] = ['marginal', 'relaxation', 'energy', 'diffusion'];

/** The demo's live plots, one series per lane. */
export class Plots {
  private readonly marginal: uPlot;
  private readonly relaxation: uPlot;
  private readonly energy: uPlot;
  private readonly diffusion: uPlot;
  private readonly history: { step: number; lanes: LaneSample[] }[] = [];

  /**
   * @param lanes the lanes' labels ('' for a single unnamed ensemble)
   * @param hidden charts not shown (they still take data)
   */
  constructor(
    container: HTMLElement,
    private readonly lanes: string[],
    hidden: ('relaxation' | 'diffusion')[] = [],
  ) {
    const axisStroke = '#9ab';
    const axes = [
      { stroke: axisStroke, grid: { stroke: '#333' } },
      { stroke: axisStroke, grid: { stroke: '#333' } },
    ];
    const x = { x: { time: false } };
    const chart = (title: string, scales: uPlot.Scales, series: uPlot.Series[], data: uPlot.AlignedData) =>
      new uPlot({ title, width: WIDTH, height: HEIGHT, axes, scales, series }, data, container);
    const perLane = (what: string, extra: Partial<uPlot.Series> = {}) => seriesPerLane(lanes, what, extra);
    const marginal = [
      {},
      ...perLane('particles', {
        fill: lanes.length === 1 ? 'rgba(100,200,255,0.25)' : undefined,
        paths: uPlot.paths.stepped!({ align: 1 }),
      }),
      { label: seriesName(lanes, 'Boltzmann', 0), stroke: '#fc6', width: 2 },
    ];
    this.marginal = chart('x: histogram vs exp(−E/T)/Z', x, marginal, [[], ...lanes.map(() => []), []]);
    const relaxation = [{ label: 'step' }, ...perLane('KL', { width: 2 })];
    this.relaxation = chart('KL(q‖p): relaxation', { ...x, y: { distr: 3 } }, relaxation, [[], ...lanes.map(() => [])]);
    const energy = [
      { label: 'step' },
      ...perLane('T', { dash: [2, 3] }),
      ...perLane('⟨E⟩'),
      ...perLane('best E', { width: 2, dash: [8, 3] }),
    ];
    this.energy = chart('temperature and energy', x, energy, [[], ...lanes.flatMap(() => [[], [], []])]);
    const diffusion = [{ label: 'step' }, { label: 'MSD', stroke: '#6cf', width: 2 }, { label: '2DTt', stroke: '#fc6', dash: [6, 4] }];
    this.diffusion = chart('mean-square displacement vs 2DTt', x, diffusion, [[], [], []]);
    for (const h of hidden) this[h].root.style.display = 'none';
  }

  /** The marginal: bin centres, each lane's sampled density and lane 0's exact density (per unit length). */
  setMarginal(centres: number[], sampled: number[][], exact: number[] | undefined): void {
    this.marginal.setData([centres, ...sampled, exact ?? centres.map(() => gap)]);
  }

  /** One observation of every lane at `step` (lane 0's step). */
  add(step: number, lanes: LaneSample[]): void {
    this.history.push({ step, lanes });
    if (this.history.length > HISTORY) this.history.shift();
    const steps = this.history.map((h) => h.step);
    const series = (f: (s: LaneSample) => number) => this.lanes.map((_, l) => this.history.map((h) => orGap(f(h.lanes[l]))));
    this.relaxation.setData([steps, ...series((s) => (s.kl > 0 ? s.kl : NaN))]);
    this.energy.setData([steps, ...series((s) => s.temperature), ...series((s) => s.meanEnergy), ...series((s) => s.bestEnergy)]);
    this.diffusion.setData([steps, ...series((s) => s.msd).slice(0, 1), ...series((s) => s.einstein).slice(0, 1)]);
  }

  /**
   * Make one chart prominent (the guided tour, tour.ts): larger, with class `featured` and `data-plot` on its
   * root (tour.css puts it first and dims the others); undefined: every chart as built.
   */
  feature(which?: PlotName): void {
    const big = { width: Math.round(Math.min((WIDTH * 4) / 3, Math.max(WIDTH, window.innerWidth - 32))), height: (HEIGHT * 4) / 3 };
    for (const name of PLOT_NAMES) {
      const chart = this[name];
      const on = name === which;
      chart.root.classList.toggle('featured', on);
      chart.root.dataset.plot = name;
      chart.setSize(on ? big : { width: WIDTH, height: HEIGHT });
    }
  }

  /** Remove the plots from the page. */
  destroy(): void {
    for (const u of [this.marginal, this.relaxation, this.energy, this.diffusion]) u.destroy();
  }
}
