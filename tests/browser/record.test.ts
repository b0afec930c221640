/**
 * Record and share in the demo (src/demo/record.ts, compose.ts, share.ts), in
 * Debian's Chromium with WebGPU on SwiftShader, drawing offscreen: a 2 s clip
 * has 2 s × fps frames, demuxes (mediabunny, in Node) and decodes with the
 * browser's own VideoDecoder into frames that show the particles where they
 * are; without WebCodecs the clip is a GIF that the browser's ImageDecoder
 * reads; the composed PNG is the canvas and the plots side by side, pixel for
 * pixel; the spec download validates against the schema and, run by the CPU
 * engine in Node to the page's step, holds the page's particles; the runner
 * link shows that spec; a copied link reopens the same run at the same step.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
import { RENDER_FLAGS, openBrowser, type BrowserSession } from './browser.ts';
import { runAndRead } from '../support.ts';
import { SPEC_SCHEMA } from '../../src/provenance.ts';
import type { ClipReport } from '../../src/demo/hooks.ts';

const ROOT = resolve(import.meta.dirname, '../..');
/** Double well, view box [−2.2, 2.2]² on the 800 px canvas: the left well (−1, 0) at (218, 400), (2, 2) (E = 11) at (764, 36). */
const LEFT_WELL: [number, number] = [218, 400];
const HIGH_WALL: [number, number] = [764, 36];
const DEMO = 'preset=double-well&particles=20000&seed=3&present=offscreen';

interface Lane {
  step: number;
  spec: Record<string, unknown>;
  final: { mean: number[]; variance: number[] };
}
interface Hooks {
  ready: boolean;
  step: number;
  preset: string;
  error?: string;
  params: { seed: number; particles: number; dt: number; temperature: number; customT: boolean; paused: boolean };
  pause(p: boolean): void;
  measure(squares: [number, number][], o?: { particles?: boolean }): Promise<number[]>;
  savedJson(): Promise<{ lanes: Lane[] }>;
  record(seconds: number): Promise<ClipReport>;
  composedPng(): Promise<string>;
  specJson(lane?: number): Record<string, unknown> | undefined;
  shareLinks(): { link: string; runner?: string };
  copyLink(): Promise<{ url: string; copied: boolean }>;
}
/** In the page (defined there by `openDemo`): the demo's automation hooks. */
declare const demo: () => Hooks;

let session: BrowserSession;
const pageErrors: string[] = [];

