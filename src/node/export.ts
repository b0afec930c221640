/**
 * `--export DIR`: the result's arrays as files NumPy, pandas and any CSV
 * reader load (docs/python.md):
 *
 * - `trace.csv`: a header row (the trace rows' fields, in the result's order)
 *   and one row per trace row; a missing or null value is an empty cell;
 * - `histogram.npy`: the counts, int64, shape (bins0,) or (bins0, bins1);
 *   `histogram-edges-A.npy`: axis A's nominal bin edges, float64, bins + 1;
 * - `boltzmann.npy`: the reference probabilities on the same grid, float64;
 * - with `--save-positions`: `positions.npy`, float32, N × D, the final state
 *   (read from the backend in bounded chunks and streamed to the file), and
 *   `velocities.npy` likewise for the integrators with velocities;
 * - `export.json`: which files there are, their dtype and shape.
 *
 * A file whose section the result lacks (no histogram, no trace) is not written.
 *
 * Never clobbering a user's files: DIR must be a new name in an existing,
 * writable folder, an empty folder, or a previous export (a folder with an
 * `export.json` of ours and nothing but export files); anything else (a file,
 * a symbolic link, a folder holding other files) is refused before any work.
 * The files are written to a temporary folder beside DIR, `.NAME.tmp-PID`,
 * flushed, and the folder renamed into place at the end (a previous export
 * is moved aside first and removed after), so DIR holds either what it held
 * before or the whole export. A failure or a second Ctrl-C removes the
 * temporary folder; one left by a killed process is removed by the next
 * export to the same DIR.
 */
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
} from 'node:fs';
import { endianness } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Backend } from '../backend.ts';
import type { RunResult } from '../engine.ts';
import { RuntimeFailure } from '../errors.ts';
import { VERSION } from '../version.ts';
import { parseJsonText } from '../json.ts';
import { errnoReason, fileKind, readTextFile } from './files.ts';
import { npyBytes, npyData, npyHeader, writeAll, type NpyDtype } from './npy.ts';
import { processAlive, statOrUndefined } from './output.ts';
import { UsageError } from './usage.ts';

/** The manifest's name, and the key that marks a folder as an export of ours. */
export const MANIFEST = 'export.json';
const MARK = 'langevin-export';

/** Every name an export may hold (a previous export holds nothing else). */
export const EXPORT_FILES: ReadonlySet<string> = new Set([
  MANIFEST,
  'trace.csv',
  'histogram.npy',
  'boltzmann.npy',
  'positions.npy',
  'velocities.npy',
  ...Array.from({ length: 16 }, (_, a) => `histogram-edges-${a}.npy`),
]);

/** Particles per chunk read back from the backend: at most 2^22 numbers (16 MiB as float32). */
const CHUNK_NUMBERS = 1 << 22;

/** The folder `--export` writes. */
export interface ExportTarget {
  /** as given on the command line */
  given: string;
  /** absolute path (its folder's real path) */
  path: string;
  /** an empty folder or a previous export is there now (replaced at the end) */
  existing: boolean;
}

/** The most a manifest of ours can be (it lists a handful of files). */
const MANIFEST_MAX_BYTES = 2 ** 20;

function refuse(given: string, why: string): never {
  throw new UsageError(`--export: got "${given}"; ${why}`);
}

/** Whether every entry of folder `path` is a regular file with an export file's name (a folder or link named so is a user's). */
function onlyExportFiles(path: string, entries: string[] = readdirSync(path)): boolean {
  return entries.every((name) => EXPORT_FILES.has(name) && lstatSync(join(path, name)).isFile());
}

/** Whether `path` is a folder that only an export of ours could have left: a manifest of ours and export files only. */
function isPreviousExport(path: string, entries: string[]): boolean {
  if (!entries.includes(MANIFEST)) return false;
  try {
    if (!onlyExportFiles(path, entries)) return false;
    // bounded: the manifest is small; anything larger is not ours
    const manifest = parseJsonText(readTextFile(join(path, MANIFEST), MANIFEST_MAX_BYTES), MANIFEST) as Record<string, unknown>;
    return manifest !== null && typeof manifest === 'object' && manifest[MARK] === 1;
  } catch {
    return false;
  }
}

/**
 * Check `--export` before any work.
 * @throws UsageError (exit 2) for a file, a symbolic link, a folder with other files, a missing or unwritable parent folder
 */
