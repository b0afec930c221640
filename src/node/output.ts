/**
 * `--out FILE`: where the result goes and how it gets there without harm.
 *
 * - The target is a regular file (replaced) or a new name in an existing,
 *   writable folder; a directory, device, FIFO or socket is refused before
 *   any work, so `--out /dev/null` run as root never replaces the device node.
 * - A symbolic link is followed to the end of its chain: the file written is
 *   its target (the link stays a link), under the same rules; the CLI says
 *   which file that is.
 * - The result is written to a temporary file beside the target,
 *   `.NAME.tmp-PID`, flushed to disk and renamed over the target, so the
 *   target holds either what it held before or the whole result. Every
 *   failure (a full disk, a second Ctrl-C) removes the temporary file; one
 *   left by a process that was killed outright is removed by the next run
 *   writing the same target.
 */
import {
  accessSync,
  closeSync,
  constants,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RuntimeFailure } from '../errors.ts';
import { RESULT_SCHEMA } from '../provenance.ts';
import { errnoReason, fileKind } from './files.ts';
import { UsageError } from './usage.ts';

/** Symbolic links followed before a chain counts as a loop (Linux's own limit). */
const MAX_LINK_HOPS = 40;

/** The file `--out` writes. */
export interface OutTarget {
  /** the path as given on the command line */
  given: string;
  /** absolute path of the file written: `given` itself, or where its symbolic links lead */
  path: string;
  /** `given` is a symbolic link (`path` is its target) */
  link: boolean;
  /** the regular file there now, which a successful run replaces */
  existing?: Stats;
  /** the option that named it, for messages (default --out) */
  option?: string;
}

function refuse(option: string, given: string, why: string): never {
  throw new UsageError(`${option}: got "${given}"; ${why}`);
}

/** `dir/name` with the folder's real path; refuses a missing folder. */
function inRealFolder(option: string, given: string, path: string, via: string): string {
  const dir = dirname(path);
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    refuse(option, given, `${via}its folder ${dir} does not exist`);
  }
  if (!statSync(real).isDirectory()) refuse(option, given, `${via}its folder ${dir} is not a folder`);
  return join(real, basename(path));
}

/** Where a chain of symbolic links ending at a missing name leads (the new file's path). */
function danglingTarget(option: string, given: string): string {
  let path = resolve(given);
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        return inRealFolder(option, given, path, hop > 0 ? `it is a symbolic link to ${path}, and ` : '');
      refuse(option, given, errnoReason(e));
    }
    if (!st.isSymbolicLink()) return path;
    path = resolve(inRealFolder(option, given, path, ''), '..', readlinkSync(path));
  }
  refuse(option, given, `too many levels of symbolic links (more than ${MAX_LINK_HOPS})`);
}

/**
 * Check `--out` before any work and say which file it writes.
 * @throws UsageError (exit 2) for a directory, device, FIFO, socket, a missing or unwritable folder, a link loop
 * @example resolveOutTarget('result.json') // {given: 'result.json', path: '/home/me/result.json', link: false}
 */
export function resolveOutTarget(given: string, option = '--out'): OutTarget {
  if (given.endsWith('/')) refuse(option, given, 'that names a folder, give a file name');
  let st: Stats | undefined;
  try {
    st = statSync(given);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') refuse(option, given, errnoReason(e));
  }
  let link = false;
  try {
    link = lstatSync(given).isSymbolicLink();
  } catch {
    // no entry at all: a new file
  }
  const via = link ? `it is a symbolic link to ${st ? realpathSync(given) : danglingTarget(option, given)}, which is ` : 'that is ';
  if (st?.isDirectory()) refuse(option, given, `${via}a folder, give a file name`);
  if (st && !st.isFile()) refuse(option, given, `${via}${fileKind(st)}; give a regular file or a new file name`);
  const path = st ? realpathSync(given) : danglingTarget(option, given);
  const dir = dirname(path);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    refuse(option, given, `its folder ${dir} is not writable`);
  }
  return { given, path, link, existing: st, option };
}

/**
 * Refuse an `--out` that is one of the run's own input files (the result would replace it).
 * @param input the spec or data file's path; `what` names it in the message
 */
export function refuseInputAsOutput(target: OutTarget, input: string, what: string): void {
  if (!target.existing) return;
  let st: Stats;
  try {
    st = statSync(input);
  } catch {
    return;
  }
  if (st.dev === target.existing.dev && st.ino === target.existing.ino)
    throw new UsageError(
      `${target.option ?? '--out'}: got "${target.given}"; that is the ${what} itself (${input}); give another file name`,
    );
}

