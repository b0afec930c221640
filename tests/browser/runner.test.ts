/**
 * The experiment runner page (runner.html) in Debian's Chromium with WebGPU on
 * SwiftShader: the same result as the CLI for the same seed, the CLI's
 * messages, cancel, downloads, an interrupted run offered after a reload, and
 * `?spec=` links: a spec from another origin waits for Run.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, HTTPRequest, Page } from 'puppeteer-core';
import { openBrowser, type BrowserSession } from './browser.ts';
import { runAndRead } from '../support.ts';
import type { RunResult } from '../../src/engine.ts';
import { divergences } from '../../src/stats/divergence.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface Runner {
  ready: boolean;
  state: string;
  error?: string;
  progress: { step: number; total: number; savedStep: number; checkpointStep: number; particleStepsPerSecond: number; secondsLeft: number };
  checkpointSeconds: number;
  lastResult?: RunResult;
  run(spec: unknown): Promise<RunResult>;
  cancel(): void;
  saved(): Promise<{ id: string; stepsPlanned: number; observations: { step: number; trace: unknown[] } }[]>;
  savedResult(id: string): Promise<RunResult>;
  resume(id: string): Promise<RunResult>;
  kinetics(): {
    survival?: { time: number[]; S: (number | null)[]; fit: (number | null)[] };
    work?: { edges: number[]; counts: number[]; markers: { x: number; label: string }[] };
  };
}
declare const langevinRunner: Runner;

let session: BrowserSession;
let context: BrowserContext;
let page: Page;
let dir: string;
let downloads: string;
const consoleErrors: string[] = [];

/**
 * Open the runner and choose its backend for the runs started from the test: webgpu by default, for these
 * tests are of the GPU path ('auto' passes SwiftShader over for the CPU). A `&run` link starts on 'auto'.
 */
