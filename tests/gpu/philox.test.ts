import { describe, expect, it } from 'vitest';
import { boxMuller, philox4x32 } from '../../src/rng/philox.ts';
import { philoxWGSL } from '../../src/gpu/shaders.ts';
import testKernel from './kernels/philox_test.wgsl?raw';
import { scoped } from './harness.ts';
import { runKernel } from './run-kernel.ts';
import { KAT } from '../fixtures/philox-kat.ts';

/** Deterministic u32 stream for test inputs (xorshift32). */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

async function gpuPhilox(inputs: number[][]): Promise<{ blocks: Uint32Array; normals: Float32Array }> {
  return scoped(async ({ device }) => {
    const data = new Uint32Array(inputs.length * 8);
    inputs.forEach((v, i) => data.set(v.slice(0, 6), i * 8));
    const [, blocks, normals] = await runKernel(
      device,
      philoxWGSL + '\n' + testKernel,
      [{ data }, { data: new Uint32Array(inputs.length * 4), read: true }, { data: new Float32Array(inputs.length * 4), read: true }],
      [Math.ceil(inputs.length / 64)],
    );
    return { blocks: new Uint32Array(blocks, 0, inputs.length * 4), normals: new Float32Array(normals, 0, inputs.length * 4) };
  });
}

describe('Philox4x32-10 (WGSL on a real WebGPU device)', () => {
  it('passes the known-answer vectors', async () => {
    const { blocks } = await gpuPhilox(KAT.map(([c, k]) => [...c, ...k]));
    KAT.forEach(([, , expected], i) => expect(Array.from(blocks.slice(4 * i, 4 * i + 4))).toEqual(expected));
  });

  it('is bit-identical to the TypeScript Philox on 10^5 random (counter, key) pairs; normals agree to f32 transcendental tolerance', async () => {
    const n = 100_000;
    const rand = xorshift(20261122);
    const inputs = Array.from({ length: n }, () => [rand(), rand(), rand(), rand(), rand(), rand()]);
    const { blocks, normals } = await gpuPhilox(inputs);
    const out = new Uint32Array(4);
    const z = new Float64Array(4);
    let mismatches = 0;
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const [c0, c1, c2, c3, k0, k1] = inputs[i];
      philox4x32(c0, c1, c2, c3, k0, k1, out);
      for (let j = 0; j < 4; j++) if (blocks[4 * i + j] !== out[j]) mismatches++;
      boxMuller(out[0], out[1], z, 0);
      boxMuller(out[2], out[3], z, 2);
      // WGSL promises sin/cos to 2^-11 absolute on (−π, π) and log to 2^-21 absolute
      // near 1 (SwiftShader's log is ~10× looser there): allow 2^-11 relative to 1 + |z|.
      for (let j = 0; j < 4; j++) worst = Math.max(worst, Math.abs(normals[4 * i + j] - z[j]) / (1 + Math.abs(z[j])));
    }
    expect(mismatches).toBe(0);
    expect(worst).toBeLessThan(2 ** -11);
    expect(worst).toBeGreaterThan(0); // f32 vs float64: some difference must show
  });
});
