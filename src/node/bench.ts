/**
 * `npx langevin bench`: the engine's speed over a workload matrix
 * (src/bench/matrix.ts, shared with `npm run bench:browser`), with peers
 * on the same machine (the engine's CPU backend on all threads and on one,
 * a plain JavaScript loop, NumPy, PyTorch and JAX when python3 has them), as
 * a table and as JSON rows. Software adapters are marked. Then, at 10^6
 * particles, the compiled C peer, NumPy and the CPU backend's thread scaling
 * (src/bench/compiledPeers.ts).
 */
import { cpus } from 'node:os';
import { compiledSection } from '../bench/compiledPeers.ts';
import {
  DOUBLE_WELL,
  engineMatrix,
  engineRow,
  formatRow,
  HEADLINE_INTEGRATOR,
  isHeadlineRow,
  plainJsRow,
  type BenchRow,
} from '../bench/matrix.ts';
import { pythonPeerRow } from '../bench/pythonPeers.ts';
import type { GpuContext } from '../gpu/device.ts';
import { nodeGpuContext } from './device.ts';

export { median, type BenchRow } from '../bench/matrix.ts';

export interface BenchOptions {
  quick: boolean;
  json: boolean;
  /** particle counts; default: quick [2·10^4], full 10^4 … 10^6 */
  particles?: number[];
  /** steps per dispatch; default: quick [64], full [1, 8, 64, 256, 1024] */
  k?: number[];
  /** step-kernel workgroup sizes to compare; default: quick [64], full [32, 64, 128, 256] */
  wg?: number[];
  out: (line: string) => void;
}

/** Run the matrix; print the table (or JSON rows); return the rows. */
export async function bench(options: BenchOptions): Promise<BenchRow[]> {
  const { particles, ks, workgroupSizes, reps } = plan(options);
  let ctx: Promise<GpuContext> | undefined;
  const gpu = () => (ctx ??= nodeGpuContext());
  const rows: BenchRow[] = [];
  const note = (line: string) => (options.json ? process.stderr.write(line + '\n') : options.out(line));
  const emit = (row: BenchRow) => {
    rows.push(row);
    options.out(options.json ? JSON.stringify(row) : formatRow(row));
  };
  try {
    describeSetup(await gpu(), reps, note);
    const n0 = particles[0];
    const m = await engineMatrix({ particles, ks, reps, quick: options.quick, gpu, workgroupSizes, emit, note });
    const kRef = ks.includes(64) ? 64 : ks[ks.length - 1];
    const gpuRef = m.rows.find((r) => isHeadlineRow(r, n0, kRef) && (r.workgroupSize ?? 64) === 64)!;
    // the GPU's work is done: free the device (and Dawn's polling) so the CPU peers have the cores to themselves
    (await ctx!).device.destroy();
    ctx = undefined;
    note('\npeers (2-D double well, EM, same N and steps):');
    const peers = await peerRows(n0, options.quick ? 64 : 256, emit, note);
    if (!options.json) printRatios(options.out, { n0, kRef, gpuRef, hist: m.hist, wg: m.wg, ...peers });
    await compiledSection({ quick: options.quick, json: options.json, emit, note, out: options.out });
  } finally {
    if (ctx) (await ctx).device.destroy();
  }
  return rows;
}

/** The matrix's dimensions: the options', else the quick or full defaults. */
function plan(options: BenchOptions): { particles: number[]; ks: number[]; workgroupSizes: number[]; reps: number } {
  return {
    particles: options.particles ?? (options.quick ? [20_000] : [10_000, 100_000, 1_000_000]),
    ks: options.k ?? (options.quick ? [64] : [1, 8, 64, 256, 1024]),
    workgroupSizes: options.wg ?? (options.quick ? [64] : [32, 64, 128, 256]),
    reps: options.quick ? 3 : 5,
  };
}

/** The lines above the table: the adapter (marked when it is software), the host, the method. */
function describeSetup(c: GpuContext, reps: number, note: (line: string) => void): void {
  note(
    `adapter: ${c.adapter.device}${c.adapter.software ? '   [SOFTWARE ADAPTER: the GPU is emulated on the CPU; not a GPU figure]' : ''}; timestamp-query: ${c.hasTimestampQuery ? 'yes (GPU time per dispatch shown beside wall time)' : 'no'}`,
  );
  note(`host: Node ${process.version}, ${cpus().length} CPU threads (${cpus()[0]?.model ?? 'unknown CPU'})`);
  note(`method: one warm-up block, then medians of ${reps} timed blocks (min–max in parentheses)\n`);
}

