/**
 * One lane: its simulation and, on the GPU, the renderers that draw it from
 * the simulation's own buffers (`sim.renderView`). A lane owns both and
 * destroys both.
 */
import { Simulation, type GpuContext, type Prepared } from '../index.ts';
import { PointRenderer } from '../gpu/render/pointRenderer.ts';
import { LandscapeRenderer } from '../gpu/render/landscapeRenderer.ts';
import { TrailRenderer } from '../gpu/render/trailRenderer.ts';
import { FrameRenderer } from '../gpu/render/frameRenderer.ts';
import { is3d, SOFTWARE_PARTICLES } from './params.ts';
import { say } from './page.ts';
import { box3d, currentView } from './camera.ts';
import type { DemoState, Lane } from './state.ts';

/**
 * Particles per lane without WebGPU: 100 000 where the page is cross-origin
 * isolated (served with COOP/COEP, as `npm run demo` does), so the CPU backend
 * has worker threads for large dispatches; 20 000 on one thread otherwise. On 2
 * cores the page holds 30 fps up to 200 000 particles (`npm run bench:demo --
 * --backend cpu --find-particles 30`, bench/RESULTS.md).
 */
export function cpuParticles(): number {
  return crossOriginIsolated && navigator.hardwareConcurrency > 1 ? 100_000 : 20_000;
}

/**
 * On a software WebGPU adapter (SwiftShader, …), where a million points take
 * many seconds a frame, start with `SOFTWARE_PARTICLES` per lane unless the
 * particle count was `chosen` (by default: the page's URL sets `particles`), and say so in the page's notice.
 */
export function fitSoftwareAdapter(
  state: DemoState,
  gpu: GpuContext,
  chosen = new URLSearchParams(location.search).has('particles'),
): void {
  const all = state.params.particles;
  if (!gpu.adapter.software || chosen || all <= SOFTWARE_PARTICLES) return;
  state.params.particles = SOFTWARE_PARTICLES;
  const count = (n: number) => n.toLocaleString('en').replace(/,/g, ' ');
  say(
    `Software WebGPU (${gpu.adapter.device}): showing ${count(SOFTWARE_PARTICLES)} particles instead of ${count(all)}; add ?particles=${all} for all.`,
  );
}

/** One lane's simulation and (on the GPU) renderers, `size` pixels square. */
export async function buildLane(state: DemoState, label: string, prepared: Prepared, size: number): Promise<Lane> {
  const gpu = state.gpuContext;
  const sim = await Simulation.create(
    prepared,
    gpu ? { backend: 'webgpu', gpu: async () => gpu, webgpu: { ownsDevice: false } } : { backend: 'cpu' },
  );
  const lane: Lane = { label, sim };
  const view = sim.renderView;
  if (!view) return lane;
  const { format, params } = state;
  try {
    const shards = view.shards;
    [lane.points, lane.landscape] = await Promise.all([
      PointRenderer.create(view.device, shards, view.params, view.dims, sim.potential.wgsl, format, view.data),
      LandscapeRenderer.create(view.device, view.params, view.dims, sim.potential.wgsl, format, view.data),
    ]);
    if (is3d(params)) lane.frame = await FrameRenderer.create(view.device, format);
    if (params.trails) {
      const t = state.preset.trails ?? { tracked: 24, length: 300 };
      lane.trails = await TrailRenderer.create(view.device, shards, view.dims, Math.min(t.tracked, shards[0].count), t.length, format);
    }
    configureLane(state, lane, size);
    return lane;
  } catch (e) {
    destroyLane(lane);
    throw e;
  }
}

/** Set a lane's renderers to the current view (every frame: the camera may move). */
export function configureLane(state: DemoState, lane: Lane, size: number): void {
  const n = lane.sim.spec.particles;
  // one particle's weight in the additive blend: a dense cloud saturates, a sparse one stays visible
  const intensity = Math.min(1, Math.max(0.02, 4000 / n));
  const view = currentView(state);
  lane.points?.configure(view, { size: n > 200_000 ? 1 : 1.5, intensity, byEnergy: true, color: [1, 1, 1] }, { width: size, height: size });
  lane.landscape?.configure(view, state.preset.contour, new Array(lane.sim.spec.dims).fill(0), 0.45);
  lane.trails?.configure(view, 0.9);
  if (view.camera) lane.frame?.configure(view.camera, box3d(state.preset), 0.4);
}

/** Free a lane's renderers and simulation. */
export function destroyLane(lane: Lane): void {
  lane.points?.destroy();
  lane.landscape?.destroy();
  lane.trails?.destroy();
  lane.frame?.destroy();
  lane.sim.destroy();
}
