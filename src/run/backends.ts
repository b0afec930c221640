/**
 * Which backend runs a prepared spec: the one asked for, or with 'auto' WebGPU
 * on a hardware adapter, else (no device, or a software adapter such as
 * SwiftShader, which the CPU backend outruns) the CPU with a one-line notice.
 */
import { rangeOf, type Backend } from '../backend.ts';
import { CpuBackend } from '../cpu/backend.ts';
import { RuntimeFailure } from '../errors.ts';
import type { GpuContext } from '../gpu/device.ts';
import { WebGpuBackend } from '../gpu/backend.ts';
import type { SimulationOptions } from './options.ts';
import type { Prepared } from './prepare.ts';
import { checkMemory, cpuNeed, gpuNeed, hostMemory } from './memory.ts';

/**
 * The backend for `prepared` under `options.backend`. With 'auto', a software
 * adapter's device is given back (destroyed when owned) and the CPU runs.
 * @throws RuntimeFailure when WebGPU was asked for and no device can be had
 */
export async function createBackend(prepared: Prepared, options: SimulationOptions): Promise<Backend> {
  const kind = options.backend ?? 'auto';
  const memory = options.memory ?? hostMemory();
  const problem = { ...prepared, range: options.range };
  const n = rangeOf(problem).count;
  const cpu = () => {
    checkMemory(prepared, cpuNeed(prepared), memory, n);
    return new CpuBackend(problem, options.cpu);
  };
  if (kind === 'cpu') return cpu();
  if (!options.gpu) {
    if (kind === 'webgpu') throw new RuntimeFailure('backend "webgpu" was asked for but no WebGPU device provider was given');
    options.onNotice?.('no WebGPU provider here; running on the CPU backend');
    return cpu();
  }
  let ctx: GpuContext;
  try {
    ctx = await options.gpu();
  } catch (e) {
    if (kind === 'webgpu' || !(e instanceof RuntimeFailure)) throw e;
    options.onNotice?.(`${e.message.split('. ')[0]}; running on the CPU backend instead`);
    return cpu();
  }
  if (kind === 'auto' && ctx.adapter.software) {
    if (options.webgpu?.ownsDevice !== false) ctx.device.destroy();
    options.onNotice?.(`${ctx.adapter.device} is a software adapter; running on the CPU backend (--backend webgpu to use it anyway)`);
    return cpu();
  }
  try {
    // a software adapter keeps its buffers in this machine's memory; a GPU's own memory is checked by its allocation (GpuEnsemble)
    if (ctx.adapter.software) checkMemory(prepared, gpuNeed(prepared), memory, n);
    return await WebGpuBackend.create(ctx, problem, { ownsDevice: true, ...options.webgpu });
  } catch (e) {
    // a device acquired for this run goes with it; a shared one (ownsDevice: false) is the caller's
    if (options.webgpu?.ownsDevice !== false) ctx.device.destroy();
    throw e;
  }
}
