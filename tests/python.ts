/**
 * Python as an independent oracle for the numerical tests (math.fsum,
 * fractions): doubles travel as their 64-bit hex patterns, so −0, NaN and
 * infinities survive the trip. python3 is part of the CI's packages: a
 * missing interpreter makes these tests fail (execFileSync throws), never
 * skip.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python3 (numpy, scipy), else the one on PATH. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Run a Python script that reads JSON on stdin and prints JSON. */
export function python(script: string, input: unknown): unknown {
  const out = execFileSync(PYTHON, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(out);
}

const view = new DataView(new ArrayBuffer(8));

/** The 64 bits of a double as 16 hex digits. */
export function hexOf(x: number): string {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

/** The double of 16 hex digits. */
export function fromHex(h: string): number {
  view.setBigUint64(0, BigInt('0x' + h));
  return view.getFloat64(0);
}
