import { describe, expect, it } from 'vitest';
import { KAT } from '../fixtures/philox-kat.ts';
import { boxMuller, mulhi32, NormalStream, philox4x32, seedKey, u01 } from '../../src/rng/philox.ts';

describe('Philox4x32-10 (TypeScript)', () => {
  it.each(KAT)('known-answer vector %#', (c, k, expected) => {
    const out = new Uint32Array(4);
    philox4x32(c[0], c[1], c[2], c[3], k[0], k[1], out);
    expect(Array.from(out)).toEqual(expected);
  });

  it('mulhi32 equals the exact 64-bit product on random and extreme inputs', () => {
    let s = 12345n;
    const next = () => Number((s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn) >> 32n);
    const cases: [number, number][] = [
      [0, 0],
      [0xffffffff, 0xffffffff],
      [0xffffffff, 1],
      [0x80000000, 2],
      [0xd2511f53, 0xcd9e8d57],
    ];
    for (let i = 0; i < 20000; i++) cases.push([next(), next()]);
    for (const [a, b] of cases) {
      expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
  });

  it('u01 maps to [2^-24, 1 - 2^-24], never 0 or 1, exactly representable in f32', () => {
    expect(u01(0)).toBe(2 ** -24);
    expect(u01(0xffffffff)).toBe(1 - 2 ** -24);
    for (const u of [0, 1, 511, 512, 0x12345678, 0xffffffff]) expect(Math.fround(u01(u))).toBe(u01(u));
  });

  it('seedKey splits a 53-bit seed into the two key words', () => {
    expect(seedKey(0)).toEqual([0, 0]);
    expect(seedKey(2 ** 32 + 5)).toEqual([5, 1]);
    expect(seedKey(Number.MAX_SAFE_INTEGER)).toEqual([0xffffffff, 0x1fffff]);
  });

  it('NormalStream: normal m is output m mod 4 of call ⌊m/4⌋, whatever the start', () => {
    const block = new Uint32Array(4);
    const pair = new Float64Array(2);
    const expected = (particle: number, m: number) => {
      const call = Math.floor(m / 4);
      philox4x32(particle, call >>> 0, Math.floor(call / 2 ** 32), 0, 7, 9, block);
      const w = m % 4 < 2 ? 0 : 2;
      boxMuller(block[w], block[w + 1], pair, 0);
      return pair[m % 2];
    };
    const ns = new NormalStream(7, 9, 0);
    for (const start of [0, 1, 3, 5, 2 ** 34 - 2]) {
      ns.seek(17, start);
      for (let j = 0; j < 11; j++) expect(ns.next()).toBe(expected(17, start + j));
    }
  });

  it('normals are standard: mean 0, variance 1, fourth moment 3 within 5 standard errors', () => {
    const n = 400000;
    const ns = new NormalStream(1, 2, 0);
    ns.seek(3, 0);
    let s1 = 0,
      s2 = 0,
      s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = ns.next();
      s1 += z;
      s2 += z * z;
      s4 += z ** 4;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(5 * Math.sqrt(1 / n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
  });
});
