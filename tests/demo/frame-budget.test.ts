import { describe, expect, it } from 'vitest';
import { FrameBudget, type FrameSample } from '../../src/demo/frameBudget.ts';
import { mulberry32 } from '../../src/stats/prng.ts';

const TARGET = 1000 / 60;

/** A frame of a machine whose step costs `cost` ms and the rest of whose frame costs `overhead` ms, each times `noise()`. */
function frameOf(steps: number, cost: number, overhead: number, noise: () => number = () => 1): FrameSample {
  const stepMs = steps * cost * noise();
  return { steps, stepMs, frameMs: stepMs + overhead * noise() };
}

/** Run `frames` frames of a machine through the controller; the steps of each frame. */
function drive(budget: FrameBudget, frames: number, cost: number, overhead: number, noise?: () => number): number[] {
  const history: number[] = [];
  for (let f = 0; f < frames; f++) {
    history.push(budget.steps);
    budget.record(frameOf(budget.steps, cost, overhead, noise));
  }
  return history;
}

describe('the demo frame budget controller (src/demo/frameBudget.ts)', () => {
  it('converges to the most steps whose frame fits 0.8 × 16.7 ms, from 1, within a dozen frames', () => {
    // 0.5 ms a step, 3 ms of drawing: floor((0.8·16.667 − 3) / 0.5) = floor(20.67) = 20 steps
    const budget = new FrameBudget({ maxSteps: 400 });
    const history = drive(budget, 40, 0.5, 3);
    expect(Math.floor((0.8 * TARGET - 3) / 0.5)).toBe(20);
    expect(budget.steps).toBe(20);
    // 2 warm-up frames, then ×2 a frame (1, 2, 4, 8, 16) and 20: reached by frame 8
    expect(history.indexOf(20)).toBeLessThanOrEqual(8);
    expect(history.slice(8).every((k) => k === 20)).toBe(true);
    expect(budget.predictedMs(20)).toBeCloseTo(13, 10);
    expect(budget.predictedMs(20)).toBeLessThanOrEqual(TARGET);
    expect(budget.holds).toBe(true);
  });

  it('never goes below one step, and says when even one step cannot hold 60 fps', () => {
    const budget = new FrameBudget({ maxSteps: 32 });
    budget.steps = 8;
    drive(budget, 30, 40, 5); // 40 ms a step: 45 ms frames at 1 step
    expect(budget.steps).toBe(1);
    expect(budget.predictedMs(1)).toBeCloseTo(45, 10);
    expect(budget.holds).toBe(false);
    // a step of 12 ms with 3 ms of drawing fits 16.7 ms (holds) though not the 0.8 headroom: 1 step
    const tight = new FrameBudget({ maxSteps: 32 });
    drive(tight, 30, 12, 3);
    expect(tight.steps).toBe(1);
    expect(tight.holds).toBe(true);
  });

  it('stays within its bound where every step is cheap', () => {
    const budget = new FrameBudget({ maxSteps: 64 });
    drive(budget, 30, 0.001, 0.5);
    expect(budget.steps).toBe(64);
  });

  it('holds one choice under ±10 % noise in the times of every frame (no oscillation)', () => {
    const noise = mulberry32(7);
    const jitter = () => 0.9 + 0.2 * noise();
    const budget = new FrameBudget({ maxSteps: 400 });
    const history = drive(budget, 600, 0.5, 3, jitter);
    const settled = history.slice(100);
    const changes = settled.filter((k, i) => i > 0 && k !== settled[i - 1]).length;
    expect(changes).toBe(0);
    // the choice it holds fits the budget at the true costs, and is within 15 % of the ideal 20
    expect(3 + settled[0] * 0.5).toBeLessThanOrEqual(TARGET);
    expect(Math.abs(settled[0] - 20)).toBeLessThanOrEqual(3);
  });

  it('follows a change of cost: at twice the cost per step it cuts the steps once most of the last 5 frames show it, and the frames fit again', () => {
    const budget = new FrameBudget({ maxSteps: 400 });
    drive(budget, 40, 0.25, 3); // floor((13.33 − 3) / 0.25) = 41
    expect(budget.steps).toBe(41);
    const after = drive(budget, 40, 0.5, 3); // 41 steps now take 23.5 ms
    // the median cost per step over the last 5 frames turns to 0.5 ms with the third dear frame: 41 steps are
    // predicted at 23.5 ms > 16.7 ms, so it cuts to floor(10.33 / 0.5) = 20 steps (13 ms)
    expect(after.slice(0, 5)).toEqual([41, 41, 41, 20, 20]);
    expect(budget.steps).toBe(20);
    expect(after.slice(3).every((k) => 3 + k * 0.5 <= TARGET)).toBe(true);
  });

  it('is not moved by a slow frame now and then (another program taking the CPU): no cut to 1 step', () => {
    const budget = new FrameBudget({ maxSteps: 400 });
    const history: number[] = [];
    for (let f = 0; f < 300; f++) {
      history.push(budget.steps);
      // every 7th frame, and the one after it, 40 ms more
      const slow = f % 7 === 0 || f % 7 === 1;
      budget.record({ steps: budget.steps, stepMs: budget.steps * 0.5, frameMs: budget.steps * 0.5 + 3 + (slow ? 40 : 0) });
    }
    expect(history.slice(20).every((k) => k === 20)).toBe(true);
  });

  it('ignores frames without steps or with unmeasurable times, and the warm-up frames', () => {
    const budget = new FrameBudget({ maxSteps: 10, warmup: 1 });
    budget.record({ steps: 1, stepMs: 5000, frameMs: 6000 }); // compiling: ignored
    budget.record({ steps: 0, stepMs: 0, frameMs: 2 });
    budget.record({ steps: 1, stepMs: NaN, frameMs: 2 });
    expect(budget.stepCostMs).toBeUndefined();
    budget.record({ steps: 1, stepMs: 1, frameMs: 2 });
    expect(budget.stepCostMs).toBe(1);
    expect(budget.overheadMs).toBe(1);
    expect(budget.steps).toBe(2);
  });
});