/** The peers' rows on the 2-D double well with EM, the engine's first particle count and the same steps. */
interface Peers {
  /** the engine's CPU backend on all threads, and on one */
  cpu: BenchRow;
  cpu1: BenchRow;
  /** a plain JavaScript loop */
  js: BenchRow;
  /** the Python peers; undefined where python3 lacks the package or it failed */
  python: (readonly [string, BenchRow | undefined])[];
}

/** Time the peers, emitting each row as it comes; the Python ones say through `note` why they are missing. */
async function peerRows(n0: number, steps: number, emit: (row: BenchRow) => void, note: (line: string) => void): Promise<Peers> {
  const cpu = await engineRow({
    workload: DOUBLE_WELL,
    integrator: HEADLINE_INTEGRATOR,
    particles: n0,
    k: steps,
    histogram: false,
    backend: 'cpu',
    reps: 3,
  });
  emit(cpu);
  const cpu1 = await engineRow({
    workload: DOUBLE_WELL,
    integrator: HEADLINE_INTEGRATOR,
    particles: n0,
    k: steps,
    histogram: false,
    backend: 'cpu',
    reps: 3,
    cpu: { threads: 1 },
  });
  emit(cpu1);
  const js = plainJsRow(n0, steps);
  emit(js);
  const python = ['numpy', 'torch', 'jax'].map((p) => {
    const row = pythonPeerRow(p, n0, steps, note);
    if (row) emit(row);
    return [p, row] as const;
  });
  return { cpu, cpu1, js, python };
}

/** What the ratios under the table compare: the peers and the engine's rows on the same workload. */
interface RatioRows extends Peers {
  /** particles, and steps per dispatch of the webgpu reference row */
  n0: number;
  kRef: number;
  /** webgpu on the 2-D double well, EM, N = n0, K = kRef, workgroup size 64, no histogram */
  gpuRef: BenchRow;
  /** gpuRef's workload with a histogram */
  hist: BenchRow;
  /** gpuRef's workload per workgroup size (empty when only one was asked for) */
  wg: BenchRow[];
}

/** The ratios under the table: webgpu against each peer, the CPU backend against NumPy, the histogram's cost, the best workgroup size. */
function printRatios(out: (line: string) => void, r: RatioRows): void {
  const { cpu, cpu1, js, gpuRef } = r;
  const ratio = (a: BenchRow, b: BenchRow) => `${(a.particleStepsPerSecond / b.particleStepsPerSecond).toFixed(2)}×`;
  out(`\nratios, 2-D double well, EM, N = ${r.n0} (webgpu at K = ${r.kRef}):`);
  out(`  webgpu / engine CPU backend (${cpu.threads} threads): ${ratio(gpuRef, cpu)}`);
  out(`  webgpu / plain JS loop:      ${ratio(gpuRef, js)}`);
  out(`  engine CPU backend, ${cpu.threads} threads / 1 thread: ${ratio(cpu, cpu1)}`);
  for (const [name, row] of r.python) {
    if (!row) continue;
    out(`  webgpu / ${row.backend}: ${ratio(gpuRef, row)}`);
    if (name === 'numpy') {
      out(
        `  engine CPU backend (${cpu.threads} threads) / numpy: ${ratio(cpu, row)}${cpu.particleStepsPerSecond >= row.particleStepsPerSecond ? '' : '   (target ≥ 1: not met here)'}`,
      );
      out(`  engine CPU backend (1 thread) / numpy: ${ratio(cpu1, row)}`);
    }
  }
  out(
    `  with a 64×64 histogram every 100 steps / without: ${(r.hist.particleStepsPerSecond / gpuRef.particleStepsPerSecond).toFixed(3)} (bench/histogram-cost.ts times the pass alone)`,
  );
  if (gpuRef.gpuParticleStepsPerSecond)
    out(
      `  wall time / GPU time (dispatch and flush overhead): ${(gpuRef.gpuParticleStepsPerSecond / gpuRef.particleStepsPerSecond).toFixed(2)}`,
    );
  if (r.wg.length > 1) {
    const best = r.wg.reduce((a, b) => (b.particleStepsPerSecond > a.particleStepsPerSecond ? b : a));
    out(`  best workgroup size here: ${best.workgroupSize} (${ratio(best, r.wg.find((w) => w.workgroupSize === 64) ?? best)} of 64)`);
  }
}
