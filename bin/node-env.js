// Shared start-up of the Node entry points: make Dawn find a Vulkan loader and
// let Node import the TypeScript sources and `.wgsl?raw` files directly.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { constants } from 'node:os';
import { register as registerTsx } from 'tsx/esm/api';

const CHROMIUM_LIB = '/usr/lib/chromium';
const SYSTEM_VULKAN = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];

/** The signals passed on to the re-run process (it runs in a session of its own, so nothing else reaches it). */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Dawn loads the Vulkan loader (libvulkan.so.1) with dlopen. A machine without
 * a GPU driver often lacks it, but Debian's chromium ships one next to its
 * SwiftShader driver; the library path is read at process start, so re-run
 * this process once with it added. Resolves only in the process that should
 * work; this one waits for the re-run and exits with its status.
 *
 * The re-run gets its own process group, and this process passes each
 * SIGINT, SIGTERM and SIGHUP on to it exactly once: in the same group a
 * Ctrl-C would reach it twice (from the terminal and passed on), and the
 * second one quits a run without writing its partial result; not passed on,
 * a `kill` of this process would not stop the run. Ctrl-Z stops both.
 */
export async function ensureVulkanLoader() {
  const ldPath = process.env.LD_LIBRARY_PATH ?? '';
  if (
    process.platform !== 'linux' ||
    SYSTEM_VULKAN.some(existsSync) ||
    !existsSync(`${CHROMIUM_LIB}/libvulkan.so.1`) ||
    ldPath.split(':').includes(CHROMIUM_LIB)
  )
    return;
  const env = { ...process.env, LD_LIBRARY_PATH: ldPath ? `${ldPath}:${CHROMIUM_LIB}` : CHROMIUM_LIB };
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env, detached: true });
  const forward = (signal) => child.kill(signal);
  for (const s of FORWARDED) process.on(s, forward);
  process.on('SIGTSTP', () => {
    child.kill('SIGSTOP');
    process.kill(process.pid, 'SIGSTOP');
  });
  process.on('SIGCONT', () => child.kill('SIGCONT'));
  child.on('error', (e) => {
    process.stderr.write(`langevin: cannot start ${process.execPath}: ${e.message}\n`);
    process.exit(1);
  });
  const [code, signal] = await once(child, 'exit');
  if (signal) {
    // die of the same signal, as a shell expects of a process killed by one
    for (const s of FORWARDED) process.off(s, forward);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
}

/** TypeScript (tsx) and `.wgsl?raw` imports. */
export function registerLoaders() {
  registerTsx();
  register('./wgsl-loader.js', import.meta.url);
}
