/**
 * The plot of a tour step whose point is its key number (`plot: 'key'`, src/demo/tourSteps.ts): the measured
 * value with its ±1 standard-error band against the exact line, over the steps (uPlot, first in the plot column).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { KeyNumber } from './tourSteps.ts';

const WIDTH = 480;
const HEIGHT = 220;
/** points kept (the oldest are dropped) */
const HISTORY = 600;

/** The key number over the steps of one run. */
export class TourKeyPlot {
  private readonly plot: uPlot;
  private readonly points: { step: number; key: KeyNumber }[] = [];

  /** A plot titled `label`, first in `container`. */
  constructor(container: HTMLElement, label: string) {
    const axes = [
      { stroke: '#9ab', grid: { stroke: '#333' } },
      { stroke: '#9ab', grid: { stroke: '#333' } },
    ];
    const series: uPlot.Series[] = [
      { label: 'step' },
      { label: 'measured', stroke: '#6cf', width: 2 },
      { label: '− se', stroke: 'rgba(100,200,255,0.4)' },
      { label: '+ se', stroke: 'rgba(100,200,255,0.4)' },
      { label: 'exact', stroke: '#fc6', width: 2, dash: [6, 4] },
    ];
    const bands: uPlot.Band[] = [{ series: [3, 2], fill: 'rgba(100,200,255,0.2)' }];
    const width = Math.round(Math.min(WIDTH, Math.max(360, window.innerWidth - 32)));
    this.plot = new uPlot(
      { title: `${label}: measured ± se against exact`, width, height: HEIGHT, axes, series, bands, scales: { x: { time: false } } },
      [[], [], [], [], []],
      container,
    );
    this.plot.root.classList.add('featured');
    this.plot.root.dataset.plot = 'key';
    container.prepend(this.plot.root);
  }

  /** The key number measured after `step` steps. */
  add(step: number, key: KeyNumber): void {
    const last = this.points[this.points.length - 1];
    if (last && last.step >= step) this.points.length = 0; // a new run
    this.points.push({ step, key });
    if (this.points.length > HISTORY) this.points.shift();
    const k = this.points.map((p) => p.key);
    this.plot.setData([
      this.points.map((p) => p.step),
      k.map((x) => x.measured),
      k.map((x) => x.measured - x.se),
      k.map((x) => x.measured + x.se),
      k.map((x) => x.exact),
    ]);
  }

  /** Remove the plot from the page. */
  destroy(): void {
    this.plot.destroy();
  }
}
