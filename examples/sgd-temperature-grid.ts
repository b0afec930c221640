/**
 * SGD's temperature: run examples/sgd-temperature.json over a grid of
 * learning rates h and batch sizes B and print the measured effective
 * temperature T_eff = tr(HΣ)/D (result.final.effectiveTemperature), the exact
 * value from the closed SGD moment recursion (src/stats/sgd.ts), and
 * T_eff·B/h, which is constant in the small-step limit.
 *
 *   node bin/run-ts.js examples/sgd-temperature-grid.ts [--backend cpu|webgpu|auto] [--particles N]
 */
import { readFileSync } from 'node:fs';
import { Simulation } from '../src/engine.ts';
import { nodeGpuContext } from '../src/node/device.ts';
import { effectiveTemperature, hessian, sgdStationaryMoments } from '../src/stats/sgd.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const backend = opt('--backend', 'auto') as 'auto' | 'cpu' | 'webgpu';
const particles = Number(opt('--particles', '20000'));
const base = JSON.parse(readFileSync(new URL('./sgd-temperature.json', import.meta.url), 'utf8'));
const rows: number[][] = base.potential.data.rows;
const lambda: number = base.potential.params.lambda;
const problem = { features: rows.map(([u]) => [1, u]), targets: rows.map(([, v]) => v), lambda };

console.log('   h      B   T_eff measured   T_eff exact   T_eff·B/h (measured)');
for (const h of [0.002, 0.004, 0.008]) {
  for (const B of [2, 4, 8]) {
    const sim = await Simulation.create({ ...base, particles, dt: h, batch: B, observe: { every: 0 } }, { backend, gpu: nodeGpuContext });
    const r = await sim.run();
    const exact = sgdStationaryMoments(problem, h, B, base.replace !== false);
    const tExact = effectiveTemperature(hessian(sim.potential, exact.mean), exact.covariance);
    sim.destroy();
    const t = r.final.effectiveTemperature!;
    console.log(
      `${h.toFixed(3)}  ${String(B).padStart(3)}   ${t.toPrecision(4).padStart(14)}   ${tExact.toPrecision(4).padStart(11)}   ${((t * B) / h).toPrecision(4).padStart(10)}`,
    );
  }
}
