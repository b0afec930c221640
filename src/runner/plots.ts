/**
 * The runner's live trace plots (uPlot): KL(q‖p) against the Boltzmann
 * reference, the mean energy ⟨E⟩ and the temperature T, each over steps done,
 * one point per trace row; and all three as one PNG.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TraceRow } from '../index.ts';

const WIDTH = 300;
const HEIGHT = 180;

interface Panel {
  title: string;
  plot: uPlot;
  value: (r: TraceRow) => number | null;
}

export class TracePlots {
  private readonly panels: Panel[];
  private readonly rows: TraceRow[] = [];

  constructor(container: HTMLElement) {
    const make = (title: string, label: string, stroke: string, log: boolean, value: Panel['value']): Panel => ({
      title,
      value,
      plot: new uPlot(
        {
          title,
          width: WIDTH,
          height: HEIGHT,
          scales: { x: { time: false }, ...(log ? { y: { distr: 3 } } : {}) },
          axes: [{ label: 'step' }, {}],
          series: [{ label: 'step' }, { label, stroke, width: 2, points: { size: 4 } }],
        },
        [[], []],
        container,
      ),
    });
    this.panels = [
      // KL is plotted on a log axis: rows without a reference (or KL = 0) are gaps
      make('KL(q‖p) vs Boltzmann', 'KL', '#c0392b', true, (r) => (r.kl !== undefined && r.kl > 0 ? r.kl : null)),
      make('mean energy ⟨E⟩', '⟨E⟩', '#2471a3', false, (r) => (Number.isFinite(r.meanEnergy) ? r.meanEnergy : null)),
      make('temperature T', 'T', '#b9770e', false, (r) => r.temperature),
    ];
  }

  /** Append one trace row and redraw. */
  add(row: TraceRow): void {
    this.rows.push(row);
    this.redraw();
  }

  /** Replace every row (e.g. a finished or saved result's trace). */
  set(rows: readonly TraceRow[]): void {
    this.rows.length = 0;
    this.rows.push(...rows);
    this.redraw();
  }

  private redraw(): void {
    const steps = this.rows.map((r) => r.step);
    for (const p of this.panels) p.plot.setData([steps, this.rows.map(p.value) as number[]]);
  }

  /** The three plots side by side, with their titles, on white: a PNG data URL. */
  png(): string {
    const canvases = this.panels.map((p) => p.plot.ctx.canvas);
    const ratio = canvases[0].width / WIDTH;
    const titleHeight = Math.round(24 * ratio);
    const out = document.createElement('canvas');
    out.width = canvases.reduce((w, c) => w + c.width, 0);
    out.height = titleHeight + Math.max(...canvases.map((c) => c.height));
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = '#222';
    ctx.font = `${Math.round(14 * ratio)}px system-ui, sans-serif`;
    ctx.textAlign = 'center';
    let x = 0;
    this.panels.forEach((p, i) => {
      ctx.fillText(p.title, x + canvases[i].width / 2, Math.round(17 * ratio));
      ctx.drawImage(canvases[i], x, titleHeight);
      x += canvases[i].width;
    });
    return out.toDataURL('image/png');
  }
}
