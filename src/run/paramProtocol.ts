/**
 * Potential parameters over the protocol: λ_j for j = 0 … steps (λ_0 before
 * the first step, λ_steps after the last). Step n switches λ_n → λ_{n+1} at
 * the particle's position (the work E(x_n; λ_{n+1}) − E(x_n; λ_n)), then
 * moves under λ_{n+1}. A chunk's table holds K + 1 rows of the P scalar
 * parameters: rows step0 … step0 + K; the kernels read row k + 1 in step k.
 */
import { scheduleAt } from '../schedule.ts';
import type { ParamSchedule, RunSpec } from '../spec/types.ts';

/**
 * Value of a parameter schedule at protocol point j of a run of `steps` steps
 * (j = 0 … steps): linear, geometric and log over j/steps; a table of L values
 * takes value ⌊j·L/(steps + 1)⌋; sine: mean + amplitude·sin(2πj/period + phase).
 * @example paramAt({schedule: 'linear', from: 1, to: 4}, 10, 10) // 4
 */
export function paramAt(s: ParamSchedule, j: number, steps: number): number {
  if (s.schedule === 'sine') return s.mean + s.amplitude * Math.sin((2 * Math.PI * j) / s.period + s.phase);
  return scheduleAt(s, j, steps + 1);
}

export class ParamProtocol {
  /** (scalar parameter index, schedule) */
  private readonly scheduled: [number, ParamSchedule][] = [];
  private readonly base: Float64Array;

  /**
   * @param names the compiled potential's scalar parameter names (`k` or `k_0` … for an array)
   * @param values their values λ_0 (the compiled potential's paramValues)
   */
  constructor(
    private readonly spec: RunSpec,
    names: readonly string[],
    values: ArrayLike<number>,
  ) {
    this.base = Float64Array.from(values);
    for (const [name, s] of Object.entries(spec.schedules ?? {})) {
      if (Array.isArray(s)) {
        s.forEach((x, i) => {
          if (typeof x !== 'number') this.scheduled.push([indexOf(names, `${name}_${i}`), x]);
        });
      } else {
        const exact = names.indexOf(name);
        // a per-dimension built-in parameter given one schedule: every component follows it
        if (exact >= 0) this.scheduled.push([exact, s]);
        else names.forEach((n, i) => n.startsWith(`${name}_`) && /^\d+$/.test(n.slice(name.length + 1)) && this.scheduled.push([i, s]));
      }
    }
  }

  /** Whether any parameter has a schedule (the run then measures work). */
  get active(): boolean {
    return this.scheduled.length > 0;
  }

  /** P, scalar parameters per row. */
  get width(): number {
    return this.base.length;
  }

  /** Parameter values at protocol point j (0 … steps), written to out at `at`. */
  valuesAt(j: number, out: Float64Array = new Float64Array(this.base.length), at = 0): Float64Array {
    out.set(this.base, at);
    const { steps } = this.spec;
    const point = this.spec.protocol === 'reverse' ? steps - j : j;
    for (const [i, s] of this.scheduled) out[at + i] = paramAt(s, Math.min(Math.max(point, 0), steps), steps);
    return out;
  }

  /** Rows step0 … step0 + k of the parameter table (k + 1 rows of P values). */
  table(step0: number, k: number): Float64Array {
    const P = this.base.length;
    const out = new Float64Array((k + 1) * P);
    for (let r = 0; r <= k; r++) this.valuesAt(step0 + r, out, r * P);
    return out;
  }
}

function indexOf(names: readonly string[], name: string): number {
  const i = names.indexOf(name);
  if (i < 0) throw new Error(`no scalar parameter ${name} (parameters: ${names.join(', ')})`);
  return i;
}

/** `rows` copies of one row of parameters (a chunk without a schedule's changes: the equilibration). */
export function constantRows(row: Float64Array, rows: number): Float64Array {
  const out = new Float64Array(rows * row.length);
  for (let r = 0; r < rows; r++) out.set(row, r * row.length);
  return out;
}
