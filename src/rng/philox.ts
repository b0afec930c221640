/**
 * Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as
 * easy as 1, 2, 3", SC'11), bit-identical to `shaders/philox.wgsl`.
 *
 * The stream contract (docs/ARCHITECTURE.md, "Random numbers"): key = the run's
 * 64-bit seed; counter = (particle, call index low, call index high, stream), the
 * particle's bits above 32 (ensembles past 2^32 particles) in the stream word's bits 8 … 31.
 * The normals of one particle and one stream form a flat sequence; normal number
 * m = n·D + d (step n, coordinate d) is output m mod 4 of call ⌊m/4⌋. So what a
 * particle sees depends only on (seed, particle, step, coordinate, stream),
 * never on dispatch size, chunking, sharding or backend.
 */
import { boxMuller } from './boxMuller.ts';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Streams: independent uses of the generator for one particle. */
export const Stream = {
  /** Gaussian noise of the dynamics (one normal per step and coordinate). */
  noise: 0,
  /** Initial positions. */
  init: 1,
  /** Initial velocities (inertial integrators): normals 0…D−1. */
  velocity: 2,
  /** Metropolis accept uniforms: uniform number n (step n) is output n mod 4 of call ⌊n/4⌋. */
  accept: 3,
  /** Mini-batch row indices (src/rng/batch.ts): counter (particle, step, call within the step, 4). */
  batch: 4,
  /** Brownian-bridge uniforms of the first-passage test (src/integrators/passage.ts): uniform n (step n) is output n mod 4 of call ⌊n/4⌋. */
  bridge: 5,
  /** Poisson-bootstrap weights of the work statistics (src/stats/work.ts): counter (particle, ⌊r/4⌋, 0), output r mod 4 for replicate r. */
  bootstrap: 6,
} as const;

/**
 * High 32 bits of the 64-bit product of two u32, from 16-bit halves exactly as
 * `mulhi32` in shaders/philox.wgsl: t = al·bl; u = ah·bl + t>>16;
 * v = al·bh + (u & 0xffff); hi = ah·bh + u>>16 + v>>16 (each partial < 2^32).
 */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const t = al * bl;
  const u = ah * bl + (t >>> 16);
  const v = al * bh + (u & 0xffff);
  return (ah * bh + (u >>> 16) + (v >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block.
 * @param c0..c3 counter words (u32)
 * @param k0,k1 key words (u32)
 * @param out receives four u32 outputs
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array | number[]): void {
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** u32 → uniform in [2^-24, 1 − 2^-24], never 0 or 1 (Random123 u01fixedpt<float>); exact in f32. */
export function u01(u: number): number {
  return (u >>> 9) * 2 ** -23 + 2 ** -24;
}

/**
 * Box–Muller: two u32 words → two standard normals, written to out[at], out[at+1]:
 * r = √(−2 ln u01(w0)), t = π(2·u01(w1) − 1), (r cos t, r sin t). The angle lies
 * in (−π, π), where WGSL's sin and cos are accurate; `box_muller` in
 * shaders/philox.wgsl computes the same formula in f32, this one in float64
 * through tables (src/rng/boxMuller.ts), shared with the generated CPU kernel.
 */
export { boxMuller };

/** Split a seed (integer 0 ≤ seed < 2^53) into the two Philox key words. */
export function seedKey(seed: number): [number, number] {
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/**
 * Counter word 3 of a particle in a stream: the stream plus 256 × the particle's high bits ⌊particle / 2^32⌋
 * (word 0 holds its low 32 bits, `particle >>> 0`). Below 2^32 particles it is the stream itself: the
 * contract of 32-bit particle indices, unchanged.
 */
export function streamWord(stream: number, particle: number): number {
  return (stream + 256 * Math.floor(particle / 2 ** 32)) >>> 0;
}

/**
 * Reader of one particle's flat normal sequence in one stream, mirroring the
 * WGSL `NormalStream`: normals m, m+1, … where m = n·D + d.
 */
export class NormalStream {
  private readonly block = new Uint32Array(4);
  private readonly normals = new Float64Array(4);
  private callLo = 0;
  private callHi = 0;
  private phase = 0;
  private particle = 0;
  private word3 = 0;

  constructor(
    private readonly k0: number,
    private readonly k1: number,
    private readonly stream: number,
  ) {}

  /** Position the stream at normal number m (m < 2^53) of a particle (global index). */
  seek(particle: number, m: number): void {
    this.particle = particle >>> 0;
    this.word3 = streamWord(this.stream, particle);
    const call = Math.floor(m / 4);
    this.callLo = call >>> 0;
    this.callHi = Math.floor(call / 2 ** 32) >>> 0;
    this.phase = m % 4;
    this.refill();
  }

  private refill(): void {
    philox4x32(this.particle, this.callLo, this.callHi, this.word3, this.k0, this.k1, this.block);
    boxMuller(this.block[0], this.block[1], this.normals, 0);
    boxMuller(this.block[2], this.block[3], this.normals, 2);
  }

  /** The next standard normal. */
  next(): number {
    if (this.phase === 4) {
      this.phase = 0;
      this.callLo = (this.callLo + 1) >>> 0;
      if (this.callLo === 0) this.callHi = (this.callHi + 1) >>> 0;
      this.refill();
    }
    return this.normals[this.phase++];
  }
}
