/**
 * The kinetics of a run: what both backends reduce their per-particle first
 * hit steps and work to (exact, mergeable sums: src/stats/passage.ts and
 * work.ts), and the result's `passage` and `work` sections built from them.
 * A shard logs the sums; a merge adds them (src/run/shardLog.ts).
 */
import { seedKey } from '../rng/philox.ts';
import { inRegion, NOT_HIT } from '../integrators/passage.ts';
import { addPassageSums, passageSums, summarisePassage, survivalPoints, type PassageSums } from '../stats/passage.ts';
import { addWorkSums, summariseWork, workSums, type WorkSums } from '../stats/work.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import type { RunSpec } from '../spec/types.ts';
import type { PassageSection, WorkSection } from './sections.ts';
import { normalisedSpec, type PassageJson } from './specJson.ts';
import type { CompiledPotential } from '../potential/index.ts';
import { logPartition1D, mfptExact } from '../stats/mfpt.ts';
import { ParamProtocol } from './paramProtocol.ts';

/** The exact sums of a run's (or shard's) kinetics. */
export interface KineticsSums {
  passage?: PassageSums;
  work?: WorkSums;
}

/** Whether a spec has kinetics to track per particle (a passage region or a parameter schedule). */
export function hasKinetics(spec: RunSpec): boolean {
  return spec.passage !== undefined || spec.schedules !== undefined;
}

/** The steps at which the survival curve is reported: the trace steps, or 257 points over the run. */
export function passagePoints(spec: RunSpec): number[] {
  return survivalPoints(spec.observe.every, spec.steps);
}

/** The work's temperature: the spec's (constant whenever a parameter has a schedule). */
function workTemperature(spec: RunSpec): number {
  return typeof spec.temperature === 'number' ? spec.temperature : NaN;
}

/**
 * The sums of one backend's particles.
 * @param hit first hit steps of its particles (spec.passage)
 * @param work their work, energy units (parameter schedules)
 * @param first the global index of the backend's first particle
 */
export function kineticsSums(
  spec: RunSpec,
  hit: ArrayLike<number> | undefined,
  work: ArrayLike<number> | undefined,
  first: number,
): KineticsSums {
  const out: KineticsSums = {};
  if (spec.passage && hit) out.passage = passageSums(hit, passagePoints(spec));
  if (spec.schedules && work) out.work = workSums(work, first, workTemperature(spec), seedKey(spec.seed));
  return out;
}

/**
 * Mark the particles already in the passage region as hit at step 0, where no step has run yet (a run of 0 steps:
 * the kernels test step 0's positions before their first step).
 * @param positions x[i·D + d] of the particles whose `hit` entries are given
 */
export function markStartHits(spec: RunSpec, positions: ArrayLike<number>, hit: { [i: number]: number; length: number }): void {
  const region = spec.passage?.region;
  if (!region) return;
  const D = spec.dims;
  const x = new Float64Array(D);
  for (let i = 0; i < hit.length; i++) {
    for (let d = 0; d < D; d++) x[d] = positions[i * D + d];
    if (hit[i] === NOT_HIT && inRegion(x, region)) hit[i] = 0;
  }
}

/** Add the sums of another part of the ensemble (exact: any order gives the same sums). */
export function addKineticsSums(into: KineticsSums, from: KineticsSums): void {
  if (!into.passage !== !from.passage || !into.work !== !from.work) throw new Error('kinetics sums of different kinds');
  if (into.passage) addPassageSums(into.passage, from.passage!);
  if (into.work) addWorkSums(into.work, from.work!);
}

/** A 1-D energy at fixed parameters. */
function energy1D(potential: CompiledPotential, params: ArrayLike<number>): (x: number) => number {
  const x = new Float64Array(1);
  return (y) => ((x[0] = y), potential.energy(x, params));
}

/**
 * The exact MFPT where quadrature gives it: 1-D, em or lm (overdamped: diffusion T), constant T > 0 and
 * parameters, a point init outside a half-line region (src/stats/mfpt.ts).
 */
function mfptReference(spec: RunSpec, potential: CompiledPotential): PassageSection['reference'] {
  const r = spec.passage!.region;
  const entry = INTEGRATOR_TABLE[spec.integrator];
  const T = spec.temperature;
  if (spec.dims !== 1 || entry.velocities || entry.metropolis || spec.batch || spec.schedules || spec.equilibrate) return undefined;
  if (typeof T !== 'number' || !(T > 0) || spec.init.kind !== 'point' || r.kind !== 'box') return undefined;
  const x0 = spec.init.x[0];
  const E = energy1D(potential, potential.paramValues);
  const method = 'quadrature of the backward-Kolmogorov double integral ∫ e^{E(y)/T}/T ∫ e^{−E(z)/T} dz dy';
  try {
    if (r.high[0] === Infinity && r.low[0] > x0) return { mfpt: mfptExact(E, T, x0, r.low[0]), method };
    if (r.low[0] === -Infinity && r.high[0] < x0) return { mfpt: mfptExact((y) => E(-y), T, -x0, -r.high[0]), method };
  } catch {
    return undefined;
  }
  return undefined;
}

