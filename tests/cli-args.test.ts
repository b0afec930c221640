/**
 * The command line's conventions (src/node/args.ts, help.ts) and `--set`
 * (overrides.ts): help and version on stdout with exit 0, every usage error
 * one line on stderr with exit 2 and nothing on stdout, `--opt=value`
 * everywhere, and spec overrides validated as the file is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/node/cli.ts';
import { HELP, USAGE } from '../src/node/help.ts';
import { applyOverrides, parseOverride } from '../src/node/overrides.ts';
import { VERSION } from '../src/version.ts';
import { cli, STACK_FRAME } from './cli-support.ts';

const SMALL = {
  dims: 2,
  particles: 500,
  potential: { name: 'double-well', params: { h: 1 } },
  integrator: 'lm',
  dt: 0.02,
  temperature: 0.5,
  steps: 40,
  seed: 4,
  init: { kind: 'normal', mean: [0, 0], std: 0.5 },
};

let dir: string;
let spec: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-args-'));
  spec = join(dir, 'spec.json');
  writeFileSync(spec, JSON.stringify(SMALL));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `main` in this process (a spawn takes seconds on a busy machine): exit code, stdout and stderr. */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += String(chunk);
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A usage error: exit 2, one line on stderr equal to `line`, nothing on stdout. */
function refused(args: string[], line: string): void {
  const r = cli(args);
  expect(r.stderr).toBe(`langevin: invalid input: ${line}\n`);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
}

