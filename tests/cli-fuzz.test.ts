/**
 * Hostile inputs through the real command, seeded and reproducible: mutated
 * specs (a field set to a hostile value or removed, the text cut or a byte
 * put in), files that are not regular files, and mutated command lines (bad,
 * repeated and missing options, extra arguments, --out into a missing folder,
 * onto a folder, a device, a FIFO, symbolic links). Every case checks:
 * - the exit status the API predicts (2 exactly when `prepare` or the
 *   argument rules refuse, else 0);
 * - stderr: one line "langevin: invalid input: …" on a refusal, never a stack frame;
 * - an existing --out file (and a linked one) byte for byte as it was after a
 *   failing run, a complete result after a successful one, never a temporary file.
 * A failing case is rerun by its label (the seed fixes every case).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepare, type RunResult } from '../src/engine.ts';
import { InputError } from '../src/errors.ts';
import { parseJsonText } from '../src/json.ts';
import { cli, SMALL, STACK_FRAME, temps } from './cli-support.ts';

const SEED = 0x5eed14;

/** mulberry32: a small seeded generator, so the cases are the same on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const random = generator(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];

const GOOD = { ...SMALL, init: { kind: 'point', x: [1, -1] } };
const FIELDS = [
  'dims',
  'particles',
  'dt',
  'steps',
  'seed',
  'temperature',
  'integrator',
  'potential',
  'init',
  'observe',
  'histogram',
  'stepsPerDispatch',
  'frobs',
];
/** Values that are invalid, or valid and cheap (no value asks for a long or huge run). */
const HOSTILE: unknown[] = [
  null,
  -1,
  0,
  0.5,
  1e308,
  -1e-308,
  2 ** 53,
  '',
  'x',
  '10',
  true,
  [],
  {},
  [1, 2, 3],
  { a: 1 },
  'harmonic',
  nest(40),
];
const BYTES = ['\u0000', '}', '{', '"', ',', ':', '\\', '\uffff', 'é', ' ', '\n', '1', '-', 'e'];

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Where --out points, and whether that is allowed. */
const OUTS = {
  existing: true,
  fresh: true,
  'link-to-existing': true,
  'missing-folder': false,
  folder: false,
  'link-to-folder': false,
  'dangling-into-missing-folder': false,
  'dev-null': false,
  fifo: false,
} as const;
type OutKind = keyof typeof OUTS;

/** What the spec file is. */
type SpecFile = { kind: 'text'; text: string } | { kind: 'missing' | 'folder' | 'fifo' | 'dev-zero' | 'loop' | 'trailing-slash' };

interface Case {
  label: string;
  spec: SpecFile;
  /** the arguments after `run`, with SPEC and OUT standing for the paths */
  args: string[];
  out?: OutKind;
}

/** 2 when the API refuses the text (as JSON or as a spec), else 0. */
function verdict(text: string): 0 | 2 {
  try {
    prepare(parseJsonText(text, 'spec.json'));
    return 0;
  } catch (e) {
    if (e instanceof InputError) return 2;
    throw e;
  }
}

function specCases(): Case[] {
  const cases: Case[] = [];
  const good = JSON.stringify(GOOD, null, 2);
  for (let i = 0; i < 8; i++) {
    const field = pick(FIELDS);
    const value = pick(HOSTILE);
    const text = JSON.stringify({ ...GOOD, [field]: value });
    cases.push({
      label: `${field} = ${JSON.stringify(value).slice(0, 30)}`,
      spec: { kind: 'text', text },
      args: ['SPEC', '--backend', 'cpu', '--out', 'OUT'],
      out: 'existing',
    });
  }
  for (let i = 0; i < 2; i++) {
    const field = pick(FIELDS);
    const { [field]: _, ...rest } = GOOD as Record<string, unknown>;
    cases.push({
      label: `without ${field}`,
      spec: { kind: 'text', text: JSON.stringify(rest) },
      args: ['SPEC', '--backend=cpu', '--out', 'OUT'],
      out: 'existing',
    });
  }
  for (let i = 0; i < 3; i++) {
    const at = Math.floor(random() * good.length);
    cases.push({
      label: `cut at ${at}`,
      spec: { kind: 'text', text: good.slice(0, at) },
      args: ['SPEC', '--backend', 'cpu', '--out', 'OUT'],
      out: 'existing',
    });
  }
  for (let i = 0; i < 4; i++) {
    const at = Math.floor(random() * good.length);
    const byte = pick(BYTES);
    const text = good.slice(0, at) + byte + good.slice(at);
    cases.push({
      label: `${JSON.stringify(byte)} put in at ${at}`,
      spec: { kind: 'text', text },
      args: ['SPEC', '--backend', 'cpu', '--out', 'OUT'],
      out: 'existing',
    });
  }
  for (const kind of ['missing', 'folder', 'fifo', 'dev-zero', 'loop', 'trailing-slash'] as const)
    cases.push({ label: `spec file: ${kind}`, spec: { kind }, args: ['SPEC', '--backend', 'cpu', '--out', 'OUT'], out: 'existing' });
  return cases;
}

/** Option tokens and whether each is allowed on its own. */
const TOKENS: [string[], boolean][] = [
  [['--backend', 'cpu'], true],
  [['--backend=cpu'], true],
  [['--backend', 'cuda'], false],
  [['--backend='], false],
  [['--fast'], false],
  [['-x'], false],
  [['--OUT', 'OUT'], false],
  [['second.json'], false],
  [['--out', 'OUT'], true],
  [['--out=OUT'], true],
];

