import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { RENDER_FLAGS, openBrowser, type BrowserSession } from './browser.ts';
import { TOUR } from '../../src/demo/tourSteps.ts';
import { formatKey } from '../../src/demo/tourPanel.ts';

interface KeyNumber {
  label: string;
  measured: number;
  se: number;
  exact: number;
}

interface Hooks {
  ready: boolean;
  step: number;
  preset: string;
  error?: string;
  params: Record<string, unknown>;
  tour?: { id: string; index: number; plot: string; key: KeyNumber | null; step: number };
}

/** In the page (defined there by `openDemo`): the demo's automation hooks. */
declare const demo: () => Hooks;

let session: BrowserSession;
/** each page's console errors and uncaught exceptions */
const consoleErrors = new WeakMap<Page, string[]>();

beforeAll(async () => {
  // a wait for a step count is one protocol call: allow it longer than puppeteer's default 180 s
  session = await openBrowser(RENDER_FLAGS, 300_000);
}, 120_000);

afterAll(async () => {
  await session?.close();
});

/** the pages a test opened: closed after it, passed or failed (a page left open keeps stepping and slows the next) */
const opened: Page[] = [];
afterEach(async () => {
  for (const page of opened.splice(0)) await page.close().catch(() => {});
});

async function openDemo(query: string): Promise<Page> {
  const page = await session.browser.newPage();
  opened.push(page);
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.evaluateOnNewDocument(() => {
    (window as unknown as { demo: () => unknown }).demo = () => (window as unknown as { langevinDemo: unknown }).langevinDemo;
  });
  await page.goto(`${session.url}?${query}`, { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { langevinDemo?: Hooks }).langevinDemo?.ready === true, { timeout: 90_000 });
  return page;
}

/** What the tour panel and the plot column show now. */
async function panelOf(page: Page) {
  return page.evaluate(() => {
    const box = (e: Element | null) => {
      if (!e) return null;
      const b = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      return { width: b.width, height: b.height, opacity: Number(style.opacity), display: style.display };
    };
    const tour = document.querySelector<HTMLElement>('#tour')!;
    const plot = demo().tour?.plot;
    const chart =
      plot === 'work' ? document.querySelector('#plots > .work-plots') : document.querySelector(`#plots > .featured[data-plot="${plot}"]`);
    const plots = Array.from(document.querySelectorAll('#plots > *')).filter((p) => getComputedStyle(p).display !== 'none');
    return {
      hidden: tour.hidden,
      heading: tour.querySelector('h2')?.textContent ?? '',
      text: tour.querySelector('.tour-text')?.textContent ?? '',
      keyLine: tour.querySelector('.tour-key')?.textContent ?? '',
      math: box(tour.querySelector('.tour-formula math')),
      chart: box(chart),
      /** the chosen chart's place among the plot column's children, in the order they are laid out */
      chartFirst:
        chart !== null && plots.every((p) => p === chart || p.getBoundingClientRect().top >= chart.getBoundingClientRect().bottom - 1),
      message: document.querySelector('#message')?.textContent ?? '',
      search: location.search,
    };
  });
}

/** Wait until the page shows tour step `index` (undefined: the plain demo) with preset `preset` and its run has stepped. */
async function waitFor(page: Page, index: number | undefined, preset: string): Promise<void> {
  const done = await page
    .waitForFunction(
      (i, p) => {
        const d = demo();
        return d !== undefined && (d.error !== undefined || (d.tour?.index === (i ?? undefined) && d.preset === p && d.step > 0));
      },
      { timeout: 60_000 },
      index ?? null,
      preset,
    )
    .then(() => true)
    .catch(() => false);
  const now = await page.evaluate(() => ({
    error: demo()?.error,
    index: demo()?.tour?.index,
    preset: demo()?.preset,
    url: location.search,
  }));
  expect(now.error).toBeUndefined();
  expect(done ? 'shown' : `not shown after 60 s: ${JSON.stringify(now)}`).toBe('shown');
}

