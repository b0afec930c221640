import { describe, expect, it } from 'vitest';
import { compilePotential, type CompiledPotential } from '../../src/potential/index.ts';
import type { HistogramSpec } from '../../src/spec.ts';
import { boltzmannReference, type BoltzmannResult } from '../../src/stats/boltzmann.ts';
import { gaussianBins, hist, maxAbsDiff, outer } from './helpers.ts';

/** The probabilities, failing the test with the note if there are none. */
function probs(r: BoltzmannResult, method?: string): Float64Array {
  if ('note' in r) throw new Error(`unexpected note: ${r.note}`);
  if (method) expect(r.method).toBe(method);
  let s = 0;
  let min = Infinity;
  for (const v of r.probabilities) {
    min = Math.min(min, v);
    s += v;
  }
  expect(min).toBeGreaterThanOrEqual(0);
  expect(s).toBeCloseTo(1, 12);
  return r.probabilities;
}

function note(r: BoltzmannResult): string {
  if (!('note' in r)) throw new Error(`expected a note, got method ${r.method}`);
  return r.note;
}

/** Composite Simpson reference for a 1-D histogram: `sub` (even) panels per bin. */
function simpsonBins(E: (x: number) => number, T: number, h: HistogramSpec, sub: number): Float64Array {
  const B = h.bins[0];
  const out = new Float64Array(B);
  let emin = Infinity;
  for (let i = 0; i <= B * sub; i++) emin = Math.min(emin, E(h.low[0] + ((h.high[0] - h.low[0]) * i) / (B * sub)));
  let z = 0;
  for (let b = 0; b < B; b++) {
    const a = h.low[0] + ((h.high[0] - h.low[0]) * b) / B;
    const w = (h.high[0] - h.low[0]) / B / sub;
    let s = 0;
    for (let i = 0; i <= sub; i++) s += (i === 0 || i === sub ? 1 : i % 2 ? 4 : 2) * Math.exp(-(E(a + i * w) - emin) / T);
    out[b] = (s * w) / 3;
    z += out[b];
  }
  return out.map((v) => v / z);
}

