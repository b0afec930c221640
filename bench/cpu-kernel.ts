/**
 * `node bin/run-ts.js bench/cpu-kernel.ts`: where the CPU backend's time goes,
 * on one thread, in CPU time (process.cpuUsage, so other load on a shared
 * machine inflates it less than wall time): V8's transcendentals, one Philox
 * block (reference, generated with the imul mulhi, and the double-split
 * mulhi the generator does not use), and the step of the 2-D double well
 * (EM), reference against generated kernel. Medians of 5.
 */
import { compilePotential } from '../src/potential/index.ts';
import { buildKernel, overdampedKernelSource, philoxSource } from '../src/cpu/kernel.ts';
import { advanceParticle, makeScratch } from '../src/integrators/overdamped.ts';
import { NormalStream, Stream, philox4x32 } from '../src/rng/philox.ts';
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
  ['empty loop (overhead of the lines below)', (n) => { let s = 0; for (let i = 1; i <= n; i++) s += i * 4.76837158203125e-7; sink += s; }],
  ['Math.log', (n) => { let s = 0; for (let i = 1; i <= n; i++) s += Math.log(i * 4.76837158203125e-7); sink += s; }],
  ['Math.sqrt', (n) => { let s = 0; for (let i = 1; i <= n; i++) s += Math.sqrt(i * 4.76837158203125e-7); sink += s; }],
  ['Math.cos', (n) => { let s = 0; for (let i = 1; i <= n; i++) s += Math.cos(i * 1.5e-6 - 3); sink += s; }],
  ['Math.sin', (n) => { let s = 0; for (let i = 1; i <= n; i++) s += Math.sin(i * 1.5e-6 - 3); sink += s; }],
];
const out = new Uint32Array(4);
const generated = buildKernel(philoxSource()) as unknown as (a: number, b: number, c: number, d: number, k0: number, k1: number, o: Uint32Array) => void;
// the mulhi the generator does not use: split only the constant, c·MH and c·ML exact in doubles
const doubleSplitSource = philoxSource().replace(/\(Math\.imul\((\d+), (\w+) >>> 16\).*?\)\) \| 0\) >>> 16\)\)/g, (_m, mh: string, v: string) => {
    const M = Number(mh) === 0xcd9e ? 0xcd9e8d57 : 0xd2511f53;
    return `((${v} >>> 0) * ${M >>> 16} + (((${v} >>> 0) * ${M & 0xffff} * 1.52587890625e-5) >>> 0)) * 1.52587890625e-5`;
  });
const doubleSplit = buildKernel(doubleSplitSource) as unknown as typeof generated;
// check the variant before timing it: a different text, the same blocks
if (philoxSource() === doubleSplitSource) throw new Error('double-split variant: the mulhi pattern was not found');
for (let i = 0; i < 1000; i++) {
  const a = new Uint32Array(4);
  doubleSplit(i * 2654435761, i, 7, 1, 99, 5, a);
  philox4x32((i * 2654435761) >>> 0, i, 7, 1, 99, 5, out);
  if (a.join() !== out.join()) throw new Error('double-split variant differs from the reference');
}
ops.push(
  ['Philox4x32-10 block, reference (src/rng/philox.ts)', (n) => { for (let i = 0; i < n; i++) philox4x32(i, 5, 0, 0, 123, 456, out); }],
  ['Philox4x32-10 block, generated, imul mulhi', (n) => { for (let i = 0; i < n; i++) generated(i, 5, 0, 0, 123, 456, out); }],
  ['Philox4x32-10 block, double-split mulhi (not used)', (n) => { for (let i = 0; i < n; i++) doubleSplit(i, 5, 0, 0, 123, 456, out); }],
);
const host = `Node ${process.version}`;
console.log(`CPU time per call, one thread, ${host}:`);
for (const [name, body] of ops) console.log(`  ${name.padEnd(52)} ${nsPer(N / 4, body).toFixed(1).padStart(7)} ns`);

const pot = compilePotential({ name: 'double-well' }, 2);
const P = 20_000;
const K = 64;
const coef = new Float64Array(2 * K).map((_, i) => (i % 2 ? Math.sqrt(0.02) : 0.01));
const x = new Float64Array(2 * P).map((_, i) => Math.sin(i));
const kernel = buildKernel(overdampedKernelSource('em', 2, pot.gradientJs!));
const ns = new NormalStream(1, 2, Stream.noise);
const scratch = makeScratch(2);
const perStep = (f: () => void) => nsPer(1, f) / (P * K);
const tRef = perStep(() => {
  for (let i = 0; i < P; i++) {
    ns.seek(i, 0);
    advanceParticle('em', x.subarray(2 * i, 2 * i + 2), ns, coef, pot.gradient, pot.paramValues, scratch);
  }
});
const tGen = perStep(() => kernel([x], 0, P, 0, coef, pot.paramValues, 1, 2));
console.log(`\n2-D double well, EM, N = ${P}, K = ${K}, one thread (CPU time):`);
console.log(`  reference step      ${tRef.toFixed(1)} ns/particle-step = ${(1e9 / tRef).toExponential(2)} particle-steps/s`);
console.log(`  generated kernel    ${tGen.toFixed(1)} ns/particle-step = ${(1e9 / tGen).toExponential(2)} particle-steps/s`);
console.log('  (per 2-D step the noise needs half a Philox block and one Box–Muller pair: log, sqrt, cos, sin)');
if (sink === 42) console.log('');