/** The temporary file beside `target` of the process `pid`: `.NAME.tmp-PID`. */
export function tempPath(target: string, pid: number = process.pid): string {
  return join(dirname(target), `.${basename(target)}.tmp-${pid}`);
}

/** Whether a process `pid` exists (one of another user counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How every result this command writes begins (JSON.stringify(result, null, 2), `$schema` first). */
const RESULT_START = Buffer.from(`{\n  "$schema": ${JSON.stringify(RESULT_SCHEMA)}`);

/**
 * Whether the file at `path` can only be a result this command began to
 * write: empty (created, nothing written yet), or a prefix of a result's
 * first bytes, or starting with them. A file a user named so is left alone.
 */
function looksLikeOurTemp(path: string): boolean {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const head = Buffer.alloc(RESULT_START.length);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).equals(RESULT_START.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

/**
 * Remove the temporary files beside `target` that processes which no longer
 * run left (killed outright, mid-write): `.NAME.tmp-PID` regular files whose
 * PID is not alive, or is this process's own (it has written none yet), and
 * whose content can only be the start of a result (see looksLikeOurTemp).
 * @returns the paths removed
 */
export function removeStaleTemps(target: string, alive: (pid: number) => boolean = processAlive): string[] {
  const prefix = `.${basename(target)}.tmp-`;
  const removed: string[] = [];
  for (const name of readdirSync(dirname(target))) {
    const pid = name.startsWith(prefix) ? name.slice(prefix.length) : '';
    if (!/^[1-9]\d{0,9}$/.test(pid) || (Number(pid) !== process.pid && alive(Number(pid)))) continue;
    const path = join(dirname(target), name);
    try {
      if (!lstatSync(path).isFile() || !looksLikeOurTemp(path)) continue;
      unlinkSync(path);
      removed.push(path);
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
  return removed;
}

/**
 * The result on its way to `--out`: the temporary file, created when the
 * run starts (so an unwritable place fails before the work) and either
 * committed (renamed over the target) or discarded.
 */
export class PendingOutput {
  private fd: number | undefined;

  private constructor(
    readonly target: OutTarget,
    /** the temporary file beside the target */
    readonly temp: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Remove stale temporary files beside the target and create this process's.
   * @throws UsageError (exit 2) when no file can be created there
   */
  static open(target: OutTarget): PendingOutput {
    removeStaleTemps(target.path);
    const temp = tempPath(target.path);
    let fd: number;
    try {
      fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    } catch (e) {
      refuse(target.option ?? '--out', target.given, `cannot create a file in its folder ${dirname(temp)}: ${errnoReason(e)}`);
    }
    const output = new PendingOutput(target, temp, fd);
    // the replaced file keeps its permissions
    if (target.existing) output.attempt(() => fchmodSync(fd, target.existing!.mode & 0o7777));
    return output;
  }

  /** Run `step`; on failure discard the temporary file and report which file was not written. */
  private attempt<T>(step: () => T): T {
    try {
      return step();
    } catch (e) {
      this.discard();
      const kept = this.target.existing ? 'the file there is unchanged' : 'nothing was written';
      throw new RuntimeFailure(`cannot write the result to ${this.target.path}: ${errnoReason(e)}; ${kept}`);
    }
  }

  /**
   * Write `text`, flush it to disk and rename it over the target.
   * @throws RuntimeFailure (exit 1) when the disk is full or the rename fails; the target is then as it was
   */
  commit(text: string): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error('PendingOutput.commit after discard or commit');
    this.attempt(() => {
      const bytes = Buffer.from(text, 'utf8');
      for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
      closeSync(fd);
      this.fd = undefined;
      // the target may have been replaced since the check: never rename over anything but a regular file
      const now = statOrUndefined(this.target.path);
      if (now && !now.isFile()) throw new Error(`${this.target.path} is now ${fileKind(now)}`);
      renameSync(this.temp, this.target.path);
    });
  }

  /** Close and remove the temporary file (safe twice, and after a commit). */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // closing is best effort: the file is removed next
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.temp);
    } catch {
      // renamed (committed) or already gone
    }
  }
}

/** lstat, or undefined where nothing is at `path`. */
export function statOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
