/**
 * `npm run bench:browser [-- --quick] [--json] [--particles N,..] [--k K,..] [--wg W,..] [--peers FILE]`:
 * the CLI benchmark's workload matrix run inside headless Chromium with
 * WebGPU (Debian's /usr/bin/chromium driven by puppeteer-core, pages served by
 * Vite), printing the same table or JSON rows as `npx langevin bench`.
 * The server (vite.config.ts) sends COOP/COEP headers, so the page is
 * cross-origin isolated and the CPU backend can use Web Workers over
 * SharedArrayBuffer. With `--peers FILE` (the stdout of `npx langevin bench
 * --json`), the page also times the CPU backend on the workloads of the Node
 * peer rows (C, NumPy), and the driver prints the ratios (src/bench/peerFile.ts).
 */
import { readFileSync } from 'node:fs';
import { formatRow, isHeadlineRow, kSweep, type BenchRow } from '../src/bench/matrix.ts';
import { parsePeerRows, peerRatios, peerWorkloads } from '../src/bench/peerFile.ts';
import { CHROMIUM, openBrowser } from '../tests/browser/browser.ts';
import type { PageOptions } from './browser-page.ts';

function parse(args: string[]): PageOptions & { json: boolean; peers: BenchRow[] } {
  const list = (name: string, v: string | undefined) => {
    const xs = (v ?? '').split(',').map(Number);
    if (!v || xs.some((x) => !Number.isInteger(x) || x < 1))
      throw new Error(`${name}: got "${v ?? ''}"; give comma-separated positive integers`);
    return xs;
  };
  let quick = false;
  let json = false;
  let particles: number[] | undefined;
  let ks: number[] | undefined;
  let wg: number[] | undefined;
  let peers: BenchRow[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--quick') quick = true;
    else if (a === '--json') json = true;
    else if (a === '--particles') particles = list(a, args[++i]);
    else if (a === '--k') ks = list(a, args[++i]);
    else if (a === '--wg') wg = list(a, args[++i]);
    else if (a === '--peers') peers = readPeers(args[++i]);
    else
      throw new Error(`bench:browser: unknown argument "${a}"; allowed: --quick, --json, --particles N,N, --k K,K, --wg W,W, --peers FILE`);
  }
  return {
    quick,
    json,
    particles: particles ?? (quick ? [20_000] : [10_000, 100_000, 1_000_000]),
    ks: ks ?? (quick ? [64] : [1, 8, 64, 256, 1024]),
    workgroupSizes: wg ?? (quick ? [64] : [32, 64, 128, 256]),
    reps: quick ? 3 : 5,
    peers,
    peerWorkloads: peerWorkloads(peers),
  };
}

/** The Node peer rows of FILE (`npx langevin bench --json > FILE`). */
function readPeers(file: string | undefined): BenchRow[] {
  if (!file) throw new Error('--peers: give a file (the stdout of `npx langevin bench --json`)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--peers: cannot read "${file}": ${(e as Error).message}`);
  }
  return parsePeerRows(text, file);
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(3)); // node bin/run-ts.js bench/browser.ts ARGS
  const session = await openBrowser(['--disable-background-timer-throttling', '--disable-renderer-backgrounding'], 3_600_000);
  const { browser } = session;
  const rows: BenchRow[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e}\n`));
    await page.exposeFunction('benchEmit', (measured: BenchRow) => {
      const ratios = measured.backend === 'cpu' ? peerRatios(measured, o.peers) : {};
      const row = Object.keys(ratios).length ? { ...measured, ratios } : measured;
      rows.push(row);
      process.stdout.write((o.json ? JSON.stringify(row) : formatRow(row)) + '\n');
    });
    await page.exposeFunction('benchNote', (line: string) => (o.json ? process.stderr : process.stdout).write(line + '\n'));
    (o.json ? process.stderr : process.stdout).write(
      `Chromium ${await browser.version()} (${CHROMIUM}), headless, --enable-unsafe-webgpu; K sweep ${kSweep(o.quick).join(', ')}\n`,
    );
    await page.goto(`${session.url}bench/browser.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof window.langevinBench === 'function', { timeout: 120_000 });
    const { json: _json, peers: _peers, ...pageOptions } = o;
    await page.evaluate((opts) => window.langevinBench(opts), pageOptions);
  } finally {
    await session.close();
  }
  if (!o.json) {
    const find = (pred: (r: BenchRow) => boolean) => rows.find(pred);
    const n0 = o.particles[0];
    const gpuRef = find(
      (r) => r.backend === 'webgpu' && isHeadlineRow(r, n0, o.ks.includes(64) ? 64 : o.ks.at(-1)!) && r.workgroupSize === 64,
    );
    const cpu = find((r) => r.backend === 'cpu' && (r.threads ?? 1) > 1) ?? find((r) => r.backend === 'cpu');
    // the peer rows of the page (not those on the --peers workloads, which carry ratios)
    const cpu1 = rows.filter((r) => r.backend === 'cpu' && !r.ratios).at(-1);
    const js = find((r) => r.backend === 'plain-js');
    const ratio = (a?: BenchRow, b?: BenchRow) => (a && b ? `${(a.particleStepsPerSecond / b.particleStepsPerSecond).toFixed(2)}×` : 'n/a');
    process.stdout.write(`\nratios in the browser, 2-D double well, EM, N = ${n0}:\n`);
    process.stdout.write(`  webgpu / engine CPU backend (${cpu?.threads ?? 1} threads): ${ratio(gpuRef, cpu)}\n`);
    process.stdout.write(`  webgpu / plain JS loop: ${ratio(gpuRef, js)}\n`);
    process.stdout.write(`  engine CPU backend, ${cpu?.threads ?? 1} threads / 1 thread: ${ratio(cpu, cpu1)}\n`);
    if (o.peers.length)
      process.stdout.write('\nthe CPU backend in the page (Web Workers) over the Node peers of --peers, same workload and threads:\n');
    for (const r of rows.filter((x) => x.ratios)) {
      const parts = Object.entries(r.ratios!).map(([k, v]) => `${v.toFixed(2)}× ${k}`);
      process.stdout.write(`  ${r.integrator} N=${r.particles} ×${r.threads}: ${parts.join(', ')}\n`);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`bench:browser: ${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
