/** Closed-form values, minima and Boltzmann integrals of the built-in potentials. */
import { describe, expect, it } from 'vitest';
import { CATALOG, compilePotential } from '../../src/potential/index.ts';

/** ∫_a^b f by composite Simpson with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** Standard normal CDF Φ(z), by quadrature of the density. */
function normalCdf(z: number): number {
  return 0.5 + simpson((t) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI), 0, z, 20000);
}

describe('closed-form energies', () => {
  it('harmonic with k = [1, 4] at (1, 2) is ½(1·1 + 4·4) = 8.5; a scalar k is broadcast', () => {
    expect(compilePotential({ name: 'harmonic', params: { k: [1, 4] } }, 2).energy([1, 2])).toBe(8.5);
    expect(compilePotential({ name: 'harmonic', params: { k: 3 } }, 3).energy([1, 1, 1])).toBe(4.5);
    expect(compilePotential({ name: 'harmonic' }, 16).energy(new Array(16).fill(2))).toBe(32);
  });

  it('double wells: minima at x0 = ±1 with value 0 (or ∓c when tilted), barrier h at 0, transverse ½k x²', () => {
    const dw = compilePotential({ name: 'double-well', params: { h: 2, k: 3 } }, 3);
    expect(dw.energy([1, 0, 0])).toBe(0);
    expect(dw.energy([-1, 0, 0])).toBe(0);
    expect(dw.energy([0, 0, 0])).toBe(2);
    expect(dw.energy([1, 1, -2])).toBe(7.5);
    const tw = compilePotential({ name: 'tilted-double-well' }, 1);
    expect(tw.energy([1])).toBe(0.25);
    expect(tw.energy([-1])).toBe(-0.25);
    expect(tw.energy([0])).toBe(1);
  });

  it('Müller–Brown: global minimum −146.70 at (−0.558, 1.442), a true local minimum', () => {
    const mb = compilePotential({ name: 'mueller-brown' }, 2);
    expect(mb.energy([-0.558, 1.442])).toBeCloseTo(-146.7, 2);
    const g = new Float64Array(2);
    mb.gradient([-0.558, 1.442], g);
    // Small compared with the typical gradient of this surface (hundreds).
    expect(Math.hypot(g[0], g[1])).toBeLessThan(0.3);
    // Gradient descent from there stays put (converges within 1e-3) ...
    let x = [-0.558, 1.442];
    for (let i = 0; i < 20000; i++) {
      mb.gradient(x, g);
      x = [x[0] - 1e-4 * g[0], x[1] - 1e-4 * g[1]];
    }
    expect(Math.hypot(x[0] + 0.558, x[1] - 1.442)).toBeLessThan(1e-3);
    mb.gradient(x, g);
    expect(Math.hypot(g[0], g[1])).toBeLessThan(1e-6);
    const emin = mb.energy(x);
    expect(emin).toBeCloseTo(-146.6995, 3);
    // ... and every point on a small ring around it is higher.
    for (let j = 0; j < 16; j++) {
      const a = (2 * Math.PI * j) / 16;
      expect(mb.energy([x[0] + 0.01 * Math.cos(a), x[1] + 0.01 * Math.sin(a)])).toBeGreaterThan(emin);
    }
    // The scale parameter multiplies the energy.
    expect(compilePotential({ name: 'mueller-brown', params: { scale: 0.1 } }, 2).energy(x)).toBeCloseTo(0.1 * emin, 10);
  });

  it('rastrigin is 0 at the origin and A·(number of odd half-integers) at ±½ lattice points', () => {
    for (const dims of [1, 2, 3, 16]) {
      const r = compilePotential({ name: 'rastrigin' }, dims);
      expect(r.energy(new Array(dims).fill(0))).toBe(0);
      // x_i = 1: x² − A cos 2π = 1 − A, plus A per dimension: E = D.
      expect(r.energy(new Array(dims).fill(1))).toBeCloseTo(dims, 12);
    }
  });

  it('himmelblau is 0 at its four minima', () => {
    const h = compilePotential({ name: 'himmelblau' }, 2);
    expect(h.energy([3, 2])).toBe(0);
    for (const m of [
      [-2.805118, 3.131312],
      [-3.77931, -3.283186],
      [3.584428, -1.848126],
    ])
      expect(h.energy(m)).toBeLessThan(1e-9);
    expect(h.energy([0, 0])).toBe(170);
  });

  it('ackley is 0 at the origin (within 1e-12) and positive elsewhere', () => {
    for (const dims of [1, 2, 3, 16]) {
      const a = compilePotential({ name: 'ackley' }, dims);
      expect(Math.abs(a.energy(new Array(dims).fill(0)))).toBeLessThan(1e-12);
      expect(a.energy(new Array(dims).fill(0.5))).toBeGreaterThan(1);
    }
  });

  // D = 4 also guards against the parameter w being read as the fourth coordinate.
  it('gaussian-mixture equals the naive −log of the mixture, and stays finite far out', () => {
    const [m, w, s] = [1.2, 0.3, 0.7];
    const pot = compilePotential({ name: 'gaussian-mixture', params: { m, w, s } }, 4);
    const naive = (x: number[]) => {
      const r2 = x[1] ** 2 + x[2] ** 2 + x[3] ** 2;
      return -Math.log(w * Math.exp(-((x[0] - m) ** 2 + r2) / (2 * s * s)) + (1 - w) * Math.exp(-((x[0] + m) ** 2 + r2) / (2 * s * s)));
    };
    for (const x of [
      [0, 0, 0, 0],
      [1.2, 0, 0, 0.3],
      [-1, 0.5, -0.3, 1],
      [2.5, -1, 1, -0.2],
      [-3, 2, 0.1, 0.5],
    ]) {
      expect(pot.energy(x)).toBeCloseTo(naive(x), 12);
    }
    // Where the naive form underflows to −log(0) = ∞, the rewritten one is the nearer component's quadratic.
    expect(Number.isFinite(naive([200, 0, 0, 0]))).toBe(false);
    expect(pot.energy([200, 0, 0, 0])).toBeCloseTo((200 - m) ** 2 / (2 * s * s) - Math.log(w), 8);
    expect(pot.energy([-200, 0, 0, 0])).toBeCloseTo((200 - m) ** 2 / (2 * s * s) - Math.log(1 - w), 8);
  });
});

