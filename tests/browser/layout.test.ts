/**
 * The demo's layout (index.html's grid, controls.ts's folding): the canvas, every plot and the controls panel
 * never overlap and stay within the viewport's width, from a phone in portrait to 4K; on the phone the panel is
 * folded to its title bar and the canvas fills the width. Screenshots go to a temporary folder (paths printed).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openBrowser, type BrowserSession } from './browser.ts';

/** A box in CSS px, in the document's coordinates. */
interface Box {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Layout {
  boxes: Box[];
  innerWidth: number;
  scrollWidth: number;
  folded: boolean;
  /** the canvas's drawing size (its width attribute), px */
  canvasPixels: number;
}

let session: BrowserSession;
const shots = mkdtempSync(join(tmpdir(), 'langevin-layout-'));

beforeAll(async () => {
  session = await openBrowser();
}, 120_000);

afterAll(async () => {
  await session?.close();
});

/** Open the demo at `width` × `height` CSS px (a phone: touch, mobile viewport) and wait until its plots exist. */
async function openAt(query: string, width: number, height: number, phone = false): Promise<Page> {
  const page = await session.browser.newPage();
  await page.setViewport({ width, height, isMobile: phone, hasTouch: phone });
  await page.goto(`${session.url}?${query}`, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { langevinDemo?: { ready: boolean } }).langevinDemo?.ready === true, {
    timeout: 90_000,
  });
  return page;
}

/** The boxes of the controls panel, the canvas and every plot, and the page's width. */
async function layoutOf(page: Page): Promise<Layout> {
  return page.evaluate(() => {
    const box = (name: string, el: Element): Box => {
      const r = el.getBoundingClientRect();
      return { name, x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height };
    };
    const panel = document.querySelector('#controls .lil-gui.lil-root')!;
    const canvas = document.querySelector<HTMLCanvasElement>('#view')!;
    const plots = Array.from(document.querySelectorAll('.uplot')).map((el, i) => box(`plot ${i}`, el));
    return {
      boxes: [box('controls', panel), box('canvas', canvas), ...plots],
      innerWidth: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      folded: panel.classList.contains('lil-closed'),
      canvasPixels: canvas.width,
    };
  });
}

/** The overlap of two boxes, CSS px² (0 when they only touch). */
function overlapArea(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** No two boxes overlap (by more than rounding: 1 px²), every box lies within the viewport's width, nothing scrolls sideways. */
function expectApart(layout: Layout, where: string): void {
  const { boxes, innerWidth } = layout;
  expect(boxes.length, where).toBeGreaterThanOrEqual(4); // the panel, the canvas and at least two plots
  for (const b of boxes) {
    expect(b.width * b.height, `${where}: ${b.name} is shown`).toBeGreaterThan(0);
    expect(b.x, `${where}: ${b.name}'s left edge`).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width, `${where}: ${b.name}'s right edge`).toBeLessThanOrEqual(innerWidth + 0.5);
  }
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      expect(overlapArea(boxes[i], boxes[j]), `${where}: ${boxes[i].name} and ${boxes[j].name} overlap`).toBeLessThan(1);
  expect(layout.scrollWidth, `${where}: no horizontal scroll`).toBeLessThanOrEqual(innerWidth);
}

async function shoot(page: Page, name: string): Promise<void> {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path: path as `${string}.png`, fullPage: true });
  console.log(`layout screenshot: ${path}`);
}

const canvasOf = (layout: Layout) => layout.boxes.find((b) => b.name === 'canvas')!;

/**
 * The canvas is shown at its drawing size where that fits beside the plots (360 px) and, from 1280 px on, the
 * controls (245 px), less the gaps (1rem) and the page's padding (1rem each side); else as wide as that room.
 */
