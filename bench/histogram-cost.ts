/**
 * Cost of the histogram pass against the step kernel it observes.
 *
 *   node bin/run-ts.js bench/histogram-cost.ts [--particles N] [--every S] [--bins B] [--reps R] [--json]
 *
 * Workload: 2-D double well, Euler–Maruyama, K = min(every, 64) steps per
 * dispatch. One repetition = `every` steps (then a full GPU flush) timed alone,
 * and one histogram snapshot (B × B bins, including its read-back) timed alone.
 * Reports medians and spread over the repetitions, after a warm-up.
 */
import { Simulation } from '../src/engine.ts';
import { nodeGpuContext } from '../src/node/device.ts';
import { median } from '../src/node/bench.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const particles = arg('particles', 1_000_000);
const every = arg('every', 100);
const bins = arg('bins', 64);
const reps = arg('reps', 5);
const json = process.argv.includes('--json');

const sim = await Simulation.create(
  {
    dims: 2,
    particles,
    potential: { name: 'double-well' },
    integrator: 'em',
    dt: 0.01,
    temperature: 0.5,
    steps: every * (reps + 1),
    seed: 1,
    stepsPerDispatch: Math.min(every, 64),
    histogram: { dims: [0, 1], bins: [bins, bins], low: [-2.5, -2.5], high: [2.5, 2.5] },
  },
  { backend: 'webgpu', gpu: nodeGpuContext },
);
try {
  // warm-up: one block of steps and one snapshot (pipelines, JIT)
  await sim.advance(every);
  await sim.backend.finish();
  await sim.backend.histogram();
  const stepMs: number[] = [];
  const histMs: number[] = [];
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    await sim.advance(every);
    await sim.backend.finish();
    stepMs.push(performance.now() - t);
    t = performance.now();
    await sim.backend.histogram();
    histMs.push(performance.now() - t);
  }
  const row = {
    backend: sim.backend.kind,
    device: sim.backend.device,
    software: sim.backend.software,
    particles,
    every,
    bins: bins * bins,
    stepsMs: median(stepMs),
    stepsMsRange: [Math.min(...stepMs), Math.max(...stepMs)],
    histogramMs: median(histMs),
    histogramMsRange: [Math.min(...histMs), Math.max(...histMs)],
    overheadPercent: (100 * median(histMs)) / median(stepMs),
    particleStepsPerSecond: (particles * every) / (median(stepMs) / 1000),
  };
  if (json) {
    process.stdout.write(JSON.stringify(row) + '\n');
  } else {
    process.stdout.write(
      `histogram cost on ${row.device}${row.software ? ' [SOFTWARE ADAPTER: not a GPU figure]' : ''}\n` +
        `  ${particles} particles, 2-D double well, EM; ${bins}×${bins} bins every ${every} steps; medians of ${reps} after warm-up\n` +
        `  ${every} steps:      ${row.stepsMs.toFixed(1)} ms  (${row.stepsMsRange.map((x) => x.toFixed(1)).join('–')})  ${(row.particleStepsPerSecond / 1e6).toFixed(2)}e6 particle-steps/s\n` +
        `  one histogram:  ${row.histogramMs.toFixed(1)} ms  (${row.histogramMsRange.map((x) => x.toFixed(1)).join('–')})\n` +
        `  overhead:       ${row.overheadPercent.toFixed(2)} % of the stepping\n`,
    );
  }
} finally {
  sim.destroy();
}
