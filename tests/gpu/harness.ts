/**
 * The GPU test harness: one Dawn device per test file (SwiftShader here), each
 * test's GPU work wrapped in a validation error scope. No adapter is a failure
 * with the command that provides one, never a skip.
 */
import { nodeGpuContext, NO_ADAPTER_HINT } from '../../src/node/device.ts';
import type { GpuContext } from '../../src/gpu/device.ts';

let shared: Promise<GpuContext> | undefined;

/** The file's shared device. Throws, with the install command, when there is no adapter. */
export function gpu(): Promise<GpuContext> {
  shared ??= nodeGpuContext().catch((e: Error) => {
    throw new Error(`GPU tests need a WebGPU adapter and found none: ${e.message}\nFix: ${NO_ADAPTER_HINT}`);
  });
  return shared;
}

/** Run `body` inside a validation error scope; fail on any validation error. */
export async function scoped<T>(body: (ctx: GpuContext) => Promise<T>): Promise<T> {
  const ctx = await gpu();
  ctx.device.pushErrorScope('validation');
  let result: T;
  try {
    result = await body(ctx);
  } finally {
    const err = await ctx.device.popErrorScope();
    if (err) throw new Error(`WebGPU validation error: ${err.message}`);
  }
  return result;
}

/** The same ramp as shaders/colormap.wgsl, in float64. */
export function colormap(t: number): number[] {
  const stops = [[0.267, 0.005, 0.329], [0.231, 0.322, 0.545], [0.129, 0.569, 0.549], [0.369, 0.788, 0.384], [0.993, 0.906, 0.144]];
  const s = Math.min(Math.max(t, 0), 1) * 4;
  const i = Math.min(Math.floor(s), 3);
  const f = s - i;
  return stops[i].map((a, c) => a + (stops[i + 1][c] - a) * f);
}
