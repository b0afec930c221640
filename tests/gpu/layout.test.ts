import { describe, expect, it } from 'vitest';
import {
  ParticleParams,
  InitParams,
  MomentsParams,
  HistogramParams,
  PointParams,
  TrailParams,
  FrameParams,
  LandscapeParams,
  type StructLayout,
} from '../../src/gpu/layout.ts';
import layoutKernel from './kernels/layout_test.wgsl?raw';
import { scoped } from './harness.ts';
import { runKernel } from './run-kernel.ts';

/** Write distinct values through the layout table, read them back by field name in WGSL (matrices element by element). */
async function roundTrip(layout: StructLayout<string>): Promise<void> {
  const expected: { name: string; u32: boolean; value: number }[] = [];
  const lines: string[] = [];
  const values: Record<string, number | number[]> = {};
  layout.fields.forEach(([f, t], i) => {
    if (t === 'mat4x4f') {
      values[f] = Array.from({ length: 16 }, (_, k) => 0.25 + i + k / 32);
      for (let k = 0; k < 16; k++) {
        lines.push(`  out[${expected.length}] = bitcast<u32>(u.${f}[${k >> 2}][${k & 3}]);`);
        expected.push({ name: `${f}[${k >> 2}][${k & 3}]`, u32: false, value: (values[f] as number[])[k] });
      }
    } else {
      values[f] = t === 'u32' ? 1000 + 7 * i : 0.5 + i;
      lines.push(`  out[${expected.length}] = ${t === 'u32' ? `u.${f}` : `bitcast<u32>(u.${f})`};`);
      expected.push({ name: f, u32: t === 'u32', value: values[f] as number });
    }
  });
  const code = `${layout.wgsl()}\n@group(0) @binding(1) var<storage, read> u_raw: array<${layout.name}>;\nfn copy_fields() {\n  let u = u_raw[0];\n${lines.join('\n')}\n}\n${layoutKernel}`;
  const packed = new Uint8Array(layout.pack(values));
  await scoped(async ({ device }) => {
    const [out] = await runKernel(device, code, [{ data: new Uint32Array(expected.length), read: true }, { data: packed }], [1]);
    const view = new DataView(out);
    expected.forEach(({ name, u32, value }, i) => {
      const got = u32 ? view.getUint32(4 * i, true) : view.getFloat32(4 * i, true);
      expect(got, `${layout.name}.${name}`).toBe(value);
    });
  });
}

describe('uniform layouts: the table the host writes with is the struct the shader reads', () => {
  it.each([ParticleParams, InitParams, MomentsParams, HistogramParams, PointParams, TrailParams, FrameParams, LandscapeParams])(
    '$name round-trips every field by name',
    async (layout) => {
      await roundTrip(layout as StructLayout<string>);
    },
  );

  it('pack refuses values that do not fit their field', () => {
    const fields = {
      count: 1,
      base: 0,
      steps: 1,
      key_lo: 0,
      key_hi: 0,
      call_lo: 0,
      call_hi: 0,
      phase: 0,
      step0: 0,
      leapfrog: 1,
      base_hi: 0,
      flags: 0,
    };
    expect(() => ParticleParams.pack({ ...fields, count: -1 })).toThrow(/ParticleParams.count/);
    expect(() => ParticleParams.pack({ ...fields, count: 2 ** 32 })).toThrow(/not a u32/);
  });
});
