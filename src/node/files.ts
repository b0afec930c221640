/**
 * Reading the files a command line names (the spec, a potential's data
 * file) with a bound: only regular files, at most a stated size, read by
 * their length and never to the end of a stream, so `/dev/zero`, a FIFO
 * with no writer or a directory is refused at once instead of hanging or
 * filling the memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { InputError } from '../errors.ts';
import { JsonSyntaxError, parseJsonText } from '../json.ts';
import { UsageError } from './usage.ts';

const MiB = 2 ** 20;

/** Largest spec file read (64 MiB): specs are small; one with inline data rows stays far below. */
export const MAX_SPEC_FILE_BYTES = 64 * MiB;

/**
 * Largest data (CSV) file read (500 MiB). The text is decoded to one string,
 * and Node 20 holds at most 2^29 − 24 characters (just under 512 MiB) in one;
 * 2^24 cells (`MAX_DATA_CELLS`) of about 20 characters fit.
 */
export const MAX_DATA_FILE_BYTES = 500 * MiB;

/** A file that was not read: `reason` says why, e.g. "it is a character device, not a regular file". */
export class FileRefusal extends InputError {
  override readonly name = 'FileRefusal';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** A byte count as the messages print it: "64 MiB", "67108865 bytes (64.0 MiB)", "812 bytes". */
export function formatBytes(n: number): string {
  const m = n / MiB;
  if (Number.isInteger(m) && m > 0) return `${m} MiB`;
  return n < MiB ? `${n} bytes` : `${n} bytes (${m.toFixed(1)} MiB)`;
}

/** What a file that is not a regular file is, for messages: "a directory", "a FIFO (named pipe)", … */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A system error as a short reason: "no such file", "permission denied (EACCES)", … */
export function errnoReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'ENOTDIR':
      return `a folder on its path is not a folder (${code})`;
    case 'ELOOP':
      return `too many levels of symbolic links (${code})`;
    case 'ENOSPC':
      return `no space left on the device (${code})`;
    case 'EROFS':
      return `read-only file system (${code})`;
    default:
      return (e as Error).message;
  }
}

/** Refuse anything but a regular file of at most `limit` bytes. */
function checkRegular(path: string, st: Stats, limit: number): void {
  if (!st.isFile()) throw new FileRefusal(path, `it is ${fileKind(st)}; give a regular file of at most ${formatBytes(limit)}`);
  if (st.size > limit) throw new FileRefusal(path, `it is ${formatBytes(st.size)}, over the limit of ${formatBytes(limit)}`);
}

/** Read at most `limit + 1` bytes of an open regular file (one more tells a file that grew past the limit). */
function readBounded(path: string, fd: number, size: number, limit: number): Buffer {
  let buf = Buffer.allocUnsafe(Math.min(size, limit) + 1);
  let length = 0;
  for (;;) {
    if (length === buf.length) {
      if (length > limit) throw new FileRefusal(path, `it grew past the limit of ${formatBytes(limit)} while being read`);
      const bigger = Buffer.allocUnsafe(Math.min(2 * buf.length, limit + 1));
      buf.copy(bigger, 0, 0, length);
      buf = bigger;
    }
    const n = readSync(fd, buf, length, buf.length - length, null);
    if (n === 0) return buf.subarray(0, length);
    length += n;
  }
}

/**
 * The text (UTF-8) of a regular file of at most `limit` bytes. The type and
 * size are checked before the file is opened (opening some devices has
 * effects) and again on the open file (it may have been replaced since);
 * it is opened non-blocking, so a FIFO swapped in never blocks the open.
 * @throws FileRefusal naming the path and why: missing, not a regular file, over the limit, unreadable
 * @example readTextFile('examples/double-well.json', MAX_SPEC_FILE_BYTES)
 */
export function readTextFile(path: string, limit: number): string {
  let fd: number;
  try {
    checkRegular(path, statSync(path), limit);
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw e instanceof FileRefusal ? e : new FileRefusal(path, errnoReason(e));
  }
  try {
    const st = fstatSync(fd);
    checkRegular(path, st, limit);
    return readBounded(path, fd, st.size, limit).toString('utf8');
  } catch (e) {
    throw e instanceof FileRefusal ? e : new FileRefusal(path, errnoReason(e));
  } finally {
    closeSync(fd);
  }
}

/**
 * Read and parse a spec file (a regular file of at most `MAX_SPEC_FILE_BYTES`), or another JSON input (`what`, `limit`).
 * @throws UsageError "cannot read spec file PATH: REASON", or "PATH:LINE:COLUMN: invalid JSON: …"
 * @example parseJsonFile('examples/double-well.json')
 */
export function parseJsonFile(path: string, what = 'spec file', limit = MAX_SPEC_FILE_BYTES): unknown {
  let text: string;
  try {
    text = readTextFile(path, limit);
  } catch (e) {
    throw e instanceof FileRefusal ? new UsageError(`cannot read ${what} ${path}: ${e.reason}`) : e;
  }
  try {
    return parseJsonText(text, path, what === 'spec file' ? undefined : '');
  } catch (e) {
    throw e instanceof JsonSyntaxError ? new UsageError(e.message) : e;
  }
}