export function resolveExportTarget(given: string): ExportTarget {
  const trimmed = given.replace(/\/+$/, '') || '/';
  let parent: string;
  try {
    parent = realpathSync(dirname(resolve(trimmed)));
  } catch {
    refuse(given, `its parent folder ${dirname(resolve(trimmed))} does not exist`);
  }
  const name = basename(resolve(trimmed));
  if (name === '' || name === '.' || name === '..') refuse(given, 'give a folder name, e.g. --export out/run1');
  const path = join(parent, name);
  let existing = false;
  let st: Stats | undefined;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') refuse(given, errnoReason(e));
  }
  if (st) {
    if (st.isSymbolicLink()) refuse(given, 'that is a symbolic link; give the folder itself or a new name');
    if (!st.isDirectory()) refuse(given, `that is ${fileKind(st)}; give a new folder name, an empty folder or a previous export`);
    let entries: string[];
    try {
      entries = readdirSync(path);
    } catch (e) {
      refuse(given, errnoReason(e));
    }
    if (entries.length > 0 && !isPreviousExport(path, entries)) {
      const other = entries.find((n) => !EXPORT_FILES.has(n)) ?? entries[0];
      refuse(given, `that folder holds files that are not a previous export (e.g. "${other}"); give a new or empty folder`);
    }
    existing = true;
  }
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    refuse(given, `its parent folder ${parent} is not writable`);
  }
  return { given, path, existing };
}

/** Remove temporary folders beside `target` left by processes that no longer run (only ones holding export files). */
function removeStaleTempDirs(target: string): void {
  const prefix = `.${basename(target)}.`;
  for (const name of readdirSync(dirname(target))) {
    const m = name.startsWith(prefix) ? /^(?:tmp|old)-([1-9]\d{0,9})$/.exec(name.slice(prefix.length)) : null;
    if (!m || (Number(m[1]) !== process.pid && processAlive(Number(m[1])))) continue;
    const path = join(dirname(target), name);
    try {
      if (!lstatSync(path).isDirectory() || !onlyExportFiles(path)) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
}

/** One file of the manifest. */
interface ManifestEntry {
  dtype?: NpyDtype;
  shape?: number[];
  columns?: string[];
  rows?: number;
}

/** The trace as CSV: the columns are the rows' fields in order of first appearance; a missing, null or non-finite value is an empty cell. */
export function traceCsv(trace: readonly object[]): { text: string; columns: string[] } {
  const columns: string[] = [];
  for (const row of trace) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const cell = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
  const lines = [columns.join(','), ...trace.map((row) => columns.map((c) => cell((row as Record<string, unknown>)[c])).join(','))];
  return { text: lines.join('\n') + '\n', columns };
}

/** Axis `a`'s nominal bin edges: low + (high − low)·i/bins, i = 0 … bins (the last exactly high). */
export function binEdges(low: number, high: number, bins: number): number[] {
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : low + ((high - low) * i) / bins));
}

/**
 * The export on its way to DIR: the temporary folder, created before the run
 * (an unwritable place fails before the work), filled, then committed
 * (renamed into place) or discarded.
 */
export class PendingExport {
  private readonly manifest: Record<string, ManifestEntry> = {};
  private done = false;

  private constructor(
    readonly target: ExportTarget,
    /** the temporary folder beside the target */
    readonly temp: string,
  ) {}

  /**
   * Remove stale temporary folders beside DIR and create this process's.
   * @throws UsageError (exit 2) when no folder can be created there
   */
  static open(target: ExportTarget): PendingExport {
    removeStaleTempDirs(target.path);
    const temp = join(dirname(target.path), `.${basename(target.path)}.tmp-${process.pid}`);
    try {
      mkdirSync(temp, { mode: 0o777 });
    } catch (e) {
      refuse(target.given, `cannot create a folder beside it: ${errnoReason(e)}`);
    }
    return new PendingExport(target, temp);
  }

  /** Discard the temporary folder and report the failure `e`, saying that DIR is as it was. */
  private fail(e: unknown): never {
    this.discard();
    const kept = this.target.existing ? 'the folder there is unchanged' : 'nothing was written';
    throw new RuntimeFailure(`cannot write the export to ${this.target.path}: ${errnoReason(e)}; ${kept}`);
  }

