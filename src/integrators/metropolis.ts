/**
 * CPU reference of the Metropolis-adjusted samplers, mirroring
 * shaders/samplers.wgsl (variants MALA and HMC): float64 here, f32 there.
 * Both are exact for any step size: the stationary density is ∝ e^{−E/T}.
 *
 * MALA, step n (overdamped; mass is not used):
 *   y = x − h∇E(x) + σξ_n,  σ = √(2hT)
 *   ln α = −(E(y) − E(x))/T − |x − y + h∇E(y)|²/(4hT) + |ξ_n|²/2
 *   (the last two terms are ln q(x|y) − ln q(y|x); |y − x + h∇E(x)|² = σ²|ξ_n|²)
 * HMC, step n (L leapfrog steps of size h, so a step spans time L·h):
 *   v = √T·ξ_n/√m (full refresh), H = E(x) + ½Σ m_d v_d²,
 *   L × (v −= (h/2)∇E/m; x += h·v; v −= (h/2)∇E/m), ln α = −(H' − H)/T.
 * Accept iff ln u_n < ln α, u_n the accept uniform of step n (stream 3).
 * At T = 0 the move is accepted iff it does not raise E (MALA) or H (HMC).
 * A rejected move leaves x (and, for HMC, keeps the refreshed v).
 * ξ_n are normals n·D + d of stream 0, as for EM.
 */
import { Stream, philox4x32, streamWord, u01 } from '../rng/philox.ts';
import { COEF_STRIDE } from './coefficients.ts';
import type { EnergyFn, FullGradientFn, InverseMass, ParticleRng, StepScratch } from './reference.ts';

/**
 * The accept uniform of step n of a particle: output n mod 4 of Philox call
 * (particle, ⌊n/4⌋ low word, high word, stream 3), mapped by u01.
 */
export function acceptUniform(k0: number, k1: number, particle: number, n: number, block: Uint32Array = new Uint32Array(4)): number {
  const call = Math.floor(n / 4);
  philox4x32(particle >>> 0, call >>> 0, Math.floor(call / 2 ** 32) >>> 0, streamWord(Stream.accept, particle), k0, k1, block);
  return u01(block[n % 4]);
}

/**
 * The Metropolis–Hastings decision, shared by MALA and HMC.
 * @param dH change of E (MALA, plus the proposal terms times T) or of H (HMC), energy units
 * @param logQ ln q(x|y) − ln q(y|x) (0 for HMC)
 */
export function accepts(u: number, dH: number, logQ: number, T: number): boolean {
  if (!(T > 0)) return dH <= 0;
  return Math.log(u) < -dH / T + logQ;
}

/**
 * Advance one particle K MALA steps in place.
 * @param c4 per step (h, σ, T, 0) from overdampedCoefficients (src/integrators/coefficients.ts)
 * @returns the number of accepted moves
 */
export function advanceMala(
  x: Float64Array,
  rng: ParticleRng,
  c4: Float64Array,
  energy: EnergyFn,
  gradient: FullGradientFn,
  p: ArrayLike<number>,
  s: StepScratch,
): number {
  const D = x.length;
  const K = c4.length / COEF_STRIDE;
  let e = energy(x, p);
  gradient(x, s.g, p);
  let accepted = 0;
  for (let k = 0; k < K; k++) {
    const o = COEF_STRIDE * k;
    const h = c4[o];
    const sigma = c4[o + 1];
    const T = c4[o + 2];
    let xi2 = 0;
    for (let d = 0; d < D; d++) {
      const z = rng.ns.next();
      xi2 += z * z;
      s.y[d] = x[d] - h * s.g[d] + sigma * z;
    }
    const ey = energy(s.y, p);
    gradient(s.y, s.gy, p);
    let back = 0;
    for (let d = 0; d < D; d++) {
      const r = x[d] - s.y[d] + h * s.gy[d];
      back += r * r;
    }
    // ln q(x|y) − ln q(y|x) = −back/(4hT) + |ξ|²/2; times T for the shared test
    const logQ = T > 0 ? -back / (4 * h * T) + 0.5 * xi2 : 0;
    const u = acceptUniform(rng.k0, rng.k1, rng.particle, rng.step0 + k, s.block);
    if (Number.isFinite(ey) && accepts(u, ey - e, logQ, T)) {
      x.set(s.y);
      s.g.set(s.gy);
      e = ey;
      accepted++;
    }
  }
  return accepted;
}

/**
 * Advance one particle K HMC steps in place (each L leapfrog steps of size h).
 * @param v velocity (length D), overwritten: the refreshed one, then the end of an accepted trajectory
 * @param c4 per step (h, √T, T, 0) from hmcCoefficients
 * @returns the number of accepted trajectories
 */
export function advanceHmc(
  x: Float64Array,
  v: Float64Array,
  rng: ParticleRng,
  c4: Float64Array,
  leapfrogSteps: number,
  energy: EnergyFn,
  gradient: FullGradientFn,
  p: ArrayLike<number>,
  m: InverseMass,
  s: StepScratch,
): number {
  const D = x.length;
  const K = c4.length / COEF_STRIDE;
  let e = energy(x, p);
  gradient(x, s.g, p);
  let accepted = 0;
  for (let k = 0; k < K; k++) {
    const o = COEF_STRIDE * k;
    const h = c4[o];
    const sqrtT = c4[o + 1];
    const T = c4[o + 2];
    const hh = 0.5 * h;
    let kin0 = 0;
    for (let d = 0; d < D; d++) {
      v[d] = sqrtT * m.invSqrt[d] * rng.ns.next();
      s.xi[d] = v[d]; // the refreshed velocity, kept on rejection
      kin0 += (0.5 * v[d] * v[d]) / m.inv[d];
      s.y[d] = x[d];
      s.gy[d] = s.g[d];
    }
    for (let l = 0; l < leapfrogSteps; l++) {
      for (let d = 0; d < D; d++) {
        v[d] = v[d] - hh * s.gy[d] * m.inv[d];
        s.y[d] = s.y[d] + h * v[d];
      }
      gradient(s.y, s.gy, p);
      for (let d = 0; d < D; d++) v[d] = v[d] - hh * s.gy[d] * m.inv[d];
    }
    let kin1 = 0;
    for (let d = 0; d < D; d++) kin1 += (0.5 * v[d] * v[d]) / m.inv[d];
    const ey = energy(s.y, p);
    const u = acceptUniform(rng.k0, rng.k1, rng.particle, rng.step0 + k, s.block);
    if (Number.isFinite(ey) && Number.isFinite(kin1) && accepts(u, ey + kin1 - (e + kin0), 0, T)) {
      x.set(s.y);
      s.g.set(s.gy);
      e = ey;
      accepted++;
    } else {
      v.set(s.xi);
    }
  }
  return accepted;
}
