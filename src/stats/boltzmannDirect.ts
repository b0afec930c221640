/**
 * The Boltzmann reference when no coordinate has to be integrated out
 * ('full': the histogram covers every coordinate; 'separable': the others are
 * fixed at a point, since they factor out of e^{−E/T}): per bin (an interval,
 * or a rectangle for a 2-D histogram) the n-node and 2n-node Gauss–Legendre
 * rules are compared; where they disagree by more than the tolerance the bin
 * is refined adaptively (halved or quartered, to a bounded depth) and the
 * 2n-node value kept. Target error ≤ 1e-9 per bin on smooth potentials.
 *
 * A scan of the box at sub-cell midpoints first gives each bin's lowest
 * energy, E_ref and an estimate of the total. A bin where the scan saw a
 * weight at least twice the largest at the rule's nodes (a feature narrower
 * than the rule resolves) is split down to the scan's spacing before the
 * rules are trusted.
 *
 * Cost (measured, Node 20, one core): 1-D 1000 bins ~5 ms, 2-D 64² ~0.05–0.2 s,
 * 1024² ~2–5 s.
 */
import type { CompiledPotential } from '../potential/index.ts';
import type { HistogramSpec } from '../spec.ts';
import {
  ATOL_PER_BIN,
  boltzmannWeight,
  checkScanMinimum,
  edges,
  energyAt,
  histogramIntegrands,
  integrateBins,
  MAX_DEPTH_1D,
  MAX_DEPTH_2D,
  noiseTolerance,
  settle,
  type Binned,
  type ReferenceEnergy,
} from './boltzmannQuadrature.ts';
import { adaptInterval, adaptRectangle } from './quadrature/adaptive.ts';
import { gaussLegendre, type Rule } from './quadrature/gaussLegendre.ts';
import { ruleOnInterval, ruleOnRectangle, type Integrand1, type Integrand2, type Tally } from './quadrature/tensorRule.ts';

/**
 * Cases 'full' and 'separable': the bins' probabilities ∫_b e^{−E/T} / ∫_box e^{−E/T} over the
 * histogram's axes, the other coordinates held at `fixed`.
 * @param potential compiled potential (its float64 `energy` is used)
 * @param h histogram, already validated
 * @param T temperature (energy units), finite and > 0
 * @param p parameter values
 * @param fixed a point of all D coordinates; the histogram's are overwritten
 * @throws NoReference when the energy is not finite in the box, −∞, or not integrable
 */
export function direct(potential: CompiledPotential, h: HistogramSpec, T: number, p: ArrayLike<number>, fixed: Float64Array): Binned {
  const k = h.dims.length;
  const x = Float64Array.from(fixed);
  const energy = energyAt(potential, x, p);
  const ed = [edges(h, 0), k === 2 ? edges(h, 1) : new Float64Array(0)];
  const scan = scanBox(h, ed, x, energy, T);
  const ref: ReferenceEnergy = { e: scan.emin };
  const weight = boltzmannWeight(ref, T);
  const { f1, f2 } = histogramIntegrands(x, h.dims, () => weight(energy()));

  const total = scan.binMin.length;
  // 2-D: 3×3 vs 6×6 nodes; for large grids (bins ≲ 1/256 of the box side) 2×2 vs 4×4 suffice.
  const n2 = total > 65536 ? 2 : 3;
  const rules: BinRules = {
    lo: gaussLegendre(k === 1 ? 6 : n2),
    hi: gaussLegendre(k === 1 ? 12 : 2 * n2),
    atol: 0,
    rtol: 0,
    scanDepth: scan.depth,
  };
  const out = new Float64Array(total);
  const tally: Tally = { err: 0, maxW: 0 };
  const invT = 1 / T;
  const pass = (zEst: number): number => {
    tally.err = 0;
    rules.atol = ATOL_PER_BIN * zEst;
    rules.rtol = noiseTolerance(ref.e, T);
    // a bin's weight scale: its lowest scanned energy relative to E_ref
    const wScan = (b: number) => {
      tally.maxW = 0;
      return Math.exp((ref.e - scan.binMin[b]) * invT);
    };
    return integrateBins(
      k,
      ed,
      out,
      (b, a, c) => integrateInterval(f1, a, c, wScan(b), rules, tally),
      (b, a0, b0, a1, b1) => integrateRectangle(f2, a0, b0, a1, b1, wScan(b), rules, tally),
    );
  };
  return settle(out, pass, ref, T, scan.zEst, tally);
}

/** What the scan of the box found. */
interface BoxScan {
  /** the lowest energy seen in each bin (row-major) */
  binMin: Float64Array;
  /** the lowest energy seen anywhere: the first E_ref */
  emin: number;
  /** midpoint-rule estimate of ∫_box e^{−(E − emin)/T} */
  zEst: number;
  /** halvings of a bin's side that reach the scan's spacing */
  depth: number;
}

/**
 * Scans the box at the midpoints of s sub-cells per bin and axis (s ≥ 4 and 4096 points along
 * the axis in 1-D; s ≥ 2 and 256 points per axis in 2-D), summing the weights in log space
 * relative to the lowest energy so far.
 * @throws NoReference when the lowest energy seen is −∞ or none is finite
 */