describe('boltzmannReference: closed forms (full)', () => {
  it('1-D harmonic, several k, T and boxes, against erf bin masses to 1e-9', () => {
    const cases: [k: number, T: number, low: number, high: number, bins: number][] = [
      [1, 1, -4, 4, 64],
      [10, 0.1, -1, 2, 100],
      [0.01, 5, -3, 3, 7],
      [4, 2, 0.5, 3, 33], // box off-centre: normalised over the box
      [1, 0.5, 2, 5, 30], // box in the tail: erfc differences
      [1, 1, -5, 5, 1000],
      [1, 1, -1, 1, 1],
    ];
    for (const [k, T, low, high, bins] of cases) {
      const pot = compilePotential({ name: 'harmonic', params: { k } }, 1);
      const p = probs(boltzmannReference(pot, hist([0], [bins], [low], [high]), T), 'full');
      expect(maxAbsDiff(p, gaussianBins(T / k, low, high, bins)), `k=${k} T=${T} [${low},${high}) ×${bins}`).toBeLessThan(1e-9);
    }
  });

  it('a spike much narrower than a bin (k = 10^4, T = 0.01, 10 bins)', () => {
    const pot = compilePotential({ name: 'harmonic', params: { k: 1e4 } }, 1);
    const p = probs(boltzmannReference(pot, hist([0], [10], [-5], [5]), 0.01));
    expect(maxAbsDiff(p, gaussianBins(1e-6, -5, 5, 10))).toBeLessThan(1e-9);
    // the same spike off a bin edge
    const q = probs(boltzmannReference(pot, hist([0], [9], [-4.3], [5.1]), 0.01));
    expect(maxAbsDiff(q, gaussianBins(1e-6, -4.3, 5.1, 9))).toBeLessThan(1e-9);
  });

  it('parameters override paramValues', () => {
    const pot = compilePotential({ name: 'harmonic', params: { k: 1 } }, 1);
    const p = probs(boltzmannReference(pot, hist([0], [40], [-2], [2]), 1, [9]));
    expect(maxAbsDiff(p, gaussianBins(1 / 9, -2, 2, 40))).toBeLessThan(1e-9);
  });

  it('2-D harmonic with different k per axis: product of erf differences, row-major (last axis fastest)', () => {
    const pot = compilePotential({ name: 'harmonic', params: { k: [1, 3] } }, 2);
    const T = 0.7;
    const p = probs(boltzmannReference(pot, hist([0, 1], [48, 40], [-4, -3], [4, 2]), T), 'full');
    expect(maxAbsDiff(p, outer(gaussianBins(T / 1, -4, 4, 48), gaussianBins(T / 3, -3, 2, 40)))).toBeLessThan(1e-9);
    // axes swapped: coordinate 1 is now the first (slow) histogram axis
    const q = probs(boltzmannReference(pot, hist([1, 0], [40, 48], [-3, -4], [2, 4]), T), 'full');
    expect(maxAbsDiff(q, outer(gaussianBins(T / 3, -3, 2, 40), gaussianBins(T / 1, -4, 4, 48)))).toBeLessThan(1e-9);
  });

  it('1-D double well (x² − 1)² against a brute-force Simpson sum to 1e-8', () => {
    const pot = compilePotential({ expr: '(x^2 - 1)^2' }, 1);
    const h = hist([0], [40], [-2], [2]);
    for (const T of [0.05, 0.3, 1]) {
      const p = probs(boltzmannReference(pot, h, T), 'full');
      const ref = simpsonBins((x) => (x * x - 1) ** 2, T, h, 2000);
      expect(maxAbsDiff(p, ref), `T=${T}`).toBeLessThan(1e-8);
    }
  });
});

