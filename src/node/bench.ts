/**
 * `npx langevin bench`: the engine's speed over a workload matrix, with peers
 * on the same machine (the engine's CPU backend, a plain JavaScript loop,
 * NumPy, PyTorch and JAX when python3 has them), as a table and as JSON rows.
 *
 * Method: for each row, one warm-up block (compilation, JIT), then `reps`
 * blocks of `block` steps, each followed by a full flush and timed alone;
 * the median and the spread are reported. Software adapters are marked.
 */
import { spawnSync } from 'node:child_process';
import { Simulation } from '../engine.ts';
import type { GpuContext } from '../gpu/device.ts';
import { nodeGpuContext } from './device.ts';

/** One measured configuration: the public row format of `bench --json`. */
export interface BenchRow {
  backend: string;
  device: string;
  software: boolean;
  potential: string;
  integrator: string;
  dims: number;
  particles: number;
  stepsPerDispatch: number;
  histogram: boolean;
  particleStepsPerSecond: number;
  /** min and max over the repetitions */
  spread: [number, number];
}

interface Workload {
  potential: string;
  dims: number;
  dt: number;
  /** histogram box for the 'with histogram' rows */
  box: [number, number];
}

const WORKLOADS: Workload[] = [
  { potential: 'harmonic', dims: 2, dt: 0.01, box: [-4, 4] },
  { potential: 'double-well', dims: 2, dt: 0.01, box: [-2.5, 2.5] },
  { potential: 'mueller-brown', dims: 2, dt: 1e-4, box: [-1.5, 2] },
  { potential: 'rastrigin', dims: 10, dt: 0.002, box: [-5, 5] },
];

export interface BenchOptions {
  quick: boolean;
  json: boolean;
  /** particle counts; default: quick [2·10^4], full 10^4 … 10^6 */
  particles?: number[];
  /** steps per dispatch; default: quick [64], full [1, 8, 64, 256, 1024] */
  k?: number[];
  out: (line: string) => void;
}

/** Median of a sample (the benchmarks' central figure). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Time `reps` blocks of `block` steps after one warm-up block; particle-steps/s per block. */
async function measure(sim: Simulation, block: number, reps: number): Promise<number[]> {
  await sim.advance(block);
  await sim.backend.finish();
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await sim.advance(block);
    await sim.backend.finish();
    rates.push((sim.spec.particles * block) / ((performance.now() - t0) / 1000));
  }
  return rates;
}

async function engineRow(w: Workload, integrator: string, particles: number, k: number, histogram: boolean, backend: 'webgpu' | 'cpu', reps: number, gpu: () => Promise<GpuContext>): Promise<BenchRow> {
  const block = Math.max(k, 64);
  const spec = {
    dims: w.dims, particles, potential: { name: w.potential }, integrator, dt: w.dt, temperature: 1, seed: 1,
    steps: block * (reps + 1), stepsPerDispatch: k,
    init: { kind: 'uniform', low: w.box[0] / 2, high: w.box[1] / 2 },
    ...(histogram ? { histogram: { dims: [0, 1], bins: [64, 64], low: w.box[0], high: w.box[1], from: 0, every: 100 } } : {}),
  };
  const sim = await Simulation.create(spec, { backend, gpu, webgpu: { ownsDevice: false } });
  try {
    let rates: number[];
    if (histogram) {
      // the histogram every 100 steps, as a run would take it
      await sim.advance(100);
      await sim.backend.histogram();
      await sim.backend.finish();
      rates = [];
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        await sim.advance(100);
        await sim.backend.histogram();
        rates.push((particles * 100) / ((performance.now() - t0) / 1000));
      }
    } else {
      rates = await measure(sim, block, reps);
    }
    return {
      backend: sim.backend.kind, device: sim.backend.device, software: sim.backend.software,
      potential: w.potential, integrator, dims: w.dims, particles, stepsPerDispatch: k, histogram,
      particleStepsPerSecond: median(rates), spread: [Math.min(...rates), Math.max(...rates)],
    };
  } finally {
    sim.destroy();
  }
}

/** A plain JavaScript EM loop on the 2-D double well: what a user would write by hand. */
function plainJsRow(particles: number, steps: number): BenchRow {
  const x = new Float64Array(2 * particles).fill(0.5);
  const h = 0.01;
  const sigma = Math.sqrt(2 * h);
  let s = 12345 >>> 0;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const rates: number[] = [];
  for (let rep = 0; rep < 4; rep++) {
    const t0 = performance.now();
    for (let n = 0; n < steps; n++) {
      for (let i = 0; i < particles; i++) {
        const r = Math.sqrt(-2 * Math.log(uniform()));
        const t = 2 * Math.PI * uniform();
        const a = x[2 * i];
        const b = x[2 * i + 1];
        x[2 * i] = a - h * 4 * a * (a * a - 1) + sigma * r * Math.cos(t);
        x[2 * i + 1] = b - h * b + sigma * r * Math.sin(t);
      }
    }
    if (rep > 0) rates.push((particles * steps) / ((performance.now() - t0) / 1000));
  }
  return {
    backend: 'plain-js', device: 'CPU, one thread', software: true, potential: 'double-well', integrator: 'em', dims: 2,
    particles, stepsPerDispatch: steps, histogram: false, particleStepsPerSecond: median(rates), spread: [Math.min(...rates), Math.max(...rates)],
  };
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
    backend: label.replace(/_/g, ' '), device: label.replace(/_/g, ' '), software: !/cuda|gpu|nvidia|h100|h200/i.test(label), potential: 'double-well', integrator: 'em', dims: 2,
    particles, stepsPerDispatch: steps, histogram: false, particleStepsPerSecond: Number(med), spread: [Number(lo), Number(hi)],
  };
}

