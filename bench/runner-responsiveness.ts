/**
 * How long the runner page holds the main thread during a run: the longest
 * gap between animation frames and the tasks over 50 ms (Long Tasks API),
 * on WebGPU and on the CPU backend. Prints figures; asserts nothing.
 * Run: node bin/run-ts.js bench/runner-responsiveness.ts
 */
import { openBrowser } from '../tests/browser/browser.ts';

const session = await openBrowser();
try {
  const page = await session.browser.newPage();
  // tsx (esbuild, keepNames) wraps named functions in __name(): give the page that helper
  await page.evaluateOnNewDocument('globalThis.__name = (f) => f;');
  await page.goto(session.url + 'runner.html', { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { langevinRunner?: { ready: boolean } }).langevinRunner?.ready === true, {
    timeout: 60_000,
  });
  const base = {
    dims: 2,
    potential: { name: 'double-well' },
    integrator: 'lm',
    dt: 0.01,
    temperature: 0.5,
    seed: 1,
    init: { kind: 'normal', mean: [-1, 0], std: 0.1 },
    histogram: { dims: [0, 1], bins: [48, 32], low: [-2, -1.5], high: [2, 1.5], from: 100, every: 100 },
    observe: { every: 100 },
  };
  const cases = [
    { backend: 'webgpu', spec: { ...base, particles: 100_000, steps: 1000 } },
    { backend: 'cpu', spec: { ...base, particles: 20_000, steps: 200 } },
  ];
  for (const c of cases) {
    await page.select('#backend', c.backend);
    const m = await page.evaluate(async (spec) => {
      const longTasks: number[] = [];
      const obs = new PerformanceObserver((l) => l.getEntries().forEach((e) => longTasks.push(e.duration)));
      obs.observe({ type: 'longtask', buffered: false });
      let last = performance.now();
      let maxGap = 0;
      let frames = 0;
      let running = true;
      const frame = (t: number) => {
        maxGap = Math.max(maxGap, t - last);
        last = t;
        frames++;
        if (running) requestAnimationFrame(frame);
      };
      requestAnimationFrame((t) => {
        last = t;
        requestAnimationFrame(frame);
      });
      const t0 = performance.now();
      const r = await (
        window as unknown as { langevinRunner: { run(s: unknown): Promise<{ particleStepsPerSecond: number; device: string }> } }
      ).langevinRunner.run(spec);
      running = false;
      obs.disconnect();
      return {
        wallMs: performance.now() - t0,
        frames,
        maxGapMs: maxGap,
        longTasks: longTasks.length,
        longestTaskMs: Math.max(0, ...longTasks),
        rate: r.particleStepsPerSecond,
        device: r.device,
      };
    }, c.spec);
    console.log(
      `${c.backend} ${c.spec.particles} particles × ${c.spec.steps} steps on ${m.device}: wall ${(m.wallMs / 1000).toFixed(1)} s, ${m.frames} frames, longest frame gap ${m.maxGapMs.toFixed(0)} ms, ${m.longTasks} tasks > 50 ms (longest ${m.longestTaskMs.toFixed(0)} ms), ${m.rate.toExponential(2)} particle-steps/s`,
    );
  }
} finally {
  await session.close();
}
