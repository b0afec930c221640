/**
 * The NPY writer (src/node/npy.ts): known bytes (the same NumPy 2 writes for
 * these arrays), and arrays read back by NumPy when python3 has it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npyBytes, npyHeader } from '../../src/node/npy.ts';
import { numpyMissing } from '../cli-support.ts';

describe('npyHeader and npyBytes: known bytes', () => {
  it('a float32 vector: magic, version 1.0, header length 118, the dict padded with spaces to 128 bytes, then the data', () => {
    const bytes = npyBytes('<f4', [3], [1.5, -2, 3]);
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
    const expected = Buffer.concat([
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]),
      Buffer.from(dict + ' '.repeat(128 - 10 - dict.length - 1) + '\n', 'latin1'),
      Buffer.from([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x40, 0x40]),
    ]);
    expect(bytes.equals(expected)).toBe(true);
    expect(bytes.length).toBe(140);
  });

  it('an int64 matrix and a float64 one: shape (2, 3), 8 bytes per element, little endian', () => {
    const i = npyBytes('<i8', [2, 3], [0, 1, -1, 2 ** 40, 5, 2 ** 53 - 1]);
    const dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }";
    expect(i.subarray(10, 128).toString('latin1')).toBe(dict + ' '.repeat(118 - dict.length - 1) + '\n');
    expect(i.length).toBe(128 + 48);
    expect([0, 1, 2, 3, 4, 5].map((k) => i.readBigInt64LE(128 + 8 * k))).toEqual([0n, 1n, -1n, 2n ** 40n, 5n, 2n ** 53n - 1n]);
    const f = npyBytes('<f8', [1, 2], [0.1, -Infinity]);
    expect([f.readDoubleLE(128), f.readDoubleLE(136)]).toEqual([0.1, -Infinity]);
  });

  it('the data starts at a multiple of 64 bytes for long shapes too; the header ends in a newline', () => {
    for (const shape of [[0], [7], [2147483647, 16], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]]) {
      const h = npyHeader('<f4', shape);
      expect(h.length % 64).toBe(0);
      expect(h.readUInt16LE(8)).toBe(h.length - 10);
      expect(h[h.length - 1]).toBe(0x0a);
    }
  });

  it('refuses a wrong number of values, a bad shape, a non-integer for int64', () => {
    expect(() => npyBytes('<f4', [2, 2], [1, 2, 3])).toThrow('3 values for shape [2,2]');
    expect(() => npyHeader('<f4', [-1])).toThrow('bad shape');
    expect(() => npyBytes('<i8', [1], [0.5])).toThrow('not an integer');
  });
});

const missing = numpyMissing();
describe.skipIf(missing !== undefined)(`NumPy reads the files back${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'langevin-npy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('np.load gives the dtype, shape and values written', () => {
    writeFileSync(join(dir, 'a.npy'), npyBytes('<f4', [2, 3], [1, 2, 3, 4, 5, 6.5]));
    writeFileSync(join(dir, 'b.npy'), npyBytes('<i8', [4], [0, -3, 2 ** 52, 7]));
    writeFileSync(join(dir, 'c.npy'), npyBytes('<f8', [3], [0.1, 1e-300, -2.5]));
    writeFileSync(join(dir, 'd.npy'), npyBytes('<f4', [0, 2], []));
    const script = `
import json, sys, numpy as np
out = {}
for n in 'abcd':
    a = np.load(sys.argv[1] + '/' + n + '.npy')
    out[n] = [str(a.dtype), list(a.shape), a.ravel().tolist()]
print(json.dumps(out))`;
    const r = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      a: ['float32', [2, 3], [1, 2, 3, 4, 5, 6.5]],
      b: ['int64', [4], [0, -3, 2 ** 52, 7]],
      c: ['float64', [3], [0.1, 1e-300, -2.5]],
      d: ['float32', [0, 2], []],
    });
  });
});
