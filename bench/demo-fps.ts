/**
 * Frames per second of the particle demo in a real browser (puppeteer +
 * Chromium): the demo's own frame loop (advance K steps per frame, render the
 * landscape and every particle), timed over a fixed window after a warm-up.
 *
 *   node bin/run-ts.js bench/demo-fps.ts [--particles 1000000] [--preset double-well]
 *        [--spf 4] [--seconds 10] [--present]
 *
 * Without `--present` the page renders every frame into the canvas's pipeline
 * but does not present it (`?present=0`): headless SwiftShader loses the device
 * on canvas presentation. On a machine with a GPU, pass `--present` (and run
 * Chromium under a display, e.g. `LANGEVIN_HEADFUL=1 xvfb-run …`).
 */
import { openBrowser } from '../tests/browser/browser.ts';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

interface Hooks {
  ready: boolean;
  step: number;
  fps: number;
  particles: number;
  device?: string;
  backend?: string;
  error?: string;
}

const particles = Number(option('particles', '1000000'));
const preset = option('preset', 'double-well');
const spf = Number(option('spf', '4'));
const seconds = Number(option('seconds', '10'));
const present = process.argv.includes('--present');

const session = await openBrowser(
  [
    '--enable-features=Vulkan',
    '--use-angle=vulkan',
    '--use-vulkan=swiftshader',
    '--use-webgpu-adapter=swiftshader',
    '--disable-vulkan-surface',
    '--enable-unsafe-swiftshader',
  ].filter(() => !present),
);
try {
  const page = await session.browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto(`${session.url}?preset=${preset}&particles=${particles}&spf=${spf}${present ? '' : '&present=0'}`);
  await page.waitForFunction(() => (window as unknown as { langevinDemo?: Hooks }).langevinDemo?.ready === true, { timeout: 300_000 });
  const read = () =>
    page.evaluate(() => {
      const h = (window as unknown as { langevinDemo: Hooks }).langevinDemo;
      return {
        step: h.step,
        fps: h.fps,
        device: h.device,
        backend: h.backend,
        particles: h.particles,
        error: h.error,
        t: performance.now(),
      };
    });
  // warm-up: pipelines compiled, first observation done
  await new Promise((r) => setTimeout(r, Math.min(5, seconds) * 1000));
  const a = await read();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const b = await read();
  if (b.error) throw new Error(`the demo stopped: ${b.error}`);
  const secondsMeasured = (b.t - a.t) / 1000;
  const steps = b.step - a.step;
  const frames = steps / spf;
  const row = {
    preset,
    particles: b.particles,
    stepsPerFrame: spf,
    present,
    backend: b.backend,
    device: b.device,
    framesPerSecond: frames / secondsMeasured,
    particleStepsPerSecond: (steps * b.particles) / secondsMeasured,
    seconds: secondsMeasured,
  };
  console.log(
    `demo ${preset}: ${row.particles.toLocaleString('en')} particles, ${spf} steps/frame${present ? '' : ' (not presented)'} on ${row.device} (${row.backend})`,
  );
  console.log(
    `  ${row.framesPerSecond.toFixed(2)} frames/s, ${row.particleStepsPerSecond.toExponential(2)} particle-steps/s over ${secondsMeasured.toFixed(1)} s`,
  );
  if (process.argv.includes('--json')) console.log(JSON.stringify(row));
} finally {
  await session.close();
}
