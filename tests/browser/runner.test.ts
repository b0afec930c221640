/**
 * The experiment runner page (runner.html) in Debian's Chromium with WebGPU on
 * SwiftShader: the same result as the CLI for the same seed, the CLI's
 * messages, cancel, downloads, and an interrupted run offered after a reload.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'puppeteer-core';
import { openBrowser, type BrowserSession } from './browser.ts';
import { runAndRead } from '../support.ts';
import type { RunResult } from '../../src/engine.ts';
import { divergences } from '../../src/stats/divergence.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface Runner {
  ready: boolean;
  state: string;
  error?: string;
  progress: { step: number; total: number; savedStep: number; particleStepsPerSecond: number; secondsLeft: number };
  lastResult?: RunResult;
  run(spec: unknown): Promise<RunResult>;
  cancel(): void;
  saved(): Promise<{ id: string; stepsPlanned: number; observations: { step: number; trace: unknown[] } }[]>;
  savedResult(id: string): Promise<RunResult>;
}
declare const langevinRunner: Runner;

let session: BrowserSession;
let context: BrowserContext;
let page: Page;
let dir: string;
let downloads: string;
const consoleErrors: string[] = [];

async function openRunner(p: Page, query = ''): Promise<void> {
  await p.goto(session.url + 'runner.html' + query, { waitUntil: 'load' });
  await p.waitForFunction(() => (window as unknown as { langevinRunner?: Runner }).langevinRunner?.ready === true, { timeout: 60_000 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-runner-'));
  downloads = join(dir, 'downloads');
  session = await openBrowser();
  context = await session.browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
  page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await openRunner(page);
}, 120_000);

afterAll(async () => {
  await session?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `node bin/langevin.js ARGS` in `cwd`, as a user runs it (no progress bar: stderr is a pipe). */
