/**
 * Worker threads for the CPU backend: the particles are cut into fixed chunks
 * of {@link CHUNK} particles, and every worker runs the same range kernel
 * (src/cpu/kernels/) on the next free chunk until none is left (a shared
 * atomic counter: a worker slowed by other load on its core simply takes
 * fewer chunks). The state lives in SharedArrayBuffers, so nothing is copied.
 *
 * Particles are independent and each one's random numbers depend only on
 * (seed, particle, step), so the result is the same bits whatever the number
 * of threads or the order the chunks run in. Per-range sums a kernel returns
 * are added in chunk order, which also does not depend on the thread count.
 *
 * Runs in Node (worker_threads) and in browsers (Web Workers from a Blob URL)
 * wherever SharedArrayBuffer exists (in browsers: cross-origin isolated
 * pages); elsewhere the backend steps on the calling thread.
 */
import type { RangeKernel, RangeKernelSource } from './kernels/parts.ts';

/** Particles per chunk: big enough that a chunk's work dwarfs the scheduling, small enough to balance. */
export const CHUNK = 4096;

/** Arguments of one step call, as passed to the kernel. */
export interface RunArgs {
  step0: number;
  coef: Float64Array;
  params: Float64Array;
  k0: number;
  k1: number;
  /** the global index of the state's first particle (the random numbers' particle word) */
  base: number;
}

/** The code each worker runs: load a kernel, then run chunks on request. Plain JS, no imports. */
const WORKER_SOURCE = `
"use strict";
const node = typeof require === 'function' && typeof self === 'undefined';
const port = node ? require('node:worker_threads').parentPort : self;
const send = (m) => port.postMessage(m);
let kernel = null, state = null;
const onMessage = (m) => {
  try {
    if (m.type === 'load') {
      kernel = new Function(m.source)();
      state = m.state.map((b) => new Float64Array(b));
      send({ type: 'loaded' });
    } else if (m.type === 'run') {
      const counter = new Int32Array(m.counter);
      const sums = [];
      for (;;) {
        const c = Atomics.add(counter, 0, 1);
        const i0 = c * m.chunk;
        if (i0 >= m.n) break;
        const s = kernel(state, i0, Math.min(m.n, i0 + m.chunk), m.step0, m.coef, m.params, m.k0, m.k1, m.base);
        if (s.length) sums.push([c, s]);
      }
      send({ type: 'done', sums });
    }
  } catch (e) {
    send({ type: 'error', message: String(e && e.stack || e) });
  }
};
if (node) port.on('message', onMessage); else self.onmessage = (e) => onMessage(e.data);
`;

