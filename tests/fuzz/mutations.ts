/**
 * A seeded generator of hostile specs for the in-process fuzz test: each case
 * is a valid example spec with one to three mutations, field by field (wrong
 * types, null, NaN-ish strings, huge, tiny and negative numbers, deep nesting,
 * long and unicode strings, line terminators, `$&`-style replacement
 * patterns, `__proto__`/`constructor` keys, removal, duplication into arrays,
 * operator soup in expressions). Case `i` of example `name` depends only on
 * (name, i), so a failure is reproduced from its id alone.
 */
import { rng } from '../fixtures/random.ts';

/** A JSON-like value as the validator receives it (numbers may be NaN or infinite, keys anything). */
export type Value = unknown;

/** A random source on [0, 1) and the helpers built on it. */
export class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = rng(seed);
  }

  float(): number {
    return this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** FNV-1a of a string: the seed of an example's cases. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Line terminators and other characters that break messages or parsers. */
const AWKWARD = [
  '\u2028',
  '\u2029',
  '\u000b',
  '\u000c',
  '\u0085',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\ufeff',
  '\ud800',
  '😀',
  'ü',
  '∂',
  '"',
  "'",
  '`',
  '\\',
];

/** Replacement patterns of String.prototype.replace and template syntax. */
const PATTERNS = ['$&', "$'", '$`', '$1', '$$', '${x}', '%s', '%d', '{{x}}', '<script>'];

const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype', 'isPrototypeOf'];

const NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  2,
  3,
  17,
  65,
  1024,
  1025,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  1e308,
  -1e308,
  1e39,
  -1e39,
  3.4028234663852886e38,
  3.4028235677973366e38,
  1e-40,
  5e-324,
  1e-45,
  -1e-300,
  NaN,
  Infinity,
  -Infinity,
  1.5,
  -2.5,
];

const NUMERIC_STRINGS = ['NaN', 'Infinity', '-Infinity', '1e999', '0x10', '1', '-0', ' 1 ', '1_000', '١', ''];

/** Tokens of operator soup: the language's own, mathjs's others, and hostile names. */
export const TOKENS = [
  'x',
  'y',
  'z',
  'w',
  'x0',
  'x1',
  'x15',
  'x16',
  'k',
  'a_0',
  'u',
  'v',
  'd',
  'lambda',
  '1',
  '0',
  '2.5',
  '1e39',
  '1e-50',
  '1e400',
  'pi',
  'e',
  'i',
  'Infinity',
  'NaN',
  'true',
  'null',
  'sin(',
  'cos(',
  'exp(',
  'log(',
  'sqrt(',
  'abs(',
  'asin(',
  'sign(',
  'sec(',
  'foo(',
  '(',
  ')',
  '+',
  '-',
  '*',
  '/',
  '^',
  '!',
  '==',
  '?',
  ':',
  '[',
  ']',
  '{',
  '}',
  ',',
  ';',
  '=',
  '.',
  "'",
  '"',
  ' ',
  'mod',
  'and',
  'cm',
  'x^1025',
  'x^-1025',
  'x^0.5',
  'x^x',
  'e^x',
  '1/0',
  '0^0',
  'log(0)',
  ...NAMES,
  ...AWKWARD,
  ...PATTERNS,
];

/** A string from `parts` of `n` pieces. */
function soup(r: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += r.pick(TOKENS);
  return s;
}

/** Expressions at and beyond the size limits, and operator soup. */
function expression(r: Random, current: unknown): string {
  const n = r.pick([1, 2, 10, 63, 64, 65, 200, 255, 257, 1000, 3000]);
  const base = typeof current === 'string' ? current : 'x';
  switch (r.int(12)) {
    case 0:
      return Array(n)
        .fill(r.pick(['x', 'x^2', 'k*x', 'u*x', 'y']))
        .join(r.pick([' + ', ' - ', '*', '/', '^']));
    case 1:
      return '('.repeat(n) + base + ')'.repeat(r.chance(0.8) ? n : n - 1);
    case 2:
      return 'sin('.repeat(Math.min(n, 70)) + 'x' + ')'.repeat(Math.min(n, 70));
    case 3:
      return '-'.repeat(n) + base;
    case 4:
      return `${base} + ${r.pick(['a', 'x_', 'constructor', '$'])}${'b'.repeat(r.pick([60, 64, 65, 100, 100000]))}`;
    case 5: {
      const at = r.int(base.length + 1);
      return base.slice(0, at) + r.pick(TOKENS) + base.slice(at);
    }
    case 6:
      return base.slice(0, r.int(base.length + 1));
    case 7:
      return `${base}${r.pick(AWKWARD)}${r.pick(PATTERNS)}`;
    case 8:
      return r.pick(NAMES);
    default:
      return soup(r, 1 + r.int(40));
  }
}

/** An array or object nested `depth` levels deep. */
function nested(depth: number, object: boolean): Value {
  let v: Value = 1;
  for (let i = 0; i < depth; i++) v = object ? { a: v } : [v];
  return v;
}

