/**
 * A sweep's points run in child processes (`--jobs K`), and the collection
 * of their result files DIR/point-I.json into DIR/sweep.csv and
 * DIR/sweep.json: one row per point, its axis values, then the headline
 * figures of its result under their dotted result paths (`final.meanEnergy`,
 * `final.variance.0` …, `divergence.kl`, `divergence.tv`, `divergence.pValue`, `divergence.klFloor`, `best.energy`,
 * `final.acceptanceRate`, `target.fraction`, `elapsedMs`). A figure is a
 * column when some result has it; null or absent is an empty CSV cell and
 * null in the JSON. Numbers are written as JavaScript prints them (they
 * read back to the same double).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeFailure } from '../errors.ts';
import { parseJsonFile } from './files.ts';
import { signalExitCode, STOP_SIGNALS, type StopSignal } from './interrupt.ts';
import { PendingOutput, resolveOutTarget } from './output.ts';
import { sweepPoint, type Sweep } from './sweepFile.ts';
import { UsageError } from './usage.ts';

/** The file a point's result goes to in DIR. */
export const pointFile = (dir: string, index: number): string => join(dir, `point-${index}.json`);

/** What a child process left when it failed. */
interface Failure {
  index: number;
  code: number | null;
  stderr: string;
}

/**
 * Run `node CLI ARGS` for one point; its stderr lines go to ours, each marked with the point. The child has a
 * process group of its own, so a Ctrl-C reaches it once, passed on by runChildren, not also from the terminal
 * (a second one would make it quit without its partial result).
 */
function child(index: number, args: string[], live: Set<ChildProcess>): Promise<Failure | undefined> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    live.add(p);
    p.on('exit', () => live.delete(p));
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', (e) => done({ index, code: null, stderr: e.message }));
    p.on('close', (code) => {
      const lines = stderr.split('\n').filter((l) => l !== '');
      for (const l of lines) process.stderr.write(`langevin: point ${index}: ${l.replace(/^langevin: /, '')}\n`);
      done(code === 0 ? undefined : { index, code, stderr: lines.at(-1) ?? '' });
    });
  });
}

/**
 * Run every point, `jobs` child processes of this command at a time (`--task I --out DIR/point-I.json`).
 * After a failure no new point starts; those running finish. SIGINT and SIGTERM are passed on to the running
 * points (each writes its partial result, as `run` does) and no new point starts.
 * @returns the exit status after a stop signal (130, 143), else undefined
 * @throws RuntimeFailure naming the failed points
 */
export async function runChildren(sweep: Sweep, dir: string, jobs: number, backend: string): Promise<number | undefined> {
  let next = 0;
  const failures: Failure[] = [];
  const live = new Set<ChildProcess>();
  let stopped: StopSignal | undefined;
  const forward = (signal: StopSignal) => {
    if (!stopped) process.stderr.write(`langevin: interrupted (${signal}): passed on to the running points; no new point starts\n`);
    stopped ??= signal;
    for (const p of live) p.kill(signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, forward);
  const worker = async () => {
    while (next < sweep.count && failures.length === 0 && !stopped) {
      const i = next++;
      const failed = await child(i, ['sweep', sweep.file, '--task', String(i), '--out', pointFile(dir, i), '--backend', backend], live);
      if (failed && !stopped) failures.push(failed);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, sweep.count) }, worker));
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, forward);
  }
  if (stopped) return signalExitCode(stopped);
  if (failures.length > 0)
    throw new RuntimeFailure(
      `sweep: ${failures.map((f) => `point ${f.index} failed (exit ${f.code ?? 'signal'}${f.stderr ? `: ${f.stderr}` : ''})`).join('; ')}`,
    );
}

type Figure = [string, (r: Result) => unknown];

type Result = Record<string, unknown> & {
  final?: { meanEnergy?: number; variance?: number[]; acceptanceRate?: number };
  divergence?: { kl?: number; tv?: number; pValue?: number; klFloor?: number };
  best?: { energy?: number };
  target?: { fraction?: number };
  elapsedMs?: number;
  sweep?: { index?: unknown; point?: unknown };
};

