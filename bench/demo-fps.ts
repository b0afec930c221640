/**
 * The particle demo's frame budget in a real browser (puppeteer + Chromium):
 * the demo's own frame loop (draw, advance K steps, observe once a second),
 * timed from its hooks (`langevinDemo.frameTimes`: sums since the page opened)
 * over a window after a warm-up, for each particle count.
 *
 *   npm run bench:demo -- [--particles 100000,1000000,4000000] [--backend webgpu|cpu]
 *        [--spf auto|N] [--seconds 10] [--warmup 5] [--preset double-well] [--present]
 *   npm run bench:demo -- --find-particles 30 [--backend cpu] [--from 20000] [--points 8] [--seconds 4]
 *
 * Per count it reports frames/s (and the page's own fps counter), wall ms per
 * frame, the wall ms of a frame's work and of its steps (until done), the GPU
 * ms of a frame's steps (timestamp-query; 'n/a' where the adapter has none, and
 * on the CPU), the steps per frame (the frame budget's choice with `auto`),
 * and particle-steps/s; a table, then one JSON line. `--find-particles FPS`
 * searches (doubling, then bisecting geometrically) for the largest particle
 * count that holds FPS frames/s, each point a short window on the same page.
 *
 * Without `--present` a WebGPU page renders offscreen (`?present=0`): headless
 * SwiftShader loses the device on canvas presentation. On a machine with a
 * GPU, pass `--present` (and run Chromium under a display, e.g.
 * `LANGEVIN_HEADFUL=1 xvfb-run npm run bench:demo -- --present`).
 */
import type { Page } from 'puppeteer-core';
import { openBrowser, RENDER_FLAGS } from '../tests/browser/browser.ts';
import type { FrameTimes } from '../src/demo/hooks.ts';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** A positive number from a flag, or exit naming the flag, its value and what is allowed. */
function positive(name: string, fallback: string, integer = false): number {
  const text = option(name, fallback);
  const v = Number(text);
  if (!(Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)))) {
    console.error(`--${name} ${text}: not allowed; give a positive ${integer ? 'whole ' : ''}number`);
    process.exit(2);
  }
  return v;
}

interface Hooks {
  ready: boolean;
  step: number;
  fps: number;
  particles: number;
  stepsPerFrame: number;
  holds60fps: boolean;
  frameTimes: FrameTimes;
  device?: string;
  backend?: string;
  error?: string;
  set(changes: Record<string, unknown>): Promise<void>;
}

/** One particle count, measured. */
interface Row {
  particles: number;
  backend?: string;
  device?: string;
  framesPerSecond: number;
  /** the page's own counter (frames in its last second) */
  pageFps: number;
  wallMsPerFrame: number;
  workMsPerFrame: number;
  stepMsPerFrame: number;
  /** null: no timestamp-query (or the CPU) */
  gpuMsPerFrame: number | null;
  stepsPerFrame: number;
  /** the frame budget's choice at the end of the window (the fixed value without auto) */
  chosenStepsPerFrame: number;
  holds60fps: boolean;
  particleStepsPerSecond: number;
  seconds: number;
  frames: number;
}

const preset = option('preset', 'double-well');
const backend = option('backend', 'webgpu');
const spf = option('spf', 'auto');
const present = process.argv.includes('--present');
const findFps = process.argv.includes('--find-particles') ? positive('find-particles', '30') : undefined;
const seconds = positive('seconds', findFps ? '4' : '10');
const warmup = positive('warmup', findFps ? '2' : '5');
/** a point never waits longer than this for its frames, s (software at millions of particles) */
const maxSeconds = positive('max-seconds', '240');
if (!['webgpu', 'cpu'].includes(backend)) {
  console.error(`--backend ${backend}: not allowed; give webgpu or cpu`);
  process.exit(2);
}
if (spf !== 'auto' && !(Number.isInteger(Number(spf)) && Number(spf) >= 1)) {
  console.error(`--spf ${spf}: not allowed; give auto or a whole number ≥ 1`);
  process.exit(2);
}
const counts = option('particles', '100000,1000000,4000000')
  .split(',')
  .map((s) => Number(s));
if (counts.some((n) => !(Number.isInteger(n) && n > 0))) {
  console.error(`--particles ${option('particles', '')}: not allowed; give whole numbers > 0, comma-separated (e.g. 100000,1000000)`);
  process.exit(2);
}

const read = (page: Page) =>
  page.evaluate(() => {
    const h = (window as unknown as { langevinDemo: Hooks }).langevinDemo;
    const { step, fps, particles, stepsPerFrame, holds60fps, device, backend, error } = h;
    return { step, fps, particles, stepsPerFrame, holds60fps, device, backend, error, times: { ...h.frameTimes }, t: performance.now() };
  });
type Reading = Awaited<ReturnType<typeof read>>;

const sleep = (s: number) => new Promise((ok) => setTimeout(ok, s * 1000));

/** Wait until the page has stepped `frames` more frames than `from` (or `limit` seconds passed); the reading then. */
async function afterFrames(page: Page, from: Reading, frames: number, limit: number): Promise<Reading> {
  for (;;) {
    const now = await read(page);
    if (now.error) throw new Error(`the demo stopped: ${now.error}`);
    if (now.times.stepped >= from.times.stepped + frames || (now.t - from.t) / 1000 > limit) return now;
    await sleep(0.25);
  }
}

