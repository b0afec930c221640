import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { RENDER_FLAGS, openBrowser, type BrowserSession } from './browser.ts';

interface Hooks {
  ready: boolean;
  step: number;
  error?: string;
  stepsPerFrame: number;
  gpuMsPerFrame?: number;
  holds60fps: boolean;
  frameTimes: { frames: number; stepped: number; workMs: number; stepMs: number; gpuTimed: number; gpuMs: number };
  params: { autoSteps: boolean; stepsPerFrame: number };
  set(changes: Record<string, unknown>): Promise<void>;
}

/** In the page (defined there by `openDemo`): the demo's automation hooks. */
declare const demo: () => Hooks;

let session: BrowserSession;
const errors: string[] = [];

beforeAll(async () => {
  session = await openBrowser(RENDER_FLAGS);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

async function openDemo(query: string): Promise<Page> {
  const page = await session.browser.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.evaluateOnNewDocument(() => {
    (window as unknown as { demo: () => unknown }).demo = () => (window as unknown as { langevinDemo: unknown }).langevinDemo;
  });
  await page.goto(`${session.url}?${query}`, { waitUntil: 'load' });
  await page.waitForFunction(() => demo()?.ready === true, { timeout: 90_000 });
  return page;
}

/** The steps and stepped frames now (paused pages only change by `set`). */
const counts = (page: Page) => page.evaluate(() => ({ step: demo().step, stepped: demo().frameTimes.stepped }));

describe('the demo frame budget (src/demo/frameBudget.ts, loop.ts) in Chromium on SwiftShader', () => {
  it('picks the steps per frame itself where spf is auto (a bad spf is named and taken as auto), and times the steps on the GPU', async () => {
    const page = await openDemo('preset=double-well&particles=20000&seed=3&present=0&spf=abc');
    expect(await page.$eval('#message', (el) => el.textContent)).toContain(
      'spf (steps per frame) = "abc" is not allowed: use auto, or a whole number ≥ 1',
    );
    await page.waitForFunction(() => demo().frameTimes.stepped >= 12, { timeout: 90_000 });
    const h = await page.evaluate(() => ({ ...demo(), params: { ...demo().params }, frameTimes: { ...demo().frameTimes } }));
    expect(h.error).toBeUndefined();
    expect(h.params.autoSteps).toBe(true);
    expect(await page.evaluate(() => new URLSearchParams(location.search).get('spf'))).toBe('auto');
    // at least 1, at most 8 × the preset's 4 steps per frame; where even 1 step cannot hold 60 fps, exactly 1
    expect(h.stepsPerFrame).toBeGreaterThanOrEqual(1);
    expect(h.stepsPerFrame).toBeLessThanOrEqual(32);
    if (!h.holds60fps) expect(h.stepsPerFrame).toBe(1);
    // every frame's steps were advanced and waited for: the stepped frames' steps add up to the step count
    // (within the frame in flight); their GPU span lies within their wall time
    const t = h.frameTimes;
    expect(t.stepped).toBeLessThanOrEqual(h.step);
    if (t.gpuTimed > 0) {
      expect(t.gpuMs).toBeGreaterThan(0);
      expect(t.gpuMs).toBeLessThanOrEqual(t.stepMs);
      expect(h.gpuMsPerFrame).toBeGreaterThan(0);
    }
    await page.waitForFunction(() => /steps?\/frame/.test(document.querySelector('#stats')?.textContent ?? ''), { timeout: 30_000 });
    const stats = await page.$eval('#stats', (el) => el.textContent ?? '');
    const k = await page.evaluate(() => demo().stepsPerFrame);
    expect(stats).toMatch(
      / · (\d+) steps?\/frame( \(GPU [\d.]+ ms\))? \(auto(, for 60 fps|: even 1 step per frame cannot hold 60 fps here)\)/,
    );
    console.log(`spf=auto on SwiftShader, 20 000 particles: ${k} steps/frame; ${JSON.stringify(t)}; "${stats}"`);
    await page.close();
  }, 150_000);

  it('spf=3 advances exactly 3 steps a frame; the control (hooks.set) switches to auto and back to a fixed number', async () => {
    const page = await openDemo('preset=double-well&particles=20000&seed=3&present=0&spf=3');
    await page.waitForFunction(() => demo().frameTimes.stepped >= 5, { timeout: 90_000 });
    await page.evaluate(() => demo().set({ paused: true }));
    await new Promise((ok) => setTimeout(ok, 500)); // the frame in flight ends
    const a = await counts(page);
    expect(a.step).toBeGreaterThan(0);
    await page.evaluate(() => demo().set({ paused: false }));
    await page.waitForFunction((s: number) => demo().frameTimes.stepped >= s + 6, { timeout: 60_000 }, a.stepped);
    await page.evaluate(() => demo().set({ paused: true }));
    await new Promise((ok) => setTimeout(ok, 500));
    const b = await counts(page);
    expect(b.step - a.step).toBe(3 * (b.stepped - a.stepped));
    expect(await page.evaluate(() => [demo().stepsPerFrame, demo().params.autoSteps])).toEqual([3, false]);
    expect(await page.evaluate(() => new URLSearchParams(location.search).get('spf'))).toBe('3');
    await page.evaluate(() => demo().set({ autoSteps: true, paused: false }));
    expect(await page.evaluate(() => new URLSearchParams(location.search).get('spf'))).toBe('auto');
    await page.evaluate(() => demo().set({ stepsPerFrame: 2 }));
    expect(await page.evaluate(() => [demo().params.autoSteps, new URLSearchParams(location.search).get('spf')])).toEqual([false, '2']);
    await page.waitForFunction(() => demo().stepsPerFrame === 2, { timeout: 30_000 });
    // the control as a person types into it: a bad entry is named and changes nothing; 'auto' switches back
    const input = await page.evaluateHandle(() =>
      Array.from(document.querySelectorAll('.lil-controller'))
        .find((c) => c.querySelector('.lil-name')?.textContent === 'steps per frame (auto or N)')!
        .querySelector('input')!,
    );
    const type = async (text: string) => {
      await input.click({ clickCount: 3 });
      await page.keyboard.type(text);
      await page.keyboard.press('Enter');
    };
    await type('x7');
    expect(await page.$eval('#message', (el) => el.textContent)).toContain(
      'steps per frame = "x7" is not allowed: enter auto, or a whole number ≥ 1.',
    );
    expect(await page.evaluate(() => [demo().params.autoSteps, demo().params.stepsPerFrame])).toEqual([false, 2]);
    expect(await input.evaluate((el) => el.value)).toBe('2');
    await type('auto');
    expect(await page.evaluate(() => [demo().params.autoSteps, new URLSearchParams(location.search).get('spf')])).toEqual([true, 'auto']);
    expect(await page.$eval('#message', (el) => (el as HTMLElement).hidden)).toBe(true);
    expect(await page.evaluate(() => demo().error)).toBeUndefined();
    expect(errors).toEqual([]);
    await page.close();
  }, 150_000);
});
