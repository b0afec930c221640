/**
 * The benchmark's workload matrix and its measurement, shared by the Node CLI
 * (`npx langevin bench`, src/node/bench.ts) and the browser page
 * (`npm run bench:browser`, bench/browser.ts): same workloads, same method,
 * same rows. No Node or DOM imports here.
 *
 * Method: for each row, one warm-up block (compilation, JIT), then `reps`
 * blocks of `block` steps, each followed by a full flush and timed alone;
 * the median and the spread (min, max) are reported. Where the adapter has
 * `timestamp-query`, the GPU time of single dispatches of K steps is measured
 * too and reported beside the wall time.
 */
import { CpuBackend, type CpuBackendOptions } from '../cpu/backend.ts';
import { Simulation } from '../engine.ts';
import type { GpuContext } from '../gpu/device.ts';
import { WebGpuBackend, type WebGpuBackendOptions } from '../gpu/backend.ts';
import { coefficientTable, type IntegratorName } from '../integrators/table.ts';
import { BENCH_ROW_SCHEMA, provenance, type Provenance } from '../provenance.ts';

/** One measured configuration: the public row format of `bench --json` (schema/bench-row.schema.json), with the provenance every output carries (`host`: Node's version or the browser's user agent). */
export interface BenchRow extends Provenance {
  /** the bench row schema's URL (BENCH_ROW_SCHEMA) */
  $schema: string;
  backend: string;
  device: string;
  software: boolean;
  potential: string;
  integrator: string;
  dims: number;
  particles: number;
  stepsPerDispatch: number;
  histogram: boolean;
  /** median over the repetitions, wall clock, flushes included */
  particleStepsPerSecond: number;
  /** min and max over the repetitions */
  spread: [number, number];
  /** from GPU timestamps (median of single dispatches of K steps), where the adapter has timestamp-query */
  gpuParticleStepsPerSecond?: number;
  /** step kernel workgroup size (webgpu rows) */
  workgroupSize?: number;
  /** CPU worker threads (cpu rows), threads of a compiled peer */
  threads?: number;
  /** compiled peer rows: the compiler's first `--version` line */
  compiler?: string;
  /** compiled peer rows: the compile flags, e.g. `-O3 -march=native -ffast-math -DPEER_F32` */
  flags?: string;
  /** arithmetic and state precision (compiled peers; the engine's CPU rows beside them: float64) */
  precision?: 'float32' | 'float64';
  /** this row's particle-steps/s over each peer's on the same workload and number of threads, keyed by the peer's label (e.g. `numpy`, `c scalar float64`) */
  ratios?: Record<string, number>;
}

export interface Workload {
  potential: string;
  dims: number;
  /** step size (time units) */
  dt: number;
  /** histogram box for the 'with histogram' rows, and twice the initial box */
  box: [number, number];
}

export const WORKLOADS: Workload[] = [
  { potential: 'harmonic', dims: 2, dt: 0.01, box: [-4, 4] },
  { potential: 'double-well', dims: 2, dt: 0.01, box: [-2.5, 2.5] },
  { potential: 'mueller-brown', dims: 2, dt: 1e-4, box: [-1.5, 2] },
  { potential: 'rastrigin', dims: 10, dt: 0.002, box: [-5, 5] },
];

/** The reference workload of ratios and sweeps: 2-D double well. */
export const DOUBLE_WELL = WORKLOADS[1];

/** The headline workload the targets, sweeps and peers use: the 2-D double well under Euler–Maruyama. */
export const HEADLINE_INTEGRATOR: IntegratorName = 'em';

/** Whether `r` is a headline row (double well, EM) of N particles and K steps per dispatch, without a histogram. */
export function isHeadlineRow(r: BenchRow, particles: number, k: number): boolean {
  return (
    r.potential === DOUBLE_WELL.potential &&
    r.integrator === HEADLINE_INTEGRATOR &&
    r.particles === particles &&
    r.stepsPerDispatch === k &&
    !r.histogram
  );
}