function commandLineCases(): Case[] {
  const text = JSON.stringify(GOOD);
  // every --out target once, then random option lists
  const cases: Case[] = (Object.keys(OUTS) as OutKind[]).map((out) => ({
    label: `--out onto ${out}`,
    spec: { kind: 'text', text },
    args: ['SPEC', '--backend', 'cpu', '--out', 'OUT'],
    out,
  }));
  const labels = new Set<string>();
  while (labels.size < 8) {
    const tokens = Array.from({ length: Math.floor(random() * 3) }, () => pick(TOKENS));
    const args = ['SPEC', '--backend', 'cpu', ...tokens.flatMap(([t]) => t)];
    if (random() < 0.15) args.push('--out'); // a last option with no value
    const out = args.some((a) => a.includes('OUT')) ? pick(Object.keys(OUTS) as OutKind[]) : undefined;
    const label = args.join(' ') + (out ? ` (OUT: ${out})` : '');
    if (labels.has(label)) continue;
    labels.add(label);
    cases.push({ label, spec: { kind: 'text', text }, args, out });
  }
  return cases;
}

/** 0 or 2, from the argument rules: every token allowed, no option twice, a value for each, --out allowed. */
function expectedStatus(c: Case): 0 | 2 {
  const filesOk = c.spec.kind === 'text' && (c.out === undefined || OUTS[c.out]);
  const count = (name: string) => c.args.filter((a) => a === name || a.startsWith(`${name}=`)).length;
  const tokensOk =
    c.args.every((a) => a === 'SPEC' || TOKENS.some(([t, ok]) => ok && t.includes(a)) || a === 'cpu' || a === 'OUT') &&
    count('--backend') === 1 &&
    count('--out') <= 1 &&
    c.args[c.args.length - 1] !== '--out';
  if (!filesOk || !tokensOk) return 2;
  return c.spec.kind === 'text' ? verdict(c.spec.text) : 2;
}

const CASES = [...specCases(), ...commandLineCases()];
const PREVIOUS = Buffer.from('{"previous": "result"}\n\u00ff\u0000', 'latin1');

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'langevin-fuzz-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A character device like /dev/null to aim --out at: as root, a private node
 * made in the case's folder, so that a regression that renamed over it could
 * not replace the system's /dev/null; as another user /dev/null itself,
 * which only root could replace.
 */
function devNull(folder: string): () => string {
  return () => {
    const node = join(folder, 'null');
    return process.getuid?.() === 0 && spawnSync('mknod', ['-m', '666', node, 'c', '1', '3']).status === 0 ? node : '/dev/null';
  };
}

/** A folder for one case: the spec, an existing result, the --out target; returns the paths. */
function setUp(c: Case, index: number) {
  const folder = join(root, `case-${index}`);
  mkdirSync(folder);
  const existing = join(folder, 'existing.json');
  writeFileSync(existing, PREVIOUS);
  const spec = join(folder, 'spec.json');
  const s = c.spec;
  if (s.kind === 'text') writeFileSync(spec, s.text);
  else if (s.kind === 'folder') mkdirSync(spec);
  else if (s.kind === 'fifo') spawnSync('mkfifo', [spec]);
  else if (s.kind === 'dev-zero') symlinkSync('/dev/zero', spec);
  else if (s.kind === 'loop') symlinkSync('spec.json', spec);
  const specArg = s.kind === 'trailing-slash' ? join(folder, 'existing.json') + '/' : spec;
  const outs: Record<OutKind, () => string> = {
    existing: () => existing,
    fresh: () => join(folder, 'fresh.json'),
    'link-to-existing': () => (symlinkSync('existing.json', join(folder, 'link.json')), join(folder, 'link.json')),
    'missing-folder': () => join(folder, 'missing', 'out.json'),
    folder: () => folder,
    'link-to-folder': () => (symlinkSync('.', join(folder, 'here')), join(folder, 'here')),
    'dangling-into-missing-folder': () => (symlinkSync('missing/x.json', join(folder, 'dangling')), join(folder, 'dangling')),
    'dev-null': devNull(folder),
    fifo: () => (spawnSync('mkfifo', [join(folder, 'out.fifo')]), join(folder, 'out.fifo')),
  };
  const out = c.out ? outs[c.out]() : '';
  const args = c.args.map((a) => a.replace('SPEC', specArg).replace('OUT', out));
  return { folder, existing, out, args };
}

describe(`langevin run fuzz (seed ${SEED})`, () => {
  it.each(CASES.map((c, i) => [c.label, i, c] as const))('%s', (_label, index, c) => {
    const expected = expectedStatus(c);
    const { folder, existing, out, args } = setUp(c, index);
    const r = cli(['run', ...args], { timeoutMs: 60_000 });
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.code).toBe(expected);
    expect(temps(folder)).toEqual([]);
    if (expected === 2) {
      expect(r.stderr).toMatch(/^langevin: invalid input: [^\n]+\n$/);
      expect(readFileSync(existing).equals(PREVIOUS)).toBe(true);
      return;
    }
    const written = out === '' ? r.stdout : readFileSync(out, 'utf8');
    const result = JSON.parse(written) as RunResult;
    expect(result.partial).toBeUndefined();
    expect(result.steps).toBe((JSON.parse((c.spec as { text: string }).text) as { steps: number }).steps);
    if (c.out === 'fresh') expect(readFileSync(existing).equals(PREVIOUS)).toBe(true);
  });

  it('covers every kind of case (the seed draws refusals and successes, spec and command-line faults)', () => {
    const statuses = CASES.map(expectedStatus);
    expect(statuses.filter((s) => s === 0).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s === 2).length).toBeGreaterThanOrEqual(20);
    expect(new Set(CASES.map((c) => c.out))).toEqual(new Set([undefined, ...Object.keys(OUTS)]));
  });
});
