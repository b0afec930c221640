/**
 * `node bin/run-ts.js bench/cpu-kernel.ts`: where the CPU backend's time goes,
 * on one thread, in CPU time (process.cpuUsage, so other load on a shared
 * machine inflates it less than wall time): V8's transcendentals, a Box–Muller
 * pair with them and with the tables of src/rng/boxMuller.ts, one Philox
 * block in TypeScript (four 16-bit products per mulhi) and in WebAssembly
 * (src/cpu/philoxWasm.ts, one i64.mul), and the step of the 2-D double well
 * (EM; BAOAB, MALA, HMC and SGLD on a potential from data through the CPU
 * backend), reference against generated kernel. Medians of 5.
 */
import { compilePotential } from '../src/potential/index.ts';
import { buildKernel, setKernelSimd, type RangeKernel } from '../src/cpu/kernels/parts.ts';
import { overdampedKernelSource } from '../src/cpu/kernels/overdamped.ts';
import { CpuBackend } from '../src/cpu/backend.ts';
import { prepare } from '../src/engine.ts';
import { instantiatePhiloxWasm } from '../src/cpu/philoxWasm.ts';
import { instantiateSimdWasm } from '../src/cpu/simdWasm.ts';
import { advanceOverdamped } from '../src/integrators/overdamped.ts';
import { makeScratch } from '../src/integrators/reference.ts';
import { coefficientTable } from '../src/integrators/table.ts';
import { NormalStream, Stream, boxMuller, philox4x32, u01 } from '../src/rng/philox.ts';
import { median } from '../src/bench/matrix.ts';

/** CPU nanoseconds per call of `body(i)`, median of 5 runs of n calls. */
function nsPer(n: number, body: (n: number) => void): number {
  const t: number[] = [];
  for (let r = 0; r < 6; r++) {
    const c0 = process.cpuUsage();
    body(n);
    const c = process.cpuUsage(c0);
    if (r > 0) t.push(((c.user + c.system) * 1000) / n);
  }
  return median(t);
}

let sink = 0;
const N = 2_000_000;
const ops: [string, (n: number) => void][] = [
  [
    'empty loop (overhead of the lines below)',
    (n) => {
      let s = 0;
      for (let i = 1; i <= n; i++) s += i * 4.76837158203125e-7;
      sink += s;
    },
  ],
  [
    'Math.log',
    (n) => {
      let s = 0;
      for (let i = 1; i <= n; i++) s += Math.log(i * 4.76837158203125e-7);
      sink += s;
    },
  ],
  [
    'Math.sqrt',
    (n) => {
      let s = 0;
      for (let i = 1; i <= n; i++) s += Math.sqrt(i * 4.76837158203125e-7);
      sink += s;
    },
  ],
  [
    'Math.cos',
    (n) => {
      let s = 0;
      for (let i = 1; i <= n; i++) s += Math.cos(i * 1.5e-6 - 3);
      sink += s;
    },
  ],
  [
    'Math.sin',
    (n) => {
      let s = 0;
      for (let i = 1; i <= n; i++) s += Math.sin(i * 1.5e-6 - 3);
      sink += s;
    },
  ],
];
const out = new Uint32Array(4);
const pair = new Float64Array(2);
const wasm = instantiatePhiloxWasm();
const simd = instantiateSimdWasm(1024);
/** Box–Muller with Math.log, Math.cos and Math.sin, what src/rng/boxMuller.ts replaces. */
function mathBoxMuller(w0: number, w1: number, o: Float64Array, at: number): void {
  const r = Math.sqrt(-2 * Math.log(u01(w0)));
  const t = Math.PI * (2 * u01(w1) - 1);
  o[at] = r * Math.cos(t);
  o[at + 1] = r * Math.sin(t);
}
ops.push(
  [
    'Box–Muller pair, Math.log/cos/sin',
    (n) => {
      for (let i = 0; i < n; i++) mathBoxMuller(Math.imul(i, 0x9e3779b9), Math.imul(i, 0x85ebca6b), pair, 0);
      sink += pair[0];
    },
  ],
  [
    'Box–Muller pair, tables (src/rng/boxMuller.ts)',
    (n) => {
      for (let i = 0; i < n; i++) boxMuller(Math.imul(i, 0x9e3779b9), Math.imul(i, 0x85ebca6b), pair, 0);
      sink += pair[0];
    },
  ],
  [
    'Philox4x32-10 block, TypeScript (src/rng/philox.ts)',
    (n) => {
      for (let i = 0; i < n; i++) philox4x32(i, 5, 0, 0, 123, 456, out);
    },
  ],
  [
    'Philox4x32-10 block, WebAssembly, 64 per call',
    (n) => {
      for (let i = 0; i < n; i += 64) wasm.blocks(i, 5, 0, 0, 123, 456, 64);
    },
  ],
  [
    'Philox4x32-10 block, WebAssembly SIMD, 64 per call',
    (n) => {
      for (let i = 0; i < n; i += 64) simd.blocks(i, 5, 0, 0, 123, 456, 64);
    },
  ],
  [
    'Box–Muller pair, WebAssembly SIMD (src/cpu/simdBoxMuller.ts)',
    (n) => {
      for (let i = 0; i < n; i += 128) simd.convert(0, 0, 0, 0, 0, 0, 64);
    },
  ],
  [
    'Philox block + 2 Box–Muller pairs (4 normals), SIMD, 32 a call',
    (n) => {
      for (let i = 0; i < n; i += 32) simd.normals(i, 5, 0, 0, 123, 456, 32);
    },
  ],
);
const host = `Node ${process.version}`;
console.log(`CPU time per call, one thread, ${host}:`);
for (const [name, body] of ops)
  console.log(
    `  ${name.padEnd(52)} ${nsPer(N / 4, body)
      .toFixed(1)
      .padStart(7)} ns`,
  );

