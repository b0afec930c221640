/**
 * The page side of `npm run bench:browser`: the same workload matrix as the
 * CLI (src/bench/matrix.ts) on the browser's WebGPU adapter, then the
 * engine's CPU backend (Web Workers over SharedArrayBuffer when the page is
 * cross-origin isolated, which the driver's server arranges) and a plain JS
 * loop in the page, and, given the Node bench's peer rows, the CPU backend on
 * their workloads. Rows go to the driver as they are measured.
 */
import { DOUBLE_WELL, engineMatrix, engineRow, HEADLINE_INTEGRATOR, plainJsRow, type BenchRow } from '../src/bench/matrix.ts';
import { browserGpuContext, type GpuContext } from '../src/gpu/device.ts';
import type { PeerWorkload } from '../src/bench/peerFile.ts';

export interface PageOptions {
  quick: boolean;
  particles: number[];
  ks: number[];
  workgroupSizes: number[];
  reps: number;
  /** the workloads of the Node bench's peer rows (`--peers FILE`): the CPU backend (Web Workers) times each, for the ratios */
  peerWorkloads?: PeerWorkload[];
}

declare global {
  interface Window {
    langevinBench(o: PageOptions): Promise<void>;
    /** provided by the driver (puppeteer exposeFunction) */
    benchEmit(row: BenchRow): Promise<void>;
    benchNote(line: string): Promise<void>;
  }
}

window.langevinBench = async (o) => {
  let ctx: Promise<GpuContext> | undefined;
  const gpu = () => (ctx ??= browserGpuContext());
  const emit = (row: BenchRow) => void window.benchEmit(row);
  const note = (line: string) => void window.benchNote(line);
  try {
    const c = await gpu();
    const info = c.gpuAdapter.info;
    note(
      `adapter: ${c.adapter.device}${c.adapter.software ? '   [SOFTWARE ADAPTER: the GPU is emulated on the CPU; not a GPU figure]' : ''}; timestamp-query: ${c.hasTimestampQuery ? 'yes' : 'no'}`,
    );
    note(
      `adapter info: vendor "${info.vendor}", architecture "${info.architecture}", device "${info.device}", description "${info.description}"`,
    );
    note(
      `browser: ${navigator.userAgent}; ${navigator.hardwareConcurrency} hardware threads; cross-origin isolated: ${crossOriginIsolated}`,
    );
    note(`method: one warm-up block, then medians of ${o.reps} timed blocks (min–max in parentheses)\n`);
    const m = await engineMatrix({
      particles: o.particles,
      ks: o.ks,
      reps: o.reps,
      quick: o.quick,
      gpu,
      workgroupSizes: o.workgroupSizes,
      emit,
      note,
    });
    void m;
    // the GPU's work is done: free the device so the CPU rows have the cores to themselves
    (await ctx!).device.destroy();
    ctx = undefined;
    note('\npeers in the page (2-D double well, EM, same N and steps):');
    const n0 = o.particles[0];
    const steps = o.quick ? 64 : 256;
    emit(
      await engineRow({
        workload: DOUBLE_WELL,
        integrator: HEADLINE_INTEGRATOR,
        particles: n0,
        k: steps,
        histogram: false,
        backend: 'cpu',
        reps: 3,
      }),
    );
    emit(
      await engineRow({
        workload: DOUBLE_WELL,
        integrator: HEADLINE_INTEGRATOR,
        particles: n0,
        k: steps,
        histogram: false,
        backend: 'cpu',
        reps: 3,
        cpu: { threads: 1 },
      }),
    );
    emit(plainJsRow(n0, steps));
    if (o.peerWorkloads?.length) note('\nthe CPU backend (Web Workers) on the workloads of the Node peer rows:');
    for (const w of o.peerWorkloads ?? [])
      emit(
        await engineRow({
          workload: DOUBLE_WELL,
          integrator: w.integrator,
          particles: w.particles,
          k: w.steps,
          block: w.steps,
          histogram: false,
          backend: 'cpu',
          reps: 3,
          ...(w.threads ? { cpu: { threads: w.threads } } : {}),
        }),
      );
  } finally {
    if (ctx) (await ctx).device.destroy();
  }
};