function expectCanvasWidth(layout: Layout, width: number): void {
  const room = width >= 1280 ? width - 360 - 245 - 2 * 16 - 32 : width - 360 - 16 - 32;
  expect(canvasOf(layout).width, `canvas at ${width}`).toBeCloseTo(Math.min(layout.canvasPixels, room), 0);
}

describe("the demo's layout (Chromium)", () => {
  it('desktop widths 1024, 1366, 1920 and 3840: canvas, plots and controls each in their own place, the panel open', async () => {
    const page = await openAt('preset=double-well&particles=2000&seed=1&backend=cpu', 1920, 1080);
    for (const [width, height] of [
      [1920, 1080],
      [1024, 768],
      [1366, 768],
      [3840, 2160],
    ]) {
      await page.setViewport({ width, height });
      const layout = await layoutOf(page);
      expectApart(layout, `${width}×${height}`);
      expect(layout.folded, `${width}×${height}: the panel is open`).toBe(false);
      expectCanvasWidth(layout, width);
      await shoot(page, `demo-${width}x${height}`);
    }
    await page.close();
  });

  it('two lanes side by side (1120 px of canvas) at 1024 and 1920', async () => {
    const page = await openAt('preset=rastrigin&particles=2000&seed=1&backend=cpu', 1920, 1080);
    for (const [width, height] of [
      [1920, 1080],
      [1024, 768],
    ]) {
      await page.setViewport({ width, height });
      const layout = await layoutOf(page);
      expect(layout.canvasPixels).toBe(1120);
      expectApart(layout, `rastrigin ${width}×${height}`);
      expectCanvasWidth(layout, width);
      await shoot(page, `rastrigin-${width}x${height}`);
    }
    await page.close();
  });

  it('a phone in portrait (390×844): the panel folded above a canvas as wide as the screen; unfolded it pushes the canvas down', async () => {
    const page = await openAt('preset=double-well&particles=2000&seed=1&backend=cpu', 390, 844, true);
    const folded = await layoutOf(page);
    expectApart(folded, 'phone, folded');
    expect(folded.folded).toBe(true);
    const panel = folded.boxes[0];
    const canvas = canvasOf(folded);
    expect(panel.height).toBeLessThan(40); // only the title bar
    expect(canvas.y).toBeLessThan(panel.y + panel.height + 40); // the canvas follows right below it
    expect(canvas.width).toBeCloseTo(390 - 2 * 8, 0); // the width less the page's 0.5rem padding on each side
    expect(canvas.height).toBeCloseTo(canvas.width, 0); // square, not stretched
    await shoot(page, 'demo-390x844-folded');
    await page.click('#controls .lil-gui.lil-root > .lil-title');
    await page.waitForFunction(() => !document.querySelector('#controls .lil-gui.lil-root')!.classList.contains('lil-closed'));
    await new Promise((ok) => setTimeout(ok, 500)); // lil-gui's opening transition
    const open = await layoutOf(page);
    expectApart(open, 'phone, unfolded');
    expect(open.boxes[0].height).toBeGreaterThan(200); // every control shown
    expect(canvasOf(open).y).toBeGreaterThanOrEqual(open.boxes[0].y + open.boxes[0].height);
    await shoot(page, 'demo-390x844-open');
    await page.close();
  });

  it('the runner page (its own styles) fits a phone and a 1024 px screen without horizontal scroll', async () => {
    for (const [width, height, phone] of [
      [390, 844, true],
      [1024, 768, false],
    ] as const) {
      const page = await session.browser.newPage();
      await page.setViewport({ width, height, isMobile: phone, hasTouch: phone });
      await page.goto(`${session.url}runner.html`, { waitUntil: 'load' });
      await page.waitForSelector('#spec');
      const widths = await page.evaluate(() => ({ inner: innerWidth, scroll: document.documentElement.scrollWidth }));
      expect(widths.scroll, `runner at ${width}`).toBeLessThanOrEqual(widths.inner);
      await shoot(page, `runner-${width}x${height}`);
      await page.close();
    }
  });
});
