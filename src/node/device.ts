/**
 * WebGPU in Node through Dawn (the `webgpu` package). With no hardware
 * adapter, fall back to the SwiftShader Vulkan driver that Debian's chromium
 * package ships, without the user setting anything.
 */
import { existsSync, readdirSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { requestGpuContext, type GpuContext } from '../gpu/device.ts';

/** SwiftShader's Vulkan ICD as installed by `apt-get install chromium`. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const NO_ADAPTER_HINT =
  'Install a GPU driver with Vulkan support, or the SwiftShader software driver with ' +
  '`apt-get install -y chromium` (Debian), then run again' +
  ' (the langevin command finds it by itself; other Node programs need LD_LIBRARY_PATH=/usr/lib/chromium when libvulkan1 is not installed).';

let installed = false;

function installGlobals(): void {
  if (installed) return;
  // GPUBufferUsage, GPUMapMode, … as in a browser.
  for (const [k, v] of Object.entries(globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  installed = true;
}

/** Vulkan drivers (ICDs) registered on this machine, per the loader's standard folders. */
function registeredIcds(): string[] {
  const dirs = ['/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
  return dirs.flatMap((d) => (existsSync(d) ? readdirSync(d).map((f) => `${d}/${f}`) : []));
}

/**
 * A WebGPU device in Node. The caller owns it (`device.destroy()` when done).
 * @throws RuntimeFailure with the command that provides an adapter, if none is found
 */
export async function nodeGpuContext(): Promise<GpuContext> {
  installGlobals();
  const swiftshader = existsSync(SWIFTSHADER_ICD);
  // No driver registered at all: go straight to SwiftShader (no loader warnings).
  if (swiftshader && !process.env.VK_ICD_FILENAMES && registeredIcds().length === 0) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  let gpu = create([]);
  if (!(await gpu.requestAdapter()) && swiftshader && process.env.VK_ICD_FILENAMES !== SWIFTSHADER_ICD) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    gpu = create([]);
  }
  return requestGpuContext(gpu, NO_ADAPTER_HINT);
}
