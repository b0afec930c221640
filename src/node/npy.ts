/**
 * NumPy's `.npy` format, version 1.0 (numpy.lib.format): the magic
 * `\x93NUMPY`, the version bytes 1 0, the header's length (uint16, little
 * endian), then the header, a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }`, padded with
 * spaces and ended by a newline so that the data starts at a multiple of 64
 * bytes, then the data, little endian, C order (the last axis fastest).
 * `np.load` reads it; nothing here needs Python.
 */
import { writeSync } from 'node:fs';

/** The element types written: float32, float64, int64. */
export type NpyDtype = '<f4' | '<f8' | '<i8';

/** Bytes per element of each dtype. */
export const NPY_ITEM_SIZE: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i8': 8 };

const MAGIC = [0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0];

/**
 * The magic, version and header of an array of `dtype` and `shape`: 64 × k bytes.
 * @example npyHeader('<f4', [3]).length // 128; the header text is "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }" padded
 */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Buffer {
  for (const n of shape) if (!Number.isSafeInteger(n) || n < 0) throw new Error(`npy: bad shape ${JSON.stringify(shape)}`);
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${dims}, }`;
  const unpadded = MAGIC.length + 2 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const headerLength = total - MAGIC.length - 2;
  const out = Buffer.alloc(total, 0x20);
  out.set(MAGIC, 0);
  out.writeUInt16LE(headerLength, MAGIC.length);
  out.write(dict, MAGIC.length + 2, 'latin1');
  out[total - 1] = 0x0a;
  return out;
}

/** `values` as the little-endian bytes of `dtype` (int64: each value must be a safe integer). */
export function npyData(dtype: NpyDtype, values: ArrayLike<number>): Buffer {
  const n = values.length;
  const out = Buffer.alloc(n * NPY_ITEM_SIZE[dtype]);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (dtype === '<f4') out.writeFloatLE(v, 4 * i);
    else if (dtype === '<f8') out.writeDoubleLE(v, 8 * i);
    else {
      if (!Number.isSafeInteger(v)) throw new Error(`npy: ${v} is not an integer an int64 holds exactly`);
      out.writeBigInt64LE(BigInt(v), 8 * i);
    }
  }
  return out;
}

/** A whole small array as one `.npy` file's bytes; `values.length` must equal the shape's product. */
export function npyBytes(dtype: NpyDtype, shape: readonly number[], values: ArrayLike<number>): Buffer {
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) throw new Error(`npy: ${values.length} values for shape ${JSON.stringify(shape)}`);
  return Buffer.concat([npyHeader(dtype, shape), npyData(dtype, values)]);
}

/** Write all of `bytes` to the open file `fd` (a write may take part of it). */
export function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}
