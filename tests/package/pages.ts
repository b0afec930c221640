/** Helpers of the consumer tests that run pages: Chromium, a Vite server of a consumer project, a static server. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM } from '../browser/browser.ts';
import type { Project } from './pack.ts';

/** Headless Chromium with WebGPU (SwiftShader here) or with WebGPU disabled; its profile in a new folder of `profiles`. */
export async function launch(profiles: string, webgpu: boolean): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: mkdtempSync(join(profiles, 'p-')),
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...(webgpu ? ['--enable-unsafe-webgpu'] : ['--disable-webgpu']),
    ],
  });
}

/** Open `url`, wait (up to 3 min) until `ready` holds in the page, and return `value` evaluated there; page errors are thrown. */
export async function pageValue<T>(browser: Browser, url: string, ready: () => boolean, value: () => T): Promise<T> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    await page.waitForFunction(ready, { timeout: 180_000 });
    if (errors.length) throw new Error(`the page threw: ${errors.join('\n')}`);
    return (await page.evaluate(value)) as T;
  } finally {
    await page.close();
  }
}

/** A free port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Start `node node_modules/vite/bin/vite.js ARGS` in the project; resolves once it serves on `port`. */
export async function startVite(project: Project, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['node_modules/vite/bin/vite.js', ...args, '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    {
      cwd: project.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite ${args.join(' ')} exited ${child.exitCode}:\n${log}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`vite ${args.join(' ')} did not serve within 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A static file server on 127.0.0.1 for `files` (path → content); returns its origin and a close function. */
export async function staticServer(files: Record<string, string | Buffer>): Promise<{ origin: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json' };
  const server: Server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://x').pathname);
    const body = files[path];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
