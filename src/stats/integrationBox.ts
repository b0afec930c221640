/**
 * The box over which the 'integrated' Boltzmann reference integrates out the
 * coordinates outside the histogram: found by a grid scan over
 * (histogram box) × [c − R, c + R] per other coordinate, recentred on the
 * lowest energy found and with R doubled along each coordinate whose window
 * faces still carry a weight ≥ 1e-18 of the largest; then shrunk to the grid
 * cells where the weight is above that level, plus one cell.
 *
 * Accuracy: on the scan grid, the weight at the box's faces is below 1e-18 of
 * the largest; what lies beyond is neglected, which is safe for a weight that
 * keeps decaying outwards (not for a second well hidden past a face). A weight
 * that has not decayed at distance 1e12 gives a note instead.
 */
import type { HistogramSpec } from '../spec.ts';
import { checkScanMinimum, NoReference } from './boltzmannQuadrature.ts';

/** ln(1e18): the weight at the bounds of an integrated-out coordinate must be below 1e-18 of the largest. */
const DECAY = Math.log(1e18);

/** The box of the other coordinates and what its scan found. */
export interface IntegrationBox {
  /** lower and upper bound per other coordinate */
  lo: number[];
  hi: number[];
  /** the lowest energy the scan found */
  emin: number;
  /** estimate of the total ∫ e^{−(E − emin)/T} over histogram box × this box */
  zEst: number;
  /** estimate of the largest inner integral (over the other coordinates at one histogram point) */
  innerScale: number;
}

/**
 * The scan grid: gh cell midpoints per histogram axis × go points per other coordinate, spanning
 * [c − R, c + R] ends included; `E` holds the energies of the last scan (histogram point major).
 */
interface Grid {
  h: HistogramSpec;
  others: number[];
  x: Float64Array;
  energy: () => number;
  gh: number;
  go: number;
  /** number of histogram points and of other-coordinate points */
  nh: number;
  no: number;
  /** histogram-axis coordinates of the points, per axis */
  hPts: number[][];
  c: number[];
  R: number[];
  E: Float64Array;
}

/**
 * The box of the coordinates `others` to integrate out, and the scan's E_min, total and largest
 * inner integral (estimates for the tolerances). Also writes coordinates into `x`.
 * @param h the histogram (its axes are scanned at gh cell midpoints: 48 in 1-D, 16 per axis in 2-D)
 * @param T temperature (energy units)
 * @param x a point of all D coordinates, overwritten as the scan goes
 * @param energy E at `x`, NaN counted as +∞
 * @param others the coordinates to integrate out (1 or 2)
 * @throws NoReference when the scan finds no finite energy or −∞, or the weight does not decay
 */
export function integrationBox(h: HistogramSpec, T: number, x: Float64Array, energy: () => number, others: number[]): IntegrationBox {
  const g = grid(h, x, energy, others);
  let res = scan(g);
  for (;;) {
    checkScanMinimum(res.emin);
    const decayed = decayedAlong(g, res.emin, T);
    if (decayed.every(Boolean)) break;
    for (let d = 0; d < others.length; d++) {
      if (decayed[d]) continue;
      // Expand; recentre first when the lowest energy lies in the outer quarter of the window.
      const at = otherAt(g, res.arg, d);
      if (Math.abs(at - g.c[d]) > 0.5 * g.R[d]) g.c[d] = at;
      g.R[d] *= 2;
    }
    if (g.R.some((r) => r > 1e12)) {
      const bad = others.filter((_, d) => !decayed[d]);
      throw new NoReference(
        `no Boltzmann reference: e^{−E/T} does not decay along coordinate(s) ${bad.join(', ')} (the weight at distance 1e12 is still above 1e-18 of its largest), so they cannot be integrated out`,
      );
    }
    res = scan(g);
  }
  return shrink(g, res.emin, T);
}