describe('boltzmannReference: other coordinates', () => {
  it('2-D histogram of a 3-D separable potential → separable, product of erf differences', () => {
    const pot = compilePotential({ name: 'harmonic', params: { k: [1, 2, 5] } }, 3);
    const T = 0.8;
    const p = probs(boltzmannReference(pot, hist([2, 0], [30, 36], [-1.5, -3], [1, 3]), T), 'separable');
    expect(maxAbsDiff(p, outer(gaussianBins(T / 5, -1.5, 1, 30), gaussianBins(T, -3, 3, 36)))).toBeLessThan(1e-9);
  });

  it('a non-quadratic separable potential agrees with the full 2-D reference of its histogram part', () => {
    const pot3 = compilePotential({ expr: '(x^2 - 1)^2 + 0.5*y^2 + z^4 + sin(z)' }, 3);
    const pot2 = compilePotential({ expr: '(x^2 - 1)^2 + 0.5*y^2' }, 2);
    const h = hist([0, 1], [24, 20], [-2, -3], [2, 3]);
    const a = probs(boltzmannReference(pot3, h, 0.4), 'separable');
    const b = probs(boltzmannReference(pot2, h, 0.4), 'full');
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-12);
  });

  it('1-D histogram of a 2-D correlated Gaussian ½(x² + y² + 1.6xy): integrated, marginal variance T·Σ_xx', () => {
    const pot = compilePotential({ expr: '0.5*(x^2 + y^2 + 1.6*x*y)' }, 2);
    // K = [[1, 0.8], [0.8, 1]], Σ = K⁻¹, Σ_xx = 1/(1 − 0.64)
    for (const T of [1, 0.3]) {
      for (const dim of [0, 1]) {
        const p = probs(boltzmannReference(pot, hist([dim], [64], [-4], [5]), T), 'integrated');
        expect(maxAbsDiff(p, gaussianBins(T / 0.36, -4, 5, 64)), `T=${T} dim=${dim}`).toBeLessThan(1e-9);
      }
    }
  });

  it('2-D histogram of a non-separable 3-D potential: integrated (z | x, y is Gaussian around 1.5xy)', () => {
    // E = ½(x² + 2y²) + ½(z − 1.5xy)²: ∫dz e^{−E/T} ∝ e^{−(x² + 2y²)/2T}
    const pot = compilePotential({ expr: '0.5*(x^2 + 2*y^2) + 0.5*(z - 1.5*x*y)^2' }, 3);
    const T = 0.5;
    const p = probs(boltzmannReference(pot, hist([0, 1], [20, 16], [-3, -2], [3, 2]), T), 'integrated');
    expect(maxAbsDiff(p, outer(gaussianBins(T, -3, 3, 20), gaussianBins(T / 2, -2, 2, 16)))).toBeLessThan(1e-9);
  });

  it('1-D histogram of a non-separable 3-D potential: integrated over two coordinates', () => {
    // E = ½x² + ½(y − x)² + ½(z − xy)²: the x-marginal is N(0, T)
    const pot = compilePotential({ expr: '0.5*x^2 + 0.5*(y - x)^2 + 0.5*(z - x*y)^2' }, 3);
    const p = probs(boltzmannReference(pot, hist([0], [12], [-3], [3]), 0.5), 'integrated');
    expect(maxAbsDiff(p, gaussianBins(0.5, -3, 3, 12))).toBeLessThan(1e-9);
  });

  it('Müller–Brown x-marginal (integrated over y) against a brute-force 2-D Simpson sum to 1e-8', () => {
    const mb = compilePotential({ name: 'mueller-brown' }, 2);
    const T = 10;
    const h = hist([0], [20], [-1.5], [1.2]);
    const p = probs(boltzmannReference(mb, h, T), 'integrated');
    // Simpson over x (40 panels per bin) × y ∈ [−3, 4] (1400 panels); weights e^{−(E + 150)/T}
    const x = new Float64Array(2);
    const w = (i: number, n: number) => (i === 0 || i === n ? 1 : i % 2 ? 4 : 2);
    const ref = new Float64Array(20);
    for (let b = 0; b < 20; b++) {
      for (let i = 0; i <= 40; i++) {
        x[0] = -1.5 + (2.7 * (b * 40 + i)) / 800;
        let sy = 0;
        for (let j = 0; j <= 1400; j++) {
          x[1] = -3 + (7 * j) / 1400;
          sy += w(j, 1400) * Math.exp(-(mb.energy(x) + 150) / T);
        }
        ref[b] += w(i, 40) * sy;
      }
    }
    const z = ref.reduce((a, v) => a + v, 0);
    expect(
      maxAbsDiff(
        p,
        ref.map((v) => v / z),
      ),
    ).toBeLessThan(1e-8);
  });

  it('D = 4, non-separable → a note; D = 4 with the coupled pair outside the histogram → separable', () => {
    const pot = compilePotential({ expr: 'x^2 + y^2 + z^2 + w^2 + x*w' }, 4);
    const n = note(boltzmannReference(pot, hist([0, 1], [16, 16], [-2, -2], [2, 2]), 1));
    expect(n).toMatch(/2 of 4 coordinates/);
    expect(n).toMatch(/not separable/);
    expect(n).toMatch(/D ≤ 3/);
    const p = probs(boltzmannReference(pot, hist([1, 2], [16, 16], [-2, -2], [2, 2]), 0.5), 'separable');
    expect(maxAbsDiff(p, outer(gaussianBins(0.25, -2, 2, 16), gaussianBins(0.25, -2, 2, 16)))).toBeLessThan(1e-9);
  });

  it('weight that never decays along an integrated coordinate → a note', () => {
    const pot = compilePotential({ expr: 'x^2 + 0.1*sin(x*y)' }, 2);
    expect(note(boltzmannReference(pot, hist([0], [10], [-2], [2]), 1))).toMatch(/does not decay/);
  });
});

