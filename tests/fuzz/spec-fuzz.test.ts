/**
 * The in-process fuzz test of the input side (issue 14, item 8): over 10 000
 * seeded mutants of every example spec (tests/fuzz/mutations.ts) go through
 * `prepare` (and some, as text, through `parseJsonText` first). Each must give
 * either a prepared spec whose numbers are finite and whose potential
 * evaluates, or an InputError whose message starts with the field it names, a
 * field that is in the spec or that the spec format knows, on one line (three
 * with an expression's caret) — never another exception.
 *
 * The generator's seed is fixed. A failing case is written to
 * tests/fuzz/corpus/failures.json (its id, and the spec when it can be
 * written as JSON), which the test replays first. The committed corpus holds
 * a sample of the 881 cases that failed before the fixes of issue 14 (stack
 * overflows, messages broken across lines, parameters beyond f32 accepted).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/engine.ts';
import { InputError } from '../../src/errors.ts';
import { JsonSyntaxError, parseJsonText } from '../../src/json.ts';
import { F32_MAX } from '../../src/limits.ts';
import { resolveDataFile } from '../../src/node/data.ts';
import { mutant, mutantText, type Value } from './mutations.ts';

/** Mutants per example: 7 examples (the CSV one both resolved and with its `file`) × 1500 = 10 500 cases. */
const CASES_PER_EXAMPLE = 1500;
const CORPUS = 'tests/fuzz/corpus/failures.json';

/** Field paths the spec format knows, indices left out: a message may name one that the spec leaves out. */
const KNOWN = new Set([
  ...['dims', 'particles', 'potential', 'integrator', 'dt', 'temperature', 'steps', 'seed', 'init', 'stepsPerDispatch'],
  ...['histogram', 'observe', 'mass', 'friction', 'leapfrogSteps', 'batch', 'replace', 'spec'],
  ...['name', 'expr', 'params', 'data', 'example', 'prior'].map((k) => `potential.${k}`),
  ...['columns', 'rows', 'file'].map((k) => `potential.data.${k}`),
  ...['kind', 'mean', 'std', 'low', 'high', 'x', 'velocity'].map((k) => `init.${k}`),
  ...['dims', 'bins', 'low', 'high', 'from', 'every'].map((k) => `histogram.${k}`),
  ...['every', 'target', 'radius'].map((k) => `observe.${k}`),
  ...['schedule', 'from', 'to', 'c', 'n0', 'values', 'a', 'b', 'gamma', 'dt0', 'cycles'].map((k) => `dt.${k}`),
  ...['schedule', 'from', 'to', 'c', 'n0', 'values'].map((k) => `temperature.${k}`),
  ...['passage', 'protocol', 'init.steps', 'init.from', 'passage.region', 'passage.absorb', 'passage.bridge'],
  ...['low', 'high', 'center', 'radius'].map((k) => `passage.region.${k}`),
  ...['kind', 'mean', 'std', 'low', 'high', 'x'].map((k) => `init.from.${k}`),
]);

/** The fields of a potential parameter's schedule (`potential.params.NAME.FIELD`, any NAME). */
const PARAM_SCHEDULE = new Set(['schedule', 'from', 'to', 'c', 'n0', 'values', 'mean', 'amplitude', 'period', 'phase']);

type Segment = { name: string } | { index: number } | { quoted: string };

