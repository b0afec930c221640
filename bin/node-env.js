// Shared start-up of the Node entry points: make Dawn find a Vulkan loader and
// let Node import the TypeScript sources and `.wgsl?raw` files directly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const CHROMIUM_LIB = '/usr/lib/chromium';
const SYSTEM_VULKAN = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];

/**
 * Dawn loads the Vulkan loader (libvulkan.so.1) with dlopen. A machine without
 * a GPU driver often lacks it, but Debian's chromium ships one next to its
 * SwiftShader driver; the library path is read at process start, so re-run
 * this process once with it added. Returns only in the process that should work.
 */
export function ensureVulkanLoader() {
  const ldPath = process.env.LD_LIBRARY_PATH ?? '';
  if (
    process.platform !== 'linux' ||
    SYSTEM_VULKAN.some(existsSync) ||
    !existsSync(`${CHROMIUM_LIB}/libvulkan.so.1`) ||
    ldPath.split(':').includes(CHROMIUM_LIB)
  )
    return;
  const env = { ...process.env, LD_LIBRARY_PATH: ldPath ? `${ldPath}:${CHROMIUM_LIB}` : CHROMIUM_LIB };
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  process.exit(child.status ?? 1);
}

/** TypeScript (tsx) and `.wgsl?raw` imports. */
export function registerLoaders() {
  registerTsx();
  register('./wgsl-loader.js', import.meta.url);
}
