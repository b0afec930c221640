/**
 * The integrator table: one typed entry per integrator, the only place that
 * knows what an integrator is. An entry holds its spec fields, its state, its
 * coefficient function (the only place a temperature T and a step size h
 * become the numbers a kernel reads), its WGSL and shader flags, its float64
 * reference step, its generated CPU kernel, and what it adds to the result.
 *
 * Adding an integrator: write its reference step (a pure function of one
 * particle, in this folder), its WGSL (shaders/), its CPU kernel generator
 * (src/cpu/kernels/), and add one entry here. The spec validator, both
 * backends, the engine and the result read the entry; nothing else compares
 * integrator names.
 */
import overdampedWGSL from '../../shaders/step.wgsl?raw';
import samplersWGSL from '../../shaders/samplers.wgsl?raw';
import type { CompiledPotential } from '../potential/index.ts';
import { kernelEnergy, kernelGradient, type KernelGradient, type RangeKernelSource } from '../cpu/kernels/parts.ts';
import type { KernelKinetics } from '../cpu/kernels/kinetics.ts';
import { overdampedKernelSource } from '../cpu/kernels/overdamped.ts';
import { baoabKernelSource } from '../cpu/kernels/baoab.ts';
import { hmcKernelSource, malaKernelSource } from '../cpu/kernels/metropolis.ts';
import { baoabCoefficients, COEF_STRIDE, hmcCoefficients, overdampedCoefficients, type CoefficientFn } from './coefficients.ts';
import { advanceOverdamped } from './overdamped.ts';
import { advanceBaoab } from './inertial.ts';
import { advanceHmc, advanceMala } from './metropolis.ts';
import type { ReferenceStep } from './reference.ts';

export type IntegratorName = 'em' | 'lm' | 'baoab' | 'mala' | 'hmc';

/** Spec fields an integrator reads besides dt and temperature. */
export type IntegratorField = 'mass' | 'friction' | 'leapfrogSteps' | 'batch';

/** What an integrator's generated CPU kernel is built from. */
export interface KernelInputs {
  dims: number;
  potential: CompiledPotential;
  /** the spec's mini-batch (potentials from data) */
  batch?: { size: number; replace: boolean };
  /** m_d per coordinate, mass units */
  mass: number[];
  /** L, leapfrog steps per step */
  leapfrogSteps: number;
  /** the spec's kinetics (passage region, parameter schedules): only the overdamped kernels step them; the others leave them to the reference */
  kinetics?: KernelKinetics;
}

/** The spec values the table's functions read (a RunSpec has them all). */
export interface IntegratorParams {
  /** γ, 1/time */
  friction: number;
  /** L */
  leapfrogSteps: number;
}

export interface Integrator {
  readonly name: IntegratorName;
  /** spec fields it reads besides dt and temperature */
  readonly fields: readonly IntegratorField[];
  /** keeps a velocity per particle (a second per-particle array); the result then reports kinetic quantities */
  readonly velocities: boolean;
  /** has a Metropolis–Hastings accept test; the result then reports acceptance rates */
  readonly metropolis: boolean;
  /** the time one step of size h spans, time units (HMC: L leapfrog steps) */
  stepTime(h: number, p: IntegratorParams): number;
  /** the kernel's numbers for a step of size h (time) at temperature T (energy): COEF_STRIDE of them at out[at] */
  readonly coefficients: CoefficientFn;
  /** the kernel (shaders/), with `//!potential` where the potential is spliced */
  readonly wgsl: string;
  /** its `#if` flags for this integrator (BATCH is added by the kernel class) */
  readonly defines: Readonly<Record<string, boolean>>;
  /** float64 reference: advance one particle K steps; returns its accepted moves */
  readonly reference: ReferenceStep;
  /** the generated CPU range kernel's source, or undefined where this potential has none */
  kernel(k: KernelInputs): RangeKernelSource | undefined;
  /** whether the result reports `energyDrift` (a conservative run: the drift of ⟨H⟩ measures the integrator's error) */
  reportsEnergyDrift(p: IntegratorParams): boolean;
}

const SINGLE_STEP = (h: number) => h;
/** A kernel with kinetics needs an expression potential's gradient (no data) and, under a schedule, its energy. */
const kineticsGradient = (g: KernelGradient, k: KernelInputs) =>
  !k.kinetics || (g.kind === 'expression' && (!k.kinetics.scheduled || k.kinetics.scheduled.energy !== undefined));
const NO_DRIFT = () => false;
/** The kinetics flags of shaders/kinetics.wgsl, all off (ParticleKernel turns on those the spec needs). */
const NO_KINETICS = { KINETICS: false, WORK: false, PASSAGE: false, BRIDGE: false, ABSORB: false };
const SAMPLER_FLAGS = { BAOAB: false, MALA: false, HMC: false, INERTIAL: false, METROPOLIS: false, ...NO_KINETICS };

