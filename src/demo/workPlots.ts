/**
 * The work plots of a preset whose potential parameters follow a schedule
 * (uPlot, at the top of the plot column): the histogram of every particle's
 * work so far with markers at ⟨W⟩, Jarzynski's ΔF and the exact ΔF, and over
 * the steps ⟨W⟩ and Jarzynski's ΔF against the exact ΔF(step).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RunResult } from '../index.ts';
import { markerHook, rangeWithMarkers, stepData, stepSeries, type Marker } from '../runner/markers.ts';

type Work = NonNullable<RunResult['work']>;

const WIDTH = 360;
const HEIGHT = 160;
/** steps between points of the exact ΔF curve */
const EXACT_EVERY = 100;
const COLORS = { work: '#6cf', mean: '#c9f', jarzynski: '#fc6', exact: '#8f8' };
const gap = null as unknown as number;

/** One observation of the work. */
interface WorkPoint {
  step: number;
  mean: number;
  deltaF: number;
}

export class WorkPlots {
  private readonly root: HTMLElement;
  private readonly histogram: uPlot;
  private readonly history: uPlot;
  private markers: Marker[] = [];
  private readonly points: WorkPoint[] = [];
  /** the exact ΔF at every EXACT_EVERY steps of the protocol (and its last step); empty where it is not known */
  private readonly exact: Map<number, number> = new Map();

  /**
   * @param container the plot column: the plots go first in it
   * @param steps the protocol's steps
   * @param exactDeltaF the exact ΔF after `step` steps, where known
   */
  constructor(container: HTMLElement, steps: number, exactDeltaF?: (step: number) => number) {
    this.root = document.createElement('div');
    this.root.className = 'work-plots';
    container.prepend(this.root);
    if (exactDeltaF) {
      for (let s = 0; s < steps; s += EXACT_EVERY) this.exact.set(s, exactDeltaF(s));
      this.exact.set(steps, exactDeltaF(steps));
    }
    const axisStroke = '#9ab';
    const axes = [
      { stroke: axisStroke, grid: { stroke: '#333' } },
      { stroke: axisStroke, grid: { stroke: '#333' } },
    ];
    this.histogram = new uPlot(
      {
        title: 'histogram of the work W',
        width: WIDTH,
        height: HEIGHT,
        axes,
        scales: {
          x: { time: false, range: rangeWithMarkers(() => this.markers) },
          y: { range: (_u, _min, max) => [0, (max ?? 1) * 1.15 || 1] },
        },
        series: [{ label: 'W' }, stepSeries('particles', COLORS.work, 'rgba(100,200,255,0.25)')],
        hooks: { draw: [markerHook(() => this.markers, 'rgba(24,24,24,0.85)')] },
      },
      [[], []],
      this.root,
    );
    const series: uPlot.Series[] = [
      { label: 'step' },
      { label: 'exact ΔF', stroke: COLORS.exact, width: 2, dash: [6, 4], spanGaps: true, points: { show: false } },
      // the readings are seconds apart: points, not lines that would cut across the tilt's swings
      { label: 'Jarzynski ΔF', stroke: COLORS.jarzynski, paths: () => null, points: { show: true, size: 6, fill: COLORS.jarzynski } },
      { label: '⟨W⟩', stroke: COLORS.mean, paths: () => null, points: { show: true, size: 6, fill: COLORS.mean } },
    ];
    this.history = new uPlot(
      { title: '⟨W⟩ ≥ ΔF (Jarzynski, exact)', width: WIDTH, height: HEIGHT, axes, scales: { x: { time: false } }, series },
      this.curves(),
      this.root,
    );
  }

  /** The work after `step` steps: the histogram and its markers, and a point of ⟨W⟩ and ΔF. */
  add(step: number, w: Work, exactDeltaF: number | undefined): void {
    this.markers = [];
    if (w.mean !== null) this.markers.push({ x: w.mean, color: COLORS.mean, label: '⟨W⟩' });
    if (w.jarzynski) this.markers.push({ x: w.jarzynski.deltaF, color: COLORS.jarzynski, label: 'ΔF Jarzynski' });
    if (exactDeltaF !== undefined) this.markers.push({ x: exactDeltaF, color: COLORS.exact, label: 'ΔF exact', dash: [6, 4] });
    this.histogram.setData(stepData(w.histogram));
    if (exactDeltaF !== undefined) this.exact.set(step, exactDeltaF);
    if (w.mean !== null && w.jarzynski) this.points.push({ step, mean: w.mean, deltaF: w.jarzynski.deltaF });
    this.history.setData(this.curves());
  }

  /** The history chart's data: the steps of the exact curve (the whole protocol) and of the observations, each series with gaps where it has no value. */
  private curves(): uPlot.AlignedData {
    const observed = new Map(this.points.map((p) => [p.step, p]));
    const steps = [...new Set([...this.exact.keys(), ...observed.keys()])].sort((a, b) => a - b);
    return [
      steps,
      steps.map((s) => this.exact.get(s) ?? gap),
      steps.map((s) => observed.get(s)?.deltaF ?? gap),
      steps.map((s) => observed.get(s)?.mean ?? gap),
    ];
  }

  /** Remove the plots from the page. */
  destroy(): void {
    this.histogram.destroy();
    this.history.destroy();
    this.root.remove();
  }
}
