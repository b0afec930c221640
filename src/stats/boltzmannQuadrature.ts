/**
 * What the two Boltzmann quadrature drivers (boltzmannDirect.ts,
 * boltzmannIntegrated.ts) share: the tolerances, the bin edges, the weight
 * e^{−(E − E_ref)/T} relative to a reference energy E_ref, and `settle`, the
 * loop that repeats a quadrature pass until E_ref and the tolerances are
 * consistent with what the pass found, then normalises.
 *
 * E_ref starts as the smallest energy a scan of the box found. Should the
 * quadrature meet an energy so far below it that the weight would overflow
 * (exponent > 700, e^700 ≈ 1e304), the pass is abandoned and restarted with
 * E_ref lowered to that energy; so no weight under- or overflows however
 * small T is.
 */
import type { CompiledPotential } from '../potential/index.ts';
import type { HistogramSpec } from '../spec.ts';
import type { Integrand1, Integrand2, Tally } from './quadrature/tensorRule.ts';

/** Thrown with the note that explains why there is no reference; `boltzmannReference` returns it as `{ note }`. */
export class NoReference extends Error {}

/**
 * Integrate every bin of a 1-D or 2-D histogram (row-major, the last axis
 * fastest) with `bin1` over [a, b] or `bin2` over [a0, b0] × [a1, b1], writing
 * out[b]; returns the sum, added in bin order.
 * @param axes 1 or 2, the histogram's axes
 * @param ed the bin edges per axis
 */
export function integrateBins(
  axes: number,
  ed: Float64Array[],
  out: Float64Array,
  bin1: (b: number, a: number, c: number) => number,
  bin2: (b: number, a0: number, b0: number, a1: number, b1: number) => number,
): number {
  const n1 = axes === 1 ? 1 : ed[1].length - 1;
  let z = 0;
  for (let b = 0; b < out.length; b++) {
    const b0 = Math.floor(b / n1);
    const b1 = b - b0 * n1;
    const v = axes === 1 ? bin1(b, ed[0][b], ed[0][b + 1]) : bin2(b, ed[0][b0], ed[0][b0 + 1], ed[1][b1], ed[1][b1 + 1]);
    out[b] = v;
    z += v;
  }
  return z;
}

/** Relative tolerance per piece, and the absolute one per bin as a fraction of the (estimated) total. */
const RTOL = 1e-10;
export const ATOL_PER_BIN = 1e-12;
/** Recursion depth limits (halvings of a bin's side). */
export const MAX_DEPTH_1D = 24;
export const MAX_DEPTH_2D = 8;
/** Largest exponent −(E − E_ref)/T allowed before the reference is lowered (e^700 ≈ 1e304). */
const MAX_EXPONENT = 700;

/**
 * The relative tolerance the energy's own rounding allows: E near E_ref carries an absolute error of
 * a few ulps of |E_ref|, which e^{−E/T} turns into a relative error ~ε|E_ref|/T of every weight
 * (e.g. E ≈ 10^6 at T = 10^-3: ~1e-7). Asking the rules to agree more closely than that only
 * makes the recursion chase noise to its depth limit.
 */
export function noiseTolerance(eRef: number, T: number): number {
  return Math.max(RTOL, 64 * Number.EPSILON * (Math.abs(eRef) / T + 50));
}

/** Edges low + (high − low)·b/bins of histogram axis `a`, b = 0…bins, with the last exactly high. */
export function edges(h: HistogramSpec, a: number): Float64Array {
  const n = h.bins[a];
  const e = new Float64Array(n + 1);
  for (let b = 0; b <= n; b++) e[b] = h.low[a] + ((h.high[a] - h.low[a]) * b) / n;
  e[n] = h.high[a];
  return e;
}

/** E(x) with the parameters `p`, NaN counted as +∞ (zero weight), read from `x` at each call. */
export function energyAt(potential: CompiledPotential, x: Float64Array, p: ArrayLike<number>): () => number {
  return () => {
    const e = potential.energy(x, p);
    return e === e ? e : Infinity;
  };
}

/** The integrands over the histogram's axes: they set the histogram coordinates of `x` to u (and v), then return `value()`. */
export function histogramIntegrands(x: Float64Array, dims: number[], value: () => number): { f1: Integrand1; f2: Integrand2 } {
  const d0 = dims[0];
  const d1 = dims.length === 2 ? dims[1] : -1;
  const f1: Integrand1 = (u) => {
    x[d0] = u;
    return value();
  };
  const f2: Integrand2 = (u, v) => {
    x[d0] = u;
    x[d1] = v;
    return value();
  };
  return { f1, f2 };
}

