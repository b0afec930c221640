/**
 * The compiled peer and the thread scaling of `langevin bench` (Node only):
 * at 10^6 particles of the 2-D double well, the C peer (./cPeer.ts: scalar and
 * native, float64 and float32) and NumPy against the engine's CPU backend, for
 * EM on 1 … all threads and for BAOAB and MALA on all threads; each engine row
 * carries its ratios to the peers on the same number of threads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCPeer, cPeerRow, C_VARIANTS, findCompiler, type CompiledPeer } from './cPeer.ts';
import { DOUBLE_WELL, engineRow, fmtRate, HEADLINE_INTEGRATOR, type BenchRow } from './matrix.ts';
import { peerRatios } from './peerFile.ts';
import { pythonPeerRow } from './pythonPeers.ts';

/** The particle count of the compiled-peer and scaling rows (the issue's 10^6). */
export const SCALING_PARTICLES = 1_000_000;

/** The integrators of those rows: the headline EM first, then BAOAB and MALA. */
export const PEER_INTEGRATORS = [HEADLINE_INTEGRATOR, 'baoab', 'mala'];

export interface CompiledSectionOptions {
  quick: boolean;
  json: boolean;
  /** particles (default SCALING_PARTICLES) */
  particles?: number;
  /** all threads (default: the host's hardware threads) */
  threads?: number;
  /** the C compiler's command (default `cc`) */
  cc?: string;
  /** time NumPy too (default true) */
  numpy?: boolean;
  /** integrators (default PEER_INTEGRATORS) */
  integrators?: string[];
  emit: (row: BenchRow) => void;
  /** setup lines (stderr under --json) */
  note: (line: string) => void;
  /** the ratio lines under the table (not under --json) */
  out: (line: string) => void;
}

/** Thread counts of the scaling rows: 1, 2, 4, … below `all`, and `all`. */
export function threadCounts(all: number): number[] {
  const ts: number[] = [];
  for (let t = 1; t < all; t *= 2) ts.push(t);
  return [...ts, all];
}

/** Compile every variant into `dir`; the ones that failed are said in one line each, a missing `cc` in one line. */
function compileAll(dir: string, cc: string, note: (line: string) => void): CompiledPeer[] {
  const compiler = findCompiler(cc);
  if (!compiler) {
    note(`C peer: skipped: no working \`${cc}\` on this machine (\`${cc} --version\` failed)`);
    return [];
  }
  const peers: CompiledPeer[] = [];
  for (const v of C_VARIANTS) {
    const p = compileCPeer(dir, v, compiler, cc);
    if ('error' in p) note(`C peer ${v.name} ${v.precision}: skipped: the compile failed: ${p.error}`);
    else peers.push(p);
  }
  const secs = peers.reduce((a, p) => a + p.compileSeconds, 0);
  note(`C peer: ${compiler}; ${peers.length} variants compiled in ${secs.toFixed(1)} s (not in the figures)`);
  return peers;
}