/** Any value of the wrong kind, or of the right kind but hostile. */
function value(r: Random, current: unknown): Value {
  switch (r.int(11)) {
    case 0:
      return null;
    case 1:
      return r.pick(NUMBERS);
    case 2:
      return r.pick(NUMERIC_STRINGS);
    case 3:
      return r.pick([true, false, undefined]);
    case 4:
      return r.pick([[], [1], [1, 2], [1, 2, 3], [null], [NaN, 1], ['1', 2], [[1, 2]], new Array(10000).fill(0.5)]);
    case 5:
      return r.pick([
        {},
        JSON.parse('{"__proto__": 1}'),
        { constructor: 1 },
        { schedule: 'linear' },
        { kind: 'normal' },
        { file: 'x.csv' },
      ]);
    case 6:
      return nested(r.pick([3, 100, 256, 257, 5000, 100000]), r.chance(0.5));
    case 7:
      return r.pick(AWKWARD) + r.pick(PATTERNS) + 'a'.repeat(r.pick([0, 10, 100, 10000, 100000]));
    case 8:
      return [current, current];
    case 9:
      return expression(r, current);
    default:
      return typeof current === 'number' ? current * r.pick([-1, 10, 1e30, 1e-30, 1 + 1e-12]) : r.pick(NAMES);
  }
}

/**
 * The paths in `v`, as keys from the root (objects and arrays), the root
 * excluded: every path of a spec, and at most 8 levels and 4000 paths of what
 * an earlier mutation nested into it.
 */
function allPaths(v: Value): (string | number)[][] {
  const out: (string | number)[][] = [];
  const stack: [Value, (string | number)[]][] = [[v, []]];
  while (stack.length > 0 && out.length < 4000) {
    const [node, path] = stack.pop()!;
    if (typeof node !== 'object' || node === null || path.length >= 8) continue;
    for (const k of Object.keys(node)) {
      const p = [...path, Array.isArray(node) ? Number(k) : k];
      out.push(p);
      stack.push([(node as Record<string, Value>)[k], p]);
    }
  }
  return out;
}

/** Set an own property, `__proto__` included (as JSON.parse does), never the prototype. */
function put(o: object, k: string | number, v: Value): void {
  Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

function parentOf(root: Value, path: (string | number)[]): Record<string | number, Value> {
  let o = root as Record<string | number, Value>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, Value>;
  return o;
}

/** One mutation of `root` in place (a copy of the example). */
function mutate(r: Random, root: Record<string, Value>): void {
  const paths = allPaths(root);
  const path = r.chance(0.1) || paths.length === 0 ? [] : r.pick(paths);
  const parent = path.length === 0 ? undefined : parentOf(root, path);
  const key = path[path.length - 1];
  const target = (parent ? parent[key] : root) as Value;
  const kind = r.int(10);
  if (kind === 0 && parent && !Array.isArray(parent)) {
    delete parent[key];
  } else if (kind === 1 && typeof target === 'object' && target !== null && !Array.isArray(target)) {
    put(target, r.pick([...NAMES, 'a\u2028b', '', ' ', 'x'.repeat(100), 'dims', 'kind', 'schedule', 'k', 'u', '💥']), value(r, undefined));
  } else if (kind === 2 && typeof target === 'string') {
    put(parent!, key, expression(r, target));
  } else if (parent) {
    put(parent, key, value(r, target));
  } else {
    put(
      root,
      r.pick(['dims', 'particles', 'dt', 'steps', 'potential', 'init', 'histogram', 'observe', 'batch', 'mass']),
      value(r, undefined),
    );
  }
}

/** Case `i` of the example called `name`: a copy of `spec` with one to three mutations. */
export function mutant(name: string, spec: Record<string, Value>, i: number): Record<string, Value> {
  const r = new Random(hash(name) ^ Math.imul(i + 1, 0x9e3779b1));
  const copy = structuredClone(spec);
  const n = 1 + r.int(3);
  for (let m = 0; m < n; m++) mutate(r, copy);
  return copy;
}

/**
 * Spec text for the parser side: the case as JSON (when it can be written),
 * with, for some cases, characters spliced in at random (brackets, quotes,
 * line terminators).
 */
export function mutantText(name: string, spec: Value, i: number): string | undefined {
  const r = new Random(hash(name) ^ Math.imul(i + 7, 0x85ebca6b));
  let text: string | undefined;
  try {
    text = JSON.stringify(spec);
  } catch {
    return undefined;
  }
  if (text === undefined || !r.chance(0.5)) return text;
  for (let k = 1 + r.int(3); k > 0; k--) {
    const at = r.int(text.length + 1);
    text = text.slice(0, at) + r.pick(['[', '{', '"', ',', ':', '[[[[[[', ...AWKWARD]).repeat(r.pick([1, 2, 300])) + text.slice(at);
  }
  return text;
}