/** The smallest energy a scan found must be finite: else there is no reference. */
export function checkScanMinimum(emin: number): void {
  if (emin === -Infinity)
    throw new NoReference('no Boltzmann reference: the energy is −∞ somewhere in the box, so e^{−E/T} is not integrable');
  if (!Number.isFinite(emin)) throw new NoReference('no Boltzmann reference: the energy is not finite anywhere the scan of the box looked');
}

/** The reference energy E_ref, shared by the weight closures and lowered by `settle`. */
export interface ReferenceEnergy {
  e: number;
}

/** Thrown by a weight that would overflow: the pass restarts with E_ref = energy. */
class LowerEnergy {
  constructor(readonly energy: number) {}
}

/** E ↦ e^{−(E − E_ref)/T}; an energy so far below E_ref that the weight would overflow abandons the pass. */
export function boltzmannWeight(ref: ReferenceEnergy, T: number): (e: number) => number {
  const invT = 1 / T;
  return (e) => {
    const a = (ref.e - e) * invT;
    if (a > MAX_EXPONENT) throw new LowerEnergy(e);
    return Math.exp(a);
  };
}

/** Normalised bin probabilities and the error estimate of the pass that gave them (see `BoltzmannResult`). */
export interface Binned {
  probabilities: Float64Array;
  errorEstimate: number;
}

/**
 * Runs `pass` until E_ref is stable and the absolute tolerance was set from a total no more than
 * 10× too large (at most 8 passes), then normalises `out` in place.
 * @param out the bins, filled by `pass`
 * @param pass fills `out` with each bin's ∫ e^{−(E − E_ref)/T}, its absolute tolerance set from
 *   `zEst`, the current estimate of their total; returns their sum
 * @param ref E_ref; lowered here whenever a pass meets a much lower energy
 * @param T temperature (energy units)
 * @param zEst first estimate of the total (relative to e^{−E_ref/T})
 * @param tally where the pass accumulates its error estimate
 * @throws NoReference when the energy is −∞, the total is 0 or not finite, or E_ref never settles
 */
export function settle(
  out: Float64Array,
  pass: (zEst: number) => number,
  ref: ReferenceEnergy,
  T: number,
  zEst: number,
  tally: Tally,
): Binned {
  const start = ref.e;
  for (let attempt = 0; attempt < 8; attempt++) {
    let z: number;
    try {
      z = pass(zEst);
    } catch (e) {
      if (!(e instanceof LowerEnergy)) throw e;
      if (e.energy === -Infinity)
        throw new NoReference('no Boltzmann reference: the energy is −∞ somewhere in the box, so e^{−E/T} is not integrable');
      zEst *= Math.exp((e.energy - ref.e) / T);
      ref.e = e.energy;
      continue;
    }
    if (!(z > 0) || !Number.isFinite(z)) throw new NoReference(unresolvedNote(z, ref.e, start));
    if (z < 0.1 * zEst) {
      zEst = z;
      continue;
    }
    for (let b = 0; b < out.length; b++) out[b] /= z;
    return { probabilities: out, errorEstimate: tally.err / z };
  }
  throw new NoReference(
    `no Boltzmann reference: the quadrature did not settle: the energy kept reaching lower values (down to ${ref.e.toPrecision(4)}, the scan's minimum was ${start.toPrecision(4)}); it may be unbounded below, and then e^{−E/T} is not integrable`,
  );
}

/** Why a total of 0 or ∞ (relative to e^{−E_ref/T}) came out, given E_ref now and at the start. */
function unresolvedNote(z: number, eRef: number, start: number): string {
  const found =
    eRef < start
      ? `the quadrature found energies down to ${eRef.toPrecision(4)}, far below the scan's minimum ${start.toPrecision(4)}`
      : `E_min = ${eRef.toPrecision(4)} is the lowest energy the scan found`;
  return (
    `no Boltzmann reference: ∫ e^{−E/T} over the box came out ${z > 0 ? 'not finite' : '0'} relative to e^{−E_min/T} (${found}): ` +
    'the weight is concentrated where the quadrature cannot resolve it, or the energy is unbounded below (e.g. a 1/x² singularity) and e^{−E/T} is not integrable'
  );
}