/** The part of a Worker the pool uses, over Node's and the browser's. */
interface WorkerHandle {
  post(message: unknown): void;
  /** resolves with the next message (or rejects on a worker error) */
  next(): Promise<{ type: string; sums?: [number, number[]][]; message?: string }>;
  /** keep the process alive while waiting on this worker (Node) */
  hold(on: boolean): void;
  terminate(): void;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Hardware threads here (Node: os.availableParallelism; browser: navigator.hardwareConcurrency). */
export async function hardwareThreads(): Promise<number> {
  if (isNode()) {
    const os = await import(/* @vite-ignore */ 'node:' + 'os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** Whether worker threads with shared memory can run here. */
export function poolSupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  if (isNode()) return true;
  return typeof Worker !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

function queue<T>(): { push(v: T): void; next(): Promise<T>; fail(e: Error): void } {
  const items: T[] = [];
  const waiting: { resolve: (v: T) => void; reject: (e: Error) => void }[] = [];
  let error: Error | undefined;
  return {
    push(v) {
      const w = waiting.shift();
      if (w) w.resolve(v);
      else items.push(v);
    },
    fail(e) {
      error = e;
      for (const w of waiting.splice(0)) w.reject(e);
    },
    next() {
      if (items.length) return Promise.resolve(items.shift()!);
      if (error) return Promise.reject(error);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}

async function spawn(): Promise<WorkerHandle> {
  type Msg = Awaited<ReturnType<WorkerHandle['next']>>;
  const q = queue<Msg>();
  if (isNode()) {
    const { Worker } = await import(/* @vite-ignore */ 'node:' + 'worker_threads');
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', (m: Msg) => q.push(m));
    w.on('error', (e: Error) => q.fail(e));
    w.on('exit', (code: number) => q.fail(new Error(`CPU worker exited (code ${code})`)));
    w.unref();
    return { post: (m) => w.postMessage(m), next: q.next, hold: (on) => (on ? w.ref() : w.unref()), terminate: () => void w.terminate() };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  w.onmessage = (e: MessageEvent<Msg>) => q.push(e.data);
  w.onerror = (e: ErrorEvent) => q.fail(new Error(`CPU worker: ${e.message}`));
  return { post: (m) => w.postMessage(m), next: q.next, hold: () => {}, terminate: () => w.terminate() };
}

/**
 * A set of workers running one range kernel over shared state.
 * @example
 * const pool = await CpuPool.create(4, overdampedKernelSource(2, { kind: 'expression', js: potential.gradientJs! }, false), [positions]);
 * await pool.run(particles, { step0, coef, params, k0, k1 });
 * pool.destroy();
 */
export class CpuPool {
  private destroyed = false;
  private busy = false;

  private constructor(private readonly workers: WorkerHandle[]) {}

  /**
   * Start `threads` workers and build the kernel in each.
   * @param state the kernel's state arrays; each must be backed by a SharedArrayBuffer
   */
  static async create(threads: number, source: RangeKernelSource, state: Float64Array[]): Promise<CpuPool> {
    if (!poolSupported()) throw new Error('CpuPool: SharedArrayBuffer and workers are not available here');
    for (const s of state)
      if (!(s.buffer instanceof SharedArrayBuffer)) throw new Error('CpuPool: state arrays must be backed by a SharedArrayBuffer');
    const workers = await Promise.all(Array.from({ length: threads }, spawn));
    const pool = new CpuPool(workers);
    try {
      await pool.all({ type: 'load', source, state: state.map((s) => s.buffer) }, 'loaded');
    } catch (e) {
      pool.destroy();
      throw e;
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  private async all(message: unknown, expect: string): Promise<[number, number[]][]> {
    for (const w of this.workers) {
      w.hold(true);
      w.post(message);
    }
    try {
      const replies = await Promise.all(this.workers.map((w) => w.next()));
      const sums: [number, number[]][] = [];
      for (const r of replies) {
        if (r.type === 'error') throw new Error(`CPU worker failed: ${r.message}`);
        if (r.type !== expect) throw new Error(`CPU worker: expected '${expect}', got '${r.type}'`);
        sums.push(...(r.sums ?? []));
      }
      return sums;
    } finally {
      for (const w of this.workers) w.hold(false);
    }
  }

  /**
   * Run the kernel over particles [0, n) in chunks; resolves when all are done.
   * @returns the kernel's per-range sums added in chunk order (empty when it returns none)
   */
  async run(n: number, args: RunArgs): Promise<number[]> {
    if (this.destroyed) throw new Error('CpuPool: used after destroy()');
    if (this.busy) throw new Error('CpuPool: run() while a run is in progress');
    this.busy = true;
    try {
      const counter = new SharedArrayBuffer(4);
      const parts = await this.all({ type: 'run', counter, chunk: CHUNK, n, ...args }, 'done');
      return addInOrder(parts);
    } finally {
      this.busy = false;
    }
  }

  /** Stop the workers. Safe twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const w of this.workers) w.terminate();
  }
}

/** Add per-chunk sums in chunk order (deterministic whatever thread ran which chunk). */
export function addInOrder(parts: [number, number[]][]): number[] {
  parts.sort((a, b) => a[0] - b[0]);
  const total: number[] = [];
  for (const [, s] of parts) s.forEach((v, j) => (total[j] = (total[j] ?? 0) + v));
  return total;
}

/**
 * Run a kernel over [0, n) on this thread in the same chunks as the pool (so
 * per-range sums add up in the same order).
 */
export function runInline(kernel: RangeKernel, state: Float64Array[], n: number, args: RunArgs): number[] {
  const parts: [number, number[]][] = [];
  for (let c = 0, i0 = 0; i0 < n; c++, i0 += CHUNK) {
    const s = kernel(state, i0, Math.min(n, i0 + CHUNK), args.step0, args.coef, args.params, args.k0, args.k1, args.base);
    if (s.length) parts.push([c, s]);
  }
  return addInOrder(parts);
}
