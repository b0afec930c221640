/** Headless Chromium (Debian's, never a downloaded one) with WebGPU on SwiftShader, over a Vite server. */
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { createServer, type ViteDevServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** DESIGN §7: these switches give headless Chromium a SwiftShader adapter that renders (the demo's tests and bench). */
export const RENDER_FLAGS = [
  '--enable-features=Vulkan',
  '--use-angle=vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-vulkan-surface',
  '--enable-unsafe-swiftshader',
];

export interface BrowserSession {
  browser: Browser;
  server: ViteDevServer;
  url: string;
  close(): Promise<void>;
}

/**
 * Start a Vite server with the project's config (which sends COOP/COEP, so
 * pages are cross-origin isolated) and headless Chromium with WebGPU. The server
 * neither watches files nor reloads pages: an edit elsewhere never restarts a page mid-test.
 * @param extraArgs further Chromium switches
 * @param protocolTimeout ms puppeteer waits for one protocol call (long benchmarks raise it)
 */
export async function openBrowser(extraArgs: string[] = [], protocolTimeout?: number): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install -y chromium), or set CHROMIUM_PATH`);
  const server = await createServer({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    server: { port: 0, host: '127.0.0.1', hmr: false, watch: null },
  });
  await server.listen();
  const address = server.httpServer!.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const profile = mkdtempSync(join(tmpdir(), 'langevin-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    // LANGEVIN_HEADFUL=1 (under xvfb-run) shows a real window, for screenshots of what a person sees
    headless: process.env.LANGEVIN_HEADFUL ? false : true,
    userDataDir: profile,
    ...(protocolTimeout ? { protocolTimeout } : {}),
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
  return {
    browser,
    server,
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await browser.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
