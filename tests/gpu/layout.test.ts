import { describe, expect, it } from 'vitest';
import { StepParams, InitParams, MomentsParams, HistogramParams, PointParams, LandscapeParams, type StructLayout } from '../../src/gpu/layout.ts';
import layoutKernel from './kernels/layout_test.wgsl?raw';
import { scoped } from './harness.ts';
import { runKernel } from './run-kernel.ts';

/** Write distinct values through the layout table, read them back by field name in WGSL. */
async function roundTrip(layout: StructLayout<string>): Promise<void> {
  const values = Object.fromEntries(layout.fields.map(([f, t], i) => [f, t === 'u32' ? 1000 + 7 * i : 0.5 + i])) as Record<string, number>;
  const copy = layout.fields
    .map(([f, t], i) => `  out[${i}] = ${t === 'u32' ? `u.${f}` : `bitcast<u32>(u.${f})`};`)
    .join('\n');
  const code = `${layout.wgsl()}\n@group(0) @binding(1) var<storage, read> u_raw: array<${layout.name}>;\nfn copy_fields() {\n  let u = u_raw[0];\n${copy}\n}\n${layoutKernel}`;
  const packed = new Uint8Array(layout.pack(values));
  await scoped(async ({ device }) => {
    const [out] = await runKernel(device, code, [{ data: new Uint32Array(layout.fields.length), read: true }, { data: packed }], [1]);
    const view = new DataView(out);
    layout.fields.forEach(([f, t], i) => {
      const got = t === 'u32' ? view.getUint32(4 * i, true) : view.getFloat32(4 * i, true);
      expect(got, `${layout.name}.${f}`).toBe(values[f]);
    });
  });
}

describe('uniform layouts: the table the host writes with is the struct the shader reads', () => {
  it.each([StepParams, InitParams, MomentsParams, HistogramParams, PointParams, LandscapeParams])('$name round-trips every field by name', async (layout) => {
    await roundTrip(layout as StructLayout<string>);
  });

  it('pack refuses values that do not fit their field', () => {
    expect(() => StepParams.pack({ count: -1, base: 0, steps: 1, key_lo: 0, key_hi: 0, call_lo: 0, call_hi: 0, phase: 0, step0: 0 })).toThrow(/StepParams.count/);
    expect(() => StepParams.pack({ count: 2 ** 32, base: 0, steps: 1, key_lo: 0, key_hi: 0, call_lo: 0, call_hi: 0, phase: 0, step0: 0 })).toThrow(/not a u32/);
  });
});
