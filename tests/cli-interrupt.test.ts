/**
 * Interrupting `langevin run` loses nothing: the first SIGINT or SIGTERM
 * ends the run after the chunk in flight and writes the partial result
 * (`partial.reason: "cancelled"`), exiting 130 or 143; a second one quits at
 * once, writing nothing and leaving no temporary file. The real command, as a
 * user's shell starts it (USER_ENV: it loads Debian chromium's Vulkan loader
 * itself) and with that loader's folder on LD_LIBRARY_PATH (DIRECT_ENV).
 *
 * Start signal: the temporary file beside the --out target, created once
 * the simulation exists, just before the first chunk (the handlers are in
 * place long before). Chunks run on worker threads, so the signal is seen
 * while one is in flight; one thread would see it only between chunks.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/engine.ts';
import { DIRECT_ENV, SMALL, STACK_FRAME, start, temps, USER_ENV, type Running } from './cli-support.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-interrupt-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The runs a test started: a failed test must not leave one going for hours. */
const running: Running[] = [];
afterEach(() => {
  for (const run of running.splice(0)) run.stop();
});

const PLANNED = 1_000_000;
/** Chunks of K steps of 200 000 particles: a fraction of a second each here, hours for the whole run. */
const long = (K: number) => ({
  ...SMALL,
  particles: 200_000,
  steps: PLANNED,
  stepsPerDispatch: K,
  observe: { every: 0 },
  init: { kind: 'point', x: [0, 0] },
});

const PREVIOUS = '{"previous": "result"}\n';
const FIRST_NOTICE =
  /^langevin: interrupted \((SIGINT|SIGTERM)\): finishing the chunk in flight, then writing the partial result; interrupt again to quit at once, writing nothing$/m;

/** Start a long run writing to `name` in a fresh folder; resolves once its temporary file exists (the run is about to step). */
async function startLong(name: string, K: number, env: NodeJS.ProcessEnv) {
  const folder = mkdtempSync(join(dir, `${name}-`));
  const spec = join(folder, 'spec.json');
  writeFileSync(spec, JSON.stringify(long(K)));
  const out = join(folder, 'out.json');
  writeFileSync(out, PREVIOUS);
  const run = start(['run', spec, '--backend', 'cpu', '--out', out], env);
  running.push(run);
  await run.until(() => temps(folder).length === 1, 'temporary output file');
  return { run, folder, out };
}

describe.skipIf(availableParallelism() < 2)('langevin run, interrupted', () => {
  it.each([
    ['SIGINT', 130, 'a shell', USER_ENV],
    ['SIGTERM', 143, 'one process', DIRECT_ENV],
  ] as const)('%s: the chunk in flight ends, the partial result is written, exit %i (%s)', async (signal, status, _how, env) => {
    const K = 64;
    const { run, folder, out } = await startLong(signal, K, env);
    await new Promise((r) => setTimeout(r, 1000)); // into the run: the first chunk is in flight or done
    run.child.kill(signal);
    const r = await run.ended;
    expect(r.code).toBe(status);
    expect(r.stderr).toMatch(FIRST_NOTICE);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    expect(result.partial).toEqual({ reason: 'cancelled', stepsPlanned: PLANNED });
    expect(result.steps).toBeGreaterThan(0);
    expect(result.steps).toBeLessThan(PLANNED);
    expect(result.steps % K).toBe(0); // whole chunks: the one in flight was finished, not cut
    expect(r.stderr).toContain(`langevin: partial result (${result.steps} of ${PLANNED} steps) written to ${out}\n`);
    // the statistics of the steps done: LM on ½(x² + 4y²) at T = 0.5 from the origin, after ≥ 64 steps of h = 0.05
    // within (1 − hk)^(2·64) < 0.002 of the Boltzmann variances T/k = (0.5, 0.125); 5 standard errors of N = 200 000
    const N = result.particles;
    expect(N).toBe(200_000);
    expect(result.final.nonFinite).toBe(0);
    [0.5, 0.125].forEach((v, d) => expect(Math.abs(result.final.variance[d] - v)).toBeLessThan(0.002 + 5 * v * Math.sqrt(2 / (N - 1))));
    expect(readdirSync(folder).sort()).toEqual(['out.json', 'spec.json']);
  });

  it('a second SIGINT quits at once: exit 130, the --out file as it was, no temporary file', async () => {
    // chunks of 1024 steps of 200 000 particles: seconds each, so the second signal lands in the first chunk
    const { run, folder, out } = await startLong('twice', 1024, USER_ENV);
    run.child.kill('SIGINT');
    await run.until(() => FIRST_NOTICE.test(run.stderr()), 'notice of the first SIGINT');
    run.child.kill('SIGINT');
    const r = await run.ended;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^langevin: interrupted again \(SIGINT\): quitting; nothing written$/m);
    expect(r.stderr).not.toContain('written to');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(readFileSync(out, 'utf8')).toBe(PREVIOUS);
    expect(readdirSync(folder).sort()).toEqual(['out.json', 'spec.json']);
  });
});
