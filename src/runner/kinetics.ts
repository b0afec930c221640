/**
 * The runner's kinetics plots (uPlot), under the result: for a result with
 * `passage`, the survival S(t) on a log axis (S = 0 points left out) with the
 * fitted exponential S(from)·e^{−k(t − from)} over the rate's window; for a
 * result with `work`, the work histogram with markers at ⟨W⟩, Jarzynski's ΔF
 * and the exact ΔF. Each has a caption with the numbers; a new run clears them.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RunResult } from '../index.ts';
import { fmt } from '../summary.ts';
import { markerHook, rangeWithMarkers, stepData, stepSeries, type Marker } from './markers.ts';

type Passage = NonNullable<RunResult['passage']>;
type Work = NonNullable<RunResult['work']>;

const WIDTH = 440;
const HEIGHT = 220;
export const COLORS = { survival: '#c0392b', fit: '#1e7b34', work: '#2471a3', mean: '#8e44ad', jarzynski: '#d35400', exact: '#1e7b34' };

/** What the plots show, for the page's automation hook. */
export interface KineticsData {
  survival?: { time: number[]; S: (number | null)[]; fit: (number | null)[] };
  work?: { edges: number[]; counts: number[]; markers: Marker[] };
}

/** S(t) with S = 0 as gaps (a log axis has no 0), and the fitted exponential over [from, to] (gaps elsewhere). */
export function survivalSeries(p: Passage): Required<KineticsData>['survival'] {
  const { time, S } = p.survival;
  const fit: (number | null)[] = time.map(() => null);
  const rate = p.rate;
  if (rate) {
    // S at the window's start: the survival point nearest `from` (the window starts at one)
    let i0 = 0;
    time.forEach((t, i) => Math.abs(t - rate.from) < Math.abs(time[i0] - rate.from) && (i0 = i));
    const s0 = S[i0];
    time.forEach((t, i) => {
      if (s0 > 0 && t >= rate.from - 1e-12 && t <= rate.to + 1e-12) fit[i] = s0 * Math.exp(-rate.value * (t - rate.from));
    });
  }
  return { time: [...time], S: S.map((s) => (s > 0 ? s : null)), fit };
}

/** The markers of a work section: ⟨W⟩, Jarzynski's ΔF and the exact ΔF (those that exist). */
export function workMarkers(w: Work): Marker[] {
  const markers: Marker[] = [];
  if (w.mean !== null) markers.push({ x: w.mean, color: COLORS.mean, label: '⟨W⟩' });
  if (w.jarzynski) markers.push({ x: w.jarzynski.deltaF, color: COLORS.jarzynski, label: 'ΔF Jarzynski' });
  if (w.reference) markers.push({ x: w.reference.deltaF, color: COLORS.exact, label: 'ΔF exact', dash: [6, 4] });
  return markers;
}

/** `value ± se` with the value in a span the tests (and readers of the page) can find by `data-key`. */
function valueHtml(key: string, value: number, se: number | null | undefined): HTMLSpanElement {
  const span = document.createElement('span');
  const v = document.createElement('span');
  v.dataset.key = key;
  v.dataset.value = String(value);
  v.textContent = fmt(value);
  span.append(v, se !== null && se !== undefined ? ` ± ${fmt(se)}` : '');
  return span;
}

/** A caption from lines of text and value spans. */
function caption(lines: (string | Node)[][]): HTMLElement {
  const c = document.createElement('figcaption');
  lines.forEach((parts, i) => {
    if (i > 0) c.append(document.createElement('br'));
    c.append(...parts);
  });
  return c;
}

/** The survival plot's caption: hits, MFPT or restricted mean (± SE), the tail estimate, the rate and the exact MFPT. */
function passageCaption(p: Passage): HTMLElement {
  const lines: (string | Node)[][] = [
    [`first passage: ${p.hit.toLocaleString('en')} of ${p.particles.toLocaleString('en')} walkers hit (${(100 * p.fraction).toFixed(2)}%)`],
  ];
  if (p.mfpt) lines.push(['mean first-passage time ', valueHtml('mfpt', p.mfpt.value, p.mfpt.standardError), ' (every walker hit)']);
  else if (p.restrictedMean) {
    const r = p.restrictedMean;
    lines.push([
      'restricted mean E[min(τ, t_end)] ',
      valueHtml('restricted-mean', r.value, r.standardError),
      ` (t_end = ${fmt(r.horizon)}; not every walker hit)`,
    ]);
    if (p.tailEstimate) lines.push(['with an exponential tail past t_end: ', valueHtml('tail-estimate', p.tailEstimate.value, null)]);
  }
  if (p.rate)
    lines.push([
      'fitted rate k ',
      valueHtml('rate', p.rate.value, p.rate.standardError),
      ` over t ∈ [${fmt(p.rate.from)}, ${fmt(p.rate.to)}] (green: S(from)·e^{−k(t − from)})`,
    ]);
  else lines.push(['no escape rate fitted (too few events where ln S is linear)']);
  if (p.reference) lines.push(['exact MFPT ', valueHtml('exact-mfpt', p.reference.mfpt, null), ` (${p.reference.method})`]);
  return caption(lines);
}