function scanBox(h: HistogramSpec, ed: Float64Array[], x: Float64Array, energy: () => number, T: number): BoxScan {
  const k = h.dims.length;
  const nb = h.bins;
  const total = k === 1 ? nb[0] : nb[0] * nb[1];
  const s = k === 1 ? [Math.max(4, Math.ceil(4096 / nb[0]))] : [Math.max(2, Math.ceil(256 / nb[0])), Math.max(2, Math.ceil(256 / nb[1]))];
  const cell =
    k === 1
      ? (h.high[0] - h.low[0]) / (nb[0] * s[0])
      : ((h.high[0] - h.low[0]) / (nb[0] * s[0])) * ((h.high[1] - h.low[1]) / (nb[1] * s[1]));
  const invT = 1 / T;
  const binMin = new Float64Array(total).fill(Infinity);
  let zRef = Infinity;
  let zSum = 0;
  forEachSubcell(h, ed, s, x, (b) => {
    const e = energy();
    if (e < binMin[b]) binMin[b] = e;
    if (e === Infinity) return;
    if (e < zRef) {
      zSum = zRef === Infinity ? 0 : zSum * Math.exp((e - zRef) * invT);
      zRef = e;
    }
    zSum += Math.exp((zRef - e) * invT);
  });
  let emin = Infinity;
  for (let b = 0; b < total; b++) if (binMin[b] < emin) emin = binMin[b];
  checkScanMinimum(emin);
  return { binMin, emin, zEst: zSum * cell * Math.exp((emin - zRef) * invT), depth: Math.ceil(Math.log2(Math.max(...s))) };
}

/** Sets the histogram coordinates of `x` to each sub-cell midpoint in turn (row-major) and calls `visit` with its bin. */
function forEachSubcell(h: HistogramSpec, ed: Float64Array[], s: number[], x: Float64Array, visit: (bin: number) => void): void {
  const nb = h.bins;
  const d0 = h.dims[0];
  for (let b0 = 0; b0 < nb[0]; b0++) {
    const a0 = ed[0][b0];
    const w0 = (ed[0][b0 + 1] - a0) / s[0];
    for (let i = 0; i < s[0]; i++) {
      x[d0] = a0 + (i + 0.5) * w0;
      if (h.dims.length === 1) {
        visit(b0);
        continue;
      }
      for (let b1 = 0; b1 < nb[1]; b1++) {
        const a1 = ed[1][b1];
        const w1 = (ed[1][b1 + 1] - a1) / s[1];
        for (let j = 0; j < s[1]; j++) {
          x[h.dims[1]] = a1 + (j + 0.5) * w1;
          visit(b0 * nb[1] + b1);
        }
      }
    }
  }
}

/** The rules and tolerances of one pass, the same for every bin. */
interface BinRules {
  /** the lower- and higher-order Gauss–Legendre rules compared on each piece */
  lo: Rule;
  hi: Rule;
  /** absolute tolerance per bin */
  atol: number;
  /** relative tolerance per piece */
  rtol: number;
  /** depth down to which a flagged bin is split before the rules are trusted */
  scanDepth: number;
}

/**
 * ∫_a^c f over one 1-D bin: the two rules on the whole bin, accepted if they agree and the scan saw
 * no weight `wScan` in the bin above twice the largest at their nodes; otherwise both halves are
 * integrated adaptively (flagged bins first split down to the scan's spacing).
 */
function integrateInterval(f: Integrand1, a: number, c: number, wScan: number, r: BinRules, tally: Tally): number {
  const i1 = ruleOnInterval(f, r.lo, a, c, tally);
  const i2 = ruleOnInterval(f, r.hi, a, c, tally);
  const flagged = wScan > 2 * tally.maxW && wScan * (c - a) > r.atol;
  const dd = Math.abs(i2 - i1);
  if (!flagged && (dd <= r.atol || dd <= r.rtol * Math.abs(i2))) {
    tally.err += dd;
    return i2;
  }
  const m = 0.5 * (a + c);
  const md = flagged ? r.scanDepth : 0;
  const left = adaptInterval(f, r.lo, r.hi, a, m, r.atol / 2, r.rtol, 1, md, MAX_DEPTH_1D, tally);
  return left + adaptInterval(f, r.lo, r.hi, m, c, r.atol / 2, r.rtol, 1, md, MAX_DEPTH_1D, tally);
}

/** ∫∫ f over one 2-D bin [a0, c0] × [a1, c1], as `integrateInterval` does in 1-D (quartering instead of halving). */
function integrateRectangle(
  f: Integrand2,
  a0: number,
  c0: number,
  a1: number,
  c1: number,
  wScan: number,
  r: BinRules,
  tally: Tally,
): number {
  const i1 = ruleOnRectangle(f, r.lo, a0, c0, a1, c1, tally);
  const i2 = ruleOnRectangle(f, r.hi, a0, c0, a1, c1, tally);
  const flagged = wScan > 2 * tally.maxW && wScan * (c0 - a0) * (c1 - a1) > r.atol;
  const dd = Math.abs(i2 - i1);
  if (!flagged && (dd <= r.atol || dd <= r.rtol * Math.abs(i2))) {
    tally.err += dd;
    return i2;
  }
  // The whole bin was just evaluated: the adaptive scheme starts from its quarters (minDepth 1).
  return adaptRectangle(f, r.lo, r.hi, a0, c0, a1, c1, r.atol, r.rtol, 0, flagged ? r.scanDepth : 1, MAX_DEPTH_2D, tally);
}
