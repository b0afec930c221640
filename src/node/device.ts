/**
 * WebGPU in Node through Dawn (the `webgpu` package, an optional peer
 * dependency, loaded on first use). With no hardware adapter, fall back to
 * the SwiftShader Vulkan driver that Debian's chromium package ships, without
 * the user setting anything.
 */
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { RuntimeFailure } from '../errors.ts';
import { requestGpuContext, type GpuContext } from '../gpu/device.ts';

type Dawn = typeof import('webgpu');

/** SwiftShader's Vulkan ICD as installed by `apt-get install chromium`. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const NO_ADAPTER_HINT =
  'Install a GPU driver with Vulkan support, or the SwiftShader software driver with ' +
  '`apt-get install -y chromium` (Debian), then run again (it is found without any setting).';

/** What to do when the optional peer dependency is missing. */
export const NO_WEBGPU_PACKAGE_HINT =
  'WebGPU in Node needs the optional peer dependency `webgpu` (Dawn): npm install webgpu@0.6 ' + '(the CPU backend works without it)';

/** Debian's chromium ships a Vulkan loader beside its SwiftShader driver. */
const CHROMIUM_VULKAN_LOADER = '/usr/lib/chromium/libvulkan.so.1';
const SYSTEM_VULKAN_LOADERS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];
/** glibc's RTLD_NODELETE: the library stays loaded after the failed module registration closes it. */
const RTLD_NODELETE = 0x1000;

/**
 * Dawn opens the Vulkan loader as "libvulkan.so.1". A machine without a GPU
 * driver often lacks it, but Debian's chromium has one: load that one first,
 * globally and never unloaded, so that Dawn's dlopen finds it by its soname.
 * `process.dlopen` is Node's dlopen; it then complains that the library is
 * not a Node module, which is expected and ignored.
 */
function preloadVulkanLoader(): void {
  if (process.platform !== 'linux' || SYSTEM_VULKAN_LOADERS.some(existsSync) || !existsSync(CHROMIUM_VULKAN_LOADER)) return;
  const flags = constants.dlopen.RTLD_NOW! | constants.dlopen.RTLD_GLOBAL! | RTLD_NODELETE;
  try {
    process.dlopen({ exports: {} }, CHROMIUM_VULKAN_LOADER, flags);
  } catch {
    // "Module did not self-register": the library is loaded all the same
  }
}

let dawn: Promise<Dawn> | undefined;

/** The `webgpu` package, its globals installed (GPUBufferUsage, GPUMapMode, … as in a browser). */
function loadDawn(): Promise<Dawn> {
  dawn ??= (async () => {
    preloadVulkanLoader();
    let module: Dawn;
    try {
      module = await import('webgpu');
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new RuntimeFailure(`${NO_WEBGPU_PACKAGE_HINT}.`);
      throw e;
    }
    installGlobals(module.globals);
    return module;
  })();
  return dawn;
}

function installGlobals(globals: Dawn['globals']): void {
  // GPUBufferUsage, GPUMapMode, … as in a browser.
  for (const [k, v] of Object.entries(globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
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
  const { create } = await loadDawn();
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