describe('the guided tour in a real browser (Chromium)', () => {
  for (const [i, step] of TOUR.entries()) {
    // a few dozen frames to the test's step count (the step's own steps per frame where it sets them)
    const spf = step.query?.spf ?? String(Math.max(1, Math.ceil(step.test.steps / 40)));
    it(`step ${i + 1}, ${step.id}: its text, formula and plot show, and its key number is within 5 se of the closed form`, async () => {
      const page = await openDemo(`tour=${step.id}&particles=${step.test.particles}&seed=11&spf=${spf}&present=offscreen`);
      await page.waitForFunction(
        (steps) => {
          const d = demo();
          return d !== undefined && (d.error !== undefined || (d.tour !== undefined && d.tour.key !== null && d.tour.step >= steps));
        },
        { timeout: 240_000, polling: 250 },
        step.test.steps,
      );
      const hooks = await page.evaluate(() => ({ error: demo().error, preset: demo().preset, tour: demo().tour! }));
      expect(hooks.error).toBeUndefined();
      expect(hooks.preset).toBe(step.preset);
      expect(hooks.tour).toMatchObject({ id: step.id, index: i, plot: step.plot });
      const shown = await panelOf(page);
      expect(shown.hidden).toBe(false);
      expect(shown.heading).toBe(`Tour ${i + 1}/${TOUR.length}: ${step.title}`);
      expect(shown.text).toBe(step.text);
      expect(shown.text.length).toBeGreaterThan(0);
      expect(shown.math!.width).toBeGreaterThan(0); // the MathML element exists and is laid out
      expect(shown.math!.height).toBeGreaterThan(0);
      expect(shown.chart).not.toBeNull();
      expect(shown.chart!.width).toBeGreaterThan(100);
      expect(shown.chart!.height).toBeGreaterThan(50);
      expect(shown.chart!.opacity).toBe(1);
      expect(shown.chartFirst).toBe(true);
      const key = hooks.tour.key!;
      console.log(`tour ${step.id} at step ${hooks.tour.step}: ${key.label} = ${key.measured} ± ${key.se} (exact ${key.exact})`);
      expect(shown.keyLine.startsWith(`${key.label}: `)).toBe(true);
      expect(Number.isFinite(key.measured) && Number.isFinite(key.exact)).toBe(true);
      expect(key.se).toBeGreaterThan(0);
      expect(Number.isFinite(key.se)).toBe(true);
      expect(Math.abs(key.measured - key.exact)).toBeLessThanOrEqual(5 * key.se);
      expect(consoleErrors.get(page)).toEqual([]);
      await page.close();
    }, 300_000);
  }

  it('the Tour link, Next, Previous, ← → and Back move through the steps without a reload; each URL reproduces its step; leave tour returns to the plain demo', async () => {
    const page = await openDemo('preset=double-well&particles=2000&seed=3&spf=1&present=offscreen');
    await page.evaluate(() => ((window as unknown as { samePage: boolean }).samePage = true));
    const shown = () => panelOf(page);
    expect((await shown()).hidden).toBe(true);
    await page.click('#tour-link');
    await waitFor(page, 0, TOUR[0].preset);
    const first = new URLSearchParams((await shown()).search);
    expect(Object.fromEntries(['tour', 'preset', 'particles', 'seed', 'present'].map((k) => [k, first.get(k)]))).toEqual({
      tour: TOUR[0].id,
      preset: TOUR[0].preset,
      particles: '2000',
      seed: '3',
      present: 'offscreen',
    });
    await page.click('#tour nav button:nth-of-type(2)'); // Next
    await waitFor(page, 1, TOUR[1].preset);
    await page.keyboard.press('ArrowRight');
    await waitFor(page, 2, TOUR[2].preset);
    const third = await shown();
    expect(third.heading).toBe(`Tour 3/${TOUR.length}: ${TOUR[2].title}`);
    expect(new URLSearchParams(third.search).get('tour')).toBe(TOUR[2].id);
    // the step's URL opened afresh gives the same step and controls
    const params = await page.evaluate(() => JSON.stringify(demo().params));
    const copy = await openDemo(third.search.slice(1));
    await waitFor(copy, 2, TOUR[2].preset);
    expect(await copy.evaluate(() => JSON.stringify(demo().params))).toBe(params);
    await copy.close();
    await page.keyboard.press('ArrowLeft');
    await waitFor(page, 1, TOUR[1].preset);
    await page.click('#tour nav button:nth-of-type(1)'); // Previous
    await waitFor(page, 0, TOUR[0].preset);
    expect((await shown()).heading).toBe(`Tour 1/${TOUR.length}: ${TOUR[0].title}`);
    // the history: the plain demo, steps 0 (the Tour link's), 1, 2, 1, 0; Back to 1, then 4 more to the plain demo, Forward to step 0
    await page.evaluate(() => history.back());
    await waitFor(page, 1, TOUR[1].preset);
    expect(new URLSearchParams((await shown()).search).get('tour')).toBe(TOUR[1].id);
    await page.evaluate(() => history.go(-4));
    await waitFor(page, undefined, 'double-well');
    expect((await shown()).hidden).toBe(true);
    expect(new URLSearchParams((await shown()).search).has('tour')).toBe(false);
    await page.evaluate(() => history.forward());
    await waitFor(page, 0, TOUR[0].preset);
    expect(new URLSearchParams((await shown()).search).get('tour')).toBe(TOUR[0].id);
    // leave tour: the plain demo with the step's preset, its run going on
    await page.click('#tour nav button:nth-of-type(3)');
    await page.waitForFunction(() => demo().tour === undefined);
    const left = await shown();
    expect(left.hidden).toBe(true);
    expect(new URLSearchParams(left.search).has('tour')).toBe(false);
    expect(new URLSearchParams(left.search).get('preset')).toBe(TOUR[0].preset);
    const before = await page.evaluate(() => demo().step);
    await page.waitForFunction((s) => demo().step > s, { timeout: 30_000 }, before);
    expect(await page.evaluate(() => demo().preset)).toBe(TOUR[0].preset);
    expect(await page.evaluate(() => (window as unknown as { samePage?: boolean }).samePage)).toBe(true); // never reloaded
    expect(consoleErrors.get(page)).toEqual([]);
    await page.close();
  }, 300_000);

  it('a bad ?tour= value: the page names it and the steps there are, and opens the first step', async () => {
    const page = await openDemo('tour=nonsense&particles=2000&seed=1&spf=1&present=offscreen');
    await waitFor(page, 0, TOUR[0].preset);
    const shown = await panelOf(page);
    expect(shown.message).toContain('tour: "nonsense" is not a step of the guided tour');
    for (const s of TOUR) expect(shown.message).toContain(s.id);
    expect(shown.hidden).toBe(false);
    expect(shown.heading).toBe(`Tour 1/${TOUR.length}: ${TOUR[0].title}`);
    expect(new URLSearchParams(shown.search).get('tour')).toBe(TOUR[0].id);
    expect(consoleErrors.get(page)).toEqual([]);
    await page.close();
  }, 120_000);
});

describe("the key number as the tour's panel writes it", () => {
  it('measured and se to the two significant digits of se, a tiny value in units of its power of ten, the exact value to six digits', () => {
    expect(formatKey({ label: 'MSD / (2DTt)', measured: 1.00312, se: 0.0123, exact: 1 })).toBe('MSD / (2DTt): 1.003 ± 0.012 (exact: 1)');
    expect(formatKey({ label: 'ΔF', measured: -0.2250124, se: 0.0022689, exact: -0.2283268 })).toBe(
      'ΔF: -0.2250 ± 0.0023 (exact: -0.228327)',
    );
    expect(formatKey({ label: 'ratio', measured: 1.4531e-6, se: 3.8e-10, exact: 1.45312e-6 })).toBe(
      'ratio: (1.45310 ± 0.00038) × 10^-6 (exact: 0.00000145312)',
    );
  });
});
