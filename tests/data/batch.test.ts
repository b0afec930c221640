/**
 * Mini-batch rows and gradients (CPU reference): Floyd's algorithm draws
 * distinct rows, each row is included with probability B/N in both modes, the
 * full batch without replacement is the full gradient, and the mini-batch
 * gradient is unbiased.
 */
import { describe, expect, it } from 'vitest';
import { batchRows } from '../../src/rng/batch.ts';
import { batchGradient } from '../../src/integrators/batch.ts';
import { prepare } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';

describe('batch rows', () => {
  it.each([true, false])('replace = %s: every row is drawn B/N of the time (5 standard errors)', (replace) => {
    const N = 40;
    const B = 7;
    const M = 20000; // (particle, step) pairs
    const counts = new Float64Array(N);
    const out = new Uint32Array(B);
    for (let m = 0; m < M; m++) {
      batchRows(0x1234, 0x5678, m % 97, Math.floor(m / 97), N, replace, out);
      if (!replace) expect(new Set(out).size).toBe(B);
      for (const r of out) counts[r]++;
    }
    // with replacement: Binomial(M·B, 1/N); without: each row in a batch with p = B/N, Binomial(M, B/N)
    const n = replace ? M * B : M;
    const p = replace ? 1 / N : B / N;
    const se = Math.sqrt(n * p * (1 - p));
    for (const c of counts) expect(Math.abs(c - n * p)).toBeLessThan(5 * se);
  });

  it('B = N without replacement is a permutation', () => {
    const out = new Uint32Array(9);
    batchRows(1, 2, 3, 4, 9, false, out);
    expect([...out].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

const ROWS = Array.from({ length: 30 }, (_, i) => [Math.cos(i), Math.sin(2 * i) + 0.5 * Math.cos(i)]);
const spec = (patch: Record<string, unknown>) => ({
  dims: 2,
  particles: 1,
  dt: 0.01,
  steps: 1,
  potential: { data: { columns: ['u', 'v'], rows: ROWS }, example: '(v - x*u - y)^2/2 + 0.1*x^4', prior: 'x^2 + y^2/4' },
  ...patch,
});

describe('batch gradient', () => {
  it('the full batch without replacement is the full gradient', () => {
    const { potential, spec: s } = prepare(spec({ batch: 30, replace: false }));
    const grad = batchGradient(potential, s.batch!, [7, 9])(3);
    const x = Float64Array.from([0.4, -1.3]);
    const g = new Float64Array(2);
    const full = new Float64Array(2);
    grad(x, g, potential.paramValues, 17);
    potential.gradient(x, full);
    for (let d = 0; d < 2; d++) expect(g[d]).toBeCloseTo(full[d], 12);
  });

  it.each([true, false])('replace = %s: unbiased, the mean over batches is the full gradient (5 standard errors)', (replace) => {
    const { potential, spec: s } = prepare(spec({ batch: 4, replace }));
    const grad = batchGradient(potential, s.batch!, [7, 9])(0);
    const x = Float64Array.from([0.4, -1.3]);
    const g = new Float64Array(2);
    const full = new Float64Array(2);
    potential.gradient(x, full);
    const M = 20000;
    const s1 = [0, 0];
    const s2 = [0, 0];
    for (let n = 0; n < M; n++) {
      grad(x, g, potential.paramValues, n);
      for (let d = 0; d < 2; d++) {
        s1[d] += g[d];
        s2[d] += g[d] * g[d];
      }
    }
    for (let d = 0; d < 2; d++) {
      const mean = s1[d] / M;
      const se = Math.sqrt((s2[d] / M - mean * mean) / M);
      expect(se).toBeGreaterThan(0);
      expect(Math.abs(mean - full[d])).toBeLessThan(5 * se);
    }
  });

  it.each([
    ['batch without data', { potential: { name: 'harmonic' }, batch: 2 }, 'batch', ['needs a potential from data']],
    ['batch 0', { batch: 0 }, 'batch', ['integer from 1 to 30']],
    ['batch above N', { batch: 31 }, 'batch', ['got 31', 'integer from 1 to 30']],
    ['replace not a boolean', { batch: 3, replace: 'no' }, 'replace', ['true', 'false']],
    ['replace without batch', { replace: false }, 'replace', ['give "batch"']],
    ['a batch with mala', { batch: 3, integrator: 'mala' }, 'batch', ['em, lm and baoab', '"mala"', 'full-data energy']],
    ['a batch with hmc', { batch: 3, integrator: 'hmc' }, 'batch', ['em, lm and baoab', '"hmc"']],
  ])('refuses %s', (_label, patch, field, words) => {
    let err: SpecError | undefined;
    try {
      prepare(spec(patch));
    } catch (e) {
      err = e as SpecError;
    }
    expect(err).toBeInstanceOf(SpecError);
    expect(err!.field).toBe(field);
    for (const w of words) expect(err!.message).toContain(w);
  });
});