async function openRunner(p: Page, query = '', backend: 'auto' | 'webgpu' | 'cpu' = 'webgpu'): Promise<void> {
  await p.goto(session.url + 'runner.html' + query, { waitUntil: 'load' });
  await p.waitForFunction(() => (window as unknown as { langevinRunner?: Runner }).langevinRunner?.ready === true, { timeout: 60_000 });
  await p.$eval('#backend', (el, b) => void ((el as HTMLSelectElement).value = b), backend);
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

/** `node dist/cli.js ARGS` in `cwd`, as a user runs it (no progress bar: stderr is a pipe). */
function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A new tab that keeps the GPU devices its pages create (`window.devices`), to lose them as a crashed GPU process would. */
async function pageCapturingDevices(): Promise<Page> {
  const p = await context.newPage();
  await p.evaluateOnNewDocument(() => {
    const request = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, d?: GPUDeviceDescriptor) {
      const device = await request.call(this, d);
      ((window as unknown as { devices: GPUDevice[] }).devices ??= []).push(device);
      return device;
    };
  });
  return p;
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
    const t0 = Date.now();
    const result = await page.evaluate((s) => langevinRunner.run(s), SPEC);
    const t1 = Date.now();
    expect(result.backend).toBe('webgpu');
    expect(result.software).toBe(true);
    expect(result.partial).toBeUndefined();
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(SPEC));
    const out = join(dir, 'cli.json');
    const r = cli(['run', join(dir, 'spec.json'), '--backend', 'webgpu', '--out', out]);
    expect(r.stderr).toBe('');
    const ref = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    expect(ref.backend).toBe('webgpu');

    // the same provenance fields: the page's host is its user agent, the CLI's this Node
    expect(result.$schema).toBe(ref.$schema);
    expect(result.langevin).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(ref.langevin).toBe(result.langevin);
    expect(result.host).toBe(await page.evaluate(() => navigator.userAgent));
    expect(result.host).toMatch(/Chrome\//);
    expect(ref.host).toBe(`node ${process.version} (${process.platform} ${process.arch})`);
    expect(Date.parse(result.createdAt)).toBeGreaterThanOrEqual(t0);
    expect(Date.parse(result.createdAt)).toBeLessThanOrEqual(t1);
    expect(result.createdAt).toBe(new Date(result.createdAt).toISOString());
    // the same normalised spec and histogram edges
    expect(result.spec).toEqual(ref.spec);
    expect(result.spec).toMatchObject({ ...SPEC, histogram: { ...SPEC.histogram }, init: { ...SPEC.init, std: [0.3, 0.3] } });
    expect(result.histogram!.edges).toEqual(ref.histogram!.edges);
    expect(result.histogram!.edges[0]).toEqual(Array.from({ length: 25 }, (_, i) => (i === 24 ? 2 : -2 + 4 * (i / 24))));

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

  it('plots the survival S(t) on a log axis with the fitted exponential, and the work histogram with ⟨W⟩ and ΔF; a new run clears them', async () => {
    // 1-D double well tilted towards the region x ≥ 0.8 (a: 0 → −2.5 removes the left well): every walker hits
    const spec = {
      dims: 1,
      particles: 2000,
      potential: { expr: '(x^2 - 1)^2 + a*x', params: { a: { schedule: 'linear', from: 0, to: -2.5 } } },
      integrator: 'lm',
      dt: 0.01,
      temperature: 0.5,
      steps: 2000,
      seed: 7,
      init: { kind: 'point', x: [-1] },
      passage: { region: { low: [0.8], high: [null] } },
      observe: { every: 50 },
    };
    const t0 = Date.now();
    const result = await page.evaluate((s) => langevinRunner.run(s), spec);
    const p = result.passage!;
    const w = result.work!;
    expect(p.mfpt).not.toBeNull();
    expect(p.rate).not.toBeNull();
    expect(w.jarzynski).not.toBeNull();
    const shown = await page.evaluate(() => langevinRunner.kinetics());
    // the survival curve is the result's, S = 0 left out of the log axis; the fit is S(from)·e^{−k(t − from)} on [from, to]
    expect(shown.survival!.time).toEqual(p.survival.time);
    expect(shown.survival!.S).toEqual(p.survival.S.map((s) => (s > 0 ? s : null)));
    const fitted = shown.survival!.fit.flatMap((v, i) => (v === null ? [] : [{ t: p.survival.time[i], v }]));
    expect(fitted.length).toBeGreaterThanOrEqual(3);
    expect(fitted[0].t).toBeCloseTo(p.rate!.from, 9);
    expect(fitted[fitted.length - 1].t).toBeCloseTo(p.rate!.to, 9);
    expect(fitted[0].v).toBe(p.survival.S[p.survival.time.indexOf(fitted[0].t)]);
    for (const f of fitted) expect(f.v).toBeCloseTo(fitted[0].v * Math.exp(-p.rate!.value * (f.t - p.rate!.from)), 12);
    // the work histogram is the result's (every walker counted), with markers at ⟨W⟩ and Jarzynski's ΔF
    expect(shown.work!.edges).toEqual(w.histogram.edges);
    expect(shown.work!.counts.reduce((a, c) => a + c, 0)).toBe(spec.particles - w.nonFinite);
    expect(shown.work!.markers.map((m) => [m.label, m.x])).toEqual([
      ['⟨W⟩', w.mean],
      ['ΔF Jarzynski', w.jarzynski!.deltaF],
      ...(w.reference ? [['ΔF exact', w.reference.deltaF]] : []),
    ]);
    // both canvases are drawn: pixels in the colour of each plot's data series
    const lit = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#kinetics figure')).map((f) => {
        const c = f.querySelector('canvas')!;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const [r, g, b] = (f as HTMLElement).dataset.plot === 'survival' ? [0xc0, 0x39, 0x2b] : [0x24, 0x71, 0xa3];
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
          if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40 && d[i + 3] > 200) n++;
        return [(f as HTMLElement).dataset.plot, n];
      }),
    );
    expect(lit.map(([name]) => name)).toEqual(['survival', 'work']);
    for (const [name, n] of lit) expect(n, `${name} pixels`).toBeGreaterThan(100);
    // the caption's MFPT is the result's
    const mfpt = await page.$eval('#kinetics [data-key="mfpt"]', (el) => ({
      text: el.textContent!,
      value: (el as HTMLElement).dataset.value!,
    }));
    expect(Number(mfpt.value)).toBe(p.mfpt!.value);
    expect(Number(mfpt.text)).toBeCloseTo(p.mfpt!.value, 4);
    expect(await page.$eval('#kinetics figure[data-plot="survival"] figcaption', (el) => el.textContent)).toMatch(
      new RegExp(`mean first-passage time ${mfpt.text} ± \\d`),
    );
    const jarzynski = await page.$eval('#kinetics [data-key="jarzynski"]', (el) => Number((el as HTMLElement).dataset.value));
    expect(jarzynski).toBe(w.jarzynski!.deltaF);
    // under the summary, above the download buttons, side by side without overlapping
    const box = await page.evaluate(() => {
      const r = (e: Element) => e.getBoundingClientRect().toJSON() as DOMRect;
      return {
        summary: r(document.querySelector('#summary')!),
        kinetics: r(document.querySelector('#kinetics')!),
        buttons: r(document.querySelector('#download-json')!),
        figures: Array.from(document.querySelectorAll('#kinetics figure')).map(r),
      };
    });
    expect(box.kinetics.top).toBeGreaterThanOrEqual(box.summary.bottom);
    expect(box.buttons.top).toBeGreaterThanOrEqual(box.kinetics.bottom);
    const [a, b] = box.figures;
    expect(a.height).toBeGreaterThan(200);
    expect(a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top).toBe(true);
    for (const f of box.figures) expect(f.bottom).toBeLessThanOrEqual(box.kinetics.bottom + 0.5);
    console.log(`runner kinetics run: ${Date.now() - t0} ms`);
    // a run without kinetics clears them
    await page.evaluate((s) => langevinRunner.run(s), { ...SPEC, particles: 500 });
    expect(await page.$eval('#kinetics', (el) => ({ hidden: (el as HTMLElement).hidden, children: el.children.length }))).toEqual({
      hidden: true,
      children: 0,
    });
    expect(await page.evaluate(() => langevinRunner.kinetics())).toEqual({});
    // both runs finished: nothing is left over as "interrupted" for the tests after this one
    expect(await page.evaluate(() => langevinRunner.saved())).toEqual([]);
    expect(consoleErrors.join('\n')).toBe('');
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
    expect(result.host).toBe(await page.evaluate(() => navigator.userAgent));
    expect(result.spec.steps).toBe(100000);
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
    const p = await pageCapturingDevices();
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

  it('resumes a run whose GPU device was lost from its checkpoint (OPFS) after a reload, to the uninterrupted result bit for bit', async () => {
    const p = await pageCapturingDevices();
    try {
      await openRunner(p);
      const spec = {
        ...SPEC,
        particles: 2000,
        steps: 3000,
        histogram: { ...SPEC.histogram, from: 1000, every: 500 },
        observe: { every: 250 },
      };
      const whole = await p.evaluate((s) => langevinRunner.run(s), spec);
      expect(whole.partial).toBeUndefined();
      await p.evaluate(() => void (langevinRunner.checkpointSeconds = 0.05));
      const failed = p.evaluate(
        (s) =>
          langevinRunner.run(s).then(
            () => 'resolved',
            (e: Error) => e.message,
          ),
        spec,
      );
      await p.waitForFunction(() => langevinRunner.progress.checkpointStep >= 250, {
        timeout: 60_000,
        polling: 5,
      });
      await p.evaluate(() => (window as unknown as { devices: GPUDevice[] }).devices.forEach((d) => d.destroy()));
      expect(await failed).toMatch(/WebGPU device lost/);
      // a reload, as after a crash: the banner offers the run, resumable from its checkpoint
      await openRunner(p);
      await p.waitForSelector('#saved .banner .resume');
      const label = await p.$eval('#saved .banner .resume', (el) => el.textContent ?? '');
      const at = Number(/resume from step ([\d,]+)/.exec(label)![1].replace(/,/g, ''));
      expect(at).toBeGreaterThanOrEqual(250);
      expect(at).toBeLessThan(3000);
      const saved = await p.evaluate(() => langevinRunner.saved());
      expect(saved).toHaveLength(1);
      await p.click('#saved .banner .resume');
      await p.waitForFunction(() => langevinRunner.state === 'done' || langevinRunner.state === 'failed', {
        timeout: 120_000,
        polling: 50,
      });
      expect(await p.evaluate(() => langevinRunner.error)).toBeUndefined();
      const resumed = (await p.evaluate(() => langevinRunner.lastResult)) as RunResult;
      const strip = (r: RunResult) => JSON.stringify({ ...r, createdAt: 0, elapsedMs: 0, particleStepsPerSecond: 0 });
      expect(strip(resumed)).toBe(strip(whole));
      expect(await p.$eval('#notice', (el) => el.textContent)).toContain(`from its checkpoint at step ${at.toLocaleString('en')}`);
      // a finished run leaves no record and no checkpoint behind
      expect(await p.evaluate(() => langevinRunner.saved())).toEqual([]);
      const files = await p.evaluate(async () => {
        const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('langevin-checkpoints');
        const names: string[] = [];
        for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
        return names;
      });
      expect(files).toEqual([]);
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
      // a &run link starts on the page's default backend, auto, which passes this Chromium's SwiftShader over
      expect(r.backend).toBe('cpu');
      expect(await page.$eval('#status', (el) => el.textContent)).toMatch(/cpu on .*: done, 60 steps/);
    } finally {
      page.off('request', handler);
      await page.setRequestInterception(false);
    }
  });
});

