/**
 * The CPU backend's observations over its float64 state, in the tiles of
 * src/sums.ts (PARTICLE_BLOCK consecutive particles, each tile's sums around
 * its own mean, tiles added exactly), with the GPU's notion of a blow-up: a
 * particle is non-finite when a coordinate or its energy is not finite in
 * f32, so a blow-up reads the same on both backends.
 */
import type { TargetBall } from '../backend.ts';
import type { EnergyFn } from '../integrators/reference.ts';
import {
  PARTICLE_BLOCK,
  addCovarianceTile,
  addMomentTile,
  emptyCovarianceSums,
  emptyMomentSums,
  type CovarianceSums,
  type MomentSums,
} from '../sums.ts';

const finiteF32 = (v: number) => Number.isFinite(Math.fround(v));

/** What a moments reduction reads: D values per particle, and optionally their energy. */
export interface CpuValues {
  /** v[i·D + d] */
  values: Float64Array;
  dims: number;
  /** the global index of values' first particle (best and non-finite indices are global) */
  first: number;
  /** the potential whose energy is summed (positions); without it, E = 0 */
  energy?: { fn: EnergyFn; params: ArrayLike<number> };
  ball?: TargetBall;
}

/** Whether particle i's D values are all finite in f32 (no allocation: this runs once per particle and pass). */
function rowFinite(values: Float64Array, D: number, i: number): boolean {
  for (let d = 0; d < D; d++) if (!finiteF32(values[i * D + d])) return false;
  return true;
}

/** Per particle of a tile, into `e`: its energy (0 without a potential), NaN for one that is not summed. */
function tileEnergies(v: CpuValues, lo: number, hi: number, x: Float64Array, e: Float64Array): void {
  const { values, dims: D, energy } = v;
  for (let i = lo; i < hi; i++) {
    if (!rowFinite(values, D, i)) {
      e[i - lo] = NaN;
      continue;
    }
    if (!energy) {
      e[i - lo] = 0;
      continue;
    }
    for (let d = 0; d < D; d++) x[d] = values[i * D + d];
    const E = energy.fn(x, energy.params);
    e[i - lo] = finiteF32(E) ? E : NaN;
  }
}

/**
 * The mean over a tile's summed particles (0 when none): the tile's shift.
 * @param energies per particle of the tile, NaN for one left out (default: those with a non-finite coordinate)
 */
function tileMean(values: Float64Array, D: number, lo: number, hi: number, energies?: Float64Array): Float64Array {
  const m = new Float64Array(D);
  let n = 0;
  for (let i = lo; i < hi; i++) {
    if (energies ? Number.isNaN(energies[i - lo]) : !rowFinite(values, D, i)) continue;
    n++;
    for (let d = 0; d < D; d++) m[d] += values[i * D + d];
  }
  if (n > 0) for (let d = 0; d < D; d++) m[d] /= n;
  return m;
}

/**
 * Moments of values v[i·D + d] in tiles: exact sums of x and x², the energy,
 * the best particle (lowest energy, lowest index on ties) with its position,
 * and the count within `ball`.
 */
export function cpuMomentSums(v: CpuValues): MomentSums {
  const { values, dims: D, ball } = v;
  const sums = emptyMomentSums(D);
  const r2ball = ball ? Math.fround(ball.radius * ball.radius) : -1;
  const x = new Float64Array(D);
  const e = new Float64Array(PARTICLE_BLOCK);
  const n = values.length / D;
  for (let lo = 0; lo < n; lo += PARTICLE_BLOCK) {
    const hi = Math.min(n, lo + PARTICLE_BLOCK);
    tileEnergies(v, lo, hi, x, e);
    const mean = tileMean(values, D, lo, hi, e);
    const tile = { count: 0, mean, r1: new Float64Array(D), r2: new Float64Array(D), energy: 0, nonFinite: 0, inside: 0 };
    for (let i = lo; i < hi; i++) {
      const E = e[i - lo];
      if (Number.isNaN(E)) {
        tile.nonFinite++;
        if (sums.firstNonFinite < 0) sums.firstNonFinite = v.first + i;
        continue;
      }
      for (let d = 0; d < D; d++) {
        x[d] = values[i * D + d];
        const dx = x[d] - mean[d];
        tile.r1[d] += dx;
        tile.r2[d] += dx * dx;
      }
      tile.energy += E;
      tile.count++;
      if (v.energy && (sums.best.index < 0 || E < sums.best.energy)) sums.best = { energy: E, index: v.first + i, x: Array.from(x) };
      if (ball && distance2(x, ball.target) <= r2ball) tile.inside++;
    }
    addMomentTile(sums, tile);
  }
  return sums;
}

function distance2(x: Float64Array, target: number[]): number {
  let s = 0;
  for (let d = 0; d < x.length; d++) s += (x[d] - target[d]) ** 2;
  return s;
}

/** Covariance sums of positions with finite coordinates, in tiles. */
export function cpuCovarianceSums(positions: Float64Array, dims: number): CovarianceSums {
  const D = dims;
  const sums = emptyCovarianceSums(D);
  const n = positions.length / D;
  for (let lo = 0; lo < n; lo += PARTICLE_BLOCK) {
    const hi = Math.min(n, lo + PARTICLE_BLOCK);
    const m = tileMean(positions, D, lo, hi);
    const r1 = new Float64Array(D);
    const c = new Float64Array((D * (D + 1)) / 2);
    let count = 0;
    for (let i = lo; i < hi; i++) {
      if (!rowFinite(positions, D, i)) continue;
      count++;
      let q = 0;
      for (let a = 0; a < D; a++) {
        const da = positions[i * D + a] - m[a];
        r1[a] += da;
        for (let b = a; b < D; b++) c[q++] += da * (positions[i * D + b] - m[b]);
      }
    }
    addCovarianceTile(sums, count, m, r1, c);
  }
  return sums;
}
