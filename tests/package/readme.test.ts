/**
 * The README's usage snippets, extracted from README.md (each code block
 * after a `<!-- readme-test: KIND -->` line) and run as a user would, in a
 * project that installed the packed tarball: the Node script with `node`,
 * the bundler snippet in a Vite app in headless Chromium, the plain page from
 * a static server with dist/langevin.browser.js beside it, the shell lines
 * with bash. Each runs E = x²/2 at T = 0.3 with Euler–Maruyama, h = 0.01,
 * whose stationary variance is exactly T/(1 − h/2); each must print it
 * within 5 standard errors.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli-support.ts';
import { createProject, packTarball, type Project } from './pack.ts';
import { freePort, launch, pageValue, startVite, staticServer } from './pages.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The code block that follows `<!-- readme-test: kind -->`. */
function snippet(kind: string): string {
  const m = new RegExp(`<!-- readme-test: ${kind} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``).exec(README);
  if (!m) throw new Error(`README.md has no code block marked <!-- readme-test: ${kind} -->`);
  return m[1];
}

const T = 0.3;
const H = 0.01;
const N = 100_000;
const EXACT = T / (1 - H / 2);
/** Standard error of the sample variance of N independent normals. */
const SE = EXACT * Math.sqrt(2 / (N - 1));

/** "BACKEND: variance V" as every snippet prints it; checks V. */
function checkLine(text: string, backends: string[]): void {
  const m = /(\w+): variance ([-+.\de]+)/.exec(text);
  expect(m, `snippet output: ${text}`).not.toBeNull();
  expect(backends).toContain(m![1]);
  expect(Math.abs(Number(m![2]) - EXACT)).toBeLessThan(5 * SE);
}

let tarball: string;
beforeAll(() => {
  tarball = packTarball();
});
afterAll(() => rmSync(dirname(tarball), { recursive: true, force: true }));

describe('the README snippets, run from an installed tarball', () => {
  it('every marked snippet uses the spec the checks assume', () => {
    for (const kind of ['node', 'bundler', 'html']) {
      const code = snippet(kind);
      expect(code).toMatch(/particles: 100_000/);
      expect(code).toMatch(/expr: 'x\^2\/2'/);
      expect(code).toMatch(/dt: 0\.01, temperature: 0\.3/);
    }
    expect(snippet('sh')).toContain('"particles": 100000, "potential": {"expr": "x^2/2"}, "dt": 0.01, "temperature": 0.3');
  });

  describe('in Node', () => {
    let project: Project;
    beforeAll(() => {
      project = createProject('readme-node', tarball, ['webgpu'], { 'run.mjs': snippet('node') });
    });
    afterAll(() => project?.remove());

    it('the Node script prints the stationary variance', () => {
      const r = project.run(process.execPath, ['run.mjs'], { env: { ...process.env, LD_LIBRARY_PATH: '' } });
      expect(r.code, r.stderr).toBe(0);
      checkLine(r.stdout, ['cpu', 'webgpu']);
    });

    it('the shell lines write a result with the stationary variance', () => {
      const r = project.run('bash', ['-e', '-c', snippet('sh')], {
        env: { ...process.env, LD_LIBRARY_PATH: '', PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
      });
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(readFileSync(join(project.dir, 'result.json'), 'utf8'));
      checkLine(`${result.backend}: variance ${result.final.variance[0]}`, ['cpu', 'webgpu']);
    });
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let profiles: string;
    const bodyHasResult = () => /variance/.test(document.body?.textContent ?? '');
    const body = () => document.body.textContent ?? '';
    beforeAll(async () => {
      profiles = mkdtempSync(join(tmpdir(), 'langevin-readme-chromium-'));
      browser = await launch(profiles, true);
    });
    afterAll(async () => {
      await browser?.close();
      rmSync(profiles, { recursive: true, force: true });
    });

    it('the bundler snippet, in a Vite app, shows the stationary variance', async () => {
      const project = createProject('readme-vite', tarball, ['vite'], {
        'index.html': '<!doctype html><html><body><script type="module" src="/main.js"></script></body></html>',
        'main.js': snippet('bundler'),
      });
      try {
        const port = await freePort();
        const vite = await startVite(project, [], port);
        try {
          checkLine(await pageValue(browser, `http://127.0.0.1:${port}/`, bodyHasResult, body), ['cpu', 'webgpu']);
        } finally {
          vite.kill();
        }
      } finally {
        project.remove();
      }
    });

    it('the plain page, beside dist/langevin.browser.js, shows the stationary variance', async () => {
      const project = createProject('readme-html', tarball, []);
      const bundle = readFileSync(join(project.dir, 'node_modules/langevin/dist/langevin.browser.js'));
      project.remove();
      const server = await staticServer({ '/index.html': snippet('html'), '/langevin.browser.js': bundle });
      try {
        checkLine(await pageValue(browser, `${server.origin}/index.html`, bodyHasResult, body), ['cpu', 'webgpu']);
      } finally {
        await server.close();
      }
    });
  });
});