describe('boltzmannReference: robustness', () => {
  const harmonic = compilePotential({ name: 'harmonic', params: { k: 1 } }, 1);
  const h = hist([0], [20], [-3], [3]);

  it('temperature ≤ 0 or non-finite → a note', () => {
    for (const T of [0, -1, NaN, Infinity]) expect(note(boltzmannReference(harmonic, h, T))).toMatch(/temperature/);
  });

  it('works in log space: huge energies, tiny temperatures', () => {
    const pot = compilePotential({ expr: '1e6 + 1000*(x^2 - 1)^2' }, 1);
    const p = probs(boltzmannReference(pot, hist([0], [40], [-2], [2]), 1e-3));
    // ±1 are the edges 10 and 30: the mass sits in the four bins around them, symmetrically
    expect(p[9] + p[10] + p[29] + p[30]).toBeCloseTo(1, 12);
    expect(p[9]).toBeCloseTo(p[30], 10);
    expect(p[10]).toBeCloseTo(p[29], 10);
    // the wells are Gaussian to leading order, width √(T/8000): the halves differ by the skew only
    expect(Math.abs(p[9] - 0.25)).toBeLessThan(1e-3);
    const q = probs(boltzmannReference(harmonic, h, 1e-8));
    expect(q[9] + q[10]).toBeCloseTo(1, 12);
  });

  it('a deep well narrower than the scan: the reference energy is lowered on the fly', () => {
    // a well of depth 2000 and width 1e-3 at x = 0.3001: e^{2000} would overflow any fixed reference
    const pot = compilePotential({ expr: '0.5*x^2 - 2000*exp(-(x - 0.3001)^2 / 2e-6)' }, 1);
    const p = probs(boltzmannReference(pot, hist([0], [10], [-2.5], [2.5]), 1));
    expect(p[5]).toBeCloseTo(1, 12);
  });

  it('energy not finite anywhere → a note; −∞ → a note', () => {
    const pot = compilePotential({ expr: 'log(x)' }, 1);
    expect(note(boltzmannReference(pot, hist([0], [10], [-2], [-1]), 1))).toMatch(/not finite/);
    const neg = compilePotential({ expr: '-1/x^2' }, 1);
    expect(note(boltzmannReference(neg, hist([0], [11], [-1], [1]), 1))).toMatch(/not integrable/);
  });

  it('walls: +∞/NaN energies count as zero weight', () => {
    const pot = compilePotential({ expr: 'x^2 + 1e-9*sqrt(x + 1)' }, 1); // NaN for x < −1
    const p = probs(boltzmannReference(pot, hist([0], [20], [-3], [3]), 1));
    for (let b = 0; b < 6; b++) expect(p[b]).toBe(0); // bins below −1.2
    expect(p[6]).toBeGreaterThan(0); // [−1.2, −0.9) holds the wall at −1
  });
});

describe('boltzmannReference: large histograms', () => {
  // Speed is measured by bench/quadrature.ts, not asserted here.
  it('2-D, 1024 × 1024 harmonic: every bin to 1e-9', () => {
    const pot = compilePotential({ name: 'harmonic', params: { k: [1, 3] } }, 2);
    const p = probs(boltzmannReference(pot, hist([0, 1], [1024, 1024], [-4, -3], [4, 2]), 0.7));
    expect(maxAbsDiff(p, outer(gaussianBins(0.7, -4, 4, 1024), gaussianBins(0.7 / 3, -3, 2, 1024)))).toBeLessThan(1e-9);
  });

  it('a coupled 3-D potential with more than 128² bins gets a note instead of minutes of quadrature', () => {
    const pot = compilePotential({ expr: '0.5*(x^2 + 2*y^2) + 0.5*(z - 1.5*x*y)^2' }, 3);
    const r = boltzmannReference(pot, hist([0, 1], [256, 256], [-3, -3], [3, 3]), 1);
    expect('note' in r && r.note).toMatch(/65536 bins would take minutes.*at most 16384 bins/);
  });
});