describe('Boltzmann integrals at T = 1 (what quadrature will compute)', () => {
  it('gaussian-mixture: ∫e^{−E} = √(2π)·s and the weight of x > 0 is w Φ(m/s) + (1−w)(1 − Φ(m/s))', () => {
    const [m, w, s] = [1.5, 0.3, 0.5];
    const pot = compilePotential({ name: 'gaussian-mixture', params: { m, w, s } }, 1);
    const f = (x: number) => Math.exp(-pot.energy([x]));
    const total = simpson(f, -12, 12);
    expect(total).toBeCloseTo(Math.sqrt(2 * Math.PI) * s, 10);
    const phi = normalCdf(m / s);
    expect(simpson(f, 0, 12) / total).toBeCloseTo(w * phi + (1 - w) * (1 - phi), 9);
  });

  it('harmonic: ∫e^{−E} over one dimension is √(2π/k)', () => {
    const pot = compilePotential({ name: 'harmonic', params: { k: 4 } }, 1);
    expect(simpson((x) => Math.exp(-pot.energy([x])), -10, 10)).toBeCloseTo(Math.sqrt((2 * Math.PI) / 4), 10);
  });
});

describe('catalog metadata', () => {
  it('every entry compiles at its defaults and its parameters are exactly those in paramNames', () => {
    for (const c of CATALOG) {
      const dims = c.dims === 'any' ? 2 : c.dims;
      const pot = compilePotential({ name: c.name }, dims);
      const expected = Object.entries(c.params).flatMap(([n, p]) =>
        p.perDimension ? Array.from({ length: dims }, (_, i) => `${n}_${i}`) : [n],
      );
      expect(pot.paramNames, c.name).toEqual(expected);
      expect(Array.from(pot.paramValues), c.name).toEqual(
        Object.values(c.params).flatMap((p) => (p.perDimension ? new Array(dims).fill(p.default) : [p.default])),
      );
      expect(pot.name).toBe(c.name);
    }
  });
});
