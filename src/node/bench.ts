/**
 * `npx langevin bench`: the engine's speed over a workload matrix
 * (src/bench/matrix.ts, shared with `npm run bench:browser`), with peers
 * on the same machine (the engine's CPU backend on all threads and on one,
 * a plain JavaScript loop, NumPy, PyTorch and JAX when python3 has them), as
 * a table and as JSON rows. Software adapters are marked.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import {
  DOUBLE_WELL,
  engineMatrix,
  engineRow,
  formatRow,
  HEADLINE_INTEGRATOR,
  isHeadlineRow,
  plainJsRow,
  rowProvenance,
  type BenchRow,
} from '../bench/matrix.ts';
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

/**
 * Python peers, EM on the 2-D double well with the same N and steps: NumPy
 * (vectorised, CPU), PyTorch (CUDA when available) and JAX (jit, fori_loop) when
 * python3 has them. Each prints "median min max label"; a missing package is
 * skipped, a failing one reported.
 */
const PYTHON_PEERS: Record<string, string> = {
  numpy: `
import time, numpy as np
rng = np.random.default_rng(1)
x = np.full(N, 0.5); y = np.full(N, 0.5); s = (2*H)**0.5
def block():
    global x, y
    for _ in range(STEPS):
        x = x - H*4*x*(x*x - 1) + s*rng.standard_normal(N)
        y = y - H*y + s*rng.standard_normal(N)
LABEL = 'numpy ' + np.__version__ + ' (CPU)'
SYNC = lambda: None
`,
  torch: `
import time, torch
dev = 'cuda' if torch.cuda.is_available() else 'cpu'
g = torch.Generator(device=dev).manual_seed(1)
x = torch.full((N,), 0.5, device=dev); y = torch.full((N,), 0.5, device=dev); s = (2*H)**0.5
def block():
    global x, y
    for _ in range(STEPS):
        x = x - H*4*x*(x*x - 1) + s*torch.randn(N, device=dev, generator=g)
        y = y - H*y + s*torch.randn(N, device=dev, generator=g)
LABEL = 'torch ' + torch.__version__ + ' (' + (torch.cuda.get_device_name() if dev == 'cuda' else 'CPU') + ')'
SYNC = (lambda: torch.cuda.synchronize()) if dev == 'cuda' else (lambda: None)
`,
  jax: `
import time, jax, jax.numpy as jnp
from functools import partial
@partial(jax.jit, static_argnums=3)
def run(x, y, key, steps):
    s = (2*H)**0.5
    def body(i, c):
        x, y, key = c
        key, k1, k2 = jax.random.split(key, 3)
        x = x - H*4*x*(x*x - 1) + s*jax.random.normal(k1, x.shape)
        y = y - H*y + s*jax.random.normal(k2, y.shape)
        return x, y, key
    return jax.lax.fori_loop(0, steps, body, (x, y, key))
state = (jnp.full(N, 0.5), jnp.full(N, 0.5), jax.random.PRNGKey(1))
def block():
    global state
    state = run(*state, STEPS)
LABEL = 'jax ' + jax.__version__ + ' (' + str(jax.devices()[0]) + ')'
SYNC = lambda: state[0].block_until_ready()
`,
};

const PYTHON_TIMER = `
rates = []
for rep in range(4):
    SYNC(); t0 = time.perf_counter(); block(); SYNC()
    if rep: rates.append(N*STEPS/(time.perf_counter() - t0))
rates.sort()
print(rates[len(rates)//2], rates[0], rates[-1], LABEL.replace(' ', '_'))
`;

function pythonPeerRow(peer: string, particles: number, steps: number, report: (line: string) => void): BenchRow | undefined {
  const probe = spawnSync('python3', ['-c', `import ${peer}`], { encoding: 'utf8' });
  if (probe.status !== 0) {
    report(`${peer}: not available (python3 cannot import ${peer})`);
    return undefined;
  }
  const script = `N, STEPS, H = ${particles}, ${steps}, 0.01\n${PYTHON_PEERS[peer]}\n${PYTHON_TIMER}`;
  const r = spawnSync('python3', ['-c', script], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    report(`${peer}: failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`);
    return undefined;
  }
  const [med, lo, hi, label] = r.stdout.trim().split('\n').at(-1)!.split(/\s+/);
  return {
    ...rowProvenance(),
    backend: label.replace(/_/g, ' '),
    device: label.replace(/_/g, ' '),
    software: !/cuda|gpu|nvidia|h100|h200/i.test(label),
    potential: DOUBLE_WELL.potential,
    integrator: HEADLINE_INTEGRATOR,
    dims: 2,
    particles,
    stepsPerDispatch: steps,
    histogram: false,
    particleStepsPerSecond: Number(med),
    spread: [Number(lo), Number(hi)],
  };
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
