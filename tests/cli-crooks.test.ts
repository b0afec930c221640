/**
 * `langevin crooks FORWARD.json REVERSE.json [--json] [--out FILE]` through the
 * real command, on results of `langevin run` made here: a 1-D harmonic trap
 * whose stiffness k goes linearly from 1 to 4 (forward, from the equilibrium
 * at k = 1) and back (reverse, from the equilibrium at k = 4). Exact:
 * ΔF = (T/2) ln 4, and Crooks' slope is 1/T. Then every refusal (exit 2, one
 * line naming the file and the field, no stack trace) and --out.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectRefusal, temps } from './cli-support.ts';

const T = 1;
/** ΔF of the forward switch: −T ln(Z(k=4)/Z(k=1)) = (T/2) ln 4. */
const EXACT = (T / 2) * Math.log(4);

/** The forward switch: k from 1 to 4 in 500 steps of 0.001, 20 000 walkers from the equilibrium at k = 1. */
const FORWARD = {
  dims: 1,
  particles: 20_000,
  potential: { expr: 'k*x^2/2', params: { k: { schedule: 'linear', from: 1, to: 4 } } },
  integrator: 'em',
  dt: 0.001,
  temperature: T,
  steps: 500,
  seed: 11,
  init: { kind: 'normal', std: Math.sqrt(T / 1) },
};
/** The same protocol backwards, from the equilibrium at k = 4 (std √(T/k) = 0.5), another seed. */
const REVERSE = { ...FORWARD, protocol: 'reverse', seed: 12, init: { kind: 'normal', std: Math.sqrt(T / 4) } };

let dir: string;
const at = (name: string) => join(dir, name);
const crooks = (...args: string[]) => cli(['crooks', ...args]);

