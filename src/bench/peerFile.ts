/**
 * The Node bench's peer rows carried to `npm run bench:browser -- --peers FILE`
 * (FILE: the stdout of `langevin bench --json`): the C peer and NumPy cannot
 * run in a page, so the page times the CPU backend (Web Workers) on their
 * workloads and the driver prints the ratios against the Node figures. No Node
 * or DOM imports here.
 */
import type { BenchRow } from './matrix.ts';

/** The workload of a peer row: 2-D double well, integrator, N, steps per timed block, threads (undefined: all). */
export interface PeerWorkload {
  integrator: string;
  particles: number;
  steps: number;
  threads?: number;
}

/** Whether a row is one the page cannot make: a compiled peer's or a Python peer's. */
export function isNodePeer(row: BenchRow): boolean {
  return row.compiler !== undefined || /^(numpy|torch|jax) /.test(row.backend);
}

/**
 * The peer rows of a `langevin bench --json` output: every line that is a JSON
 * object with `backend` and `particleStepsPerSecond`, kept when it is a Node
 * peer's; other lines (notes, engine rows) are skipped.
 * @throws Error naming the file when it holds no peer row
 */
export function parsePeerRows(text: string, file: string): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      continue;
    }
    const r = row as Partial<BenchRow>;
    if (typeof r.backend === 'string' && typeof r.particleStepsPerSecond === 'number' && isNodePeer(r as BenchRow))
      rows.push(r as BenchRow);
  }
  if (!rows.length)
    throw new Error(`--peers: "${file}" holds no C or NumPy row; give the stdout of \`npx langevin bench --json\` (one JSON row a line)`);
  return rows;
}

/** The distinct workloads of the peer rows: a compiled peer's on its threads, a Python peer's on all threads. */
export function peerWorkloads(peers: BenchRow[]): PeerWorkload[] {
  const seen = new Map<string, PeerWorkload>();
  for (const p of peers) {
    const w: PeerWorkload = {
      integrator: p.integrator,
      particles: p.particles,
      steps: p.stepsPerDispatch,
      ...(p.compiler ? { threads: p.threads } : {}),
    };
    seen.set(JSON.stringify(w), w);
  }
  return [...seen.values()];
}

/**
 * A row's ratios over the peers on its workload: each compiled peer on the
 * same integrator, N and threads (key `c scalar float64`, …), each Python peer
 * on the same integrator and N (key: its backend).
 */
export function peerRatios(row: BenchRow, peers: BenchRow[]): Record<string, number> {
  const ratios: Record<string, number> = {};
  for (const p of peers) {
    if (p.integrator !== row.integrator || p.particles !== row.particles) continue;
    if (p.compiler && p.threads !== row.threads) continue;
    ratios[p.compiler ? `${p.backend} ${p.precision}` : p.backend] = row.particleStepsPerSecond / p.particleStepsPerSecond;
  }
  return ratios;
}