beforeAll(async () => {
  session = await openBrowser(RENDER_FLAGS);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

/** Open the demo at `url` (relative to the server), with `setup` run before the page's scripts. */
async function openDemo(url: string, setup?: () => void): Promise<Page> {
  const page = await session.browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.evaluateOnNewDocument(() => {
    (window as unknown as { demo: () => unknown }).demo = () => (window as unknown as { langevinDemo: unknown }).langevinDemo;
  });
  if (setup) await page.evaluateOnNewDocument(setup);
  await page.goto(new URL(url, session.url).href, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { langevinDemo?: Hooks }).langevinDemo?.ready === true, { timeout: 90_000 });
  return page;
}

/** The demo at `query`, once lane 0 has done `steps` steps and the offscreen path has drawn them. */
async function openRunning(query: string, steps = 20, setup?: () => void): Promise<Page> {
  const page = await openDemo(`?${query}`, setup);
  await page.waitForFunction((n) => demo().step >= n, { timeout: 90_000 }, steps);
  await new Promise((ok) => setTimeout(ok, 1500)); // a drawn frame of those steps on the 2-D canvas
  return page;
}

/** The landscape alone and with the particles, mean R+G+B of 20 × 20 squares at the left well and high on the wall. */
async function reference(page: Page): Promise<{ with: number[]; without: number[] }> {
  return page.evaluate(
    async (squares) => ({ with: await demo().measure(squares), without: await demo().measure(squares, { particles: false }) }),
    [LEFT_WELL, HIGH_WALL],
  );
}

describe('record and share in the demo (Chromium)', () => {
  it('a 2 s clip has 2 s × fps frames, and the browser decodes every one, showing the particles in the left well', async () => {
    const page = await openRunning(DEMO);
    // paused, so that every frame shows what `measure` renders now (the offscreen path's 2-D canvas shows a frame
    // that may lag the run by a second or more here: it redraws while paused)
    await page.evaluate(() => demo().pause(true));
    await new Promise((ok) => setTimeout(ok, 3000));
    const ref = await reference(page);
    const clip = await page.evaluate(() => demo().record(2));
    expect(clip.fps).toBe(30);
    expect(clip.frames).toBe(60); // ±1 allowed by the issue; capture stamps frame i at i/fps, so it is exact
    expect(clip.seconds).toBeCloseTo(2, 12);
    expect(['avc', 'vp9', 'vp8']).toContain(clip.codec);
    expect(clip.mime).toBe(clip.codec === 'avc' ? 'video/mp4' : 'video/webm');
    expect(clip.name).toMatch(new RegExp(`^langevin-double-well-3-\\d+\\.${clip.codec === 'avc' ? 'mp4' : 'webm'}$`));
    // canvas 800 × 800 and the plots' column (360 px wide: plots.ts), both even already
    expect([clip.width, clip.height]).toEqual([1160, 800]);
    // demuxed in Node: one packet per frame, 1/30 s apart, 2 s in all
    const input = new Input({ source: new BufferSource(Buffer.from(clip.base64, 'base64')), formats: ALL_FORMATS });
    const track = (await input.getPrimaryVideoTrack())!;
    expect(await track.getCodec()).toBe(clip.codec);
    expect([await track.getCodedWidth(), await track.getCodedHeight()]).toEqual([1160, 800]);
    const packets = [];
    for await (const p of new EncodedPacketSink(track).packets()) packets.push(p);
    expect(packets.length).toBe(60);
    packets.forEach((p, i) => expect(p.timestamp).toBeCloseTo(i / 30, 3));
    expect(await input.computeDuration()).toBeCloseTo(2, 3);
    const config = (await track.getDecoderConfig())!;
    const description = config.description ? Buffer.from(config.description as Uint8Array).toString('base64') : undefined;
    const chunks = packets.map((p) => ({
      type: p.type,
      timestamp: Math.round(p.timestamp * 1e6),
      data: Buffer.from(p.data).toString('base64'),
    }));
    // the browser's own decoder, over those chunks
    const decoded = await page.evaluate(
      async (cfg, desc, cs, squares) => {
        const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const frames: { width: number; height: number; timestamp: number }[] = [];
        let middle: number[] = [];
        const decoder = new VideoDecoder({
          output: (frame) => {
            frames.push({ width: frame.displayWidth, height: frame.displayHeight, timestamp: frame.timestamp });
            if (frames.length === 30) {
              const c = new OffscreenCanvas(frame.displayWidth, frame.displayHeight);
              const g = c.getContext('2d')!;
              g.drawImage(frame, 0, 0);
              middle = squares.map(([x, y]) => {
                const d = g.getImageData(x - 10, y - 10, 20, 20).data;
                let s = 0;
                for (let i = 0; i < d.length; i += 4) s += d[i] + d[i + 1] + d[i + 2];
                return s / 400;
              });
            }
            frame.close();
          },
          error: (e) => frames.push({ width: -1, height: -1, timestamp: Number.NaN, ...{ error: String(e) } }),
        });
        decoder.configure({ ...(cfg as VideoDecoderConfig), ...(desc ? { description: bytes(desc) } : {}) });
        for (const c of cs)
          decoder.decode(new EncodedVideoChunk({ type: c.type as EncodedVideoChunkType, timestamp: c.timestamp, data: bytes(c.data) }));
        await decoder.flush();
        return { frames, middle };
      },
      { ...config, description: undefined },
      description,
      chunks,
      [LEFT_WELL, HIGH_WALL],
    );
    expect(decoded.frames.length).toBe(60);
    decoded.frames.forEach((f, i) => expect(f).toEqual({ width: 1160, height: 800, timestamp: Math.round((i * 1e6) / 30) }));
    // the particles crowd the left well (as the page's own render says: measure), none sit high on the wall;
    // a lossy codec moves a 20 × 20 square's mean by a few units of R+G+B, the particles add more than 20 (demo.test.ts)
    expect(ref.with[0] - ref.without[0]).toBeGreaterThan(20);
    expect(decoded.middle[0] - ref.without[0]).toBeGreaterThan(20);
    expect(Math.abs(decoded.middle[0] - ref.with[0])).toBeLessThan(15);
    expect(Math.abs(decoded.middle[1] - ref.without[1])).toBeLessThan(15);
    expect(await page.evaluate(() => demo().error)).toBeUndefined();
    await page.close();
  });

  it('without WebCodecs the clip is a GIF at half size and 10 fps, which the browser decodes (ImageDecoder)', async () => {
    // (and a bad `step` in the link: named with what is allowed, and the run starts at 0 and goes on)
    const page = await openRunning(`${DEMO}&step=1e3x`, 20, () => delete (window as unknown as { VideoEncoder?: unknown }).VideoEncoder);
    expect(await page.$eval('#message', (e) => e.textContent)).toBe(
      '?step="1e3x" is ignored: allowed: an integer ≥ 0 (the step the linked run was at); the run starts at step 0.',
    );
    const ref = await reference(page);
    const clip = await page.evaluate(() => demo().record(1));
    expect([clip.mime, clip.fps, clip.frames, clip.width, clip.height]).toEqual(['image/gif', 10, 10, 580, 400]);
    expect(clip.label).toMatch(/^GIF \(this browser has no WebCodecs VideoEncoder\)$/);
    expect(clip.name).toMatch(/^langevin-double-well-3-\d+\.gif$/);
    const decoded = await page.evaluate(
      async (b64, squares) => {
        const decoder = new ImageDecoder({ data: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), type: 'image/gif' });
        await decoder.tracks.ready;
        const frameCount = decoder.tracks.selectedTrack!.frameCount;
        const { image } = await decoder.decode({ frameIndex: 5 });
        const c = new OffscreenCanvas(image.displayWidth, image.displayHeight);
        const g = c.getContext('2d')!;
        g.drawImage(image, 0, 0);
        // the full-size 20 × 20 squares at half size
        const mean = squares.map(([x, y]) => {
          const d = g.getImageData(x / 2 - 5, y / 2 - 5, 10, 10).data;
          let s = 0;
          for (let i = 0; i < d.length; i += 4) s += d[i] + d[i + 1] + d[i + 2];
          return s / 100;
        });
        return { frameCount, width: image.displayWidth, height: image.displayHeight, mean, duration: image.duration };
      },
      clip.base64,
      [LEFT_WELL, HIGH_WALL],
    );
    expect(decoded).toMatchObject({ frameCount: 10, width: 580, height: 400, duration: 100_000 }); // µs per frame
    expect(decoded.mean[0] - ref.without[0]).toBeGreaterThan(20);
    expect(Math.abs(decoded.mean[1] - ref.without[1])).toBeLessThan(15);
    await page.close();
  });

  it('the composed PNG is the canvas and the plots side by side, pixel for pixel', async () => {
    const page = await openRunning(DEMO);
    await page.evaluate(() => demo().pause(true));
    await new Promise((ok) => setTimeout(ok, 1500)); // the plots take an observation
    const r = await page.evaluate(async (well) => {
      const url = await demo().composedPng();
      // at once (no task runs in between): the page's canvas and charts over the backgrounds compose.ts paints
      const over = (c: HTMLCanvasElement, background: string) => {
        const o = document.createElement('canvas');
        Object.assign(o, { width: c.width, height: c.height });
        const g = o.getContext('2d')!;
        g.fillStyle = background;
        g.fillRect(0, 0, c.width, c.height);
        g.drawImage(c, 0, 0);
        return g.getImageData(0, 0, c.width, c.height);
      };
      const view = over(document.querySelector<HTMLCanvasElement>('#view')!, '#111');
      const roots = Array.from(document.querySelectorAll<HTMLElement>('#plots .uplot')).filter((e) => e.getClientRects().length > 0);
      const charts = roots.map((root) => over(root.querySelector('canvas')!, '#181818'));
      const img = new Image();
      img.src = url;
      await img.decode();
      const c = document.createElement('canvas');
      Object.assign(c, { width: img.width, height: img.height });
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const differing = (part: ImageData, x0: number, y0: number) => {
        const got = g.getImageData(x0, y0, part.width, part.height).data;
        let n = 0;
        for (let i = 0; i < got.length; i++) n += got[i] === part.data[i] ? 0 : 1;
        return n;
      };
      let y = 0;
      const chartDiffering = charts.map((part) => {
        const n = differing(part, 800, y + 18); // under each chart's 18 px title
        y += 18 + part.height;
        return n;
      });
      // how much of each part is drawn: particles in the left well, chart pixels off the chart background
      const lit = (part: ImageData, ok: (r: number, g: number, b: number) => boolean) => {
        let n = 0;
        for (let i = 0; i < part.data.length; i += 4) n += ok(part.data[i], part.data[i + 1], part.data[i + 2]) ? 1 : 0;
        return n;
      };
      const wellSquare = g.getImageData(well[0] - 10, well[1] - 10, 20, 20);
      let wellSum = 0;
      for (let i = 0; i < wellSquare.data.length; i += 4) wellSum += wellSquare.data[i] + wellSquare.data[i + 1] + wellSquare.data[i + 2];
      return {
        width: img.width,
        height: img.height,
        charts: charts.map((p) => [p.width, p.height]),
        viewDiffering: differing(view, 0, 0),
        chartDiffering,
        chartLit: charts.map((p) => lit(p, (r, gr, b) => r !== 0x18 || gr !== 0x18 || b !== 0x18)),
        wellMean: wellSum / 400,
      };
    }, LEFT_WELL);
    const ref = await reference(page);
    // the canvas (800 px) and the column of charts (360 px wide each: plots.ts), the taller of the two
    expect(r.charts).toEqual([
      [360, 160],
      [360, 160],
      [360, 160],
      [360, 160],
    ]);
    expect([r.width, r.height]).toEqual([800 + 360, Math.max(800, 4 * (18 + 160))]);
    expect(r.viewDiffering).toBe(0);
    expect(r.chartDiffering).toEqual([0, 0, 0, 0]);
    for (const n of r.chartLit) expect(n).toBeGreaterThan(1000); // axes, grid and curves, not an empty chart
    expect(r.wellMean - ref.without[0]).toBeGreaterThan(20); // the particles, over the landscape
    await page.close();
  });

  it('a link with a huge step is no trap: unticking pause stops the run-to where it is, and the run goes on live', async () => {
    const page = await session.browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.evaluateOnNewDocument(() => {
      (window as unknown as { demo: () => unknown }).demo = () => (window as unknown as { langevinDemo: unknown }).langevinDemo;
    });
    await page.goto(new URL(`?${DEMO}&step=1000000000`, session.url).href, { waitUntil: 'load' });
    const message = () => page.$eval('#message', (el) => el.textContent ?? '');
    await page.waitForFunction(() => /^Running to step 1,000,000,000/.test(document.querySelector('#message')!.textContent ?? ''), {
      timeout: 90_000,
    });
    expect(await page.evaluate(() => demo().ready)).toBe(false);
    await page.evaluate(() => demo().pause(false));
    await page.waitForFunction(() => demo().ready === true, { timeout: 60_000 });
    const stopped = await message();
    const at = Number(/at step ([\d,]+);/.exec(stopped)![1].replace(/,/g, ''));
    expect(stopped).toBe(`Stopped running to the link's step at step ${at.toLocaleString('en')}; running live.`);
    expect(at).toBeLessThan(1_000_000_000);
    // live: the frames step again, from where the run-to stopped
    await page.waitForFunction((s: number) => demo().step > s, { timeout: 60_000 }, at);
    await page.close();
  });

  it("a link's step=30 runs the page to step 30, paused; its spec validates, holds the page's run (the CPU engine in Node reaches the page's moments), and the runner link shows it", async () => {
    const page = await openDemo(`?${DEMO}&step=30`);
    const hooks = await page.evaluate(() => ({
      step: demo().step,
      paused: demo().params.paused,
      message: document.querySelector('#message')!.textContent,
    }));
    expect(hooks).toEqual({ step: 30, paused: true, message: 'Paused at step 30, the step of the link. Untick "pause" to go on.' });
    await new Promise((ok) => setTimeout(ok, 1000)); // paused frames go on drawing and observing, never stepping
    const saved = await page.evaluate(() => demo().savedJson());
    const spec = (await page.evaluate(() => demo().specJson()))!;
    expect(saved.lanes[0].step).toBe(30);
    expect(spec).toEqual(saved.lanes[0].spec);
    // valid against the published schema (as tests/unit/schema.test.ts sets Ajv up)
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addSchema(JSON.parse(readFileSync(join(ROOT, 'schema/spec.schema.json'), 'utf8')));
    const valid = ajv.getSchema(SPEC_SCHEMA)!;
    expect(valid(spec), JSON.stringify(valid.errors)).toBe(true);
    expect(spec).toMatchObject({ $schema: SPEC_SCHEMA, particles: 20000, seed: 3, dt: 0.01, temperature: 0.5, integrator: 'lm', dims: 2 });
    // the same particles: the page (WebGPU, f32) and the CPU engine (float64) from the same seed differ by f32
    // rounding only (here 1.2e-5 in ⟨x⟩, 1.7e-4 relative in Var x); the standard errors over 20 000 particles are
    // 2e-3 (⟨x⟩) and 1e-2 relative (Var x), so agreement to 1e-4 and 1e-3 says "the same run", not merely
    // "the same distribution"
    // (the spec runs 2^31 steps, the open-ended demo; its histogram starts halfway: this run stops at 30 without one)
    expect(spec.steps).toBe(2 ** 31);
    const { result } = await runAndRead({ ...spec, steps: 30, histogram: undefined }, 'cpu');
    const page0 = saved.lanes[0].final;
    for (let d = 0; d < 2; d++) {
      expect(Math.abs(result.final.mean![d] - page0.mean[d])).toBeLessThan(1e-4);
      expect(Math.abs(result.final.variance![d] / page0.variance[d] - 1)).toBeLessThan(1e-3);
    }
    // the runner page opened on that spec (a data: URL: it is shown and waits for Run)
    const { runner } = await page.evaluate(() => demo().shareLinks());
    const runnerPage = await session.browser.newPage();
    await runnerPage.goto(runner!, { waitUntil: 'load' });
    await runnerPage.waitForFunction(() => (document.querySelector('#spec') as HTMLTextAreaElement).value !== '', { timeout: 60_000 });
    const shown = await runnerPage.evaluate(() => ({
      spec: (document.querySelector('#spec') as HTMLTextAreaElement).value,
      source: document.querySelector('#source')!.textContent,
    }));
    expect(JSON.parse(shown.spec)).toEqual(spec);
    expect(shown.source).toBe('data: URL');
    await runnerPage.close();
    await page.close();
  });

  it('copy link: where the clipboard is denied, a field shows the link; opened, it is the same run at the same step', async () => {
    const deny = () => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied by the test', 'NotAllowedError'));
    };
    const page = await openRunning(`${DEMO}&T=0.7`, 20, deny);
    await page.evaluate(() => demo().pause(true));
    await new Promise((ok) => setTimeout(ok, 1000)); // the frame in flight finishes its steps
    const before = await page.evaluate(() => demo().savedJson());
    const copied = await page.evaluate(() => demo().copyLink());
    expect(copied.copied).toBe(false);
    expect(await page.$eval('.share-link input', (e) => (e as HTMLInputElement).value)).toBe(copied.url);
    const url = new URL(copied.url);
    expect(url.searchParams.get('step')).toBe(String(before.lanes[0].step));
    await page.close();
    const again = await openDemo(url.href);
    const state = await again.evaluate(() => ({ preset: demo().preset, step: demo().step, ...demo().params }));
    expect(state).toMatchObject({
      preset: 'double-well',
      seed: 3,
      particles: 20000,
      dt: 0.01,
      temperature: 0.7,
      customT: true,
      paused: true,
    });
    expect(state.step).toBe(before.lanes[0].step);
    const after = await again.evaluate(() => demo().savedJson());
    expect(after.lanes[0].step).toBe(before.lanes[0].step);
    expect(after.lanes[0].spec).toEqual(before.lanes[0].spec);
    // the same adapter, seed and steps: the same particles (a run does not depend on how its steps were chunked)
    expect(after.lanes[0].final).toEqual(before.lanes[0].final);
    expect(pageErrors).toEqual([]);
    await again.close();
  });
});