/** Run `spec` on the CPU into DIR/NAME. */
function run(name: string, spec: object): string {
  const specFile = at(`${name}.spec.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const r = cli(['run', specFile, '--backend', 'cpu', '--out', at(name)]);
  expect(r.code, r.stderr).toBe(0);
  return at(name);
}

/** A copy of the result `from` as DIR/NAME, changed by `edit`. */
function edited(from: string, name: string, edit: (r: Record<string, any>) => void): string {
  const r = JSON.parse(readFileSync(from, 'utf8'));
  edit(r);
  writeFileSync(at(name), JSON.stringify(r, null, 2));
  return at(name);
}

let fwd: string;
let rev: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-crooks-'));
  fwd = run('forward.json', FORWARD);
  rev = run('reverse.json', REVERSE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('langevin crooks on a stiffness switch of a harmonic trap', () => {
  it('prints BAR ΔF within 5 errors of (T/2) ln 4, the Jarzynski estimates, a Crooks slope within 5 errors of 1/T and the reference', () => {
    const r = crooks(fwd, rev);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toContain(`Crooks analysis at T = 1: forward ${fwd} (20000 works), reverse ${rev} (20000 works)`);
    const bar = out.match(/ΔF \(BAR\) +(\S+) ± (\S+)/);
    expect(bar, out).not.toBeNull();
    const [dF, dFErr] = [Number(bar![1]), Number(bar![2])];
    expect(dFErr).toBeGreaterThan(0);
    expect(dFErr).toBeLessThan(0.02);
    expect(Math.abs(dF - EXACT)).toBeLessThan(5 * dFErr);
    expect(out).toMatch(/ΔF \(Jarzynski, forward\) +\S+ ± \S+/);
    expect(out).toMatch(/ΔF \(Jarzynski, reverse\) +\S+ ± \S+/);
    const slope = out.match(/Crooks slope +(\S+) ± (\S+) against 1\/T = 1: (within|NOT within) 3 errors/);
    expect(slope, out).not.toBeNull();
    expect(Math.abs(Number(slope![1]) - 1 / T)).toBeLessThan(5 * Number(slope![2]));
    expect(out).toMatch(/overlap +W from \S+ to \S+: \d+ bins with ≥ 10 works each way/);
    expect(out).toMatch(/ΔF \(Crooks intercept\) +\S+ ± \S+/);
    expect(out).toMatch(/exact ΔF +0\.693147 \(/);
    expect(out).toMatch(/exact ΔF, reverse +0\.693147 \(minus /);
    expect(out).toMatch(/^notes:/m);
  });

  it('--json: the same analysis as JSON', () => {
    const r = crooks(fwd, rev, '--json');
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout);
    expect(a).toMatchObject({ forward: fwd, reverse: rev, temperature: T, particles: { forward: 20_000, reverse: 20_000 } });
    expect(Math.abs(a.deltaF.bar - EXACT)).toBeLessThan(5 * a.deltaF.barError);
    for (const k of ['jarzynskiForward', 'jarzynskiForwardError', 'jarzynskiReverse', 'jarzynskiReverseError'])
      expect(Number.isFinite(a.deltaF[k]), k).toBe(true);
    // Jarzynski forward is the forward result's own estimate; the reverse one is minus the reverse result's
    const [f, b] = [JSON.parse(readFileSync(fwd, 'utf8')), JSON.parse(readFileSync(rev, 'utf8'))];
    expect(a.deltaF.jarzynskiForward).toBe(f.work.jarzynski.deltaF);
    expect(a.deltaF.jarzynskiReverse).toBe(-b.work.jarzynski.deltaF);
    expect(a.crooks.expectedSlope).toBe(1 / T);
    expect(Math.abs(a.crooks.slope - 1 / T)).toBeLessThan(5 * a.crooks.slopeError);
    expect(a.crooks.bins).toBeGreaterThanOrEqual(3);
    expect(a.crooks.range[0]).toBeLessThan(a.crooks.range[1]);
    expect(a.crooks.slopeWithin3Errors).toBe(Math.abs(a.crooks.slope - 1 / T) <= 3 * a.crooks.slopeError);
    expect(Math.abs(a.crooks.deltaF - EXACT)).toBeLessThan(5 * a.crooks.deltaFError);
    expect(a.reference).toBeCloseTo(EXACT, 9);
    expect(a.reference).toBe(f.work.reference.deltaF);
    expect(Array.isArray(a.notes)).toBe(true);
  });

  it('--out writes the JSON atomically (and the summary still goes to stdout); it refuses to overwrite an input', () => {
    const json = crooks(fwd, rev, '--json');
    const out = at('analysis.json');
    const r = crooks(fwd, rev, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Crooks analysis at T = 1/);
    expect(r.stderr).toBe(`langevin: the analysis written to ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(json.stdout);
    expect(temps(dir)).toEqual([]);
    const before = [readFileSync(fwd, 'utf8'), readFileSync(rev, 'utf8')];
    expectRefusal(
      crooks(fwd, rev, '--out', fwd),
      /^langevin: invalid input: --out: got ".*forward\.json"; that is the forward result itself/,
    );
    expectRefusal(
      crooks(fwd, rev, '--out', rev),
      /^langevin: invalid input: --out: got ".*reverse\.json"; that is the reverse result itself/,
    );
    expect([readFileSync(fwd, 'utf8'), readFileSync(rev, 'utf8')]).toEqual(before);
    expect(temps(dir)).toEqual([]);
  });
});

