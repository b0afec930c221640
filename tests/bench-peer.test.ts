/**
 * The compiled C peer of `langevin bench` (src/bench/cSource.ts, cPeer.ts) is
 * a true peer of the engine's workload: its Philox4x32-10 words equal the
 * engine's bit for bit (and the Random123 known answers), its normals are the
 * engine's stream-0 normals (m = n·D + d from call ⌊m/4⌋) to libm rounding,
 * and after k steps of EM, BAOAB and MALA from the engine's initial state its
 * positions (and BAOAB's velocities) equal the engine's CPU backend to 1e-12
 * in float64 and to float32 rounding in float32. Its bench rows validate
 * against the row schema; a missing compiler is reported in one line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { checkVariant, compileCPeer, cPeerRow, findCompiler, runCPeer, type CompiledPeer } from '../src/bench/cPeer.ts';
import { compiledSection, threadCounts } from '../src/bench/compiledPeers.ts';
import { DOUBLE_WELL, type BenchRow } from '../src/bench/matrix.ts';
import { parsePeerRows, peerRatios, peerWorkloads } from '../src/bench/peerFile.ts';
import { Simulation } from '../src/engine.ts';
import { NormalStream, philox4x32, seedKey } from '../src/rng/philox.ts';
import { BENCH_ROW_SCHEMA } from '../src/provenance.ts';

const compiler = findCompiler();
const SEED = 2 ** 32 + 12345; // both key words non-zero
const [K0, K1] = seedKey(SEED);
const [LOW, HIGH] = [DOUBLE_WELL.box[0] / 2, DOUBLE_WELL.box[1] / 2];
/** f64 and f32 unit roundoff */
const EPS64 = 2 ** -53;
const EPS32 = 2 ** -24;