describe('backend auto on a software adapter (SwiftShader here)', () => {
  it('runs on the CPU backend and says why in one line', async () => {
    const p = await context.newPage();
    try {
      await openRunner(p, '', 'auto');
      const small = { ...SPEC, particles: 500, steps: 20, histogram: undefined, observe: { every: 10 } };
      const result = await p.evaluate((s) => langevinRunner.run(s), small);
      expect(result.backend).toBe('cpu');
      const notice = await p.$eval('#notice', (el) => el.textContent ?? '');
      expect(notice).toMatch(/SwiftShader.* is a software adapter; running on the CPU backend/);
    } finally {
      await p.close();
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

/** A second HTTP server, on another port: another origin than the page's. Every response allows CORS, so the page can read it. */
async function otherOrigin(routes: Record<string, (res: ServerResponse) => void>) {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url!);
    res.setHeader('Access-Control-Allow-Origin', '*');
    const route = routes[req.url!];
    if (route) route(res);
    else res.writeHead(404).end('no such spec');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('links to a spec (?spec=URL) from elsewhere', () => {
  const small = { ...SPEC, particles: 1000, steps: 60, histogram: undefined, observe: { every: 20 } };
  const json = (res: ServerResponse) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(small, null, 2));
  const text = (selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
  const originShown = () => page.$eval('#origin', (el) => !(el as HTMLElement).hidden && el.textContent);

  /** The page must not start: once it is ready it would already be running (start() enters 'running' synchronously); a moment later still idle. */
  async function expectIdle(): Promise<void> {
    expect(await page.evaluate(() => langevinRunner.state)).toBe('idle');
    await new Promise((r) => setTimeout(r, 500));
    expect(await page.evaluate(() => [langevinRunner.state, langevinRunner.progress.total])).toEqual(['idle', 0]);
    expect(await text('#status')).toBe('ready');
  }

  it('shows a spec of another origin with a notice naming it, and runs it only when Run is pressed, even with &run', async () => {
    const other = await otherOrigin({ '/foreign.json': json });
    try {
      await openRunner(page, `?spec=${encodeURIComponent(other.origin + '/foreign.json')}&run`);
      await expectIdle();
      expect(await page.$eval('#spec', (el) => (el as HTMLTextAreaElement).value)).toBe(JSON.stringify(small, null, 2));
      expect(await text('#check')).toBe('valid: 1,000 particles × 60 steps, 2-D, LM');
      const notice = await originShown();
      expect(notice).toContain(`This spec comes from ${other.origin}, not from this site (${session.url.replace(/\/$/, '')})`);
      expect(notice).toContain('starts only when you do');
      expect(notice).toContain('The link asked to start it at once');
      expect(other.hits).toEqual(['/foreign.json']);

      await page.click('#run');
      await page.waitForFunction(() => langevinRunner.state === 'done', { timeout: 60_000 });
      const r = (await page.evaluate(() => langevinRunner.lastResult))!;
      expect(r.steps).toBe(60);
      expect(r.trace!.map((t) => t.step)).toEqual([0, 20, 40, 60]);
    } finally {
      await other.close();
    }
  });

  it('treats data: and blob: URLs as foreign: shown, not started by &run', async () => {
    const url = 'data:application/json,' + encodeURIComponent(JSON.stringify(small));
    await openRunner(page, `?spec=${encodeURIComponent(url)}&run`);
    await expectIdle();
    expect(await page.$eval('#spec', (el) => (el as HTMLTextAreaElement).value)).toBe(JSON.stringify(small));
    expect(await text('#source')).toBe('data: URL');
    expect(await originShown()).toMatch(/^This spec comes from a data: URL in the link .*Read it before you press Run/);

    // a blob: URL (here made by another tab of this origin, which keeps it alive) is treated the same
    const maker = await context.newPage();
    try {
      await maker.goto(session.url + 'runner.html', { waitUntil: 'load' });
      const blob = await maker.evaluate((t) => URL.createObjectURL(new Blob([t], { type: 'application/json' })), JSON.stringify(small));
      await page.bringToFront(); // a background tab gets no animation frames, which waitForFunction polls on
      await openRunner(page, `?spec=${encodeURIComponent(blob)}&run`);
      await expectIdle();
      expect(await page.$eval('#spec', (el) => (el as HTMLTextAreaElement).value)).toBe(JSON.stringify(small));
      expect(await originShown()).toContain(`This spec comes from a blob: URL (${blob})`);
    } finally {
      await maker.close();
    }
  });

  it('treats a URL of this origin that redirects to another as foreign', async () => {
    const other = await otherOrigin({ '/foreign.json': json });
    await page.setRequestInterception(true);
    const handler = (req: HTTPRequest) =>
      req.url().endsWith('/specs/moved.json')
        ? req.respond({ status: 302, headers: { Location: other.origin + '/foreign.json' } })
        : req.continue();
    page.on('request', handler);
    try {
      await openRunner(page, '?spec=specs/moved.json&run');
      await expectIdle();
      expect(other.hits).toEqual(['/foreign.json']);
      expect(await originShown()).toContain(`This spec comes from ${other.origin} (redirected from ${session.url}specs/moved.json)`);
    } finally {
      page.off('request', handler);
      await page.setRequestInterception(false);
      await other.close();
    }
  });

  it('does not load a spec from elsewhere inside a frame of another site, where a click could be steered onto Run', async () => {
    let runnerUrl = '';
    const frame = (res: ServerResponse) =>
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(`<!doctype html><iframe src="${runnerUrl}" width="900" height="700"></iframe>`);
    const other = await otherOrigin({ '/foreign.json': json, '/frame.html': frame });
    runnerUrl = `${session.url}runner.html?spec=${encodeURIComponent(other.origin + '/foreign.json')}&run`;
    /** The runner in the frame of `page`, once ready. */
    const framed = async () => {
      const f = await page.waitForFrame((f) => f.url() === runnerUrl);
      await f.waitForFunction(() => (window as unknown as { langevinRunner?: Runner }).langevinRunner?.ready === true, { timeout: 60_000 });
      return f;
    };
    try {
      await page.goto(other.origin + '/frame.html');
      const f = await framed();
      expect(await f.$eval('#check', (el) => el.textContent)).toBe(
        `the spec from ${other.origin} was not loaded: this page is inside a frame of another site; open the link in a tab of its own`,
      );
      expect(await f.$eval('#spec', (el) => (el as HTMLTextAreaElement).value)).toBe('');
      expect(await f.evaluate(() => [langevinRunner.state, langevinRunner.progress.total])).toEqual(['failed', 0]);

      // framed by a page of its own site, the same link loads the spec and waits for Run, as in a tab
      await openRunner(page);
      await page.evaluate((src) => document.body.append(Object.assign(document.createElement('iframe'), { src })), runnerUrl);
      const g = await framed();
      expect(await g.$eval('#check', (el) => el.textContent)).toBe('valid: 1,000 particles × 60 steps, 2-D, LM');
      expect(await g.$eval('#origin', (el) => el.textContent)).toContain(`This spec comes from ${other.origin}`);
      expect(await g.evaluate(() => langevinRunner.state)).toBe('idle');
    } finally {
      await other.close();
    }
  });

  it('stops reading a response past 64 MiB, and says so in the check line, without a trace', async () => {
    let sent = 0;
    const endless = (res: ServerResponse) => {
      // a JSON array that never ends, with no Content-Length: only the page's bound stops it
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.from('0,'.repeat(2 ** 15));
      res.write('[');
      res.on('error', () => {}); // the page hangs up mid-write
      const more = () => {
        while (!res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
      };
      more();
    };
    const declared = (res: ServerResponse) => res.writeHead(200, { 'Content-Length': String(2 ** 30) }).write('[');
    const other = await otherOrigin({ '/endless.json': endless, '/declared.json': declared });
    try {
      const url = other.origin + '/endless.json';
      await openRunner(page, `?spec=${encodeURIComponent(url)}&run`);
      const check = await text('#check');
      expect(check).toBe(
        `invalid input: ?spec=: got "${url}"; a spec of at most 64 MiB (67,108,864 bytes, as for the CLI); the server sent more`,
      );
      expect(await text('#summary')).toBe(check);
      expect(await page.evaluate(() => langevinRunner.state)).toBe('failed');
      expect(await page.$eval('#spec', (el) => (el as HTMLTextAreaElement).value)).toBe('');
      // the page hung up: the server stopped well short of sending without end (its socket buffers hold a few MiB)
      await new Promise((r) => setTimeout(r, 300));
      expect(sent).toBeGreaterThan(2 ** 26 - 2 ** 20);
      expect(sent).toBeLessThan(2 ** 26 + 2 ** 25);

      // a Content-Length over the limit is refused before the body is read
      const big = other.origin + '/declared.json';
      await openRunner(page, `?spec=${encodeURIComponent(big)}`);
      expect(await text('#check')).toMatch(
        /^invalid input: \?spec=: got ".*\/declared\.json"; a spec of at most 64 MiB .*; its Content-Length is 1,073,741,824 bytes$/,
      );
      expect(consoleErrors.join('\n')).not.toMatch(/\n\s+at /);
    } finally {
      await other.close();
    }
  });

  it('reports a link to no spec (a missing file, no server, a javascript: or file: URL, HTML) in the check line, and starts nothing', async () => {
    const other = await otherOrigin({
      '/page.html': (res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><p>hello</p>'),
    });
    const closed = await otherOrigin({});
    await closed.close();
    try {
      const cases: [string, RegExp][] = [
        [other.origin + '/missing.json', /^cannot load the spec from http:\/\/127\.0\.0\.1:\d+\/missing\.json: HTTP 404/],
        [closed.origin + '/spec.json', /^cannot load the spec from http:\/\/127\.0\.0\.1:\d+\/spec\.json: .*same origin or CORS\)$/],
        [
          'javascript:alert(1)',
          /^invalid input: \?spec=: got "javascript:alert\(1\)"; allowed: an http\(s\) URL .*, a data: URL or a blob: URL$/,
        ],
        ['file:///etc/passwd', /^invalid input: \?spec=: got "file:\/\/\/etc\/passwd"; allowed: /],
      ];
      for (const [url, message] of cases) {
        await openRunner(page, `?spec=${encodeURIComponent(url)}&run`);
        const check = await text('#check');
        expect(check).toMatch(message);
        expect(check).not.toMatch(/\n\s+at /);
        expect(await text('#summary')).toBe(check);
        expect(await page.evaluate(() => [langevinRunner.state, langevinRunner.progress.total])).toEqual(['failed', 0]);
      }
      // what loads but is not JSON is in the box, checked as a pasted spec is: the check line says why, nothing runs
      await openRunner(page, `?spec=${encodeURIComponent(other.origin + '/page.html')}&run`);
      expect(await text('#check')).toMatch(/^invalid input: http:\/\/127\.0\.0\.1:\d+\/page\.html:1:1: invalid JSON: /);
      expect(await page.$eval('#spec', (el) => (el as HTMLTextAreaElement).value)).toBe('<!doctype html><p>hello</p>');
      await expectIdle();
      expect(other.hits).toEqual(['/missing.json', '/page.html']);
    } finally {
      await other.close();
    }
  });

  it('keeps a spec the visitor put in the box while the link’s spec was loading', async () => {
    let release = () => {};
    const slow = (res: ServerResponse) => (release = () => json(res));
    const other = await otherOrigin({ '/slow.json': slow });
    try {
      await page.goto(`${session.url}runner.html?spec=${encodeURIComponent(other.origin + '/slow.json')}&run`, { waitUntil: 'load' });
      await page.waitForFunction(() => document.querySelector('#check')?.textContent?.startsWith('loading the spec from '));
      while (other.hits.length === 0) await new Promise((r) => setTimeout(r, 20));
      const mine = JSON.stringify({ ...small, seed: 5 });
      await page.$eval(
        '#spec',
        (el, t) => {
          (el as HTMLTextAreaElement).value = t;
          el.dispatchEvent(new Event('input'));
        },
        mine,
      );
      release();
      await page.waitForFunction(() => langevinRunner.ready === true);
      expect(await page.$eval('#spec', (el) => (el as HTMLTextAreaElement).value)).toBe(mine);
      expect(await originShown()).toContain('was not loaded: you put another spec in the box while it loaded');
      await expectIdle();
    } finally {
      await other.close();
    }
  });
});
