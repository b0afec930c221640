/**
 * What the float64 reference steps share: the signatures of the potential's
 * functions they call, per-particle scratch, inverse masses, and the
 * arguments a backend hands the integrator table's `reference` step for one
 * particle.
 */
import type { NormalStream } from '../rng/philox.ts';

/**
 * Gradient of E at x, written to g (the compiled potential's JS target).
 * `step` is the step's index in the run; mini-batch gradients
 * (src/integrators/batch.ts) draw their rows from it, full gradients ignore it.
 */
export type GradientFn = (x: Float64Array, g: Float64Array, p: ArrayLike<number>, step: number) => void;

/** The full-data gradient, as the Metropolis integrators use it (their accept test needs exact energies). */
export type FullGradientFn = (x: Float64Array, g: Float64Array, p: ArrayLike<number>) => void;

/** E(x) in float64 (the compiled potential's JS target), energy units. */
export type EnergyFn = (x: ArrayLike<number>, p?: ArrayLike<number>) => number;

/** 1/m_d and 1/√m_d per coordinate (mass units^−1, ^−½). */
export interface InverseMass {
  inv: Float64Array;
  invSqrt: Float64Array;
}

/** @param mass m_d per coordinate, mass units, > 0 */
export function inverseMass(mass: number[]): InverseMass {
  return { inv: Float64Array.from(mass, (m) => 1 / m), invSqrt: Float64Array.from(mass, (m) => 1 / Math.sqrt(m)) };
}

/** Per-particle scratch of every reference step, allocated once per backend. */
export interface StepScratch {
  /** ∇E at x */
  g: Float64Array;
  /** ∇E at the proposal y */
  gy: Float64Array;
  /** a proposal (MALA, HMC) */
  y: Float64Array;
  /** noise kept across steps (LM) or the refreshed velocity (HMC) */
  xi: Float64Array;
  /** one Philox block (accept uniforms) */
  block: Uint32Array;
}

export function makeScratch(dims: number): StepScratch {
  return {
    g: new Float64Array(dims),
    gy: new Float64Array(dims),
    y: new Float64Array(dims),
    xi: new Float64Array(dims),
    block: new Uint32Array(4),
  };
}

/** The random numbers of one particle in one call: key, global index, first step, and its noise stream (stream 0) at normal number step0·D. */
export interface ParticleRng {
  k0: number;
  k1: number;
  particle: number;
  /** the call's first step (accept uniform number) */
  step0: number;
  ns: NormalStream;
}

/** One particle's arguments of a reference step of K = coef.length / COEF_STRIDE steps. */
export interface ParticleStep {
  /** position, length D, updated in place (length units) */
  x: Float64Array;
  /** velocity, length D, updated in place (length/time); integrators with velocities only */
  v: Float64Array | undefined;
  rng: ParticleRng;
  /** COEF_STRIDE numbers per step (src/integrators/coefficients.ts) */
  coef: Float64Array;
  /** the gradient a step uses: a mini-batch's when the spec has one */
  gradient: GradientFn;
  /** the full-data energy and gradient (Metropolis tests) */
  energy: EnergyFn;
  fullGradient: FullGradientFn;
  /** potential parameter values */
  params: ArrayLike<number>;
  invMass: InverseMass;
  /** L, leapfrog steps per step (HMC) */
  leapfrogSteps: number;
  scratch: StepScratch;
}

/** A reference step: advance one particle K steps in place; returns its accepted moves (0 without an accept test). */
export type ReferenceStep = (a: ParticleStep) => number;