describe.skipIf(!compiler)('the C peer against the engine', () => {
  let dir = '';
  const peer: Record<'float64' | 'float32', CompiledPeer> = {} as never;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'langevin-cpeer-test-'));
    for (const precision of ['float64', 'float32'] as const) {
      const p = compileCPeer(dir, checkVariant(precision), compiler!);
      if ('error' in p) throw new Error(p.error);
      peer[precision] = p;
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('Philox4x32-10: the Random123 known answers and the engine’s words, bit for bit', () => {
    const blocks = [
      [0, 0, 0, 0, 0, 0],
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0],
      ...Array.from({ length: 8 }, (_, j) => [j * 977 + 3, j, 0, j % 7, K0, K1]),
    ];
    const known = ['6627e8d5 e169c58d bc57ac4c 9b00dbd8', '408f276d 41c83b0e a20bc7c6 6d5451fd', 'd16cfe09 94fdcceb 5001e420 24126ea1'];
    blocks.forEach((c, j) => {
      const words = runCPeer(peer.float64, ['philox', ...c])
        .trim()
        .split(' ')
        .map(Number);
      const engine = [0, 0, 0, 0];
      philox4x32(c[0], c[1], c[2], c[3], c[4], c[5], engine);
      expect(words).toEqual(engine);
      if (j < known.length) expect(words.map((w) => w.toString(16).padStart(8, '0')).join(' ')).toBe(known[j]);
    });
  });

  it('the first normals of stream 0 are the engine’s: to 16 ulp in float64, to float32 rounding in float32', () => {
    for (const particle of [0, 7, 123_456]) {
      const ns = new NormalStream(K0, K1, 0);
      ns.seek(particle, 0);
      const engine = Array.from({ length: 24 }, () => ns.next());
      for (const precision of ['float64', 'float32'] as const) {
        const z = runCPeer(peer[precision], ['normals', particle, 24, SEED]).trim().split('\n').map(Number);
        expect(z).toHaveLength(24);
        // float64: the engine's tables are within 8 ulp of Math's log/cos/sin, libm within 1 ulp; float32: u01
        // is exact, t = π(2u − 1) is rounded (≤ 2 ulp of π, 2·2^−22) and so are log, sqrt, cos, sin (≤ 2 ulp
        // each): |Δz| ≤ r·|Δt| + |z|·8·ε32 with r = √(−2 ln u) ≤ 5.8
        const tol = (x: number) =>
          precision === 'float64' ? 16 * EPS64 * Math.max(1, Math.abs(x)) : 5.8 * 2 * 2 ** -22 + 8 * EPS32 * Math.abs(x);
        z.forEach((v, m) =>
          expect(Math.abs(v - engine[m]), `${precision} particle ${particle} normal ${m}`).toBeLessThanOrEqual(tol(engine[m])),
        );
      }
    }
  });

  /** The engine's CPU backend after `steps` steps from step 0: positions and velocities (BAOAB). */
  async function engineState(integrator: string, particles: number, steps: number) {
    const sim = await Simulation.create(
      {
        dims: 2,
        particles,
        potential: { name: DOUBLE_WELL.potential },
        integrator,
        dt: DOUBLE_WELL.dt,
        temperature: 1,
        seed: SEED,
        steps,
        init: { kind: 'uniform', low: LOW, high: HIGH },
      },
      { backend: 'cpu', cpu: { threads: 1 } },
    );
    try {
      await sim.advance(steps);
      return { x: await sim.backend.readPositions(), v: await sim.backend.readVelocities() };
    } finally {
      sim.destroy();
    }
  }

  // 300 particles cross the peer's tile of 256; 21 steps: pairs of steps sharing a Philox call, then a lone step
  const N = 300;
  const STEPS = 21;
  for (const integrator of ['em', 'baoab', 'mala']) {
    it(`${integrator}: positions${integrator === 'baoab' ? ' and velocities' : ''} after ${STEPS} steps equal the engine's CPU backend (1e-12 in float64, float32 rounding in float32)`, async () => {
      const { x, v } = await engineState(integrator, N, STEPS);
      for (const precision of ['float64', 'float32'] as const) {
        const lines = runCPeer(peer[precision], ['check', integrator, N, STEPS, DOUBLE_WELL.dt, SEED, LOW, HIGH]).trim().split('\n');
        expect(lines.pop()).toMatch(/^accepted \d+$/);
        expect(lines).toHaveLength(N);
        // float32: each step rounds ≈ 10 operations on values ≤ 4 (ε32·4 each), the noise adds σ·|Δz| (≤ 0.15·6e-6),
        // and the double well's flow can grow an error by ≤ 1 + 8h per step: ≤ STEPS·(40·ε32 + 1e-6)·(1 + 8h)^STEPS
        const tol = precision === 'float64' ? 1e-12 : STEPS * (40 * EPS32 + 1e-6) * (1 + 8 * DOUBLE_WELL.dt) ** STEPS;
        let worst = 0;
        lines.forEach((line, i) => {
          const c = line.split(' ').map(Number);
          const engine = [x[2 * i], x[2 * i + 1], ...(v ? [v[2 * i], v[2 * i + 1]] : [])];
          expect(c).toHaveLength(engine.length);
          c.forEach((value, d) => (worst = Math.max(worst, Math.abs(value - engine[d]))));
        });
        expect(worst, `${integrator} ${precision}: worst |C − engine|`).toBeLessThanOrEqual(tol);
      }
    }, 60_000);
  }

  it('a bench row of the peer validates against the row schema and names its compiler, flags, threads and precision', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(ajv);
    const read = (p: string) => JSON.parse(readFileSync(resolve(import.meta.dirname, '..', p), 'utf8'));
    for (const s of ['schema/spec.schema.json', 'schema/result.schema.json', 'schema/bench-row.schema.json']) ajv.addSchema(read(s));
    const valid = ajv.getSchema(BENCH_ROW_SCHEMA)!;
    const row = cPeerRow(peer.float32, { integrator: 'mala', particles: 2000, steps: 4, reps: 3, threads: 2 });
    const withRatios: BenchRow = { ...row, ratios: { 'c scalar float64': 1.5 } };
    for (const r of [row, withRatios]) expect(valid(JSON.parse(JSON.stringify(r))), ajv.errorsText(valid.errors)).toBe(true);
    expect([row.backend, row.threads, row.precision, row.flags, row.compiler]).toEqual([
      'c check',
      2,
      'float32',
      '-O2 -ffp-contract=off -DPEER_F32',
      compiler,
    ]);
    expect(row.particleStepsPerSecond).toBeGreaterThan(0);
    expect(row.spread[0]).toBeLessThanOrEqual(row.particleStepsPerSecond);
    expect(valid(JSON.parse(JSON.stringify({ ...row, precision: 'float16' })))).toBe(false);
  });
});

