/**
 * Cost of the kinetics observers against the step kernel they ride on.
 *
 *   node bin/run-ts.js bench/kinetics-cost.ts [--backend cpu|webgpu] [--particles N] [--steps S] [--reps R] [--json]
 *
 * Workload: 2-D double well (x² − 1)² + y²/2, Euler–Maruyama, T = 0.5, dt = 0.005,
 * K = 64 steps per dispatch. Variants, each its own Simulation of the same size:
 *   plain     no kinetics (the generated kernel / the plain WGSL variant)
 *   box       a first-passage box x ≥ 1 with the Brownian-bridge test
 *   ball      a first-passage ball of radius 0.3 around (1, 0) (no bridge)
 *   absorb    the box with absorb: true
 *   schedule  a tilt a·x whose a follows a linear schedule (work: two energies per step)
 * One repetition advances every variant S steps in turn (round robin, so that the
 * load of this shared machine falls on all of them alike) and times each alone,
 * with a full flush; then the end-of-run reduction (`Simulation.kinetics()`) is timed.
 * Prints medians in ns per particle-step and the overhead over `plain`.
 */
import { Simulation } from '../src/engine.ts';
import { nodeGpuContext } from '../src/node/device.ts';
import { median } from '../src/node/bench.ts';
import { loadavg, cpus } from 'node:os';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const backendArg = process.argv.indexOf('--backend');
const backend = (backendArg > 0 ? process.argv[backendArg + 1] : 'cpu') as 'cpu' | 'webgpu';
const particles = arg('particles', 1 << 20);
const steps = arg('steps', 128);
const reps = arg('reps', 5);
const json = process.argv.includes('--json');

const base = {
  dims: 2,
  particles,
  potential: { expr: '(x^2 - 1)^2 + 0.5*y^2 + a*x', params: { a: 0 } as Record<string, unknown> },
  integrator: 'em',
  dt: 0.005,
  temperature: 0.5,
  steps: steps * (reps + 1),
  seed: 3,
  stepsPerDispatch: 64,
  init: { kind: 'point', x: [-1, 0] },
};
const box = { region: { low: [1, null], high: [null, null] } };
const VARIANTS: Record<string, object> = {
  plain: base,
  box: { ...base, passage: box },
  ball: { ...base, passage: { region: { center: [1, 0], radius: 0.3 } } },
  absorb: { ...base, passage: { ...box, absorb: true } },
  schedule: { ...base, potential: { ...base.potential, params: { a: { schedule: 'linear', from: 0, to: 0.5 } } } },
};

const sims: [string, Simulation][] = [];
for (const [name, spec] of Object.entries(VARIANTS))
  sims.push([name, await Simulation.create(spec, { backend, gpu: backend === 'webgpu' ? nodeGpuContext : undefined })]);
try {
  const times = new Map<string, number[]>(sims.map(([n]) => [n, []]));
  for (const [, sim] of sims) {
    await sim.advance(steps); // warm-up: pipelines, JIT, workers
    await sim.backend.finish();
  }
  for (let r = 0; r < reps; r++) {
    for (const [name, sim] of sims) {
      const t = performance.now();
      await sim.advance(steps);
      await sim.backend.finish();
      times.get(name)!.push(performance.now() - t);
    }
  }
  const nsPerStep = (ms: number) => (ms * 1e6) / (particles * steps);
  const plain = median(times.get('plain')!);
  const rows = sims.map(([name, sim]) => {
    const ms = median(times.get(name)!);
    return { variant: name, nsPerParticleStep: nsPerStep(ms), overheadPercent: (100 * (ms - plain)) / plain, device: sim.backend.device };
  });
  const reduce: Record<string, number> = {};
  for (const [name, sim] of sims.slice(1)) {
    const t = performance.now();
    await sim.kinetics();
    reduce[name] = performance.now() - t;
  }
  const head = { backend, particles, steps, reps, software: sims[0][1].backend.software, load: loadavg()[0], cpus: cpus().length };
  if (json) console.log(JSON.stringify({ ...head, rows, reductionMs: reduce }));
  else {
    console.log(
      `kinetics cost: ${backend} (${rows[0].device}), ${particles} particles × ${steps} steps × ${reps} reps, load ${head.load.toFixed(2)}`,
    );
    for (const r of rows)
      console.log(
        `  ${r.variant.padEnd(9)} ${r.nsPerParticleStep.toFixed(2).padStart(8)} ns/particle-step  ${r.variant === 'plain' ? '' : `${r.overheadPercent >= 0 ? '+' : ''}${r.overheadPercent.toFixed(1)} %`}`,
      );
    for (const [n, ms] of Object.entries(reduce)) console.log(`  end-of-run reduction (${n}): ${ms.toFixed(0)} ms`);
  }
} finally {
  for (const [, sim] of sims) sim.destroy();
}
