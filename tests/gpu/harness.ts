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
