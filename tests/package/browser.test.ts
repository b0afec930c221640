/**
 * The packed package in the browser, as its users load it: a Vite app (dev
 * server and production build) importing `langevin`, and a plain HTML page
 * importing dist/langevin.browser.js from a static server, each running a
 * spec in headless Chromium on WebGPU (SwiftShader here) and on the CPU
 * backend, and on a browser without WebGPU, where `auto` falls back to the CPU.
 * The numbers are checked against the same spec through the command line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../cli-support.ts';
import { createProject, packTarball, type Project } from './pack.ts';
import { freePort, launch, pageValue, staticServer, startVite } from './pages.ts';

/** Free diffusion from the origin: each coordinate's variance is 2·T·t = 2 · 0.5 · (100 · 0.01) = 1. */
const SPEC = {
  dims: 2,
  particles: 2000,
  potential: { name: 'free' },
  dt: 0.01,
  temperature: 0.5,
  steps: 100,
  seed: 11,
  init: { kind: 'point', x: [0, 0] },
};
const EXACT_VARIANCE = 1;
const VARIANCE_SE = EXACT_VARIANCE * Math.sqrt(2 / (SPEC.particles - 1));

interface Final {
  mean: number[];
  variance: number[];
}
interface PageRun {
  backend: string;
  device: string;
  notices: string[];
  final: Final;
}
type PageOutcome = Record<string, PageRun> & { error?: string };

/** What the page runs: the spec on each backend asked for in the query (?backends=webgpu,cpu). */
const pageScript = (from: string) => `import { Simulation, browserGpuContext } from '${from}';
const spec = ${JSON.stringify(SPEC)};
const out = {};
try {
  for (const backend of new URLSearchParams(location.search).get('backends').split(',')) {
    const notices = [];
    const sim = await Simulation.create(spec, { backend, gpu: browserGpuContext, onNotice: (m) => notices.push(m) });
    const r = await sim.run();
    sim.destroy();
    out[backend] = { backend: r.backend, device: r.device, notices, final: r.final };
  }
} catch (e) {
  out.error = String(e && e.stack || e);
}
window.__langevin = out;
`;
const HTML = (script: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>consumer</title></head><body><script type="module" src="${script}"></script></body></html>`;

let tarball: string;
let browser: Browser;
let reference: Final;
let profile: string;

/**
 * The command line's numbers: the same trajectories, so equal up to the order
 * of the sums over particles (the command sums per worker thread, a page
 * that is not cross-origin isolated steps on one thread).
 */
function expectReference(final: Final): void {
  for (const key of ['mean', 'variance'] as const)
    for (let d = 0; d < 2; d++)
      expect(Math.abs(final[key][d] - reference[key][d])).toBeLessThan(1e-12 * Math.max(1, Math.abs(reference[key][d])));
}

/** The checks every page makes: both backends ran, the CPU one gives the command line's numbers, physics within 5σ. */
function checkRuns(out: PageOutcome): void {
  expect(out.error).toBeUndefined();
  expect(out.cpu.backend).toBe('cpu');
  expectReference(out.cpu.final);
  expect(out.webgpu.backend).toBe('webgpu');
  expect(out.webgpu.device).toMatch(/swiftshader/i);
  for (let d = 0; d < 2; d++) {
    for (const run of [out.cpu, out.webgpu]) expect(Math.abs(run.final.variance[d] - EXACT_VARIANCE)).toBeLessThan(5 * VARIANCE_SE);
    // the same random numbers: the GPU's f32 trajectories agree with the CPU's to rounding
    expect(Math.abs(out.webgpu.final.variance[d] - out.cpu.final.variance[d])).toBeLessThan(1e-3);
  }
}

const runPage = (b: Browser, url: string) =>
  pageValue(
    b,
    url,
    () => (window as unknown as { __langevin?: unknown }).__langevin !== undefined,
    () => (window as unknown as { __langevin: PageOutcome }).__langevin,
  );

beforeAll(async () => {
  tarball = packTarball();
  profile = mkdtempSync(join(tmpdir(), 'langevin-consumer-chromium-'));
  browser = await launch(profile, true);
  const specFile = join(dirname(tarball), 'spec.json');
  writeFileSync(specFile, JSON.stringify(SPEC));
  const r = spawnSync(process.execPath, [CLI, 'run', specFile, '--backend', 'cpu'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  reference = (JSON.parse(r.stdout) as { final: Final }).final;
});
afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
  rmSync(dirname(tarball), { recursive: true, force: true });
});

describe('a Vite app', () => {
  let project: Project;
  beforeAll(() => {
    project = createProject('vite', tarball, ['vite'], { 'index.html': HTML('/main.js'), 'main.js': pageScript('langevin') });
  });
  afterAll(() => project?.remove());

  it('in dev mode runs the spec on WebGPU and on the CPU', async () => {
    const port = await freePort();
    const vite = await startVite(project, [], port);
    try {
      checkRuns(await runPage(browser, `http://127.0.0.1:${port}/?backends=webgpu,cpu`));
    } finally {
      vite.kill();
    }
  });

  it('built for production runs the spec on WebGPU and on the CPU', async () => {
    const build = project.run(process.execPath, ['node_modules/vite/bin/vite.js', 'build']);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const port = await freePort();
    const preview = await startVite(project, ['preview'], port);
    try {
      checkRuns(await runPage(browser, `http://127.0.0.1:${port}/?backends=webgpu,cpu`));
    } finally {
      preview.kill();
    }
  });
});

describe('a plain HTML page importing dist/langevin.browser.js', () => {
  let server: { origin: string; close(): Promise<void> };
  let url: string;
  beforeAll(async () => {
    // a static host: the bundle file as a user copies it, no bundler, no node_modules
    const project = createProject('plain', tarball, []);
    const bundle = readFileSync(join(project.dir, 'node_modules/langevin/dist/langevin.browser.js'));
    project.remove();
    server = await staticServer({
      '/index.html': HTML('./main.js'),
      '/main.js': pageScript('./langevin.browser.js'),
      '/langevin.browser.js': bundle,
    });
    url = `${server.origin}/index.html`;
  });
  afterAll(() => server?.close());

  it('runs the spec on WebGPU and on the CPU', async () => {
    checkRuns(await runPage(browser, `${url}?backends=webgpu,cpu`));
  });

  it('in a browser without WebGPU, auto runs on the CPU and says why', async () => {
    const plain = await launch(profile, false);
    try {
      const out = await runPage(plain, `${url}?backends=auto`);
      expect(out.error).toBeUndefined();
      expect(out.auto.backend).toBe('cpu');
      expectReference(out.auto.final);
      expect(out.auto.notices.join('\n')).toMatch(/WebGPU/);
    } finally {
      await plain.close();
    }
  });
});
