/**
 * The GPU test harness: one Dawn device per test file (SwiftShader here). No
 * adapter is a failure with the command that provides one, never a skip.
 *
 * Importing it (directly, or through tests/support.ts) puts every test of the
 * file under the lifetime guard (tests/gpu/lifetime.ts):
 * - the test runs inside a validation error scope on the file's device, and
 *   any validation error fails it;
 * - every buffer, texture and query set created during the test, on any
 *   device, must be destroyed by its end (by `Simulation.destroy`, a
 *   renderer's `destroy`, a failed `create` cleaning up after itself, or the
 *   test itself); what is left fails the test, named by label.
 */
import { afterEach, beforeEach } from 'vitest';
import { nodeGpuContext, NO_ADAPTER_HINT } from '../../src/node/device.ts';
import type { GpuContext } from '../../src/gpu/device.ts';
import { installLifetimeTracking, startTracking, stopTracking, type ResourceTracker } from './lifetime.ts';

let shared: Promise<GpuContext> | undefined;

/** The running test's guard: its tracker and the device whose validation scope it pushed. */
let guard: { tracker: ResourceTracker; scope?: GPUDevice } | undefined;

installLifetimeTracking();

beforeEach(async () => {
  guard = { tracker: startTracking() };
  if (shared) await openScope(await shared);
});

afterEach(async () => {
  const g = guard!;
  guard = undefined;
  stopTracking(g.tracker);
  const problems: string[] = [];
  const err = await g.scope?.popErrorScope();
  if (err) problems.push(`WebGPU validation error: ${err.message}`);
  if (g.tracker.leaks().length > 0) problems.push(`GPU resources created in this test and never destroyed: ${g.tracker.describeLeaks()}`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
});

/** Push the running test's validation scope on the shared device (once per test). */
async function openScope(ctx: GpuContext): Promise<void> {
  if (guard && !guard.scope) {
    ctx.device.pushErrorScope('validation');
    guard.scope = ctx.device;
  }
}

/** The file's shared device. Throws, with the install command, when there is no adapter. */
export function gpu(): Promise<GpuContext> {
  shared ??= nodeGpuContext()
    .catch((e: Error) => {
      throw new Error(`GPU tests need a WebGPU adapter and found none: ${e.message}\nFix: ${NO_ADAPTER_HINT}`);
    })
    .then(async (ctx) => {
      await openScope(ctx);
      return ctx;
    });
  return shared;
}

/** Run `body` inside a validation error scope of its own; fail on any validation error. */
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
  const stops = [
    [0.267, 0.005, 0.329],
    [0.231, 0.322, 0.545],
    [0.129, 0.569, 0.549],
    [0.369, 0.788, 0.384],
    [0.993, 0.906, 0.144],
  ];
  const s = Math.min(Math.max(t, 0), 1) * 4;
  const i = Math.min(Math.floor(s), 3);
  const f = s - i;
  return stops[i].map((a, c) => a + (stops[i + 1][c] - a) * f);
}
