/**
 * The CPU backend's observations over its float64 state, with the GPU's
 * notion of a blow-up: a particle is non-finite when a coordinate or its
 * energy is not finite in f32, so a blow-up reads the same on both backends.
 */
import {
  covarianceFromSums,
  covarianceRowLength,
  momentRowLength,
  momentsFromSums,
  type Covariance,
  type Moments,
  type TargetBall,
  type VelocityMoments,
} from '../backend.ts';
import type { EnergyFn } from '../integrators/reference.ts';

const finiteF32 = (v: number) => Number.isFinite(Math.fround(v));

/**
 * Moments of positions x[i·D + d], shifted sums around `shift`, the best
 * particle (lowest energy, lowest index on ties) with its position, and the
 * count within `ball`.
 */
export function cpuMoments(
  positions: Float64Array,
  dims: number,
  energy: EnergyFn,
  params: ArrayLike<number>,
  shift: number[],
  ball?: TargetBall,
): Moments {
  const D = dims;
  const sums = new Float64Array(momentRowLength(D));
  let best = { energy: Infinity, index: -1 };
  let firstBad = -1;
  const r2 = ball ? Math.fround(ball.radius * ball.radius) : -1;
  const x = new Float64Array(D);
  const n = positions.length / D;
  for (let i = 0; i < n; i++) {
    x.set(positions.subarray(i * D, (i + 1) * D));
    let bad = !x.every(finiteF32);
    const e = bad ? 0 : energy(x, params);
    bad = bad || !finiteF32(e);
    if (bad) {
      sums[2 * D + 2] += 1;
      if (firstBad < 0) firstBad = i;
      continue;
    }
    for (let d = 0; d < D; d++) {
      const dx = x[d] - shift[d];
      sums[d] += dx;
      sums[D + d] += dx * dx;
    }
    sums[2 * D] += e;
    sums[2 * D + 1] += 1;
    if (e < best.energy) best = { energy: e, index: i };
    if (ball && distance2(x, ball.target) <= r2) sums[2 * D + 3] += 1;
  }
  const at = best.index >= 0 ? Array.from(positions.subarray(best.index * D, (best.index + 1) * D)) : [];
  return momentsFromSums(sums, D, shift, { ...best, x: at }, firstBad);
}

function distance2(x: Float64Array, target: number[]): number {
  let s = 0;
  for (let d = 0; d < x.length; d++) s += (x[d] - target[d]) ** 2;
  return s;
}

/** ⟨v⟩ and ⟨v²⟩ per coordinate over the particles whose velocity is finite in f32. */
export function cpuVelocityMoments(v: Float64Array, dims: number): VelocityMoments {
  const D = dims;
  const s1 = new Float64Array(D);
  const s2 = new Float64Array(D);
  let count = 0;
  for (let i = 0; i < v.length / D; i++) {
    const row = v.subarray(i * D, (i + 1) * D);
    if (!row.every(finiteF32)) continue;
    count++;
    for (let d = 0; d < D; d++) {
      s1[d] += row[d];
      s2[d] += row[d] * row[d];
    }
  }
  return { count, mean: Array.from(s1, (x) => x / count), meanSquare: Array.from(s2, (x) => x / count) };
}

/** Covariance of positions with finite coordinates, shifted sums around `shift`. */
export function cpuCovariance(positions: Float64Array, dims: number, shift: number[]): Covariance {
  const D = dims;
  const sums = new Float64Array(covarianceRowLength(D));
  const dx = new Float64Array(D);
  for (let i = 0; i < positions.length / D; i++) {
    let bad = false;
    for (let d = 0; d < D; d++) {
      const v = positions[i * D + d];
      bad = bad || !finiteF32(v);
      dx[d] = v - shift[d];
    }
    if (bad) continue;
    sums[0] += 1;
    let q = 1 + D;
    for (let a = 0; a < D; a++) {
      sums[1 + a] += dx[a];
      for (let b = a; b < D; b++) sums[q++] += dx[a] * dx[b];
    }
  }
  return covarianceFromSums(sums, D, shift);
}