describe('help and version', () => {
  it('--version prints the package version to stdout, exit 0', () => {
    expect(cli(['--version'])).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('help, --help and -h print the usage to stdout, exit 0; no command prints it to stderr, exit 2', () => {
    for (const args of [['help'], ['--help'], ['-h']]) expect(cli(args)).toMatchObject({ code: 0, stdout: USAGE + '\n', stderr: '' });
    expect(cli([])).toMatchObject({ code: 2, stdout: '', stderr: USAGE + '\n' });
  });

  it('help COMMAND, COMMAND --help and COMMAND -h print that command help, exit 0, whatever else is given', () => {
    for (const command of ['run', 'potentials', 'bench', 'bias'] as const) {
      for (const args of [
        ['help', command],
        [command, '--help'],
        [command, '-h'],
        [command, 'x.json', '--fast', '--help'],
      ])
        expect(cli(args), args.join(' ')).toMatchObject({ code: 0, stdout: HELP[command] + '\n', stderr: '' });
    }
    expect(HELP.run).toContain('--export DIR');
    expect(HELP.run).toContain('--set PATH=VALUE');
  });

  it('help of an unknown command, and --version with an argument, are usage errors', () => {
    refused(
      ['help', 'nope'],
      'help: unknown command "nope"; commands: run, merge, crooks, sweep, potentials, bench, bias, help (see `langevin help help`)',
    );
    refused(['--version', 'x'], '--version: unexpected argument "x"; give --version alone');
    refused(['-x'], 'unknown option "-x"; commands: run, merge, crooks, sweep, potentials, bench, bias, help; options: --version, --help');
  });
});

describe('usage errors: one line on stderr naming the option, exit 2, nothing on stdout', () => {
  it.each([
    [['run', 'SPEC', '--out'], 'run: --out: got nothing; give a value (see `langevin help run`)'],
    [['run', 'SPEC', '--out='], 'run: --out: got nothing; give a value (see `langevin help run`)'],
    [
      ['run', 'SPEC', '--out', '--backend', 'cpu'],
      'run: --out: got no value (the next argument starts with "-"); give a value, or write --out=VALUE (see `langevin help run`)',
    ],
    [
      ['run', 'SPEC', '--save-positions'],
      'run: --save-positions needs --export DIR (the folder positions.npy goes to) (see `langevin help run`)',
    ],
    [
      ['run', 'SPEC', '--save-positions=yes', '--export', 'd'],
      'run: --save-positions takes no value; give it alone (see `langevin help run`)',
    ],
    [['run', 'SPEC', '--export', 'a', '--export=b'], 'run: --export: given twice ("a" and "b"); give it once (see `langevin help run`)'],
    [['bench', '--k=0'], 'bench: --k: got "0"; give up to 64 comma-separated integers from 1 to 1024 (see `langevin help bench`)'],
    // numbers as JSON writes them: no hex, no spaces; lists of at most 64 (each entry is a whole run)
    [['bench', '--k', '0x10'], 'bench: --k: got "0x10"; give up to 64 comma-separated integers from 1 to 1024 (see `langevin help bench`)'],
    [['bench', '--k', ' 8'], 'bench: --k: got " 8"; give up to 64 comma-separated integers from 1 to 1024 (see `langevin help bench`)'],
    [
      ['bench', `--k=${Array(65).fill(8).join(',')}`],
      `bench: --k: got "${Array(65).fill(8).join(',')}"; give up to 64 comma-separated integers from 1 to 1024 (see \`langevin help bench\`)`,
    ],
    [
      ['bias', 'SPEC', '--dt', '0x1'],
      'bias: --dt: got "0x1"; give up to 64 comma-separated step sizes > 0, e.g. 0.001,0.003,0.01 (see `langevin help bias`)',
    ],
    [
      ['bias', 'SPEC', '--dt', '0.01, 0.02'],
      'bias: --dt: got "0.01, 0.02"; give up to 64 comma-separated step sizes > 0, e.g. 0.001,0.003,0.01 (see `langevin help bias`)',
    ],
    [
      ['bench', 'extra'],
      'bench: unexpected argument "extra"; allowed: --quick, --json, --particles, --k, --wg, --help (see `langevin help bench`)',
    ],
    [['bias', 'SPEC', '--json=1'], 'bias: --json takes no value; give it alone (see `langevin help bias`)'],
    [['bias', 'SPEC', '--particles=0'], 'bias: --particles: got "0"; give an integer from 1 to 2147483647 (see `langevin help bias`)'],
    [['bias', 'SPEC', '--dt'], 'bias: --dt: got nothing; give a value (see `langevin help bias`)'],
    [
      ['bias', 'SPEC', '--fast'],
      'bias: unknown option --fast; allowed: --dt, --integrators, --particles, --max-steps, --json, --backend, --set, --help (see `langevin help bias`)',
    ],
  ])('%j', async (args, line) => {
    const r = await inProcess(args.map((a) => (a === 'SPEC' ? spec : a)));
    expect(r.stderr).toBe(`langevin: invalid input: ${line}\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });

  it('spawned: a usage error has no stack trace, exit 2, nothing on stdout', () => {
    const r = cli(['run', spec, '--out']);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'langevin: invalid input: run: --out: got nothing; give a value (see `langevin help run`)\n',
    });
  });

  it('--opt=value is accepted by bench as by run and bias (a bad value is then the only fault)', () => {
    refused(
      ['bench', '--particles=1,x'],
      'bench: --particles: got "1,x"; give up to 64 comma-separated integers from 1 to 2147483647 (see `langevin help bench`)',
    );
    refused(
      ['bias', spec, '--integrators=rk4'],
      'bias: --integrators: got "rk4"; allowed: em, lm, baoab, mala, hmc (comma-separated) (see `langevin help bias`)',
    );
  });
});

describe('--set PATH=VALUE', () => {
  it('overrides fields of the spec (numbers, arrays, nested keys, a bare word as a string), in order', () => {
    const r = cli([
      'run',
      spec,
      '--backend=cpu',
      '--set',
      'dt=0.01',
      '--set=potential.params.h=2',
      '--set',
      'init.mean=[-1,0]',
      '--set',
      'init.mean.1=0.25',
      '--set',
      'integrator=baoab',
      '--set',
      'steps=10',
      '--set',
      'steps=20',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { steps: number };
    expect(result.steps).toBe(20);
    // the same run from a file holding the overridden spec gives the same numbers
    const edited = join(dir, 'edited.json');
    writeFileSync(
      edited,
      JSON.stringify({
        ...SMALL,
        dt: 0.01,
        potential: { name: 'double-well', params: { h: 2 } },
        init: { ...SMALL.init, mean: [-1, 0.25] },
        integrator: 'baoab',
        steps: 20,
      }),
    );
    const same = cli(['run', edited, '--backend', 'cpu']);
    // everything but the timings and the time it was written
    const strip = (s: string) => ({ ...JSON.parse(s), elapsedMs: 0, particleStepsPerSecond: 0, createdAt: '' });
    expect(strip(r.stdout)).toEqual(strip(same.stdout));
  });

  it('the validator names an overridden field exactly as for the file', () => {
    refused(['run', spec, '--set', 'integrator=rk4'], 'integrator: got "rk4"; must be one of: em, lm, baoab, mala, hmc');
    const file = join(dir, 'rk4.json');
    writeFileSync(file, JSON.stringify({ ...SMALL, integrator: 'rk4' }));
    expect(cli(['run', file]).stderr).toBe('langevin: invalid input: integrator: got "rk4"; must be one of: em, lm, baoab, mala, hmc\n');
    // a number past float64 reads as Infinity, from a file and from --set alike (not as null)
    refused(['run', spec, '--set', 'dt=1e999'], 'dt: got Infinity; must be a finite number > 0 or a schedule object');
    refused(
      ['bias', spec, '--set', 'dims=17'],
      cli(['run', spec, '--set', 'dims=17']).stderr.slice('langevin: invalid input: '.length, -1),
    );
  });

  it.each([
    ['dt', '--set "dt": give PATH=VALUE, e.g. --set dt=0.005'],
    ['dt=', '--set "dt=": got no value after "="; give a JSON value, e.g. 0.005, [-1,0] or "text"'],
    ['init..mean=1', '--set "init..mean=1": the path has an empty segment; give dotted keys, e.g. potential.params.h'],
    ['__proto__.polluted=1', '--set "__proto__.polluted=1": "__proto__" is not allowed in a path'],
    ['potential.constructor=1', '--set "potential.constructor=1": "constructor" is not allowed in a path'],
    ['init.prototype.x=1', '--set "init.prototype.x=1": "prototype" is not allowed in a path'],
    ['init.mean.2=1', '--set "init.mean.2=1": index 2 is out of range: init.mean has 2 elements'],
    ['init.mean.x=1', '--set "init.mean.x=1": init.mean is an array; give an index from 0 to 1, not "x"'],
    ['dt.x=1', '--set "dt.x=1": dt is a number, not an object or array'],
    ['integrator.x=1', '--set "integrator.x=1": integrator is a string, not an object or array'],
  ])('refuses %j', async (arg, line) => {
    expect(await inProcess(['run', spec, '--set', arg])).toEqual({ code: 2, stdout: '', stderr: `langevin: invalid input: ${line}\n` });
  });

  it('refuses a value that is neither JSON nor a plain word, naming the argument', async () => {
    const r = await inProcess(['run', spec, '--set', 'init.mean=[1,']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^langevin: invalid input: --set "init\.mean=\[1,": the value is not JSON \([^\n]*\); quote a string as '"text"'\n$/,
    );
  });

  it('the file limits hold for the spec with its overrides (nesting depth)', async () => {
    const deep = '['.repeat(230) + ']'.repeat(230);
    const r = cli([
      'run',
      spec,
      '--set',
      `a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d=${deep}`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^langevin: invalid input: the spec with its --set overrides:1:\d+: JSON nested too deeply: more than 256 levels/,
    );
  });
});

describe('in process: parseOverride and applyOverrides', () => {
  it('bare words are strings; JSON keywords and numbers are not; a path lands where it says', () => {
    expect(parseOverride('integrator=baoab').value).toBe('baoab');
    expect(parseOverride('potential.data.file=data/x.csv').value).toBe('data/x.csv');
    expect(parseOverride('a=true').value).toBe(true);
    expect(parseOverride('a=null').value).toBe(null);
    expect(parseOverride('a="1"').value).toBe('1');
    expect(parseOverride('a=1e-3').value).toBe(0.001);
    expect(() => parseOverride('a.b=x=y')).toThrow('--set "a.b=x=y": the value is not JSON');
    const raw = { a: { b: [1, { c: 2 }] } };
    expect(applyOverrides(raw, [parseOverride('a.b.1.c=3'), parseOverride('new.key=4'), parseOverride('a.b.0=[5]')])).toEqual({
      a: { b: [[5], { c: 3 }] },
      new: { key: 4 },
    });
    expect(raw).toEqual({ a: { b: [1, { c: 2 }] } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
