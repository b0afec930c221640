/**
 * NumPy's `.npz`: a ZIP archive of `.npy` files (numpy.savez: entries stored,
 * not compressed). `np.load(path)` reads its arrays; other entries (the
 * checkpoint's `checkpoint.json`) are read with Python's zipfile. Entries
 * are limited to 4 GiB − 1 (no ZIP64). Written whole in memory, read back
 * from a Buffer; CRC-32 checked on reading.
 */
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

/** The archive's bytes: local headers and data, then the central directory. */
export function npzBytes(entries: NpzEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    if (e.bytes.length > 0xfffffffe)
      throw new Error(`npz: ${e.name} is ${e.bytes.length} bytes; an entry holds at most 4 GiB − 1 (cut the run into shards)`);
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
 * @throws Error naming what is wrong: not a ZIP, a compressed entry, a bad CRC
 */
export function readNpz(buf: Buffer): Map<string, Buffer> {
  const endAt = buf.length - 22;
  if (endAt < 0 || buf.readUInt32LE(endAt) !== 0x06054b50)
    throw new Error('not an .npz written by langevin (no ZIP end record where expected)');
  const count = buf.readUInt16LE(endAt + 10);
  let at = buf.readUInt32LE(endAt + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== 0x02014b50) throw new Error('a damaged ZIP directory');
    if (buf.readUInt16LE(at + 10) !== 0) throw new Error('a compressed entry (langevin writes stored entries only)');
    const [crc, size, nameLength, extra, comment, local] = [16, 20, 28, 30, 32, 42].map((o) =>
      o >= 28 && o <= 32 ? buf.readUInt16LE(at + o) : buf.readUInt32LE(at + o),
    );
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (dataAt + size > buf.length) throw new Error(`entry ${name} runs past the end of the file (truncated?)`);
    const bytes = buf.subarray(dataAt, dataAt + size);
    if (crc32(bytes) !== crc) throw new Error(`entry ${name}: CRC-32 mismatch (the file is damaged)`);
    out.set(name, bytes);
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

/** The data of an `.npy` entry as a typed array of its dtype ('<f4' or '<f8'), with its shape. */
export function npyArray(bytes: Buffer): { dtype: NpyDtype; shape: number[]; values: Float32Array | Float64Array } {
  if (bytes.length < 10 || bytes[0] !== 0x93 || bytes.toString('latin1', 1, 6) !== 'NUMPY') throw new Error('not an .npy entry');
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString('latin1', 10, 10 + headerLength);
  const dtype = /'descr': '([^']+)'/.exec(header)?.[1];
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (dtype !== '<f4' && dtype !== '<f8') throw new Error(`an .npy entry of dtype ${dtype}; expected <f4 or <f8`);
  const data = bytes.subarray(10 + headerLength);
  const copy = new Uint8Array(data.length);
  copy.set(data);
  const values = dtype === '<f4' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
  if (values.length !== shape.reduce((a, b) => a * b, 1)) throw new Error('an .npy entry whose data does not match its shape');
  return { dtype, shape, values };
}
