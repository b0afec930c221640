#!/usr/bin/env node
// Entry point of `npx langevin`: runs the TypeScript CLI directly (no build step).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

// Dawn loads the Vulkan loader (libvulkan.so.1) with dlopen. A machine without a
// GPU driver often lacks it, but Debian's chromium ships one next to its
// SwiftShader driver; the loader path is read at process start, so re-run once.
const CHROMIUM_LIB = '/usr/lib/chromium';
const hasSystemVulkan = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'].some(existsSync);
const ldPath = process.env.LD_LIBRARY_PATH ?? '';
if (process.platform === 'linux' && !hasSystemVulkan && existsSync(`${CHROMIUM_LIB}/libvulkan.so.1`) && !ldPath.split(':').includes(CHROMIUM_LIB)) {
  const env = { ...process.env, LD_LIBRARY_PATH: ldPath ? `${ldPath}:${CHROMIUM_LIB}` : CHROMIUM_LIB };
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  process.exit(child.status ?? 1);
}

registerTsx();
register('./wgsl-loader.js', import.meta.url);
const { main } = await import('../src/node/cli.ts');
process.exitCode = await main(process.argv.slice(2));
