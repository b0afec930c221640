/**
 * The protocol of a run: the temperature T(n) and step size h(n) of every
 * step, pure functions of the step index under the spec's schedules, and the
 * coefficient table of a chunk, the one place where (h, T) become the numbers
 * a kernel reads (through the integrator's table entry).
 */
import { COEF_STRIDE } from '../integrators/coefficients.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import { scheduleAt, temperatureAt } from '../schedule.ts';
import { SpecError } from '../errors.ts';
import type { RunSpec } from '../spec.ts';
import { ParamProtocol } from './paramProtocol.ts';

/** Temperature of the state after `done` steps: that of the last step taken (T(0) before any), energy units. */
export function temperatureAfter(spec: RunSpec, done: number): number {
  return temperatureAt(spec.temperature, Math.max(0, done - 1), spec.steps);
}

export class Protocol {
  /** the potential parameters' schedules (absent: constant parameters) */
  readonly params?: ParamProtocol;

  /**
   * @param spec the run's spec; `setTemperature` and `setStepSize` change its schedules in place
   * @param potential the compiled potential's parameter names and start values (for parameter schedules)
   */
  constructor(
    private readonly spec: RunSpec,
    potential?: { paramNames: string[]; paramValues: ArrayLike<number> },
  ) {
    if (spec.schedules && potential) this.params = new ParamProtocol(spec, potential.paramNames, potential.paramValues);
  }

  /** The parameter rows of protocol points step0 … step0 + k, or undefined when no parameter has a schedule. */
  paramTable(step0: number, k: number): Float64Array | undefined {
    return this.params?.table(step0, k);
  }

  /** The coefficients of `k` steps at the first step's step size and temperature (the equilibration before the protocol). */
  equilibrationCoefficients(k: number): Float64Array {
    const out = new Float64Array(COEF_STRIDE * k);
    INTEGRATOR_TABLE[this.spec.integrator].coefficients(this.stepSizeAt(0), this.temperatureAt(0), this.spec, out, 0);
    for (let j = 1; j < k; j++) out.copyWithin(COEF_STRIDE * j, 0, COEF_STRIDE);
    return out;
  }

  /** Temperature of step n under the spec's schedule, energy units. */
  temperatureAt(n: number): number {
    return temperatureAt(this.spec.temperature, n, this.spec.steps);
  }

  /** Step size h of step n (time units) under the spec's dt (a number or a schedule). */
  stepSizeAt(n: number): number {
    return this.spec.dtSchedule ? scheduleAt(this.spec.dtSchedule, n, this.spec.steps) : this.spec.dt;
  }

  /** Temperature of the state after `done` steps, energy units. */
  temperatureAfter(done: number): number {
    return temperatureAfter(this.spec, done);
  }

  /**
   * A constant temperature from the next step on (replaces any schedule).
   * @param T energy units (k_B = 1), finite and ≥ 0
   * @throws SpecError for a negative or non-finite T
   */
  setTemperature(T: number): void {
    if (!(Number.isFinite(T) && T >= 0)) throw new SpecError('temperature', T, 'must be a finite number ≥ 0');
    this.spec.temperature = T;
  }

  /**
   * A constant step size from the next step on (replaces any schedule).
   * @param h time units, finite and > 0
   * @throws SpecError for h ≤ 0 or non-finite
   */
  setStepSize(h: number): void {
    if (!(Number.isFinite(h) && h > 0)) throw new SpecError('dt', h, 'must be a finite number > 0');
    this.spec.dt = h;
    delete this.spec.dtSchedule;
  }

  /**
   * The coefficients of steps step0 … step0 + k − 1 (COEF_STRIDE numbers per
   * step), computed once per distinct (h, T): a step with the previous step's
   * h and T copies its numbers.
   */
  coefficients(step0: number, k: number): Float64Array {
    const entry = INTEGRATOR_TABLE[this.spec.integrator];
    const out = new Float64Array(COEF_STRIDE * k);
    let last: [number, number] | undefined;
    for (let j = 0; j < k; j++) {
      const h = this.stepSizeAt(step0 + j);
      const T = this.temperatureAt(step0 + j);
      if (last && last[0] === h && last[1] === T) out.copyWithin(COEF_STRIDE * j, COEF_STRIDE * (j - 1), COEF_STRIDE * j);
      else entry.coefficients(h, T, this.spec, out, COEF_STRIDE * j);
      last = [h, T];
    }
    return out;
  }
}
