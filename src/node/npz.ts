/**
 * NumPy's `.npz`: a ZIP archive of `.npy` files (numpy.savez: entries stored,
 * not compressed). `np.load(path)` reads its arrays; other entries (the
 * checkpoint's `checkpoint.json`) are read with Python's zipfile. The whole
 * archive is limited to 2 GiB (MAX_NPZ_BYTES: Node reads no larger file in one
 * piece; no ZIP64 needed). Written whole in memory, read back from a Buffer;
 * CRC-32 checked on reading.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { npyHeader, type NpyDtype } from './npy.ts';

/** One entry: a file name and its bytes. */
export interface NpzEntry {
  name: string;
  bytes: Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ZIP's, IEEE 802.3) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An array as an `.npy` entry's bytes, without copying the data more than once. */
export function npyEntry(name: string, dtype: NpyDtype, shape: number[], values: Float32Array | Float64Array): NpzEntry {
  if ((dtype === '<f4') !== values instanceof Float32Array) throw new Error(`npz: ${name} is not ${dtype}`);
  const header = npyHeader(dtype, shape);
  const bytes = new Uint8Array(header.length + values.byteLength);
  bytes.set(header, 0);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), header.length);
  return { name, bytes };
}

/**
 * The most bytes an archive may hold: 2 GiB less 1 MiB, so that every archive written can be read back
 * (readFileSync reads at most 2 GiB − 1 bytes; ZIP's 32-bit offsets, without ZIP64, would allow 4 GiB).
 */
export const MAX_NPZ_BYTES = 2 ** 31 - 2 ** 20;

/**
 * The archive's bytes: local headers and data, then the central directory.
 * @throws RangeError when the entries together pass MAX_NPZ_BYTES
 */
export function npzBytes(entries: NpzEntry[]): Buffer {
  const total = entries.reduce((a, e) => a + 76 + 2 * Buffer.byteLength(e.name) + e.bytes.length, 22);
  if (total > MAX_NPZ_BYTES)
    throw new RangeError(`${(total / 2 ** 30).toFixed(2)} GiB; an .npz holds at most 2 GiB: cut the run into shards (--shard I/N)`);
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const crc = crc32(e.bytes);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.bytes.length, 18);
    local.writeUInt32LE(e.bytes.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, Buffer.from(e.bytes.buffer, e.bytes.byteOffset, e.bytes.length));
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(e.bytes.length, 20);
    dir.writeUInt32LE(e.bytes.length, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, name);
    offset += 30 + name.length + e.bytes.length;
  }
  const size = central.reduce((a, b) => a + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}

/**
 * The entries of an archive written by {@link npzBytes} (stored entries only).
 * @throws Error naming what is wrong: not a ZIP, a compressed entry, a bad CRC, two entries of one name
 */
export function readNpz(buf: Buffer): Map<string, Buffer> {
  const endAt = buf.length - 22;
  if (endAt < 0 || buf.readUInt32LE(endAt) !== 0x06054b50)
    throw new Error('not an .npz written by langevin (no ZIP end record where expected)');
  const count = buf.readUInt16LE(endAt + 10);
  let at = buf.readUInt32LE(endAt + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > endAt || buf.readUInt32LE(at) !== 0x02014b50) throw new Error('a damaged ZIP directory');
    if (buf.readUInt16LE(at + 10) !== 0) throw new Error('a compressed entry (langevin writes stored entries only)');
    const [crc, size, nameLength, extra, comment, local] = [16, 20, 28, 30, 32, 42].map((o) =>
      o >= 28 && o <= 32 ? buf.readUInt16LE(at + o) : buf.readUInt32LE(at + o),
    );
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    if (out.has(name)) throw new Error(`two entries named ${name} (the file was edited)`);
    if (local + 30 > endAt || buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`entry ${name}: a damaged ZIP entry header`);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dataAt + size > buf.length) throw new Error(`entry ${name} runs past the end of the file (truncated?)`);
    const bytes = buf.subarray(dataAt, dataAt + size);
    if (crc32(bytes) !== crc) throw new Error(`entry ${name}: CRC-32 mismatch (the file is damaged)`);
    out.set(name, bytes);
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

/** A shape as NumPy prints it: (500, 2), (500,). */
export const npyShapeText = (shape: readonly number[]): string => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/**
 * The header of an `.npy` entry: its dtype, Fortran order and shape, and where its data starts (versions 1, 2 and 3).
 * @throws Error when it is not an .npy entry or its header is not numpy's dict
 */
function npyHeaderFields(bytes: Buffer): { descr: string; fortran: boolean; shape: number[]; dataAt: number } {
  if (bytes.length < 10 || bytes[0] !== 0x93 || bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error('not an .npy entry');
  const major = bytes[6];
  if (major < 1 || major > 3) throw new Error(`an .npy entry of format version ${major}; expected 1, 2 or 3`);
  const [length, start] = major === 1 ? [bytes.readUInt16LE(8), 10] : [bytes.length >= 12 ? bytes.readUInt32LE(8) : Infinity, 12];
  if (start + length > bytes.length) throw new Error('an .npy entry whose header runs past its end');
  const header = bytes.toString('latin1', start, start + length);
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const dims = /'shape':\s*\(([^)]*)\)/
    .exec(header)?.[1]
    .split(',')
    .map((s) => s.trim());
  if (dims?.at(-1) === '') dims.pop();
  if (descr === undefined || fortran === undefined || !dims?.every((d) => /^\d{1,15}$/.test(d)))
    throw new Error(`an .npy entry whose header is not numpy's: ${JSON.stringify(header.trim().slice(0, 80))}`);
  return { descr, fortran: fortran === 'True', shape: dims.map(Number), dataAt: start + length };
}

/**
 * The data of an `.npy` entry as a typed array of its dtype ('<f4' or '<f8', C order), with its shape.
 * @throws Error naming what is wrong: another dtype (big-endian, integers), Fortran order, data not of its shape
 */
export function npyArray(bytes: Buffer): { dtype: NpyDtype; shape: number[]; values: Float32Array | Float64Array } {
  const { descr: dtype, fortran, shape, dataAt } = npyHeaderFields(bytes);
  if (dtype !== '<f4' && dtype !== '<f8')
    throw new Error(`an .npy entry of dtype '${dtype}'; langevin reads '<f4' (float32) or '<f8' (float64), little-endian`);
  if (fortran) throw new Error('an .npy entry in Fortran order (fortran_order True); langevin reads C order: save np.ascontiguousarray(a)');
  const data = bytes.subarray(dataAt);
  const size = dtype === '<f4' ? 4 : 8;
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count * size)
    throw new Error(`an .npy entry of shape ${npyShapeText(shape)} whose data is ${data.length} bytes, not ${count * size}`);
  const copy = new Uint8Array(data.length);
  copy.set(data);
  const values = dtype === '<f4' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  return { dtype, shape, values };
}

/** The first `n` bytes of a file (fewer when it is shorter); only those are read. */
export function readHead(path: string, n: number): Buffer {
  const head = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * The name of a ZIP file's first entry, from its first local header: the first 30 + name-length bytes are all
 * that is read. Undefined when the file does not start as a ZIP or cannot be read.
 */
export function firstEntryName(path: string): string | undefined {
  try {
    const local = readHead(path, 30);
    if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) return undefined;
    const length = local.readUInt16LE(26);
    const head = readHead(path, 30 + length);
    return head.length === 30 + length ? head.toString('utf8', 30) : undefined;
  } catch {
    return undefined;
  }
}
