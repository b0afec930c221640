/**
 * Files and streams of the command line, with the real command: spec and data
 * files are read only when regular and within their size limit (a device or a
 * FIFO used to hang it); --out never writes through a device, FIFO or folder,
 * follows a symbolic link to its target, cleans what a killed run left, and a
 * full disk changes nothing; stdout failures (a closed pipe, a full device)
 * end with one line and exit 1.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/engine.ts';
import { FileRefusal, MAX_DATA_FILE_BYTES, MAX_SPEC_FILE_BYTES, readTextFile } from '../src/node/files.ts';
import { PendingOutput, removeStaleTemps, resolveOutTarget, tempPath } from '../src/node/output.ts';
import { parseRunArgs } from '../src/node/runCommand.ts';
import { cli, LARGE_RESULT, SMALL, STACK_FRAME, start, temps } from './cli-support.ts';

/** The first bytes of a result, as a run killed mid-write leaves them. */
const HALF_RESULT = '{\n  "$schema": "https://langevin.dev/schema/result-0.1.json",\n  "langevin": "0.1';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-files-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content));
  return path;
}

function fifo(name: string): string {
  const path = join(dir, name);
  if (spawnSync('mkfifo', [path]).status !== 0) throw new Error('mkfifo failed');
  return path;
}

/** Bytes an earlier run left in an --out file: a failing run must leave them exactly so. */
const PREVIOUS = Buffer.from('{"previous": "result"}\n\u00ff\u0000 bytes that must survive', 'latin1');

/** Hours of work: a refusal that came after the work would never come within the test's time. */
const ENDLESS = { ...SMALL, particles: 100_000, steps: 100_000_000 };

const refused = (r: { code: number | null; stdout: string; stderr: string }, message: string) => {
  expect(r.stderr).toBe(`langevin: invalid input: ${message}\n`);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
};

describe('spec and data files: regular files within a size limit, never read to the end of a stream', () => {
  const limit = 'give a regular file of at most 64 MiB';

  it('a spec that is /dev/zero is refused at once (it used to be read forever)', () => {
    refused(cli(['run', '/dev/zero'], { timeoutMs: 30_000 }), `cannot read spec file /dev/zero: it is a character device; ${limit}`);
  });

  it('a spec that is a FIFO with no writer is refused without opening it (opening it used to block)', () => {
    const path = fifo('spec.fifo');
    refused(cli(['run', path], { timeoutMs: 30_000 }), `cannot read spec file ${path}: it is a FIFO (named pipe); ${limit}`);
  });

  it('a spec that is a directory, or over 64 MiB, is refused naming the path and the limit', () => {
    refused(cli(['run', dir]), `cannot read spec file ${dir}: it is a directory; ${limit}`);
    const big = file('big.json', '');
    truncateSync(big, MAX_SPEC_FILE_BYTES + 1); // sparse: no disk used
    refused(cli(['run', big]), `cannot read spec file ${big}: it is 67108865 bytes (64.0 MiB), over the limit of 64 MiB`);
  });

  it('a data file that is /dev/zero or a FIFO is refused naming potential.data.file and the limit (it used to hang)', () => {
    const data = { ...SMALL, temperature: 0, batch: 2, potential: { example: '(v - x - y*u)^2/2', prior: '(x^2 + y^2)/2' } };
    const zero = file('zero-data.json', { ...data, potential: { ...data.potential, data: { file: '/dev/zero' } } });
    refused(
      cli(['run', zero, '--backend', 'cpu'], { timeoutMs: 30_000 }),
      'potential.data.file: got "/dev/zero"; cannot be read (it is a character device; give a regular file of at most 500 MiB; ' +
        'looked for "/dev/zero", paths are relative to the spec file)',
    );
    fifo('points.fifo');
    const pipe = file('fifo-data.json', { ...data, potential: { ...data.potential, data: { file: 'points.fifo' } } });
    const r = cli(['run', pipe, '--backend', 'cpu'], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'potential.data.file: got "points.fifo"; cannot be read (it is a FIFO (named pipe); give a regular file of at most 500 MiB',
    );
  });

  it('readTextFile: a file of exactly the limit is read; one byte more is refused before reading; an oversized data file names 500 MiB', () => {
    const path = file('limit.txt', 'x'.repeat(1000));
    expect(readTextFile(path, 1000)).toBe('x'.repeat(1000));
    expect(() => readTextFile(path, 999)).toThrow(new FileRefusal(path, 'it is 1000 bytes, over the limit of 999 bytes'));
    const huge = file('huge.csv', '');
    truncateSync(huge, MAX_DATA_FILE_BYTES + 1);
    expect(() => readTextFile(huge, MAX_DATA_FILE_BYTES)).toThrow('it is 524288001 bytes (500.0 MiB), over the limit of 500 MiB');
    expect(readTextFile(file('empty.txt', ''), 10)).toBe('');
  });
});