/** The exact ΔF = −T ln(Z(λ_steps)/Z(λ_0)) by quadrature (1-D, confining at both ends of the protocol). */
function deltaFReference(spec: RunSpec, potential: CompiledPotential): WorkSection['reference'] {
  const T = spec.temperature;
  if (spec.dims !== 1 || typeof T !== 'number' || !(T > 0) || potential.data) return undefined;
  const params = new ParamProtocol(spec, potential.paramNames, potential.paramValues);
  const start = spec.init.kind === 'point' ? spec.init.x[0] : spec.init.kind === 'normal' ? spec.init.mean[0] : 0;
  try {
    const z0 = logPartition1D(energy1D(potential, params.valuesAt(0)), T, start);
    const z1 = logPartition1D(energy1D(potential, params.valuesAt(spec.steps)), T, start);
    return { deltaF: -T * (z1 - z0), method: 'quadrature of Z(λ) = ∫ e^{−E(x;λ)/T} dx at both ends of the protocol' };
  } catch {
    return undefined;
  }
}

/** The result's `passage` section: the spec's region and what the sums say. */
/**
 * The sums of a run stopped after `done` steps, over the points up to `done` (and `done` itself): the counts
 * of the intervals past it are the hits in (last point ≤ done, done], moved to the point `done` (exact: no walker
 * can have hit later).
 */
export function cutAt(sums: PassageSums, points: number[], done: number): { sums: PassageSums; points: number[] } {
  if (done >= points[points.length - 1]) return { sums, points };
  const kept = points.filter((p) => p < done);
  const counts = sums.counts.slice(0, kept.length);
  counts.push(sums.counts.slice(kept.length).reduce((a, b) => a + b, 0));
  return { sums: { ...sums, counts }, points: [...kept, done] };
}

export function passageSection(
  spec: RunSpec,
  potential: CompiledPotential,
  whole: PassageSums,
  region: PassageJson,
  done = spec.steps,
): PassageSection {
  const p = spec.passage!;
  const stepTime = INTEGRATOR_TABLE[spec.integrator].stepTime(spec.dt, spec);
  const { sums, points } = cutAt(whole, passagePoints(spec), done);
  const summary = summarisePassage(sums, points, stepTime);
  const entry = INTEGRATOR_TABLE[spec.integrator];
  const bridgeNote = p.bridge
    ? 'crossings within a step are counted by the Brownian-bridge correction (first-passage bias O(h) instead of O(√h))'
    : entry.velocities && !entry.metropolis
      ? 'no bridge correction: an inertial path is smooth within a step, so the discrete check misses crossings of O(h) depth'
      : entry.metropolis
        ? "no bridge correction: a Metropolis chain has no path between its states; hit times count the chain's steps"
        : 'no bridge correction: the discrete check misses crossings within a step (first-passage times biased up by O(√h))';
  const reference = mfptReference(spec, potential);
  return {
    region: region.region,
    absorb: p.absorb,
    bridge: { applied: p.bridge, note: bridgeNote },
    ...summary,
    ...(reference ? { reference } : {}),
  };
}

/** The result's `work` section. */
export function workSection(spec: RunSpec, potential: CompiledPotential, sums: WorkSums): WorkSection {
  const reference = deltaFReference(spec, potential);
  const summary = summariseWork(sums, workTemperature(spec));
  const notes: string[] = [];
  if (!spec.equilibrate && spec.init.kind !== 'normal' && summary.jarzynski)
    notes.push(
      `Jarzynski's average gives ΔF only for walkers that start Boltzmann-distributed at the protocol's first parameters; this run starts from init.kind "${spec.init.kind}" without an equilibration (use "init": {"kind": "equilibrium", "steps": n, "from": {...}}, or a normal init that is that distribution, as for a harmonic trap)`,
    );
  if (sums.nonFinite > 0)
    notes.push(
      `${sums.nonFinite} walkers' work is not finite or beyond the exact sums' range (|W| > 2^480 or |2W/T| > 2^40): left out of every work statistic`,
    );
  if (spec.passage?.absorb)
    notes.push("absorbed walkers keep taking the switches' work at the position where they stopped: W is not the work of a free walker");
  return { protocol: spec.protocol, ...summary, ...(reference ? { reference } : {}), notes };
}

/** The `passage` and `work` sections of a run's kinetics sums (the result's, or `Simulation.kinetics()` mid-run). */
export function kineticsSectionsOf(
  spec: RunSpec,
  potential: CompiledPotential,
  k: KineticsSums,
  done = spec.steps,
): { passage?: PassageSection; work?: WorkSection } {
  const region = spec.passage ? normalisedSpec(spec).passage : undefined;
  return {
    ...(k.passage && region ? { passage: passageSection(spec, potential, k.passage, region, done) } : {}),
    ...(k.work ? { work: workSection(spec, potential, k.work) } : {}),
  };
}