/** The headline figures after the variance columns: name and where in a result. */
const FIGURES: Figure[] = [
  ['divergence.kl', (r) => r.divergence?.kl],
  ['divergence.tv', (r) => r.divergence?.tv],
  ['divergence.pValue', (r) => r.divergence?.pValue],
  ['divergence.klFloor', (r) => r.divergence?.klFloor],
  ['best.energy', (r) => r.best?.energy],
  ['final.acceptanceRate', (r) => r.final?.acceptanceRate],
  ['target.fraction', (r) => r.target?.fraction],
  ['elapsedMs', (r) => r.elapsedMs],
];

/**
 * Read DIR/point-0.json … DIR/point-(P−1).json.
 * @throws UsageError naming the missing files, or a file that is not this sweep's point
 */
function readPoints(sweep: Sweep, dir: string): Result[] {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`--collect: got "${dir}"; no such folder`);
  }
  if (!st.isDirectory()) throw new UsageError(`--collect: got "${dir}"; that is not a folder`);
  const missing = Array.from({ length: sweep.count }, (_, i) => i).filter((i) => {
    try {
      return statSync(pointFile(dir, i), { throwIfNoEntry: false }) === undefined;
    } catch {
      return true; // unreadable: missing for the sweep
    }
  });
  if (missing.length > 0) {
    const names = missing.slice(0, 10).map((i) => `point-${i}.json`);
    throw new UsageError(
      `--collect: ${dir} lacks ${missing.length} of the ${sweep.count} point files: ${names.join(', ')}${missing.length > 10 ? ', …' : ''}; ` +
        `run them with \`langevin sweep ${sweep.file} --task I --out ${pointFile(dir, missing[0]).replace(/\d+\.json$/, 'I.json')}\``,
    );
  }
  return Array.from({ length: sweep.count }, (_, i) => {
    const r = parseJsonFile(pointFile(dir, i)) as Result;
    const expected = JSON.stringify({ index: i, point: sweepPoint(sweep, i).point });
    if (r === null || typeof r !== 'object' || JSON.stringify({ index: r.sweep?.index, point: r.sweep?.point }) !== expected)
      throw new UsageError(
        `--collect: ${pointFile(dir, i)} is not point ${i} of ${sweep.file} (its "sweep" section differs from ${expected})`,
      );
    return r;
  });
}

/** The table: columns, then one row per point (axis values as given, figures as numbers or null). */
export function sweepTable(sweep: Sweep, results: Result[]): { columns: string[]; rows: Record<string, unknown>[] } {
  const dims = Math.max(0, ...results.map((r) => r.final?.variance?.length ?? 0));
  const figures = [
    ['final.meanEnergy', (r: Result) => r.final?.meanEnergy] as Figure,
    ...Array.from({ length: dims }, (_, d): Figure => [`final.variance.${d}`, (r) => r.final?.variance?.[d]]),
    ...FIGURES,
  ].filter(([, get]) => results.some((r) => get(r) !== undefined));
  const columns = ['index', ...sweep.axes.map((a) => a.name), ...figures.map(([name]) => name)];
  const rows = results.map((r, i) => {
    const row: Record<string, unknown> = { index: i, ...sweepPoint(sweep, i).point };
    for (const [name, get] of figures) row[name] = get(r) ?? null;
    return row;
  });
  return { columns, rows };
}

/** One CSV cell: a string as is, other JSON values as JSON text, null empty; quoted when it holds a comma, quote or line break. */
function cell(v: unknown): string {
  const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Write `text` to `path` atomically (output.ts). */
function writeAtomically(path: string, text: string): void {
  const pending = PendingOutput.open(resolveOutTarget(path));
  try {
    pending.commit(text);
  } finally {
    pending.discard();
  }
}

/**
 * Collect DIR/point-*.json into DIR/sweep.csv and DIR/sweep.json; returns the number of points.
 * @throws UsageError for a missing folder or point file, or a file of another sweep
 */
export function collectSweep(sweep: Sweep, dir: string): number {
  const results = readPoints(sweep, dir);
  const { columns, rows } = sweepTable(sweep, results);
  const csv = [columns.map(cell).join(','), ...rows.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\n') + '\n';
  const json = { sweep: sweep.file, combine: sweep.combine, axes: sweep.axes.map((a) => a.name), columns, rows };
  writeAtomically(join(dir, 'sweep.csv'), csv);
  writeAtomically(join(dir, 'sweep.json'), JSON.stringify(json, null, 2) + '\n');
  return rows.length;
}