describe('--out: a regular file or a new name, checked before any work', () => {
  it.each([
    [
      '/dev/null (as root the rename would replace the device node)',
      () => '/dev/null',
      () => 'that is a character device; give a regular file or a new file name',
    ],
    ['a FIFO', () => fifo('out.fifo'), () => 'that is a FIFO (named pipe); give a regular file or a new file name'],
    ['a directory', () => dir, () => 'that is a folder, give a file name'],
    ['a name in a missing folder', () => join(dir, 'missing', 'out.json'), () => `its folder ${join(dir, 'missing')} does not exist`],
    ['a name ending in /', () => join(dir, 'new') + '/', () => 'that names a folder, give a file name'],
    [
      'a symbolic link to a directory',
      () => (symlinkSync(dir, join(dir, 'to-dir')), join(dir, 'to-dir')),
      () => `it is a symbolic link to ${dir}, which is a folder, give a file name`,
    ],
    [
      'a symbolic link to /dev/null',
      () => (symlinkSync('/dev/null', join(dir, 'to-null')), join(dir, 'to-null')),
      () => 'it is a symbolic link to /dev/null, which is a character device; give a regular file or a new file name',
    ],
    [
      'a loop of symbolic links',
      () => (symlinkSync('loop-b', join(dir, 'loop-a')), symlinkSync('loop-a', join(dir, 'loop-b')), join(dir, 'loop-a')),
      () => 'too many levels of symbolic links (ELOOP)',
    ],
    [
      'a symbolic link to a name in a missing folder',
      () => (symlinkSync(join(dir, 'nowhere', 'x.json'), join(dir, 'to-nowhere')), join(dir, 'to-nowhere')),
      () => `it is a symbolic link to ${join(dir, 'nowhere', 'x.json')}, and its folder ${join(dir, 'nowhere')} does not exist`,
    ],
  ])('refuses %s with exit 2', (_label, target, why) => {
    const out = target();
    const devNull = statSync('/dev/null');
    const spec = file('endless.json', ENDLESS);
    refused(cli(['run', spec, '--backend', 'cpu', '--out', out], { timeoutMs: 60_000 }), `--out: got "${out}"; ${why()}`);
    const after = statSync('/dev/null');
    expect(after.isCharacterDevice() && after.rdev === devNull.rdev).toBe(true);
    expect(temps(dir)).toEqual([]);
  });

  it('refuses the spec file itself and the data file itself as --out, leaving both as they were', () => {
    const spec = file('self.json', ENDLESS);
    const before = readFileSync(spec);
    refused(cli(['run', spec, '--out', spec]), `--out: got "${spec}"; that is the spec file itself (${spec}); give another file name`);
    expect(readFileSync(spec).equals(before)).toBe(true);
    const csv = file('rows.csv', 'u,v\n-1,0.2\n0,0.9\n');
    const dataSpec = file('data-self.json', {
      ...SMALL,
      temperature: 0,
      batch: 2,
      potential: { data: { file: 'rows.csv' }, example: '(v - x - y*u)^2/2', prior: '(x^2 + y^2)/2' },
    });
    const r = cli(['run', dataSpec, '--out', csv]);
    refused(r, `--out: got "${csv}"; that is the data file itself (${csv}); give another file name`);
    expect(readFileSync(csv, 'utf8')).toBe('u,v\n-1,0.2\n0,0.9\n');
  });

  it('follows a symbolic link to its target, says so, and leaves the link a link', () => {
    mkdirSync(join(dir, 'results'), { recursive: true });
    const real = join(dir, 'results', 'real.json');
    writeFileSync(real, PREVIOUS);
    const link = join(dir, 'latest.json');
    symlinkSync('results/real.json', link);
    const r = cli(['run', file('small.json', SMALL), '--backend', 'cpu', '--out', link]);
    expect(r.stderr).toBe(`langevin: --out: ${link} is a symbolic link; writing its target ${real}\n`);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('results/real.json');
    const result = JSON.parse(readFileSync(real, 'utf8')) as RunResult;
    expect(result.steps).toBe(20);
    expect(result.particles).toBe(200);
    expect(temps(dir)).toEqual([]);
    expect(temps(join(dir, 'results'))).toEqual([]);
  });

  it('a dangling symbolic link creates its target (a new name in an existing folder)', () => {
    mkdirSync(join(dir, 'fresh'), { recursive: true });
    const link = join(dir, 'to-fresh.json');
    symlinkSync(join(dir, 'fresh', 'new.json'), link);
    const r = cli(['run', file('small.json', SMALL), '--backend', 'cpu', '--out', link]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`langevin: --out: ${link} is a symbolic link; writing its target ${join(dir, 'fresh', 'new.json')}\n`);
    expect((JSON.parse(readFileSync(join(dir, 'fresh', 'new.json'), 'utf8')) as RunResult).steps).toBe(20);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('removes the temporary files that killed runs left beside the target, and only those', () => {
    const folder = join(dir, 'stale');
    mkdirSync(folder);
    const out = join(folder, 'out.json');
    writeFileSync(out, PREVIOUS);
    const dead = join(folder, '.out.json.tmp-999999999'); // above any pid_max: no such process
    const alive = join(folder, `.out.json.tmp-${process.pid}`); // this test's process: a run in progress
    const other = join(folder, '.other.json.tmp-999999999'); // another target's
    const users = join(folder, '.out.json.tmp-999999998'); // named like one, but not a result: a user's file
    for (const f of [dead, alive, other]) writeFileSync(f, HALF_RESULT);
    writeFileSync(users, 'precious');
    const r = cli(['run', file('small.json', SMALL), '--backend', 'cpu', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(
      ['.other.json.tmp-999999999', '.out.json.tmp-999999998', `.out.json.tmp-${process.pid}`, 'out.json'].sort(),
    );
    expect(readFileSync(users, 'utf8')).toBe('precious');
    expect((JSON.parse(readFileSync(out, 'utf8')) as RunResult).steps).toBe(20);
  });
});

describe('--out on a full disk (a 64 KiB tmpfs)', () => {
  let mnt = '';
  beforeAll(() => {
    const m = mkdtempSync(join(tmpdir(), 'langevin-full-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', m]).status === 0) mnt = m;
  });
  afterAll(() => {
    if (mnt) spawnSync('umount', [mnt]);
  });

  it('ENOSPC: exit 1 with one line, the existing file byte for byte as it was, no temporary file left', ({ skip }) => {
    if (!mnt) skip('cannot mount a tmpfs here (needs root)');
    const out = join(mnt, 'out.json');
    writeFileSync(out, PREVIOUS);
    const spec = file('large.json', LARGE_RESULT);
    const r = cli(['run', spec, '--backend', 'cpu', '--out', out]);
    expect(r.stderr).toBe(
      `langevin: cannot write the result to ${out}: no space left on the device (ENOSPC); the file there is unchanged\n`,
    );
    expect(r.code).toBe(1);
    expect(readFileSync(out).equals(PREVIOUS)).toBe(true);
    expect(readdirSync(mnt)).toEqual(['out.json']);
    // a new name: nothing at all is left behind
    const fresh = join(mnt, 'fresh.json');
    const r2 = cli(['run', spec, '--backend', 'cpu', '--out', fresh]);
    expect(r2.stderr).toBe(`langevin: cannot write the result to ${fresh}: no space left on the device (ENOSPC); nothing was written\n`);
    expect(r2.code).toBe(1);
    expect(readdirSync(mnt)).toEqual(['out.json']);
  });
});

describe('stdout that fails', () => {
  it('a reader that closes the pipe early (| head -c 10): one line, exit 1, no trace', async () => {
    const run = start(['run', file('large.json', LARGE_RESULT), '--backend', 'cpu']);
    run.child.stdout!.once('data', () => run.child.stdout!.destroy());
    const r = await run.ended;
    expect(r.stderr).toBe('langevin: cannot write to stdout: the reader closed the pipe (EPIPE)\n');
    expect(r.code).toBe(1);
  });

  it.skipIf(!existsSync('/dev/full'))('stdout on /dev/full: one line, exit 1, no trace (run and potentials)', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = cli(['run', file('small.json', SMALL), '--backend', 'cpu'], { stdio: ['ignore', full, 'pipe'] });
      expect(r.stderr).toBe('langevin: cannot write to stdout: no space left on the device (ENOSPC)\n');
      expect(r.code).toBe(1);
      const p = cli(['potentials'], { stdio: ['ignore', full, 'pipe'] });
      expect(p.stderr).toBe('langevin: cannot write to stdout: no space left on the device (ENOSPC)\n');
      expect(p.code).toBe(1);
      expect(r.stderr + p.stderr).not.toMatch(STACK_FRAME);
    } finally {
      closeSync(full);
    }
  });
});

describe('in process: the pieces', () => {
  it('an option given twice is refused, naming both values', () => {
    expect(() => parseRunArgs(['s.json', '--out', 'a.json', '--out=b.json'])).toThrow(
      '--out: given twice ("a.json" and "b.json"); give it once',
    );
    expect(() => parseRunArgs(['s.json', '--backend', 'cpu', '--backend', 'cpu'])).toThrow(
      '--backend: given twice ("cpu" and "cpu"); give it once',
    );
    expect(parseRunArgs(['s.json', '--backend=cpu', '--out', 'r.json'])).toEqual({
      spec: 's.json',
      backend: 'cpu',
      out: 'r.json',
      sets: [],
      export: undefined,
      savePositions: false,
    });
  });

  it('removeStaleTemps removes the files of dead processes and of this pid, not of live ones, not folders', () => {
    const folder = mkdtempSync(join(dir, 'stale-'));
    const target = join(folder, 'r.json');
    for (const pid of [11, 12]) writeFileSync(tempPath(target, pid), HALF_RESULT);
    writeFileSync(tempPath(target, 14), ''); // created, nothing written yet
    writeFileSync(tempPath(target, process.pid), HALF_RESULT.slice(0, 5));
    writeFileSync(tempPath(target, 15), '{"a": 1}'); // JSON, but not a result
    mkdirSync(tempPath(target, 13));
    writeFileSync(join(folder, '.r.json.tmp-0x1'), 'not a pid');
    const removed = removeStaleTemps(target, (pid) => pid === 12 || pid === process.pid); // this process is alive, but has no file yet
    expect(removed.sort()).toEqual([tempPath(target, 11), tempPath(target, 14), tempPath(target, process.pid)].sort());
    expect(readdirSync(folder).sort()).toEqual(['.r.json.tmp-0x1', '.r.json.tmp-12', '.r.json.tmp-13', '.r.json.tmp-15']);
  });

  it('a discarded PendingOutput leaves the target as it was and no temporary file; a committed one replaces it, keeping its mode', () => {
    const folder = mkdtempSync(join(dir, 'pending-'));
    const out = join(folder, 'r.json');
    writeFileSync(out, PREVIOUS, { mode: 0o640 });
    const first = PendingOutput.open(resolveOutTarget(out));
    expect(readdirSync(folder).sort()).toEqual([`.r.json.tmp-${process.pid}`, 'r.json']);
    first.discard();
    first.discard();
    expect(readdirSync(folder)).toEqual(['r.json']);
    expect(readFileSync(out).equals(PREVIOUS)).toBe(true);
    const second = PendingOutput.open(resolveOutTarget(out));
    second.commit('{"new": 1}\n');
    expect(readFileSync(out, 'utf8')).toBe('{"new": 1}\n');
    expect(statSync(out).mode & 0o777).toBe(0o640);
    expect(readdirSync(folder)).toEqual(['r.json']);
  });
});