/** What every bench row begins with: its schema's URL and the provenance of a row measured now. */
export function rowProvenance(): Provenance & { $schema: string } {
  return { $schema: BENCH_ROW_SCHEMA, ...provenance() };
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

/** GPU time of `reps` single dispatches of K steps (timestamp-query); undefined without it. */
async function measureGpu(
  sim: Simulation,
  backend: WebGpuBackend,
  k: number,
  reps: number,
  particles: number,
): Promise<number | undefined> {
  // the engine's own coefficients of K steps from step 0 (h = dt, T = 1)
  const coef = coefficientTable(sim.spec.integrator, new Array(k).fill(sim.spec.dt), new Array(k).fill(1), sim.spec);
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const ns = await backend.advanceTimed(0, coef);
    if (ns === undefined) return undefined;
    if (ns > 0) rates.push((particles * k) / (ns * 1e-9));
  }
  return rates.length ? median(rates) : undefined;
}

export interface RowRequest {
  workload: Workload;
  integrator: string;
  particles: number;
  /** steps per dispatch K */
  k: number;
  histogram: boolean;
  backend: 'webgpu' | 'cpu';
  reps: number;
  gpu?: () => Promise<GpuContext>;
  webgpu?: WebGpuBackendOptions;
  cpu?: CpuBackendOptions;
  /** steps per timed block (default max(K, 64)) */
  block?: number;
}

/** Measure one row of the matrix. */
export async function engineRow(q: RowRequest): Promise<BenchRow> {
  const { workload: w, integrator, particles, k, histogram, backend, reps } = q;
  const block = q.block ?? Math.max(k, 64);
  const spec = {
    dims: w.dims,
    particles,
    potential: { name: w.potential },
    integrator,
    dt: w.dt,
    temperature: 1,
    seed: 1,
    steps: block * (reps + 1) + 200,
    stepsPerDispatch: k,
    init: { kind: 'uniform', low: w.box[0] / 2, high: w.box[1] / 2 },
    ...(histogram ? { histogram: { dims: [0, 1], bins: [64, 64], low: w.box[0], high: w.box[1], from: 0, every: 100 } } : {}),
  };
  const sim = await Simulation.create(spec, { backend, gpu: q.gpu, webgpu: { ...q.webgpu, ownsDevice: false }, cpu: q.cpu });
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
    const b = sim.backend;
    const gpuRate = b instanceof WebGpuBackend && !histogram ? await measureGpu(sim, b, k, reps >= 5 ? 3 : 2, particles) : undefined;
    const threads = b instanceof CpuBackend ? b.threads : undefined;
    return {
      ...rowProvenance(),
      backend: b.kind,
      device: b.device,
      software: b.software,
      potential: w.potential,
      integrator,
      dims: w.dims,
      particles,
      stepsPerDispatch: k,
      histogram,
      particleStepsPerSecond: median(rates),
      spread: [Math.min(...rates), Math.max(...rates)],
      ...(gpuRate !== undefined ? { gpuParticleStepsPerSecond: gpuRate } : {}),
      ...(b.kind === 'webgpu' ? { workgroupSize: q.webgpu?.workgroupSize ?? 64 } : {}),
      ...(threads !== undefined ? { threads } : {}),
    };
  } finally {
    sim.destroy();
  }
}

/** A plain JavaScript EM loop on the 2-D double well: what a user would write by hand. */
export function plainJsRow(particles: number, steps: number): BenchRow {
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
    ...rowProvenance(),
    backend: 'plain-js',
    device: 'CPU, one thread',
    software: true,
    potential: DOUBLE_WELL.potential,
    integrator: HEADLINE_INTEGRATOR,
    dims: 2,
    particles,
    stepsPerDispatch: steps,
    histogram: false,
    particleStepsPerSecond: median(rates),
    spread: [Math.min(...rates), Math.max(...rates)],
  };
}

/** A rate as 1.23e6. */
export function fmtRate(r: number): string {
  return r >= 1e9 ? `${(r / 1e9).toFixed(2)}e9` : r >= 1e6 ? `${(r / 1e6).toFixed(2)}e6` : `${(r / 1e3).toFixed(1)}e3`;
}