  /** Create `name` in the temporary folder, let `fill` write it, flush and close it; list it in the manifest. */
  private async file(name: string, entry: ManifestEntry | undefined, fill: (fd: number) => void | Promise<void>): Promise<void> {
    let fd: number | undefined;
    try {
      fd = openSync(join(this.temp, name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
      await fill(fd);
      fsyncSync(fd);
      const open = fd;
      fd = undefined; // closed below even if close reports an error: never closed twice
      closeSync(open);
    } catch (e) {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          // the write's error is the one to report
        }
      }
      this.fail(e);
    }
    if (entry) this.manifest[name] = entry;
  }

  /** Write a whole small file. */
  private small(name: string, entry: ManifestEntry | undefined, bytes: Uint8Array): Promise<void> {
    return this.file(name, entry, (fd) => writeAll(fd, bytes));
  }

  /** The files of the result's sections: trace, histogram with its edges, Boltzmann reference. */
  async writeResult(result: RunResult): Promise<void> {
    if (result.trace) {
      const { text, columns } = traceCsv(result.trace);
      await this.small('trace.csv', { columns, rows: result.trace.length }, Buffer.from(text, 'utf8'));
    }
    const h = result.histogram;
    if (h) {
      await this.small('histogram.npy', { dtype: '<i8', shape: h.bins }, npyBytes('<i8', h.bins, h.counts));
      for (const [a, bins] of h.bins.entries()) {
        await this.small(
          `histogram-edges-${a}.npy`,
          { dtype: '<f8', shape: [bins + 1] },
          npyBytes('<f8', [bins + 1], binEdges(h.low[a], h.high[a], bins)),
        );
      }
      if (result.boltzmann) {
        await this.small('boltzmann.npy', { dtype: '<f8', shape: h.bins }, npyBytes('<f8', h.bins, result.boltzmann.probabilities));
      }
    }
  }

  /**
   * `positions.npy` (and `velocities.npy` when the integrator has velocities): the backend's current state,
   * N × D float32, read back `chunkNumbers` numbers at a time (whole particles) and streamed to the file.
   */
  async writeState(backend: Backend, particles: number, dims: number, chunkNumbers = CHUNK_NUMBERS): Promise<void> {
    const chunk = Math.max(1, Math.floor(chunkNumbers / dims));
    const hasVelocities = (await backend.readVelocities(0, 0)) !== undefined;
    const arrays: ['positions' | 'velocities', (first: number, count: number) => Promise<Float32Array | Float64Array | undefined>][] = [
      ['positions', (first, count) => backend.readPositions(first, count)],
    ];
    if (hasVelocities) arrays.push(['velocities', (first, count) => backend.readVelocities(first, count)]);
    for (const [name, read] of arrays) {
      await this.file(`${name}.npy`, { dtype: '<f4', shape: [particles, dims] }, async (fd) => {
        writeAll(fd, npyHeader('<f4', [particles, dims]));
        for (let first = 0; first < particles; first += chunk) {
          const count = Math.min(chunk, particles - first);
          const values = await read(first, count);
          if (!values || values.length !== count * dims)
            throw new Error(`${name}: the backend returned no data for particles ${first} … ${first + count - 1}`);
          const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
          writeAll(fd, endianness() === 'LE' ? new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength) : npyData('<f4', f32));
        }
      });
    }
  }

  /**
   * Write the manifest and put the folder in place (moving a previous export aside, then removing it).
   * @throws RuntimeFailure (exit 1) when a write or a rename fails; DIR is then as it was
   */
  async commit(): Promise<void> {
    const manifest = { [MARK]: 1, langevin: VERSION, files: this.manifest };
    await this.small(MANIFEST, undefined, Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8'));
    try {
      const { path } = this.target;
      let old: string | undefined;
      const now = statOrUndefined(path);
      if (now) {
        // it may have changed since the check: replace only an empty folder or a previous export
        const entries = now.isDirectory() && !now.isSymbolicLink() ? readdirSync(path) : undefined;
        if (!entries || (entries.length > 0 && !isPreviousExport(path, entries)))
          throw new Error(`${path} changed during the run and is no longer an empty folder or a previous export`);
        old = join(dirname(path), `.${basename(path)}.old-${process.pid}`);
        renameSync(path, old);
      }
      try {
        renameSync(this.temp, path);
      } catch (e) {
        if (old) renameSync(old, path);
        throw e;
      }
      this.done = true;
      if (old) rmSync(old, { recursive: true, force: true });
    } catch (e) {
      this.fail(e);
    }
  }

  /** Remove the temporary folder (safe twice, and after a commit). */
  discard(): void {
    if (this.done) return;
    try {
      rmSync(this.temp, { recursive: true, force: true });
    } catch {
      // already gone
    }
  }
}
