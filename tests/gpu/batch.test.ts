/**
 * Mini-batch gradients on the GPU: the rows drawn are bit-identical to the CPU
 * reference (src/rng/batch.ts), and SGD / SGLD trajectories follow the float64
 * CPU backend from the same random numbers.
 */
import { describe, expect, it } from 'vitest';
import { batchRows } from '../../src/rng/batch.ts';
import { batchShader } from '../../src/gpu/batch.ts';
import { commonWGSL, philoxWGSL, preprocess } from '../../src/gpu/shaders.ts';
import testKernel from './kernels/batch_test.wgsl?raw';
import { scoped } from './harness.ts';
import { runKernel } from './run-kernel.ts';
import { runAndRead } from '../support.ts';
import { maxAbsDiff } from '../stats/helpers.ts';

const STUBS = `
fn potential_example_gradient(x: array<f32, D>, row: u32) -> array<f32, D> { return x; }
fn potential_prior_gradient(x: array<f32, D>) -> array<f32, D> { return x; }
`;

/** Inputs (particle, step, key) including extreme counters. */
function inputs(count: number): number[][] {
  const out: number[][] = [
    [0, 0, 0, 0],
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
  ];
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  while (out.length < count) out.push([next(), next() % 100000, next(), next()]);
  return out;
}

async function gpuRows(rows: number, B: number, replace: boolean, ins: number[][]): Promise<Uint32Array> {
  return scoped(async ({ device }) => {
    const code = [
      `const D: u32 = 1u;`,
      `const POTENTIAL_ROWS: u32 = ${rows}u;`,
      commonWGSL,
      philoxWGSL,
      STUBS,
      batchShader({ size: B, replace }, rows),
      preprocess(testKernel, { REPLACE: replace }),
    ].join('\n');
    const [, out] = await runKernel(
      device,
      code,
      [{ data: Uint32Array.from(ins.flat()) }, { data: new Uint32Array(ins.length * B), read: true }],
      [Math.ceil(ins.length / 64)],
    );
    return new Uint32Array(out, 0, ins.length * B);
  });
}

describe('mini-batch rows: CPU and GPU draw the same rows, bit for bit', () => {
  it.each([
    [100, 10, true],
    [100, 10, false],
    [7, 7, false], // a permutation
    [1000, 13, true], // B not a multiple of 4
    [3, 1, true],
    [100000, 37, false],
  ])('N = %i, B = %i, replace = %s', async (N, B, replace) => {
    const ins = inputs(300);
    const gpu = await gpuRows(N, B, replace, ins);
    const cpu = new Uint32Array(ins.length * B);
    ins.forEach(([p, n, k0, k1], i) => batchRows(k0, k1, p, n, N, replace, cpu.subarray(i * B, (i + 1) * B)));
    expect(Buffer.from(gpu.buffer, gpu.byteOffset, gpu.byteLength).equals(Buffer.from(cpu.buffer))).toBe(true);
    expect(Math.max(...cpu)).toBeLessThan(N);
  });
});

// Linear regression, 50 rows: a convex loss, so trajectories contract.
const ROWS = Array.from({ length: 50 }, (_, i) => {
  const u = Math.cos(1.7 * i);
  return [u, 0.5 - 0.7 * u + 0.3 * Math.sin(3.1 * i)];
});
const base = {
  dims: 2,
  particles: 333,
  dt: 0.004,
  steps: 120,
  seed: 5,
  potential: { data: { columns: ['u', 'v'], rows: ROWS }, example: '(v - x - y*u)^2/2', prior: '(x^2 + y^2)/20' },
  init: { kind: 'normal', mean: 0, std: 1 },
};

describe('mini-batch dynamics: GPU against the CPU reference', () => {
  it.each([
    ['SGD (T = 0), with replacement', { batch: 5, temperature: 0 }],
    ['SGD (T = 0), without replacement', { batch: 8, replace: false, temperature: 0 }],
    ['SGLD (T = 1), lm', { batch: 10, temperature: 1, integrator: 'lm' }],
    ['momentum SGD (baoab, T = 0)', { batch: 5, temperature: 0, integrator: 'baoab', friction: 2, dt: 0.02 }],
    [
      'stochastic-gradient underdamped Langevin (baoab, T = 1), without replacement',
      { batch: 8, replace: false, temperature: 1, integrator: 'baoab', dt: 0.02 },
    ],
  ])('%s: same trajectories', async (_label, patch) => {
    const spec = { ...base, ...patch };
    const cpu = await runAndRead(spec, 'cpu');
    const gpu = await runAndRead(spec, 'webgpu');
    const d = maxAbsDiff(cpu.positions, gpu.positions);
    expect(d).toBeLessThan(2e-3);
    // the batches matter: the full-batch trajectories from the same start and noise differ by far more
    const full = await runAndRead({ ...spec, batch: undefined, replace: undefined }, 'cpu');
    expect(maxAbsDiff(full.positions, gpu.positions)).toBeGreaterThan(20 * d);
  });
});

describe('momentum SGD: the batch of step n belongs to the position of step n, whatever the chunking', () => {
  it('baoab with a mini-batch: the same bits for 1 or 40 steps per dispatch on the GPU, and for any chunking on the CPU', async () => {
    const spec = { ...base, batch: 5, temperature: 0.5, integrator: 'baoab', dt: 0.02, steps: 80 };
    const [a, b] = [
      await runAndRead({ ...spec, stepsPerDispatch: 1 }, 'webgpu'),
      await runAndRead({ ...spec, stepsPerDispatch: 40 }, 'webgpu'),
    ];
    expect(Array.from(a.positions)).toEqual(Array.from(b.positions));
    const [c, d] = [await runAndRead({ ...spec, stepsPerDispatch: 3 }, 'cpu'), await runAndRead({ ...spec, stepsPerDispatch: 80 }, 'cpu')];
    expect(Array.from(c.positions)).toEqual(Array.from(d.positions));
    // the settings took effect: the chunks really differed
    for (const [r, k] of [
      [a, 1],
      [b, 40],
      [c, 3],
      [d, 80],
    ] as const)
      expect(Math.max(...r.dispatchSteps), `stepsPerDispatch ${k}`).toBe(k);
  });
});