/** One table line of a row. */
export function formatRow(row: BenchRow): string {
  const name = row.compiler
    ? `${row.backend} ${row.precision === 'float32' ? 'f32' : 'f64'} ×${row.threads}`
    : row.backend === 'cpu' && row.threads
      ? `cpu ×${row.threads}`
      : row.backend === 'webgpu' && row.workgroupSize && row.workgroupSize !== 64
        ? `webgpu wg${row.workgroupSize}`
        : row.backend;
  const gpu = row.gpuParticleStepsPerSecond ? `  GPU time: ${fmtRate(row.gpuParticleStepsPerSecond)}` : '';
  return (
    `${name.padEnd(18)} ${row.potential.padEnd(14)} ${row.integrator.padEnd(3)} D=${String(row.dims).padEnd(3)} N=${String(row.particles).padEnd(9)} K=${String(row.stepsPerDispatch).padEnd(5)} ${row.histogram ? 'hist' : '    '} ` +
    `${fmtRate(row.particleStepsPerSecond).padStart(9)} particle-steps/s  (${fmtRate(row.spread[0])}–${fmtRate(row.spread[1])})${gpu}`
  );
}

/**
 * Flatness of the time per step in K for K ≥ 64 (the dispatch overhead
 * amortised): the largest over the smallest time per step among those rows.
 */
export function flatness(rows: BenchRow[], from = 64): { ks: number[]; ratio: number } | undefined {
  const big = rows.filter((r) => r.stepsPerDispatch >= from);
  if (big.length < 2) return undefined;
  const t = big.map((r) => 1 / r.particleStepsPerSecond);
  return { ks: big.map((r) => r.stepsPerDispatch), ratio: Math.max(...t) / Math.min(...t) };
}

/** Steps-per-dispatch values of the K sweep. */
export function kSweep(quick: boolean): number[] {
  return quick ? [1, 8, 64, 128] : [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
}

/** The matrix of engine rows (webgpu backend), in order, through `emit`. */
export async function engineMatrix(o: {
  particles: number[];
  ks: number[];
  reps: number;
  quick: boolean;
  gpu: () => Promise<GpuContext>;
  workgroupSizes: number[];
  emit: (row: BenchRow) => void;
  note: (line: string) => void;
}): Promise<{ rows: BenchRow[]; sweep: BenchRow[]; hist: BenchRow; wg: BenchRow[] }> {
  const rows: BenchRow[] = [];
  const emit = (r: BenchRow) => {
    rows.push(r);
    o.emit(r);
    return r;
  };
  const base = { backend: 'webgpu' as const, reps: o.reps, gpu: o.gpu, histogram: false };
  for (const w of WORKLOADS) {
    for (const integrator of ['em', 'lm']) {
      for (const n of o.particles) for (const k of o.ks) emit(await engineRow({ ...base, workload: w, integrator, particles: n, k }));
    }
  }
  const n0 = o.particles[0];
  const kRef = o.ks.includes(64) ? 64 : o.ks[o.ks.length - 1];
  const hist = emit(
    await engineRow({ ...base, workload: DOUBLE_WELL, integrator: HEADLINE_INTEGRATOR, particles: n0, k: kRef, histogram: true }),
  );
  // K sweep: 2-D double well, EM
  o.note(`\nK sweep (2-D double well, EM, N = ${n0}):`);
  const sweep: BenchRow[] = [];
  for (const k of kSweep(o.quick)) {
    const have = rows.find((r) => isHeadlineRow(r, n0, k));
    sweep.push(have ?? emit(await engineRow({ ...base, workload: DOUBLE_WELL, integrator: HEADLINE_INTEGRATOR, particles: n0, k })));
  }
  const flat = flatness(sweep);
  if (flat)
    o.note(
      `time per step for K = ${flat.ks.join(', ')}: max/min = ${flat.ratio.toFixed(3)} (${flat.ratio <= 1.1 ? 'flat within 10 %' : 'NOT flat within 10 %'})`,
    );
  // workgroup sizes
  const wg: BenchRow[] = [];
  if (o.workgroupSizes.length > 1) {
    o.note(`\nworkgroup size (2-D double well, EM, N = ${n0}, K = ${kRef}):`);
    for (const size of o.workgroupSizes)
      wg.push(
        emit(
          await engineRow({
            ...base,
            workload: DOUBLE_WELL,
            integrator: HEADLINE_INTEGRATOR,
            particles: n0,
            k: kRef,
            webgpu: { workgroupSize: size },
          }),
        ),
      );
  }
  return { rows, sweep, hist, wg };
}