/** The segments of a field path: `a.b[2]["…"]`. */
function segments(path: string): Segment[] | undefined {
  const out: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') i++;
    if (path.startsWith('["', i)) {
      const end = [path.indexOf('"]', i + 2), path.indexOf('...]', i + 2)].filter((e) => e >= 0);
      if (end.length === 0) return undefined;
      const stop = Math.min(...end);
      out.push({ quoted: path.slice(i + 1, stop + 1) });
      i = path.indexOf(']', stop) + 1;
    } else if (path[i] === '[') {
      const m = /^\[(\d+)\]/.exec(path.slice(i));
      if (!m) return undefined;
      out.push({ index: Number(m[1]) });
      i += m[0].length;
    } else {
      const m = /^[^.[]+/.exec(path.slice(i));
      if (!m) return undefined;
      out.push({ name: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** Whether `field` names a value in `spec`, or a field the format knows that `spec` leaves out. */
function isSpecField(field: string, spec: Value): boolean {
  const segs = segments(field.split(' (')[0]);
  if (!segs || segs.length === 0) return false;
  let node: Value = spec;
  const names: string[] = [];
  for (const s of segs) {
    if ('quoted' in s) {
      // an escaped key (JSON string syntax) of an object we reached: that key, or one it is the start of when the message shortened it
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return false;
      const complete = s.quoted.length > 1 && s.quoted.endsWith('"');
      let key: string;
      try {
        // a shortened key may end inside an escape (`\u008`): that partial escape is dropped
        key = JSON.parse(complete ? s.quoted : s.quoted.replace(/\.*$/, '').replace(/\\(u[0-9a-fA-F]{0,3})?$/, '') + '"') as string;
      } catch {
        return false;
      }
      const own = Object.keys(node).find((k) => (complete ? k === key : k.startsWith(key)));
      if (own === undefined) return false;
      names.push(own);
      node = (node as Record<string, Value>)[own];
      continue;
    }
    if ('index' in s) {
      // An element of a number broadcast to every coordinate (`"high": 1` → high[1]) is an element of a known field.
      if (!Array.isArray(node)) return typeof node === 'number' && KNOWN.has(names.join('.'));
      if (s.index >= node.length) return false;
      node = node[s.index];
      continue;
    }
    names.push(s.name);
    if (typeof node === 'object' && node !== null && Object.hasOwn(node, s.name)) node = (node as Record<string, Value>)[s.name];
    else
      return (
        KNOWN.has(names.join('.')) ||
        (names.length === 1 && s.name === 'spec') ||
        (names.length === 4 && names[0] === 'potential' && names[1] === 'params' && PARAM_SCHEDULE.has(names[3]))
      );
  }
  return true;
}

/** What is wrong with this outcome of `prepare(spec)`, if anything. */
function problem(spec: Value): string | undefined {
  let prepared;
  try {
    prepared = prepare(spec);
  } catch (e) {
    return refusalProblem(e, spec);
  }
  const numbers: number[] = [];
  // a passage box's unbounded sides are −Infinity (low) and +Infinity (high) by design (null in the JSON); nothing else may be
  const region = prepared.spec.passage?.region;
  if (region?.kind === 'box') {
    if (region.low.some((x) => x === Infinity) || region.high.some((x) => x === -Infinity)) return 'accepted an inverted infinite bound';
    numbers.push(...region.low.filter((x) => x !== -Infinity), ...region.high.filter((x) => x !== Infinity));
  }
  const { passage, ...rest } = prepared.spec;
  const stack: Value[] = [rest as unknown as Value, ...(passage?.region.kind === 'ball' ? [passage as unknown as Value] : [])];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') numbers.push(v);
    else if (typeof v === 'object' && v !== null) stack.push(...Object.values(v));
  }
  if (!numbers.every(Number.isFinite)) return 'accepted a spec with a non-finite number';
  if (!Array.from(prepared.potential.paramValues).every((p) => Math.abs(p) <= F32_MAX)) return 'accepted a parameter outside f32';
  const x = new Array<number>(prepared.spec.dims).fill(0.25);
  const e = prepared.potential.energy(x);
  if (typeof e !== 'number') return `energy returned ${typeof e}`;
  return undefined;
}

/** What is wrong with error `e` as the refusal of `spec`, if anything. */
function refusalProblem(e: unknown, spec: Value): string | undefined {
  if (!(e instanceof InputError)) return `threw ${(e as Error)?.constructor?.name}: ${String((e as Error)?.message).slice(0, 300)}`;
  const field = (e as { field?: unknown }).field;
  if (typeof field !== 'string') return `${e.name} names no field: ${e.message.slice(0, 300)}`;
  if (!e.message.startsWith(`${field}: `) && !e.message.startsWith(`${field} (`)) return `message does not start with its field ${field}`;
  if (!isSpecField(field, spec)) return `names a field not in the spec: ${field.slice(0, 200)}`;
  return messageProblem(e.message);
}

/** One line (three with an expression's caret), no raw line separators, bounded. */
function messageProblem(message: string): string | undefined {
  if (message.split('\n').length > 3 || /[\r\u000b\u000c\u0085\u2028\u2029]/.test(message))
    return `message breaks lines: ${JSON.stringify(message.slice(0, 300))}`;
  if (message.length > 4000) return `message of ${message.length} characters`;
  return undefined;
}

/** What is wrong with parsing `text` and preparing the result, if anything. */
function textProblem(text: string): string | undefined {
  let raw: Value;
  try {
    raw = parseJsonText(text, 'fuzz.json');
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) return `parseJsonText threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
    if (!/^fuzz\.json(:\d+:\d+)?: /.test(e.message)) return `JSON error without its source: ${e.message.slice(0, 200)}`;
    return messageProblem(e.message);
  }
  return problem(raw);
}

/** The examples, by name: every examples/*.json but the sweep files (sweep-*.json), the CSV one both with its file read and as written. */
function examples(): [string, Record<string, Value>][] {
  const out: [string, Record<string, Value>][] = [];
  for (const f of readdirSync('examples').filter((n) => n.endsWith('.json') && !n.startsWith('sweep-'))) {
    const raw = JSON.parse(readFileSync(`examples/${f}`, 'utf8')) as Record<string, Value>;
    const resolved = resolveDataFile(raw, `examples/${f}`) as Record<string, Value>;
    out.push([f, resolved]);
    if (resolved !== raw) out.push([`${f} (file)`, raw]);
  }
  return out;
}

/** A failing case: its id, and the spec as written by `encode` when it can be. */
interface Failure {
  example: string;
  case: number;
  text?: boolean;
  problem?: string;
  spec?: string;
}

/** JSON with NaN, ±Infinity, −0 and undefined kept as {"$": "NaN"} etc. */
function encode(v: Value): string | undefined {
  try {
    return JSON.stringify(v, (_, x) =>
      typeof x === 'number' && (!Number.isFinite(x) || Object.is(x, -0))
        ? { $: String(Object.is(x, -0) ? '-0' : x) }
        : x === undefined
          ? { $: 'undefined' }
          : x,
    );
  } catch {
    return undefined; // nested too deeply for JSON.stringify: the id reproduces it
  }
}

function decode(text: string): Value {
  return JSON.parse(text, (_, x) =>
    x && typeof x === 'object' && typeof x.$ === 'string' && Object.keys(x).length === 1
      ? x.$ === 'undefined'
        ? undefined
        : Number(x.$)
      : x,
  );
}

/** Run case `i` of an example: the spec, and every 4th case its text too. */
function runCase(name: string, spec: Record<string, Value>, i: number): Failure[] {
  const out: Failure[] = [];
  const m = mutant(name, spec, i);
  const p = problem(m);
  if (p) out.push({ example: name, case: i, problem: p, spec: encode(m) });
  if (i % 4 === 0) {
    const text = mutantText(name, m, i);
    const t = text === undefined ? undefined : textProblem(text);
    if (t) out.push({ example: name, case: i, text: true, problem: t });
  }
  return out;
}

describe('fuzz: hostile specs are refused cleanly or prepared', () => {
  const all = examples();
  const byName = new Map(all);

  it('the corpus of past failures passes', () => {
    const corpus: Failure[] = existsSync(CORPUS) ? JSON.parse(readFileSync(CORPUS, 'utf8')) : [];
    const still: string[] = [];
    for (const f of corpus) {
      const spec = byName.get(f.example);
      if (spec) for (const r of runCase(f.example, spec, f.case)) still.push(`${r.example} #${r.case}: ${r.problem}`);
      if (f.spec !== undefined) {
        const p = problem(decode(f.spec));
        if (p) still.push(`${f.example} #${f.case} (stored spec): ${p}`);
      }
    }
    expect(still).toEqual([]);
  });

  it(`${all.length} examples × ${CASES_PER_EXAMPLE} mutants`, () => {
    const t0 = performance.now();
    const failures: Failure[] = [];
    for (const [name, spec] of all) for (let i = 0; i < CASES_PER_EXAMPLE; i++) failures.push(...runCase(name, spec, i));
    const seconds = (performance.now() - t0) / 1000;
    console.log(`fuzz: ${all.length * CASES_PER_EXAMPLE} cases in ${seconds.toFixed(1)} s, ${failures.length} failures`);
    if (failures.length > 0) {
      const corpus: Failure[] = existsSync(CORPUS) ? JSON.parse(readFileSync(CORPUS, 'utf8')) : [];
      const seen = new Set(corpus.map((f) => `${f.example}#${f.case}`));
      for (const f of failures) if (!seen.has(`${f.example}#${f.case}`)) corpus.push(f);
      writeFileSync(CORPUS, JSON.stringify(corpus, null, 1) + '\n');
    }
    expect(failures.slice(0, 20).map((f) => `${f.example} #${f.case}${f.text ? ' (text)' : ''}: ${f.problem}`)).toEqual([]);
    expect(all.length * CASES_PER_EXAMPLE).toBeGreaterThanOrEqual(10_000);
  });
});