const pot = compilePotential({ name: 'double-well' }, 2);
const P = 20_000;
const K = 64;
const coef = coefficientTable('em', new Array(K).fill(0.01), new Array(K).fill(1), { friction: 1, leapfrogSteps: 1 });
const x = new Float64Array(2 * P).map((_, i) => Math.sin(i));
const emSource = () => overdampedKernelSource(2, { kind: 'expression', js: pot.gradientJs! }, false);
const kernel = buildKernel(emSource());
setKernelSimd(false);
const scalarKernel = buildKernel(emSource());
setKernelSimd(true);
// the step alone: the same kernel with its noise fill a no-op (it reads a stale buffer): gradient, update, loop
const stepOnly = buildKernel(
  emSource().replace(/function _fill(2?)\(particle/g, 'function _fill$1() { return 0; }\nfunction _unused$1(particle'),
);
const ns = new NormalStream(1, 2, Stream.noise);
const scratch = makeScratch(2);
const perStep = (f: () => void) => nsPer(1, f) / (P * K);
const tRef = perStep(() => {
  for (let i = 0; i < P; i++) {
    ns.seek(i, 0);
    advanceOverdamped(false, x.subarray(2 * i, 2 * i + 2), ns, coef, pot.gradient, pot.paramValues, scratch);
  }
});
const run = (k: RangeKernel) => () => k([x], 0, P, 0, coef, pot.paramValues, 1, 2, 0);
// side by side, round robin, so that other load on the machine hits all three alike
const rounds: number[][] = [[], [], []];
for (let r = 0; r < 5; r++) [kernel, scalarKernel, stepOnly].forEach((k, j) => rounds[j].push(perStep(run(k))));
const [tGen, tScalar, tStep] = rounds.map(median);
console.log(`\n2-D double well, EM, N = ${P}, K = ${K}, one thread (CPU time):`);
console.log(`  reference step      ${tRef.toFixed(1)} ns/particle-step = ${(1e9 / tRef).toExponential(2)} particle-steps/s`);
console.log(
  `  generated kernel    ${tGen.toFixed(1)} ns/particle-step = ${(1e9 / tGen).toExponential(2)} particle-steps/s (WebAssembly SIMD noise)`,
);
console.log(
  `  scalar noise        ${tScalar.toFixed(1)} ns/particle-step (the path of engines without SIMD; ratio ${(tScalar / tGen).toFixed(2)})`,
);
console.log(`  step without noise  ${tStep.toFixed(1)} ns/particle-step (gradient, update, loop: the noise is the rest)`);
console.log('  (per 2-D step the noise needs half a Philox block and one Box–Muller pair)');

// through the backend (one thread: the reference step, threads 0, against the generated kernel, threads 1):
// the samplers on the double well, and SGLD on a potential from data (linear regression, 1000 rows)
const rows = Array.from({ length: 1000 }, (_, i) => [Math.sin(i), 0.3 + 0.8 * Math.sin(i) + 0.2 * Math.cos(7 * i)]);
const regression = { data: { columns: ['u', 'v'], rows }, example: '(v - x - y*u)^2/(2*s2)', prior: '(x^2 + y^2)/2', params: { s2: 0.04 } };
const cases: [string, object][] = [
  ['2-D double well, BAOAB (γ = 1)', { potential: { name: 'double-well' }, integrator: 'baoab', friction: 1 }],
  ['2-D double well, MALA', { potential: { name: 'double-well' }, integrator: 'mala' }],
  [
    '2-D double well, HMC, 5 leapfrog steps a step (a step = one trajectory)',
    { potential: { name: 'double-well' }, integrator: 'hmc', leapfrogSteps: 5 },
  ],
  ['SGLD: EM on 1000 rows, mini-batch of 32', { potential: regression, integrator: 'em', batch: 32 }],
  ['2-D regression, EM on all 1000 rows (full batch)', { potential: regression, integrator: 'em' }],
];
for (const [label, extra] of cases) {
  const full = label.includes('full batch');
  const [n, k] = full ? [2000, 4] : [P, K];
  const problem = prepare({ dims: 2, particles: n, dt: 1e-4, temperature: 1, steps: k, ...extra });
  // the integrator's own coefficients of k steps of h = 0.01 at T = 1, as the engine would compute them
  const c = coefficientTable(problem.spec.integrator, new Array(k).fill(0.01), new Array(k).fill(1), problem.spec);
  // CPU time per particle-step of backend.advance (awaited: the kernel path starts after an await), median of 5 after a warm-up
  const time = async (threads: number) => {
    const backend = new CpuBackend(problem, { threads });
    const t: number[] = [];
    for (let r = 0; r < 6; r++) {
      const c0 = process.cpuUsage();
      await backend.advance(0, c);
      const u = process.cpuUsage(c0);
      if (r > 0) t.push(((u.user + u.system) * 1000) / (n * k));
    }
    backend.destroy();
    return median(t);
  };
  const [tR, tG] = [await time(0), await time(1)];
  console.log(`\n${label}, N = ${n}, K = ${k}, one thread (CPU time):`);
  console.log(`  reference step      ${tR.toFixed(1)} ns/particle-step = ${(1e9 / tR).toExponential(2)} particle-steps/s`);
  console.log(`  generated kernel    ${tG.toFixed(1)} ns/particle-step = ${(1e9 / tG).toExponential(2)} particle-steps/s`);
}
if (sink === 42) console.log('');

// scaling: 10^6 particles through the backend on 1 and 2 worker threads (wall time), round robin;
// per thread: the CPU time of all threads per particle-step, equal to the one-thread figure when nothing is lost
{
  const [n, k] = [1_000_000, 64];
  const problem = prepare({
    dims: 2,
    particles: n,
    dt: 1e-4,
    temperature: 1,
    steps: k,
    potential: { name: 'double-well' },
    integrator: 'em',
  });
  const c = coefficientTable('em', new Array(k).fill(0.01), new Array(k).fill(1), problem.spec);
  const counts = [1, 2];
  const backends = counts.map((threads) => new CpuBackend(problem, { threads }));
  for (const b of backends) await b.advance(0, c); // warm-up: workers start, kernels compile
  const wall: number[][] = counts.map(() => []);
  const cpu: number[][] = counts.map(() => []);
  for (let r = 0; r < 3; r++)
    for (const [j, b] of backends.entries()) {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      await b.advance(0, c);
      const u = process.cpuUsage(c0);
      wall[j].push(((performance.now() - t0) * 1e6) / (n * k));
      cpu[j].push(((u.user + u.system) * 1000) / (n * k));
    }
  console.log(`\n2-D double well, EM, N = ${n}, K = ${k}, worker threads (wall time and CPU time of all threads, median of 3):`);
  for (const [j, threads] of counts.entries()) {
    const t = median(wall[j]);
    console.log(
      `  ${threads} thread${threads > 1 ? 's' : ' '}  ${t.toFixed(1)} ns/particle-step = ${(1e9 / t).toExponential(2)} particle-steps/s; CPU ${median(cpu[j]).toFixed(1)} ns per particle-step (${backends[j].device})`,
    );
  }
  for (const b of backends) b.destroy();
}