describe('the compiled-peer section', () => {
  it('thread counts double up to all cores and end at all of them', () => {
    expect(threadCounts(1)).toEqual([1]);
    expect(threadCounts(2)).toEqual([1, 2]);
    expect(threadCounts(6)).toEqual([1, 2, 4, 6]);
    expect(threadCounts(8)).toEqual([1, 2, 4, 8]);
  });

  it('without a compiler says so in one line and still times the engine, with its 1-thread ratio', async () => {
    const notes: string[] = [];
    const out: string[] = [];
    const rows = await compiledSection({
      quick: true,
      json: false,
      particles: 8192, // the CPU backend takes one thread below 2 × 4096 particles
      threads: 2,
      cc: 'no-such-compiler-langevin',
      numpy: false,
      integrators: ['em'],
      emit: () => {},
      note: (l) => notes.push(l),
      out: (l) => out.push(l),
    });
    expect(notes.filter((l) => l.includes('C peer'))).toEqual([
      'C peer: skipped: no working `no-such-compiler-langevin` on this machine (`no-such-compiler-langevin --version` failed)',
    ]);
    expect(rows.map((r) => [r.backend, r.integrator, r.threads])).toEqual([
      ['cpu', 'em', 1],
      ['cpu', 'em', 2],
    ]);
    // the 2-thread row's ratio to the 1-thread row is the quotient of their rates
    expect(rows[1].ratios!['cpu ×1']).toBeCloseTo(rows[1].particleStepsPerSecond / rows[0].particleStepsPerSecond, 12);
    expect(out.some((l) => l.startsWith('scaling (em'))).toBe(true);
  }, 60_000);
});

describe('the Node peer rows carried to the browser bench (--peers FILE)', () => {
  const base = { integrator: 'em', particles: 1_000_000, stepsPerDispatch: 16, histogram: false, spread: [1, 2] };
  const c64 = { ...base, backend: 'c scalar', compiler: 'cc 12', precision: 'float64', threads: 2, particleStepsPerSecond: 4e7 };
  const c1 = { ...c64, threads: 1, particleStepsPerSecond: 2e7 };
  const numpy = { ...base, backend: 'numpy 2.4.6 (CPU)', particleStepsPerSecond: 1e7 };
  const engine = { ...base, backend: 'cpu', threads: 2, particleStepsPerSecond: 5e7 };
  const text = ['adapter: …', JSON.stringify(engine), JSON.stringify(c64), '{broken', JSON.stringify(c1), JSON.stringify(numpy)].join('\n');

  it('keeps the C and NumPy rows of a bench --json output, and refuses a file without any', () => {
    const peers = parsePeerRows(text, 'f.jsonl');
    expect(peers.map((p) => [p.backend, p.threads])).toEqual([
      ['c scalar', 2],
      ['c scalar', 1],
      ['numpy 2.4.6 (CPU)', undefined],
    ]);
    expect(() => parsePeerRows(JSON.stringify(engine), 'e.jsonl')).toThrow(
      '--peers: "e.jsonl" holds no C or NumPy row; give the stdout of `npx langevin bench --json` (one JSON row a line)',
    );
  });

  it('the page times each distinct workload once, and a row’s ratios are quotients over the peers of its threads', () => {
    const peers = parsePeerRows(text, 'f.jsonl');
    expect(peerWorkloads(peers)).toEqual([
      { integrator: 'em', particles: 1_000_000, steps: 16, threads: 2 },
      { integrator: 'em', particles: 1_000_000, steps: 16, threads: 1 },
      { integrator: 'em', particles: 1_000_000, steps: 16 },
    ]);
    expect(peerRatios(engine as BenchRow, peers)).toEqual({ 'c scalar float64': 1.25, 'numpy 2.4.6 (CPU)': 5 });
    expect(peerRatios({ ...engine, threads: 1 } as BenchRow, peers)).toEqual({ 'c scalar float64': 2.5, 'numpy 2.4.6 (CPU)': 5 });
    expect(peerRatios({ ...engine, integrator: 'mala' } as BenchRow, peers)).toEqual({});
  });
});