describe('langevin crooks refuses, naming the file and the field', () => {
  const file = (name: string) => name.replace(/\./g, '\\.');

  it('the results in the wrong order: suggests swapping them', () => {
    expectRefusal(
      crooks(rev, fwd),
      new RegExp(
        `^langevin: invalid input: ${file(rev)}: work\\.protocol: got "reverse" .*swap them, \`langevin crooks ${file(fwd)} ${file(rev)}\``,
      ),
    );
  });

  it('two forward runs (the second must be a reverse run)', () => {
    const copy = at('forward-copy.json');
    copyFileSync(fwd, copy);
    expectRefusal(
      crooks(fwd, copy),
      new RegExp(`^langevin: invalid input: ${file(copy)}: work\\.protocol: got "forward"; .*"protocol": "reverse"`),
    );
  });

  it('a different temperature', () => {
    const hot = run('reverse-T2.json', { ...REVERSE, temperature: 2, init: { kind: 'normal', std: Math.sqrt(2 / 4) } });
    expectRefusal(
      crooks(fwd, hot),
      new RegExp(`^langevin: invalid input: ${file(hot)}: work\\.temperature: got 2 against 1 in ${file(fwd)}`),
    );
  });

  it('a different potential', () => {
    const other = run('reverse-k5.json', {
      ...REVERSE,
      potential: { expr: 'k*x^2/2', params: { k: { schedule: 'linear', from: 1, to: 5 } } },
    });
    expectRefusal(
      crooks(fwd, other),
      new RegExp(`^langevin: invalid input: ${file(other)}: spec\\.potential: got .* against .* in ${file(fwd)}`),
    );
  });

  it.each([
    ['dims', 2],
    ['dt', 0.002],
    ['integrator', 'lm'],
    ['steps', 400],
  ])('a different spec.%s', (field, value) => {
    const other = edited(rev, `reverse-${field}.json`, (r) => (r.spec[field] = value));
    expectRefusal(
      crooks(fwd, other),
      new RegExp(`^langevin: invalid input: ${file(other)}: spec\\.${field}: got ${JSON.stringify(value)} against .* in ${file(fwd)}`),
    );
  });

  it('a partial result, forward or reverse', () => {
    const partial = { reason: 'cancelled', stepsPlanned: 500 };
    const f = edited(fwd, 'forward-partial.json', (r) => (r.partial = partial));
    const b = edited(rev, 'reverse-partial.json', (r) => (r.partial = partial));
    expectRefusal(
      crooks(f, rev),
      new RegExp(`^langevin: invalid input: ${file(f)}: partial: a partial result \\("cancelled" at step 500 of 500\\)`),
    );
    expectRefusal(crooks(fwd, b), new RegExp(`^langevin: invalid input: ${file(b)}: partial: `));
  });

  it('a result without a work section', () => {
    const b = edited(rev, 'reverse-nowork.json', (r) => delete r.work);
    expectRefusal(crooks(fwd, b), new RegExp(`^langevin: invalid input: ${file(b)}: work: missing; .*schedule`));
  });

  it('no walker with a finite work, and invalid fine histograms', () => {
    const cases: [string, (w: Record<string, any>) => void, string][] = [
      ['particles0', (w) => (w.particles = 0), 'work\\.particles: got 0'],
      ['nofine', (w) => delete w.fine, 'work\\.fine: got nothing'],
      ['width0', (w) => (w.fine.width = 0), 'work\\.fine\\.width: got 0'],
      ['width3', (w) => (w.fine.width = 3), 'work\\.fine\\.width: got 3'],
      ['low', (w) => (w.fine.low = 'x'), 'work\\.fine\\.low: got "x"'],
      ['negative', (w) => (w.fine.counts[3] = -1), 'work\\.fine\\.counts\\[3\\]: got -1'],
      ['fraction', (w) => (w.fine.counts[2] = 0.5), 'work\\.fine\\.counts\\[2\\]: got 0\\.5'],
      ['sum', (w) => (w.fine.counts[0] += 1), 'work\\.fine\\.counts: they add up to 20001'],
    ];
    for (const [name, edit, field] of cases) {
      const f = edited(fwd, `forward-${name}.json`, (r) => edit(r.work));
      expectRefusal(crooks(f, rev), new RegExp(`^langevin: invalid input: ${file(f)}: ${field}`));
    }
  });

  it('a file that is not JSON, a JSON array, a spec file, a missing file', () => {
    const text = at('not-json.json');
    writeFileSync(text, 'not json\n');
    expectRefusal(crooks(fwd, text), new RegExp(`^langevin: invalid input: ${file(text)}:1:1: invalid JSON`));
    const array = at('array.json');
    writeFileSync(array, '[1, 2]\n');
    expectRefusal(crooks(array, rev), new RegExp(`^langevin: invalid input: ${file(array)}: not a result \\(an array`));
    const spec = at('reverse.json.spec.json');
    expectRefusal(crooks(fwd, spec), new RegExp(`^langevin: invalid input: ${file(spec)}: spec: missing; not a result`));
    const missing = at('missing.json');
    expectRefusal(crooks(fwd, missing), new RegExp(`^langevin: invalid input: cannot read result file ${file(missing)}: no such file`));
  });

  it('the wrong number of files, one file twice', () => {
    expectRefusal(crooks(fwd), /^langevin: invalid input: crooks: give the forward and the reverse result.*\(got one\)/);
    expectRefusal(crooks(fwd, rev, rev), /^langevin: invalid input: crooks: .*"/);
    expectRefusal(crooks(fwd, fwd), /^langevin: invalid input: crooks: .* is given twice/);
  });
});

describe('help', () => {
  it('`langevin help crooks`, `crooks --help` and the command list', () => {
    const h = cli(['help', 'crooks']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: langevin crooks FORWARD\.json REVERSE\.json \[--json\] \[--out FILE\]/);
    expect(cli(['crooks', '--help']).stdout).toBe(h.stdout);
    expect(cli(['help']).stdout).toMatch(/^ {2}langevin crooks FORWARD\.json REVERSE\.json/m);
    expect(cli(['help']).stdout).toMatch(/^crooks {6}free energy/m);
  });
});