function fmtRate(r: number): string {
  return r >= 1e9 ? `${(r / 1e9).toFixed(2)}e9` : r >= 1e6 ? `${(r / 1e6).toFixed(2)}e6` : `${(r / 1e3).toFixed(1)}e3`;
}

/** Run the matrix; print the table (or JSON rows); return the rows. */
export async function bench(options: BenchOptions): Promise<BenchRow[]> {
  const particles = options.particles ?? (options.quick ? [20_000] : [10_000, 100_000, 1_000_000]);
  const ks = options.k ?? (options.quick ? [64] : [1, 8, 64, 256, 1024]);
  const reps = options.quick ? 3 : 5;
  let ctx: Promise<GpuContext> | undefined;
  const gpu = () => (ctx ??= nodeGpuContext());
  const rows: BenchRow[] = [];
  const emit = (row: BenchRow) => {
    rows.push(row);
    if (options.json) options.out(JSON.stringify(row));
    else
      options.out(
        `${row.backend.padEnd(18)} ${row.potential.padEnd(14)} ${row.integrator.padEnd(3)} D=${String(row.dims).padEnd(3)} N=${String(row.particles).padEnd(9)} K=${String(row.stepsPerDispatch).padEnd(5)} ${row.histogram ? 'hist' : '    '} ` +
          `${fmtRate(row.particleStepsPerSecond).padStart(9)} particle-steps/s  (${fmtRate(row.spread[0])}–${fmtRate(row.spread[1])})`,
      );
  };
  try {
    const adapter = (await gpu()).adapter;
    if (!options.json) {
      options.out(`adapter: ${adapter.device}${adapter.software ? '   [SOFTWARE ADAPTER: the GPU is emulated on the CPU; not a GPU figure]' : ''}`);
      options.out(`method: one warm-up block, then medians of ${reps} timed blocks (min–max in parentheses)\n`);
    }
    for (const w of WORKLOADS) {
      for (const integrator of ['em', 'lm']) {
        for (const n of particles) for (const k of ks) emit(await engineRow(w, integrator, n, k, false, 'webgpu', reps, gpu));
      }
    }
    const n0 = particles[0];
    const kRef = ks.includes(64) ? 64 : ks[ks.length - 1];
    const gpuRef = rows.find((r) => r.potential === 'double-well' && r.integrator === 'em' && r.particles === n0 && r.stepsPerDispatch === kRef)!;
    const hist = await engineRow(WORKLOADS[1], 'em', n0, kRef, true, 'webgpu', reps, gpu);
    emit(hist);
    // peers on the 2-D double well, EM
    const peerSteps = options.quick ? 64 : 256;
    const cpu = await engineRow(WORKLOADS[1], 'em', n0, peerSteps, false, 'cpu', 3, gpu);
    emit(cpu);
    const js = plainJsRow(n0, peerSteps);
    emit(js);
    const report = (line: string) => (options.json ? process.stderr.write(line + '\n') : options.out(line));
    const peers = ['numpy', 'torch', 'jax'].map((p) => {
      const row = pythonPeerRow(p, n0, peerSteps, report);
      if (row) emit(row);
      return [p, row] as const;
    });
    if (!options.json) {
      options.out(`\nratios, 2-D double well, EM, N = ${n0} (webgpu at K = ${kRef}):`);
      options.out(`  webgpu / engine CPU backend: ${(gpuRef.particleStepsPerSecond / cpu.particleStepsPerSecond).toFixed(2)}×`);
      options.out(`  webgpu / plain JS loop:      ${(gpuRef.particleStepsPerSecond / js.particleStepsPerSecond).toFixed(2)}×`);
      for (const [name, row] of peers) {
        if (row) options.out(`  webgpu / ${row.backend}: ${(gpuRef.particleStepsPerSecond / row.particleStepsPerSecond).toFixed(2)}×`);
        if (row && name === 'numpy') options.out(`  engine CPU backend / numpy: ${(cpu.particleStepsPerSecond / row.particleStepsPerSecond).toFixed(2)}×`);
      }
      options.out(`  with a 64×64 histogram every 100 steps / without: ${(hist.particleStepsPerSecond / gpuRef.particleStepsPerSecond).toFixed(3)} (bench/histogram-cost.ts times the pass alone)`);
    }
  } finally {
    if (ctx) (await ctx).device.destroy();
  }
  return rows;
}
