/**
 * Live plots of the demo (uPlot): the x-marginal histogram against the exact
 * Boltzmann curve, the KL(t) relaxation curve, and T(t), ⟨E⟩(t), best energy.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const WIDTH = 360;
const HEIGHT = 160;
const HISTORY = 600;

export interface Sample {
  step: number;
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

export class Plots {
  private readonly marginal: uPlot;
  private readonly relaxation: uPlot;
  private readonly energy: uPlot;
  private readonly diffusion: uPlot;
  private readonly history: Sample[] = [];

  constructor(container: HTMLElement) {
    const axisStroke = '#9ab';
    const axes = [{ stroke: axisStroke, grid: { stroke: '#333' } }, { stroke: axisStroke, grid: { stroke: '#333' } }];
    this.marginal = new uPlot(
      { title: 'x: histogram vs exp(−E/T)/Z', width: WIDTH, height: HEIGHT, axes, scales: { x: { time: false } }, series: [{}, { label: 'particles', stroke: '#6cf', fill: 'rgba(100,200,255,0.25)', paths: uPlot.paths.stepped!({ align: 1 }) }, { label: 'Boltzmann', stroke: '#fc6', width: 2 }] },
      [[], [], []],
      container,
    );
    this.relaxation = new uPlot(
      { title: 'KL(q‖p): relaxation', width: WIDTH, height: HEIGHT, axes, scales: { x: { time: false }, y: { distr: 3 } }, series: [{ label: 'step' }, { label: 'KL', stroke: '#f88', width: 2 }] },
      [[], []],
      container,
    );
    this.energy = new uPlot(
      { title: 'temperature and energy', width: WIDTH, height: HEIGHT, axes, scales: { x: { time: false } }, series: [{ label: 'step' }, { label: 'T', stroke: '#fc6' }, { label: '⟨E⟩', stroke: '#6cf' }, { label: 'best E', stroke: '#8f8' }] },
      [[], [], [], []],
      container,
    );
    this.diffusion = new uPlot(
      { title: 'mean-square displacement vs 2DTt', width: WIDTH, height: HEIGHT, axes, scales: { x: { time: false } }, series: [{ label: 'step' }, { label: 'MSD', stroke: '#6cf', width: 2 }, { label: '2DTt', stroke: '#fc6', dash: [6, 4] }] },
      [[], [], []],
      container,
    );
  }

  /** The marginal: bin centres, sampled and exact densities (per unit length). */
  setMarginal(centres: number[], sampled: number[], exact: number[] | undefined): void {
    this.marginal.setData([centres, sampled, exact ?? centres.map(() => null as unknown as number)]);
  }

  add(s: Sample): void {
    this.history.push(s);
    if (this.history.length > HISTORY) this.history.shift();
    const steps = this.history.map((h) => h.step);
    this.relaxation.setData([steps, this.history.map((h) => (h.kl > 0 ? h.kl : null as unknown as number))]);
    this.energy.setData([steps, this.history.map((h) => h.temperature), this.history.map((h) => h.meanEnergy), this.history.map((h) => h.bestEnergy)]);
    this.diffusion.setData([steps, this.history.map((h) => h.msd), this.history.map((h) => (Number.isFinite(h.einstein) ? h.einstein : (null as unknown as number)))]);
  }

  clear(): void {
    this.history.length = 0;
  }
}