/** Measure the running page: warm-up (≥ 3 stepped frames and `warmup` s), then a window of `seconds` s (≥ 2 frames). */
async function measure(page: Page): Promise<Row> {
  const start = await read(page);
  await sleep(warmup);
  const a = await afterFrames(page, start, 3, maxSeconds);
  await sleep(seconds);
  const b = await afterFrames(page, a, 2, maxSeconds);
  const dt = (b.t - a.t) / 1000;
  const d = (k: keyof FrameTimes) => b.times[k] - a.times[k];
  const steps = b.step - a.step;
  return {
    particles: b.particles,
    backend: b.backend,
    device: b.device,
    framesPerSecond: d('frames') / dt,
    pageFps: b.fps,
    wallMsPerFrame: (dt * 1000) / d('frames'),
    workMsPerFrame: d('workMs') / d('stepped'),
    stepMsPerFrame: d('stepMs') / d('stepped'),
    gpuMsPerFrame: d('gpuTimed') > 0 ? d('gpuMs') / d('gpuTimed') : null,
    stepsPerFrame: steps / d('stepped'),
    chosenStepsPerFrame: b.stepsPerFrame,
    holds60fps: b.holds60fps,
    particleStepsPerSecond: (steps * b.particles) / dt,
    seconds: dt,
    frames: d('frames'),
  };
}

/** Run `n` particles on the page (a rebuild), and measure. */
async function measureAt(page: Page, n: number): Promise<Row> {
  await page.evaluate((count) => (window as unknown as { langevinDemo: Hooks }).langevinDemo.set({ particles: count }), n);
  const row = await measure(page);
  console.log(
    `  ${row.particles.toLocaleString('en')} particles: ${row.framesPerSecond.toFixed(2)} frames/s, ${row.chosenStepsPerFrame} steps/frame`,
  );
  return row;
}

/** `x` rounded to two significant digits (at least 1). */
function twoDigits(x: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(x)) - 1);
  return Math.max(1, Math.round(x / unit) * unit);
}

/** The largest particle count holding `fps` frames/s: doubling from `--from`, then bisecting geometrically to 15 %. */
async function findParticles(page: Page, fps: number): Promise<{ rows: Row[]; largest?: number; cap?: number }> {
  const rows: Row[] = [];
  let good: number | undefined;
  let bad: number | undefined;
  let cap: number | undefined;
  let n = positive('from', backend === 'cpu' ? '20000' : '100000', true);
  for (let i = 0; i < positive('points', '8', true); i++) {
    const row = await measureAt(page, n);
    rows.push(row);
    if (row.particles < n) cap = row.particles; // the page shows fewer than asked (the CPU path's cap)
    if (row.framesPerSecond >= fps) good = row.particles;
    else bad = row.particles;
    if (cap !== undefined && good === cap) break;
    if (good !== undefined && bad !== undefined && bad / good < 1.15) break;
    const next = good === undefined ? bad! / 2 : bad === undefined ? good * 2 : Math.sqrt(good * bad);
    n = twoDigits(next);
    if (n === good || n === bad) break; // nothing between them at two significant digits
  }
  return { rows, largest: good, cap };
}

const f = (x: number | null, digits = 2) => (x === null ? 'n/a' : x.toFixed(digits));

function printTable(rows: Row[]): void {
  console.log(
    'particles     frames/s  page fps  wall ms/frame  work ms/frame  step ms/frame  GPU ms/frame(steps)  steps/frame (chosen)  particle-steps/s',
  );
  for (const r of rows)
    console.log(
      [
        r.particles.toLocaleString('en').padEnd(13),
        f(r.framesPerSecond).padStart(8),
        f(r.pageFps, 1).padStart(9),
        f(r.wallMsPerFrame, 1).padStart(14),
        f(r.workMsPerFrame, 1).padStart(14),
        f(r.stepMsPerFrame, 1).padStart(14),
        f(r.gpuMsPerFrame, 1).padStart(20),
        `${f(r.stepsPerFrame, 1)} (${r.chosenStepsPerFrame}${r.holds60fps ? '' : ', 1 step cannot hold 60 fps'})`.padStart(21),
        r.particleStepsPerSecond.toExponential(2).padStart(17),
      ].join(' '),
    );
}

const session = await openBrowser(
  RENDER_FLAGS.filter(() => !present),
  3_600_000,
);
// other people's edits must not reload the page mid-run (Vite's full reload on a changed file)
await session.server.watcher.close();
try {
  const page = await session.browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const path = backend === 'cpu' ? '&backend=cpu' : `&backend=webgpu${present ? '' : '&present=0'}`;
  const first = findFps ? positive('from', backend === 'cpu' ? '20000' : '100000', true) : counts[0];
  await page.goto(`${session.url}?preset=${preset}&particles=${first}&spf=${spf}&seed=1${path}`);
  await page.waitForFunction(() => (window as unknown as { langevinDemo?: Hooks }).langevinDemo?.ready === true, { timeout: 300_000 });
  const head = await read(page);
  const software = /swiftshader|llvmpipe|software|cpu/i.test(`${head.device} ${head.backend}`);
  console.log(
    `demo ${preset} on ${head.device} (${head.backend}), spf=${spf}${present ? '' : backend === 'cpu' ? '' : ', not presented (offscreen)'}${software ? ' — software: not a GPU figure' : ''}`,
  );
  const found = findFps ? await findParticles(page, findFps) : undefined;
  const rows = found?.rows ?? [];
  if (!found) for (const n of counts) rows.push(await measureAt(page, n));
  printTable(rows);
  if (found)
    console.log(
      `largest particle count holding ${findFps} frames/s: ${found.largest?.toLocaleString('en') ?? `none (the smallest tried, ${rows[0].particles}, did not)`}` +
        (found.cap !== undefined ? ` (the page caps this path at ${found.cap.toLocaleString('en')} particles)` : ''),
    );
  const meta = { date: new Date().toISOString(), preset, backend, spf, present, device: head.device, software };
  console.log(JSON.stringify({ ...meta, findFps, largest: found?.largest, cap: found?.cap, rows }));
} finally {
  await session.close();
}
