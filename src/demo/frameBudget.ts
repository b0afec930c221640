/**
 * The demo's frame budget: how many steps a frame advances so that the frame
 * fits 60 fps. From each measured frame (the time of its steps: GPU time from
 * `timestamp-query` where the device has it, else the wall time of advancing
 * until the work is done; and the wall time of the whole frame's work) it
 * estimates the cost of one step and of the rest of the frame as the medians
 * over the last few frames (one slow frame, another program taking the CPU
 * for a moment, moves neither), and picks the most steps whose predicted frame
 * fits the budget with headroom. It grows at most ×2 a frame, shrinks as soon
 * as the estimates say a frame no longer fits, and otherwise keeps its choice
 * (no oscillation). Pure: no
 * clock, no DOM (tests/demo/frame-budget.test.ts drives it with simulated
 * frame times).
 */

/** One frame as measured. */
export interface FrameSample {
  /** steps the frame advanced (≥ 1) */
  steps: number;
  /** the time of those steps, ms (GPU time, or wall time until they were done) */
  stepMs: number;
  /** the wall time of the frame's work (drawing and steps), ms */
  frameMs: number;
}

export interface FrameBudgetOptions {
  /** the frame time to hold, ms (default 1000/60: 60 fps) */
  targetMs?: number;
  /** the fraction of `targetMs` a chosen frame is predicted to take at most (default 0.8: room for the browser's own work and noise) */
  headroom?: number;
  /** the most steps a frame may take (≥ 1) */
  maxSteps: number;
  /** the estimates are medians over this many of the last frames (default 5: a change shows after 3 frames) */
  window?: number;
  /** frames measured but not used after a start (pipelines compiling, caches filling; default 2) */
  warmup?: number;
  /** a larger choice is taken only when it is at least this fraction above the current one (default 0.1) */
  deadband?: number;
}

export class FrameBudget {
  /** steps per frame now (1 … maxSteps) */
  steps = 1;
  /** estimated cost of one step, ms; undefined before the first used frame */
  stepCostMs?: number;
  /** estimated time of the rest of the frame (drawing, read-backs, latency), ms */
  overheadMs?: number;
  private seen = 0;
  /** the last frames' cost per step and rest of the frame, ms (newest last) */
  private readonly costs: number[] = [];
  private readonly overheads: number[] = [];
  private readonly targetMs: number;
  private readonly headroom: number;
  private readonly maxSteps: number;
  private readonly window: number;
  private readonly warmup: number;
  private readonly deadband: number;

  constructor(options: FrameBudgetOptions) {
    this.targetMs = options.targetMs ?? 1000 / 60;
    this.headroom = options.headroom ?? 0.8;
    this.maxSteps = Math.max(1, Math.floor(options.maxSteps));
    this.window = Math.max(1, Math.floor(options.window ?? 5));
    this.warmup = options.warmup ?? 2;
    this.deadband = options.deadband ?? 0.1;
  }

  /** The predicted frame time at `steps` steps per frame, ms (NaN before the first used frame). */
  predictedMs(steps: number): number {
    return this.stepCostMs === undefined ? NaN : this.overheadMs! + steps * this.stepCostMs;
  }

  /** Whether one step per frame is predicted to fit the frame time (true until measured). */
  get holds(): boolean {
    return !(this.predictedMs(1) > this.targetMs);
  }

  /** The most steps whose predicted frame fits the budget with headroom: 1 … maxSteps. */
  ideal(): number {
    if (this.stepCostMs === undefined) return this.steps;
    const room = this.targetMs * this.headroom - this.overheadMs!;
    const k = this.stepCostMs > 0 ? Math.floor(room / this.stepCostMs) : this.maxSteps;
    return Math.min(this.maxSteps, Math.max(1, k));
  }

  /** Take one measured frame into account; returns the steps for the next frame. */
  record(sample: FrameSample): number {
    if (!(sample.steps >= 1) || !Number.isFinite(sample.stepMs) || !Number.isFinite(sample.frameMs)) return this.steps;
    if (this.seen++ < this.warmup) return this.steps;
    const cost = Math.max(0, sample.stepMs) / sample.steps;
    const overhead = Math.max(0, sample.frameMs - sample.stepMs);
    this.stepCostMs = this.median(this.costs, cost);
    this.overheadMs = this.median(this.overheads, overhead);
    const ideal = this.ideal();
    if (ideal < this.steps && this.predictedMs(this.steps) > this.targetMs) this.steps = ideal;
    else if (ideal >= this.steps * (1 + this.deadband) && ideal > this.steps) this.steps = Math.min(ideal, 2 * this.steps);
    return this.steps;
  }

  /** Add `value` to the last frames' `values` (keeping `window` of them); their median. */
  private median(values: number[], value: number): number {
    values.push(value);
    if (values.length > this.window) values.shift();
    const sorted = [...values].sort((x, y) => x - y);
    const m = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
  }
}