/** Run the section: the peers' rows, then the engine's with their ratios; returns every row. */
export async function compiledSection(o: CompiledSectionOptions): Promise<BenchRow[]> {
  const n = o.particles ?? SCALING_PARTICLES;
  const steps = o.quick ? 16 : 64;
  const reps = o.quick ? 3 : 5;
  const all = o.threads ?? cpus().length;
  const integrators = o.integrators ?? PEER_INTEGRATORS;
  const rows: BenchRow[] = [];
  const emit = (r: BenchRow) => (rows.push(r), o.emit(r), r);
  // the headline integrator on every thread count, the others on all threads
  const threadsOf = (integrator: string) => (integrator === HEADLINE_INTEGRATOR ? threadCounts(all) : [all]);
  o.note(`\ncompiled peer and scaling (2-D double well, N = ${n}, ${steps} steps a block, medians of ${reps} after a warm-up):`);
  const dir = mkdtempSync(join(tmpdir(), 'langevin-cpeer-'));
  try {
    const peers = compileAll(dir, o.cc ?? 'cc', o.note);
    for (const integrator of integrators)
      for (const peer of peers)
        for (const t of [...new Set([1, all])].filter((x) => threadsOf(integrator).includes(x)))
          try {
            emit(cPeerRow(peer, { integrator, particles: n, steps, reps, threads: t }));
          } catch (e) {
            o.note(`C peer ${peer.variant.name} ${peer.variant.precision}, ${integrator} ×${t}: failed: ${(e as Error).message}`);
          }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const numpy = o.numpy === false ? undefined : pythonPeerRow('numpy', n, steps, o.note);
  if (numpy) emit(numpy);
  const peerRows = [...rows];
  const engine: BenchRow[] = [];
  for (const integrator of integrators)
    for (const t of threadsOf(integrator)) {
      const row = await engineRow({
        workload: DOUBLE_WELL,
        integrator,
        particles: n,
        k: steps,
        block: steps,
        histogram: false,
        backend: 'cpu',
        reps,
        cpu: { threads: t },
      });
      engine.push(emit(withRatios(row, peerRows, engine)));
    }
  if (!o.json) printSection(o.out, n, engine, peerRows);
  return rows;
}

/**
 * The engine row with its precision and ratios: over each C peer on the same
 * integrator and threads, over the Python peer (one process, EM only), and over
 * the engine's own 1-thread row of the integrator (the scaling).
 */
function withRatios(row: BenchRow, peers: BenchRow[], engine: BenchRow[]): BenchRow {
  const ratios = peerRatios(row, peers);
  const one = engine.find((e) => e.integrator === row.integrator && e.threads === 1);
  if (one && row.threads !== 1) ratios['cpu ×1'] = row.particleStepsPerSecond / one.particleStepsPerSecond;
  return { ...row, precision: 'float64', ratios };
}

/** The ratio lines: per engine row its ratios, the issue's targets, and the per-thread throughput. */
function printSection(out: (line: string) => void, n: number, engine: BenchRow[], peers: BenchRow[]): void {
  const x = (r: number | undefined) => (r === undefined ? 'n/a' : `${r.toFixed(2)}×`);
  out(`\nratios at N = ${n} (the engine's CPU backend, float64, over each peer on the same integrator and number of threads):`);
  for (const e of engine) {
    const parts = Object.entries(e.ratios ?? {}).map(([k, r]) => `${x(r)} ${k}`);
    out(`  ${e.integrator.padEnd(5)} ×${e.threads}: ${fmtRate(e.particleStepsPerSecond)} = ${parts.join(', ')}`);
  }
  const all = Math.max(...engine.map((e) => e.threads ?? 1));
  const top = (integrator: string) => engine.find((e) => e.integrator === integrator && e.threads === all);
  const em = top(HEADLINE_INTEGRATOR);
  const numpyKey = Object.keys(em?.ratios ?? {}).find((k) => k.startsWith('numpy'));
  const mark = (r: number | undefined, goal: number) => `${x(r)} (${r === undefined ? 'not measured' : r >= goal ? 'met' : 'NOT met'})`;
  out(`targets (issue 19), ${all} threads:`);
  out(`  ${HEADLINE_INTEGRATOR} / numpy ≥ 2: ${mark(numpyKey ? em?.ratios?.[numpyKey] : undefined, 2)}`);
  for (const e of PEER_INTEGRATORS.map(top)) {
    if (!e) continue;
    const goal = e.integrator === HEADLINE_INTEGRATOR ? 1 : 0.8;
    for (const precision of ['float64', 'float32'])
      out(`  ${e.integrator} / c scalar ${precision} ≥ ${goal}: ${mark(e.ratios?.[`c scalar ${precision}`], goal)}`);
  }
  const scaling = engine.filter((e) => e.integrator === HEADLINE_INTEGRATOR);
  const one = scaling.find((e) => e.threads === 1);
  if (one && scaling.length > 1) {
    const lines = scaling.map((e) => {
      const per = e.particleStepsPerSecond / (e.threads ?? 1);
      return `${e.threads} → ${fmtRate(per)} a thread (${((1 - per / one.particleStepsPerSecond) * 100).toFixed(0)} % loss)`;
    });
    out(`scaling (${HEADLINE_INTEGRATOR}, particle-steps/s per thread, loss against 1 thread): ${lines.join('; ')}`);
  }
  if (!peers.some((p) => p.compiler)) out('  (no C peer rows: see the note above)');
}
