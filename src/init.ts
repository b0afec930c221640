/**
 * Initial conditions, mirroring shaders/init.wgsl: positions from Philox
 * stream 1 and (for integrators with velocities) velocities from stream 2,
 * each an affine map a_d + b_d·r_d of a normal or uniform r, so the GPU only
 * needs (a, b) per coordinate and no particle array is ever uploaded.
 */
import { NormalStream, philox4x32, streamWord, u01, Stream } from './rng/philox.ts';
import { temperatureAt } from './schedule.ts';
import type { InitSpec, RunSpec } from './spec.ts';

/** Affine form of an init spec: x_d = a_d + b_d r_d (r normal, uniform or 0). */
export function initAffine(init: InitSpec): { a: number[]; b: number[] } {
  switch (init.kind) {
    case 'normal':
      return { a: init.mean, b: init.std };
    case 'uniform':
      return { a: init.low, b: init.high.map((h, i) => h - init.low[i]) };
    case 'point':
      return { a: init.x, b: init.x.map(() => 0) };
  }
}

/** Initial position of particle i (global index), as shaders/init.wgsl computes it. */
export function initParticle(init: InitSpec, i: number, k0: number, k1: number, out: Float64Array): void {
  const { a, b } = initAffine(init);
  const D = out.length;
  if (init.kind === 'normal') {
    const ns = new NormalStream(k0, k1, Stream.init);
    ns.seek(i, 0);
    for (let d = 0; d < D; d++) out[d] = a[d] + b[d] * ns.next();
  } else if (init.kind === 'uniform') {
    const block = new Uint32Array(4);
    for (let d = 0; d < D; d++) {
      if (d % 4 === 0) philox4x32(i >>> 0, d / 4, 0, streamWord(Stream.init, i), k0, k1, block);
      out[d] = a[d] + b[d] * u01(block[d % 4]);
    }
  } else {
    for (let d = 0; d < D; d++) out[d] = a[d];
  }
}

/**
 * Initial velocity of particle i (global index), as shaders/init.wgsl computes it
 * with the VELOCITY flag: "thermal" draws v_d = √(T(0)/m_d)·ξ_d with ξ_d normal
 * number d of stream 2 (Stream.velocity); "zero" and a vector are the same for all.
 */
export function initVelocity(spec: RunSpec, i: number, k0: number, k1: number, out: Float64Array): void {
  const { a, b } = velocityAffine(spec);
  const D = out.length;
  if (spec.velocity.kind === 'thermal') {
    const ns = new NormalStream(k0, k1, Stream.velocity);
    ns.seek(i, 0);
    for (let d = 0; d < D; d++) out[d] = a[d] + b[d] * ns.next();
  } else {
    for (let d = 0; d < D; d++) out[d] = a[d];
  }
}

/** Affine form v_d = a_d + b_d·ξ_d of the velocity init (ξ normal, stream 2). */
export function velocityAffine(spec: RunSpec): { a: number[]; b: number[] } {
  const D = spec.dims;
  const vel = spec.velocity;
  if (vel.kind === 'thermal') {
    const T0 = temperatureAt(spec.temperature, 0, spec.steps);
    return { a: new Array<number>(D).fill(0), b: spec.mass.map((m) => Math.sqrt(T0 / m)) };
  }
  const a = vel.kind === 'zero' ? new Array<number>(D).fill(0) : vel.v;
  return { a, b: new Array<number>(D).fill(0) };
}

/** The velocity init as an init of positions (affine in a normal of the velocity stream), for the GPU's InitKernel. */
export function velocityInit(spec: RunSpec): InitSpec {
  const { a, b } = velocityAffine(spec);
  return spec.velocity.kind === 'thermal' ? { kind: 'normal', mean: a, std: b } : { kind: 'point', x: a };
}