/** The initial grid: window [−1, 1] around 0 along each other coordinate, 65 points for one, 25 per axis for two. */
function grid(h: HistogramSpec, x: Float64Array, energy: () => number, others: number[]): Grid {
  const k = h.dims.length;
  const m = others.length;
  const gh = k === 1 ? 48 : 16;
  const go = m === 1 ? 65 : 25;
  const hPts: number[][] = [];
  for (let a = 0; a < k; a++) {
    const pts: number[] = [];
    for (let i = 0; i < gh; i++) pts.push(h.low[a] + ((h.high[a] - h.low[a]) * (i + 0.5)) / gh);
    hPts.push(pts);
  }
  const nh = k === 1 ? gh : gh * gh;
  const no = m === 1 ? go : go * go;
  const c = new Array<number>(m).fill(0);
  const R = new Array<number>(m).fill(1);
  return { h, others, x, energy, gh, go, nh, no, hPts, c, R, E: new Float64Array(nh * no) };
}

/** Index along other coordinate `d` (0…go − 1) of the flat other-coordinate point j. */
function indexAlong(g: Grid, j: number, d: number): number {
  return g.others.length === 1 ? j : d === 0 ? Math.floor(j / g.go) : j % g.go;
}

/** Value of other coordinate `d` at the flat other-coordinate point j. */
function otherAt(g: Grid, j: number, d: number): number {
  return g.c[d] - g.R[d] + (2 * g.R[d] * indexAlong(g, j, d)) / (g.go - 1);
}

/** Energies at every grid point into `g.E`; the lowest, and the other-coordinate point where it is. */
function scan(g: Grid): { emin: number; arg: number } {
  const { h, x, gh, nh, no, hPts } = g;
  let emin = Infinity;
  let arg = 0;
  for (let i = 0; i < nh; i++) {
    if (h.dims.length === 1) x[h.dims[0]] = hPts[0][i];
    else {
      x[h.dims[0]] = hPts[0][Math.floor(i / gh)];
      x[h.dims[1]] = hPts[1][i % gh];
    }
    for (let j = 0; j < no; j++) {
      for (let d = 0; d < g.others.length; d++) x[g.others[d]] = otherAt(g, j, d);
      const e = g.energy();
      g.E[i * no + j] = e;
      if (e < emin) {
        emin = e;
        arg = j;
      }
    }
  }
  return { emin, arg };
}

/** Per other coordinate: whether the weight on both faces of the window is below 1e-18 of the largest. */
function decayedAlong(g: Grid, emin: number, T: number): boolean[] {
  const m = g.others.length;
  const decayed = new Array<boolean>(m).fill(true);
  for (let i = 0; i < g.nh; i++) {
    for (let j = 0; j < g.no; j++) {
      if ((g.E[i * g.no + j] - emin) / T > DECAY) continue;
      for (let d = 0; d < m; d++) {
        const idx = indexAlong(g, j, d);
        if (idx === 0 || idx === g.go - 1) decayed[d] = false;
      }
    }
  }
  return decayed;
}

/** The window shrunk to the grid cells holding weight ≥ 1e-18 of the largest, plus one cell; with the scan's estimates. */
function shrink(g: Grid, emin: number, T: number): IntegrationBox {
  const { h, go, c, R } = g;
  const m = g.others.length;
  const loIdx = new Array<number>(m).fill(go - 1);
  const hiIdx = new Array<number>(m).fill(0);
  let zSum = 0;
  let innerMax = 0;
  for (let i = 0; i < g.nh; i++) {
    let row = 0;
    for (let j = 0; j < g.no; j++) {
      const e = g.E[i * g.no + j];
      row += Math.exp((emin - e) / T);
      if ((e - emin) / T > DECAY) continue;
      for (let d = 0; d < m; d++) {
        const idx = indexAlong(g, j, d);
        if (idx < loIdx[d]) loIdx[d] = idx;
        if (idx > hiIdx[d]) hiIdx[d] = idx;
      }
    }
    zSum += row;
    if (row > innerMax) innerMax = row;
  }
  const lo: number[] = [];
  const hi: number[] = [];
  let cellO = 1;
  for (let d = 0; d < m; d++) {
    const step = (2 * R[d]) / (go - 1);
    lo.push(c[d] - R[d] + step * Math.max(0, loIdx[d] - 1));
    hi.push(c[d] - R[d] + step * Math.min(go - 1, hiIdx[d] + 1));
    cellO *= step;
  }
  let cellH = 1;
  for (let a = 0; a < h.dims.length; a++) cellH *= (h.high[a] - h.low[a]) / g.gh;
  return { lo, hi, emin, zEst: zSum * cellO * cellH, innerScale: innerMax * cellO };
}
