/**
 * Provenance beyond `run`: the host string in Node and in a browser, and the
 * fields `bias --json` (with its normalised spec) and `bench --json` rows carry.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { biasStudy } from '../../src/bias.ts';
import { DOUBLE_WELL, engineRow, plainJsRow } from '../../src/bench/matrix.ts';
import { hostDescription, provenance, SPEC_SCHEMA } from '../../src/provenance.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGE_VERSION = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).version;
const NODE_HOST = `node ${process.version} (${process.platform} ${process.arch})`;

function expectProvenance(r: { langevin: string; createdAt: string; host: string }, t0: number, t1: number): void {
  expect(r.langevin).toBe(PACKAGE_VERSION);
  expect(r.createdAt).toBe(new Date(r.createdAt).toISOString());
  expect(Date.parse(r.createdAt)).toBeGreaterThanOrEqual(t0);
  expect(Date.parse(r.createdAt)).toBeLessThanOrEqual(t1);
  expect(r.host).toBe(NODE_HOST);
}

describe('provenance', () => {
  it('names Node by version, platform and architecture, a browser by its user agent', () => {
    expect(hostDescription()).toBe(NODE_HOST);
    expect(NODE_HOST).toMatch(/^node v\d+\.\d+\.\d+ \(\w+ \w+\)$/);
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
    expect(hostDescription({ navigator: { userAgent: ua } })).toBe(ua);
    // Node 21+ has a navigator too: Node wins
    expect(
      hostDescription({
        process: { version: 'v22.1.0', versions: { node: '22.1.0' }, platform: 'darwin', arch: 'arm64' },
        navigator: { userAgent: 'Node.js/22' },
      }),
    ).toBe('node v22.1.0 (darwin arm64)');
    expect(hostDescription({})).toBe('unknown');
  });

  it('takes the time given, as ISO 8601 UTC', () => {
    expect(provenance(Date.UTC(2024, 1, 29, 23, 59, 59, 5)).createdAt).toBe('2024-02-29T23:59:59.005Z');
    expect(provenance(new Date(0))).toEqual({ langevin: PACKAGE_VERSION, createdAt: '1970-01-01T00:00:00.000Z', host: NODE_HOST });
  });

  it('bias --json: the study carries it and the normalised spec', async () => {
    const spec = {
      dims: 1,
      particles: 200,
      potential: { expr: 'x^2/2' },
      dt: 0.05,
      steps: 20,
      histogram: { bins: 8, low: -3, high: 3 },
    };
    const t0 = Date.now();
    const study = await biasStudy(spec, { dts: [0.05], integrators: ['em'], simulation: { backend: 'cpu', cpu: { threads: 1 } } });
    expectProvenance(study, t0, Date.now());
    expect(study.spec).toMatchObject({ $schema: SPEC_SCHEMA, particles: 200, seed: 0, integrator: 'em', dt: 0.05, temperature: 1 });
    expect(study.spec.histogram).toEqual({ dims: [0], bins: [8], low: [-3], high: [3], from: 20, every: 20 });
    expect(study.rows).toHaveLength(1);
  });

  it('bench rows carry it: the engine rows and the plain JavaScript loop', async () => {
    const t0 = Date.now();
    const cpu = await engineRow({
      workload: DOUBLE_WELL,
      integrator: 'em',
      particles: 100,
      k: 8,
      histogram: false,
      backend: 'cpu',
      reps: 1,
      cpu: { threads: 1 },
    });
    const js = plainJsRow(100, 2);
    const t1 = Date.now();
    for (const row of [cpu, js]) expectProvenance(row, t0, t1);
    expect(cpu.backend).toBe('cpu');
    expect(JSON.parse(JSON.stringify(js)).host).toBe(NODE_HOST);
  });
});
