/**
 * Helpers of the tests that drive the real command (`node dist/cli.js`, the
 * package's `langevin` bin, built by `npm run build`, which the test command
 * runs first) as a user would: spawned, with pipes (no terminal, so no
 * progress bar).
 */
import { expect } from 'vitest';
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The built command. */
export const CLI = resolve(ROOT, 'dist/cli.js');

const CHROMIUM_LIB = '/usr/lib/chromium';
const withoutChromium = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter((p) => p !== '' && p !== CHROMIUM_LIB);

/**
 * The environment of a user's shell, without /usr/lib/chromium on
 * LD_LIBRARY_PATH: the command then loads that folder's Vulkan loader itself
 * (src/node/device.ts) when the machine has no other.
 */
export const USER_ENV: NodeJS.ProcessEnv = { ...process.env, LD_LIBRARY_PATH: withoutChromium.join(':') };
if (USER_ENV.LD_LIBRARY_PATH === '') delete USER_ENV.LD_LIBRARY_PATH;

/** With the Vulkan loader's folder on the library path already, as a user who set it has. */
export const DIRECT_ENV: NodeJS.ProcessEnv = { ...process.env, LD_LIBRARY_PATH: [...withoutChromium, CHROMIUM_LIB].join(':') };

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the command to its end. */
export function cli(args: string[], options: { env?: NodeJS.ProcessEnv; stdio?: StdioOptions; timeoutMs?: number } = {}): Outcome {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: options.env ?? DIRECT_ENV,
    encoding: 'utf8',
    stdio: options.stdio ?? 'pipe',
    timeout: options.timeoutMs ?? 90_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** A command running in the background: its output so far, a wait for a condition, and its end. */
export interface Running {
  child: ChildProcess;
  stderr(): string;
  stdout(): string;
  /** resolves once `ready()` holds (polled every 20 ms); rejects if the process ends first or after `timeoutMs` */
  until(ready: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  ended: Promise<Outcome>;
  /** SIGKILL the command and every process of its group (a test's clean-up) */
  stop(): void;
}

/** The processes `pid` started, and theirs (Linux: /proc/PID/task/PID/children), deepest first. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    // no such process, or no /proc
  }
  return children.flatMap((c) => [...descendants(c), c]);
}

/** Start the command in the background (stdout and stderr are pipes). */
export function start(args: string[], env: NodeJS.ProcessEnv = DIRECT_ENV): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  let done = false;
  // a run left behind would go on for hours: end it and every process it started
  const stop = () => {
    if (done) return;
    for (const pid of [...descendants(child.pid!), child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  };
  const ended = new Promise<Outcome>((resolve) =>
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code, signal, stdout: out, stderr: err });
    }),
  );
  const until = async (ready: () => boolean, what: string, timeoutMs = 90_000) => {
    const t0 = Date.now();
    while (!ready()) {
      if (done) throw new Error(`the command ended before ${what}; stderr: ${err}`);
      if (Date.now() - t0 > timeoutMs) {
        stop();
        throw new Error(`no ${what} after ${timeoutMs} ms; stderr: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, stderr: () => err, stdout: () => out, until, ended, stop };
}

/** A stack frame line ("    at f (file:1:2)"): the CLI never prints one for input or output errors. */
export const STACK_FRAME = /^\s+at /m;

/** A refusal: one line on stderr (after the notices `before`), exit 2, no stack frame, nothing on stdout. */
export function expectRefusal(r: Outcome, pattern: RegExp, before: RegExp[] = []): void {
  expect(r.stderr).toMatch(pattern);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(before.length + 1);
  before.forEach((b, i) => expect(lines[i]).toMatch(b));
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stdout).toBe('');
}

/** Names of the temporary files (`.NAME.tmp-PID`) in a folder. */
export function temps(dir: string): string[] {
  return readdirSync(dir).filter((f) => /\.tmp-\d+$/.test(f));
}

/** A small run that takes well under a second once started. */
export const SMALL = {
  dims: 2,
  particles: 200,
  potential: { name: 'harmonic', params: { k: [1, 4] } },
  integrator: 'lm',
  dt: 0.05,
  temperature: 0.5,
  steps: 20,
  seed: 7,
};

/** A result of several hundred kilobytes (a trace row every step): more than a pipe holds, more than a 64 KiB disk. */
export const LARGE_RESULT = { ...SMALL, particles: 50, steps: 2000, observe: { every: 1 } };

/** Whether python3 with NumPy runs here; the reason when not. */
export function numpyMissing(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.error) return `no python3 (${r.error.message})`;
  return r.status === 0 ? undefined : 'python3 has no numpy';
}
