import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openBrowser, type BrowserSession } from './browser.ts';
import { runAndRead } from '../support.ts';
import type { RunResult } from '../../src/engine.ts';

let session: BrowserSession;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  session = await openBrowser();
  page = await session.browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(session.url + 'runner.html', { waitUntil: 'load' });
  await page.waitForFunction(() => (window as unknown as { langevinPage?: { ready: boolean } }).langevinPage?.ready === true, { timeout: 60_000 });
}, 120_000);

afterAll(async () => {
  await session?.close();
});

const spec = {
  dims: 2,
  particles: 3000,
  potential: { expr: '0.25*x^4 + 0.5*x^2 + y^2 + 0.3*x*y' },
  integrator: 'lm',
  dt: 0.02,
  temperature: 0.8,
  steps: 100,
  seed: 12,
  init: { kind: 'normal', mean: 0, std: 1 },
};

describe('the engine in a real browser (Chromium, WebGPU on SwiftShader)', () => {
  it('runs a spec on navigator.gpu and gets the CPU reference result for the same seed', async () => {
    const result = (await page.evaluate((s) => (window as unknown as { langevinPage: { run(s: unknown): Promise<unknown> } }).langevinPage.run(s), spec)) as RunResult;
    expect(result.backend).toBe('webgpu');
    expect(result.software).toBe(true);
    expect(result.device.length).toBeGreaterThan(0);
    const cpu = await runAndRead(spec, 'cpu');
    // same random stream: the ensemble moments agree to f32 tolerance, far tighter than their standard errors (~0.02)
    for (let d = 0; d < 2; d++) {
      expect(Math.abs(result.final.mean[d] - cpu.result.final.mean[d])).toBeLessThan(1e-3);
      expect(Math.abs(result.final.variance[d] - cpu.result.final.variance[d])).toBeLessThan(1e-3);
    }
    expect(consoleErrors.join("\n")).toBe("");
  });

  it('shows a bad spec as a message naming the field, with no stack trace', async () => {
    await page.$eval('#spec', (el) => ((el as HTMLTextAreaElement).value = JSON.stringify({ potential: { name: 'double-well' }, dt: -1, steps: 10 })));
    await page.click('#run');
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'failed');
    const text = await page.$eval('#result', (el) => el.textContent ?? '');
    expect(text).toContain('dt: got -1; must be a finite number > 0');
    expect(text).not.toMatch(/\n\s+at /);
  });
});

describe('a browser without WebGPU', () => {
  it('says so plainly and runs the spec on the CPU backend', async () => {
    const noGpu = await openBrowser(['--disable-features=WebGPU']);
    try {
      const p = await noGpu.browser.newPage();
      // the page must not depend on WebGPU existing: hide it even if this Chromium exposes it
      await p.evaluateOnNewDocument(() => {
        Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
      });
      await p.goto(noGpu.url + 'runner.html', { waitUntil: 'load' });
      await p.waitForFunction(() => (window as unknown as { langevinPage?: { ready: boolean } }).langevinPage?.ready === true, { timeout: 60_000 });
      const small = { ...spec, particles: 500, steps: 20 };
      const result = (await p.evaluate((s) => (window as unknown as { langevinPage: { run(s: unknown): Promise<unknown> } }).langevinPage.run(s), small)) as RunResult;
      expect(result.backend).toBe('cpu');
      const status = await p.$eval('#status', (el) => el.textContent ?? '');
      expect(status).toMatch(/no WebGPU|cpu/i);
      const cpu = await runAndRead(small, 'cpu');
      // same float64 reference, same stream: equal up to the last bits of the two V8s' Math.log/cos
      result.final.mean.forEach((m, d) => expect(Math.abs(m - cpu.result.final.mean[d])).toBeLessThan(1e-12));
    } finally {
      await noGpu.close();
    }
  });
});