/** The work plot's caption: ⟨W⟩, Jarzynski's ΔF, the exact ΔF and the dissipated work. */
function workCaption(w: Work): HTMLElement {
  const lines: (string | Node)[][] = [
    [
      `work W of ${w.particles.toLocaleString('en')} walkers over the ${w.protocol} protocol at T = ${fmt(w.temperature)}${w.nonFinite > 0 ? ` (${w.nonFinite} non-finite left out)` : ''}`,
    ],
  ];
  if (w.mean !== null) lines.push(['⟨W⟩ ', valueHtml('mean-work', w.mean, w.standardError), ' (purple)']);
  if (w.jarzynski)
    lines.push([
      'Jarzynski ΔF = −T ln⟨e^{−W/T}⟩ ',
      valueHtml('jarzynski', w.jarzynski.deltaF, w.jarzynski.standardError),
      ` (orange; ${fmt(w.jarzynski.effectiveSamples)} effective samples)`,
    ]);
  if (w.reference) lines.push(['exact ΔF ', valueHtml('exact-deltaF', w.reference.deltaF, null), ` (dashed green; ${w.reference.method})`]);
  if (w.dissipated) lines.push(['dissipated ⟨W⟩ − ΔF ', valueHtml('dissipated', w.dissipated.value, w.dissipated.standardError)]);
  return caption(lines);
}

export class KineticsPlots {
  private readonly plots: uPlot[] = [];
  private shown: KineticsData = {};

  constructor(private readonly container: HTMLElement) {
    container.hidden = true;
  }

  /** Show the kinetics of a result (none: the plots are cleared). */
  show(result: RunResult): void {
    this.clear();
    if (result.passage) this.survival(result.passage);
    if (result.work) this.work(result.work);
    this.container.hidden = this.plots.length === 0;
  }

  /** Remove the plots (a new run starts). */
  clear(): void {
    for (const p of this.plots) p.destroy();
    this.plots.length = 0;
    this.shown = {};
    this.container.replaceChildren();
    this.container.hidden = true;
  }

  /** What the plots show now. */
  data(): KineticsData {
    return structuredClone(this.shown);
  }

  private figure(name: string): HTMLElement {
    const f = document.createElement('figure');
    f.dataset.plot = name;
    this.container.append(f);
    return f;
  }

  private survival(p: Passage): void {
    const s = survivalSeries(p);
    const f = this.figure('survival');
    const opts: uPlot.Options = {
      title: 'survival S(t): walkers not yet in the region',
      width: WIDTH,
      height: HEIGHT,
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ label: 'time' }, { label: 'S(t)' }],
      series: [
        { label: 't' },
        { label: 'S', stroke: COLORS.survival, width: 2, points: { size: 4 } },
        { label: 'fit', stroke: COLORS.fit, width: 2, dash: [6, 4], points: { show: false } },
      ],
    };
    this.plots.push(new uPlot(opts, [s.time, s.S as number[], s.fit as number[]], f));
    f.append(passageCaption(p));
    this.shown.survival = s;
  }

  private work(w: Work): void {
    const markers = workMarkers(w);
    const f = this.figure('work');
    const opts: uPlot.Options = {
      title: 'work W: histogram over the walkers',
      width: WIDTH,
      height: HEIGHT,
      scales: { x: { time: false, range: rangeWithMarkers(() => markers) }, y: { range: (_u, _min, max) => [0, (max ?? 1) * 1.15 || 1] } },
      axes: [{ label: 'W (energy)' }, { label: 'walkers' }],
      series: [{ label: 'W' }, stepSeries('walkers', COLORS.work, 'rgba(36,113,163,0.2)')],
      hooks: { draw: [markerHook(() => markers)] },
    };
    this.plots.push(new uPlot(opts, stepData(w.histogram), f));
    f.append(workCaption(w));
    this.shown.work = { edges: [...w.histogram.edges], counts: [...w.histogram.counts], markers };
  }
}