function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/langevin.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Wait for a file in the download folder whose name matches, and read it. */
async function downloaded(name: RegExp): Promise<Buffer> {
  for (let i = 0; i < 100; i++) {
    const f = (() => {
      try {
        return readdirSync(downloads).find((n) => name.test(n) && !n.endsWith('.crdownload'));
      } catch {
        return undefined;
      }
    })();
    if (f) return readFileSync(join(downloads, f));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no download matching ${name} in ${downloads}`);
}

// 2-D double well, LM, three histogram snapshots and a trace: small enough for SwiftShader
const SPEC = {
  dims: 2,
  particles: 4000,
  potential: { name: 'double-well' },
  integrator: 'lm',
  dt: 0.01,
  temperature: 0.6,
  steps: 200,
  seed: 31,
  init: { kind: 'normal', mean: [-1, 0], std: 0.3 },
  histogram: { dims: [0, 1], bins: [24, 12], low: [-2, -1.5], high: [2, 1.5], from: 100, every: 50 },
  observe: { every: 50 },
};

describe('the runner page (Chromium, WebGPU on SwiftShader)', () => {
  it('gives the result of `langevin run --backend webgpu` for the same seed, and downloads it and the plots', async () => {
    const result = await page.evaluate((s) => langevinRunner.run(s), SPEC);
    expect(result.backend).toBe('webgpu');
    expect(result.software).toBe(true);
    expect(result.partial).toBeUndefined();
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(SPEC));
    const out = join(dir, 'cli.json');
    const r = cli(['run', join(dir, 'spec.json'), '--backend', 'webgpu', '--out', out]);
    expect(r.stderr).toBe('');
    const ref = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    expect(ref.backend).toBe('webgpu');

    // Same random stream, both f32 on SwiftShader (Dawn in Node; Chrome's own Dawn here). The normals come
    // from the same SwiftShader log/cos; what may differ is how each Dawn's shader compiler rounds (operation
    // order, fused multiply-add): a few (say 4) f32 ulps of |x| < 2 per step, accumulated over n = 200 steps
    // at most linearly (LM in this well contracts on average): δ = n · 4 · 2^-22 ≈ 1.9e-4.
    const delta = SPEC.steps * 4 * 2 ** -22;
    // moments: |Δmean| ≤ δ, |Δvariance| ≤ 2δ·sd + δ² (sd ≤ 1.2 here), against standard errors ≈ 0.015
    for (let d = 0; d < 2; d++) {
      expect(Math.abs(result.final.mean[d] - ref.final.mean[d])).toBeLessThanOrEqual(delta);
      expect(Math.abs(result.final.variance[d] - ref.final.variance[d])).toBeLessThanOrEqual(2 * delta * 1.2 + delta ** 2);
    }
    expect(result.trace!.map((t) => t.step)).toEqual(ref.trace!.map((t) => t.step));
    // Histogram: a particle changes bin only if it lies within δ of a bin edge. Per snapshot the expected
    // number is N·2δ·Σ_axes Σ_edges ρ_a(edge) ≈ N·2δ·Σ_axes 1/w_a (Σ_edges ρ_a·w_a is a Riemann sum of the
    // marginal density, ≤ 1), w = bin widths; each moved particle adds 2 to the L1 distance of the counts.
    // Bound: 5 standard deviations above the (Poisson) mean over the snapshots.
    const h = result.histogram!;
    const perSnapshot =
      SPEC.particles * 2 * delta * SPEC.histogram.bins.reduce((s, b, a) => s + b / (SPEC.histogram.high[a] - SPEC.histogram.low[a]), 0);
    const moved = h.snapshots.length * perSnapshot;
    const l1 = h.counts.reduce((s, c, i) => s + Math.abs(c - ref.histogram!.counts[i]), 0);
    console.log(
      `runner vs CLI: histogram L1 ${l1} of ${h.samples} (bound ${(2 * (moved + 5 * Math.sqrt(moved))).toFixed(0)}); mean Δ ${result.final.mean.map((m, d) => m - ref.final.mean[d])}`,
    );
    expect(l1).toBeLessThanOrEqual(2 * (moved + 5 * Math.sqrt(moved)));
    expect(h.snapshots).toEqual(ref.histogram!.snapshots);
    expect(h.samples + h.outside).toBe(ref.histogram!.samples + ref.histogram!.outside);
    // the page's Boltzmann reference (computed in its Worker) is the CLI's, to the last bits of two V8s' exp/log
    const p = result.boltzmann!.probabilities;
    expect(Math.max(...p.map((x, i) => Math.abs(x - ref.boltzmann!.probabilities[i])))).toBeLessThan(1e-12);
    result.trace!.forEach((row, i) =>
      row.kl === undefined ? expect(ref.trace![i].kl).toBeUndefined() : expect(row.kl).toBeCloseTo(ref.trace![i].kl!, 9),
    );

    // the page shows it and offers the CLI's --out text and the plots
    expect(await page.$eval('#summary', (el) => el.textContent)).toContain('4,000 particles × 200 steps on webgpu');
    await page.click('#download-json');
    const json = (await downloaded(/^spec-result\.json$/)).toString('utf8');
    expect(json).toBe(JSON.stringify(result, null, 2) + '\n');
    await page.click('#download-png');
    const png = await downloaded(/^spec-result-trace\.png$/);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(consoleErrors.join('\n')).toBe('');
  });

  it('runs a spec on navigator.gpu and gets the CPU reference result for the same seed', async () => {
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
    const result = await page.evaluate((s) => langevinRunner.run(s), spec);
    expect(result.backend).toBe('webgpu');
    const cpu = await runAndRead(spec, 'cpu');
    // same random stream: f32 vs float64 trajectories (normals agree to ~2^-11(1 + |z|), ARCHITECTURE):
    // the ensemble moments agree to 1e-3, far tighter than their standard errors (~0.02)
    for (let d = 0; d < 2; d++) {
      expect(Math.abs(result.final.mean[d] - cpu.result.final.mean[d])).toBeLessThan(1e-3);
      expect(Math.abs(result.final.variance[d] - cpu.result.final.variance[d])).toBeLessThan(1e-3);
    }
  });

  it('shows a bad spec with the CLI message for the same error, without a stack trace', async () => {
    const bad = { potential: { name: 'double-well' }, dt: 0.01, steps: 10, init: { kind: 'normal', std: [1, -2] } };
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const r = cli(['run', join(dir, 'bad.json')]);
    expect(r.code).toBe(2);
    const message = r.stderr.trim().replace(/^langevin: /, '');
    expect(message).toMatch(/^invalid input: init\.std/);

    await page.$eval(
      '#spec',
      (el, text) => {
        (el as HTMLTextAreaElement).value = text;
        el.dispatchEvent(new Event('input'));
      },
      JSON.stringify(bad),
    );
    await page.click('#run');
    await page.waitForFunction(() => langevinRunner.state === 'failed');
    expect(await page.$eval('#summary', (el) => el.textContent)).toBe(message);
    expect(await page.$eval('#check', (el) => el.textContent)).toBe(message);

    // a JSON syntax error names the source, line and column as the CLI names the file
    const text = '{\n  "dt": 0.01,\n  "steps": 10,\n  "potential": {"name": "harmonic"},\n  "seed": 1,,\n}';
    writeFileSync(join(dir, 'pasted spec'), text);
    const j = cli(['run', 'pasted spec'], dir);
    expect(j.code).toBe(2);
    const jsonMessage = j.stderr.trim().replace(/^langevin: /, '');
    expect(jsonMessage).toMatch(/^invalid input: pasted spec:5:13: invalid JSON: /);
    await page.$eval(
      '#spec',
      (el, t) => {
        (el as HTMLTextAreaElement).value = t;
        el.dispatchEvent(new Event('input'));
      },
      text,
    );
    await page.click('#run');
    await page.waitForFunction(() => langevinRunner.state === 'failed');
    const shown = await page.$eval('#summary', (el) => el.textContent ?? '');
    // the location part is the CLI's; the words after it are the JavaScript engine's (Node's V8 and Chromium's may differ)
    expect(shown.slice(0, shown.indexOf('invalid JSON: '))).toBe(jsonMessage.slice(0, jsonMessage.indexOf('invalid JSON: ')));
    expect(shown).not.toMatch(/\n\s+at /);
    // automation gets the same message as a rejection
    const rejected = await page.evaluate(
      (s) =>
        langevinRunner.run(s).then(
          () => '',
          (e: Error) => e.message,
        ),
      bad,
    );
    expect(rejected).toBe(message);
  });

  it('cancel returns the partial result with the steps done', async () => {
    const long = { ...SPEC, particles: 2000, steps: 100000, histogram: { ...SPEC.histogram, from: 50 } };
    const done = page.evaluate((s) => langevinRunner.run(s), long);
    await page.waitForFunction(() => langevinRunner.progress.step >= 120, { timeout: 60_000, polling: 50 });
    await page.evaluate(() => langevinRunner.cancel());
    const result = await done;
    expect(result.partial).toEqual({ reason: 'cancelled', stepsPlanned: 100000 });
    expect(result.steps).toBeGreaterThanOrEqual(120);
    expect(result.steps).toBeLessThan(100000);
    expect(result.trace!.every((t) => t.step <= result.steps)).toBe(true);
    expect(result.trace!.length).toBeGreaterThanOrEqual(3); // steps 0, 50, 100
    expect(result.histogram!.snapshots.every((s) => s <= result.steps)).toBe(true);
    expect(result.histogram!.samples + result.histogram!.outside).toBe(result.histogram!.snapshots.length * long.particles);
    expect(await page.evaluate(() => langevinRunner.state)).toBe('cancelled');
    // the partial result is the page's result: nothing is left over as "interrupted"
    expect(await page.evaluate(() => langevinRunner.saved())).toEqual([]);
  });

  it('offers the saved observations of a run interrupted by a reload, and downloads them as a partial result', async () => {
    const long = { ...SPEC, particles: 2000, steps: 100000, histogram: { ...SPEC.histogram, from: 50 } };
    void page.evaluate((s) => void langevinRunner.run(s), long);
    await page.waitForFunction(() => langevinRunner.progress.savedStep >= 160, { timeout: 60_000, polling: 50 });
    // another tab sees the record of a run still going on, and does not offer it as interrupted
    const other = await context.newPage();
    await openRunner(other);
    expect((await other.evaluate(() => langevinRunner.saved())).length).toBe(1);
    expect(await other.$('#saved .banner')).toBeNull();
    await other.close();
    await openRunner(page); // the tab is navigated away mid-run: no cancel, no result
    await page.waitForSelector('#saved .banner');
    const banner = await page.$eval('#saved .banner', (el) => el.textContent ?? '');
    expect(banner).toMatch(/did not finish: spec, .* saved at step [\d,]+ of 100,000/);
    const saved = await page.evaluate(() => langevinRunner.saved());
    expect(saved).toHaveLength(1);
    const obs = saved[0].observations;
    expect(obs.step).toBeGreaterThanOrEqual(160);
    expect(obs.trace.length).toBeGreaterThanOrEqual(4); // steps 0, 50, 100, 150

    await page.click('#saved .download-saved');
    const result = JSON.parse((await downloaded(/^spec-interrupted\.json$/)).toString('utf8')) as RunResult;
    expect(result.partial).toEqual({ reason: 'interrupted', stepsPlanned: 100000 });
    expect(result.steps).toBe(obs.step);
    expect(result.trace).toEqual(obs.trace);
    expect(result.backend).toBe('webgpu');
    expect(result.histogram!.snapshots.length).toBeGreaterThanOrEqual(3);
    // the saved counts against the saved reference give the KL the file reports
    expect(result.divergence!.kl).toBeCloseTo(
      divergences(Float64Array.from(result.histogram!.counts), Float64Array.from(result.boltzmann!.probabilities)).kl,
      12,
    );
    expect(result).toEqual(await page.evaluate((id) => langevinRunner.savedResult(id), saved[0].id));

    await page.click('#saved .discard');
    await page.waitForFunction(() => document.querySelector('#saved .banner') === null);
    expect(await page.evaluate(() => langevinRunner.saved())).toEqual([]);
  });

  it('keeps the observations when the GPU device is lost mid-run, and offers them at once', async () => {
    const p = await context.newPage();
    // capture the devices the page creates, to lose one as a crashed GPU process would
    await p.evaluateOnNewDocument(() => {
      const request = GPUAdapter.prototype.requestDevice;
      GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, d?: GPUDeviceDescriptor) {
        const device = await request.call(this, d);
        ((window as unknown as { devices: GPUDevice[] }).devices ??= []).push(device);
        return device;
      };
    });
    try {
      await openRunner(p);
      const long = { ...SPEC, particles: 2000, steps: 100000, histogram: { ...SPEC.histogram, from: 50 } };
      const failed = p.evaluate(
        (s) =>
          langevinRunner.run(s).then(
            () => 'resolved',
            (e: Error) => e.message,
          ),
        long,
      );
      await p.waitForFunction(() => langevinRunner.progress.savedStep >= 110, { timeout: 60_000, polling: 50 });
      await p.evaluate(() => (window as unknown as { devices: GPUDevice[] }).devices.forEach((d) => d.destroy()));
      expect(await failed).toMatch(/WebGPU device lost/);
      expect(await p.evaluate(() => langevinRunner.state)).toBe('failed');
      expect(await p.$eval('#summary', (el) => el.textContent)).toMatch(/WebGPU device lost .*The observations up to step [\d]+ are saved/);
      await p.waitForSelector('#saved .banner');
      const saved = await p.evaluate(() => langevinRunner.saved());
      expect(saved).toHaveLength(1);
      expect(saved[0].observations.step).toBeGreaterThanOrEqual(110);
      const result = await p.evaluate((id) => langevinRunner.savedResult(id), saved[0].id);
      expect(result.partial).toEqual({ reason: 'interrupted', stepsPlanned: 100000 });
      expect(result.steps).toBe(saved[0].observations.step);
      await p.click('#saved .discard');
      await p.waitForFunction(() => document.querySelector('#saved .banner') === null);
    } finally {
      await p.close();
    }
  });

  it('loads ?spec=URL and runs it with &run, reporting progress', async () => {
    const small = { ...SPEC, particles: 1000, steps: 60, histogram: undefined, observe: { every: 20 } };
    await page.setRequestInterception(true);
    const handler = (req: import('puppeteer-core').HTTPRequest) =>
      req.url().endsWith('/specs/small.json')
        ? req.respond({ status: 200, contentType: 'application/json', body: JSON.stringify(small) })
        : req.continue();
    page.on('request', handler);
    try {
      const wall0 = performance.now();
      await openRunner(page, '?spec=specs/small.json&run');
      await page.waitForFunction(() => langevinRunner.state === 'done', { timeout: 60_000 });
      const wallSeconds = (performance.now() - wall0) / 1000;
      const r = (await page.evaluate(() => langevinRunner.lastResult))!;
      expect(r.steps).toBe(60);
      expect(r.trace!.map((t) => t.step)).toEqual([0, 20, 40, 60]);
      expect(await page.$eval('#source', (el) => el.textContent)).toBe('specs/small.json');
      const p = await page.evaluate(() => langevinRunner.progress);
      expect(p.step).toBe(60);
      // 1000 particles × 60 steps over the page's time to the last step, which is within this test's wall time
      // (a rate per step, or per particle, would fall 1000× or 60× below this bound)
      expect(p.particleStepsPerSecond).toBeGreaterThanOrEqual((1000 * 60) / wallSeconds);
      expect(await page.$eval('#status', (el) => el.textContent)).toMatch(/webgpu on .*: done, 60 steps/);
    } finally {
      page.off('request', handler);
      await page.setRequestInterception(false);
    }
  });
});

describe('a browser without WebGPU', () => {
  it('says what is missing and what to use instead, and runs the spec on the CPU backend', async () => {
    const noGpu = await openBrowser(['--disable-features=WebGPU']);
    try {
      const p = await noGpu.browser.newPage();
      // the page must not depend on WebGPU existing: hide it even if this Chromium exposes it
      await p.evaluateOnNewDocument(() => {
        Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
      });
      await p.goto(noGpu.url + 'runner.html', { waitUntil: 'load' });
      await p.waitForFunction(() => (window as unknown as { langevinRunner?: Runner }).langevinRunner?.ready === true, { timeout: 60_000 });
      const notice = await p.$eval('#notice', (el) => el.textContent ?? '');
      expect(notice).toContain('this browser has no WebGPU (navigator.gpu is missing)');
      expect(notice).toContain('Use a current Chrome or Edge');
      expect(notice).toContain('CPU backend');
      const small = { ...SPEC, particles: 500, steps: 20, histogram: undefined, observe: { every: 10 } };
      const result = await p.evaluate((s) => langevinRunner.run(s), small);
      expect(result.backend).toBe('cpu');
      const cpu = await runAndRead(small, 'cpu');
      // same float64 reference, same stream: equal up to the last bits of the two V8s' Math.log/cos
      result.final.mean.forEach((m, d) => expect(Math.abs(m - cpu.result.final.mean[d])).toBeLessThan(1e-12));
      result.final.variance.forEach((v, d) => expect(Math.abs(v - cpu.result.final.variance[d])).toBeLessThan(1e-12));
    } finally {
      await noGpu.close();
    }
  });
});