/** Every integrator, in the order listings show them. */
export const INTEGRATOR_TABLE: Readonly<Record<IntegratorName, Integrator>> = {
  /** Euler–Maruyama, overdamped: x′ = x − h∇E + √(2hT)ξ */
  em: {
    name: 'em',
    fields: ['batch'],
    velocities: false,
    metropolis: false,
    stepTime: SINGLE_STEP,
    coefficients: overdampedCoefficients,
    wgsl: overdampedWGSL,
    defines: { LM: false, ...NO_KINETICS },
    reference: (a) => (advanceOverdamped(false, a.x, a.rng.ns, a.coef, a.gradient, a.params, a.scratch, a.rng.step0), 0),
    kernel: (k) => {
      const g = kernelGradient(k.potential, k.batch);
      return g && kineticsGradient(g, k) ? overdampedKernelSource(k.dims, g, false, k.kinetics) : undefined;
    },
    reportsEnergyDrift: NO_DRIFT,
  },
  /** Leimkuhler–Matthews, overdamped: EM with the noise (ξ_n + ξ_{n+1})/2; exact variance on a quadratic */
  lm: {
    name: 'lm',
    fields: ['batch'],
    velocities: false,
    metropolis: false,
    stepTime: SINGLE_STEP,
    coefficients: overdampedCoefficients,
    wgsl: overdampedWGSL,
    defines: { LM: true, ...NO_KINETICS },
    reference: (a) => (advanceOverdamped(true, a.x, a.rng.ns, a.coef, a.gradient, a.params, a.scratch, a.rng.step0), 0),
    kernel: (k) => {
      const g = kernelGradient(k.potential, k.batch);
      return g && kineticsGradient(g, k) ? overdampedKernelSource(k.dims, g, true, k.kinetics) : undefined;
    },
    reportsEnergyDrift: NO_DRIFT,
  },
  /** BAOAB, inertial Langevin with mass and friction (γ = 0: velocity Verlet; T = 0: heavy-ball momentum) */
  baoab: {
    name: 'baoab',
    fields: ['mass', 'friction', 'batch'],
    velocities: true,
    metropolis: false,
    stepTime: SINGLE_STEP,
    coefficients: baoabCoefficients,
    wgsl: samplersWGSL,
    defines: { ...SAMPLER_FLAGS, BAOAB: true, INERTIAL: true },
    reference: (a) => (advanceBaoab(a.x, a.v!, a.rng.ns, a.coef, a.gradient, a.params, a.invMass, a.scratch.g, a.rng.step0), 0),
    kernel: (k) => {
      const g = kernelGradient(k.potential, k.batch);
      return g && !k.kinetics ? baoabKernelSource(k.dims, g, k.mass) : undefined;
    },
    reportsEnergyDrift: (p) => p.friction === 0,
  },
  /** Metropolis-adjusted Langevin: an EM proposal with an accept test; exact for every h */
  mala: {
    name: 'mala',
    fields: [],
    velocities: false,
    metropolis: true,
    stepTime: SINGLE_STEP,
    coefficients: overdampedCoefficients,
    wgsl: samplersWGSL,
    defines: { ...SAMPLER_FLAGS, MALA: true, METROPOLIS: true },
    reference: (a) => advanceMala(a.x, a.rng, a.coef, a.energy, a.fullGradient, a.params, a.scratch),
    kernel: (k) => {
      const [e, g] = [kernelEnergy(k.potential), kernelGradient(k.potential)];
      return e && g && !k.kinetics ? malaKernelSource(k.dims, e, g) : undefined;
    },
    reportsEnergyDrift: NO_DRIFT,
  },
  /** Hamiltonian Monte Carlo: L leapfrog steps of size h from a fresh thermal velocity, with an accept test */
  hmc: {
    name: 'hmc',
    fields: ['mass', 'leapfrogSteps'],
    velocities: true,
    metropolis: true,
    stepTime: (h, p) => h * p.leapfrogSteps,
    coefficients: hmcCoefficients,
    wgsl: samplersWGSL,
    defines: { ...SAMPLER_FLAGS, HMC: true, INERTIAL: true, METROPOLIS: true },
    reference: (a) => advanceHmc(a.x, a.v!, a.rng, a.coef, a.leapfrogSteps, a.energy, a.fullGradient, a.params, a.invMass, a.scratch),
    kernel: (k) => {
      const [e, g] = [kernelEnergy(k.potential), kernelGradient(k.potential)];
      return e && g && !k.kinetics ? hmcKernelSource(k.dims, e, g, k.mass, k.leapfrogSteps) : undefined;
    },
    reportsEnergyDrift: NO_DRIFT,
  },
};

/** The integrator names, in table order. */
export const INTEGRATORS = Object.keys(INTEGRATOR_TABLE) as IntegratorName[];

/** Integrators with velocities as state (a second buffer): mass matters. */
export const INERTIAL: readonly IntegratorName[] = INTEGRATORS.filter((n) => INTEGRATOR_TABLE[n].velocities);

/** Integrators with a Metropolis–Hastings accept test (they report an acceptance rate). */
export const METROPOLIS: readonly IntegratorName[] = INTEGRATORS.filter((n) => INTEGRATOR_TABLE[n].metropolis);

/** Integrators that take mini-batch gradients. */
export const MINI_BATCH: readonly IntegratorName[] = INTEGRATORS.filter((n) => INTEGRATOR_TABLE[n].fields.includes('batch'));

/**
 * The coefficients of consecutive steps: step j has size h[j] (time) and
 * temperature T[j] (energy); COEF_STRIDE numbers per step.
 * @example coefficientTable('em', [0.01], [0.5], { friction: 1, leapfrogSteps: 1 }) // [0.01, 0.1, 0.5, 0]
 */
export function coefficientTable(name: IntegratorName, h: ArrayLike<number>, T: ArrayLike<number>, p: IntegratorParams): Float64Array {
  const entry = INTEGRATOR_TABLE[name];
  const out = new Float64Array(COEF_STRIDE * h.length);
  for (let j = 0; j < h.length; j++) entry.coefficients(h[j], T[j], p, out, COEF_STRIDE * j);
  return out;
}
