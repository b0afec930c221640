/**
 * `--set PATH=VALUE` (repeatable): override a field of the spec file from the
 * command line, e.g. for a sweep: `--set dt=0.005 --set potential.params.h=2
 * --set init.mean=[-1,0]`.
 *
 * - PATH is dotted: object keys, or array indices (0-based, within the
 *   array) where the value there is an array. A missing key is added (with
 *   an empty object for every missing level on the way). `__proto__`,
 *   `constructor`, `prototype` and empty segments are refused, as is a path
 *   through a number, string, boolean or null.
 * - VALUE is JSON (`0.005`, `[-1,0]`, `{"kind":"normal"}`, `"text"`, `true`,
 *   `null`). A value that is not JSON but a plain word (a letter or `_`,
 *   then letters, digits, `_`, `-`, `.`, `/`) is taken as a string, so
 *   `--set integrator=baoab` works without shell quoting; anything else that
 *   is not JSON is refused, naming the --set argument.
 * - The overrides apply in order to the parsed spec before validation, so the
 *   validator names a bad field exactly as for the file; the spec with its
 *   overrides is checked against the file's JSON limits (nesting depth).
 */
import { parseJsonText } from '../json.ts';
import { MAX_JSON_DEPTH } from '../limits.ts';
import { UsageError } from './usage.ts';

/** One `--set`: where and what. */
export interface Override {
  /** the argument as given */
  given: string;
  path: string[];
  value: unknown;
  /** what its refusals start with (default `--set "GIVEN"`; a sweep names its point and axis) */
  label?: string;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const PLAIN_WORD = /^[A-Za-z_][\w./-]*$/;

function refuse(given: string, why: string, label = `--set ${JSON.stringify(given)}`): never {
  throw new UsageError(`${label}: ${why}`);
}

/**
 * A dotted PATH (as `--set` and a sweep's axes take it), split and checked.
 * @param label what a refusal starts with
 * @throws UsageError for an empty segment, `__proto__`, `constructor`, `prototype`, too many levels
 */
export function parsePath(text: string, label: string): string[] {
  const path = text.split('.');
  if (path.length > MAX_JSON_DEPTH) refuse(text, `the path has more than ${MAX_JSON_DEPTH} levels`, label);
  for (const segment of path) {
    if (segment === '') refuse(text, 'the path has an empty segment; give dotted keys, e.g. potential.params.h', label);
    if (FORBIDDEN.has(segment)) refuse(text, `"${segment}" is not allowed in a path`, label);
  }
  return path;
}

/**
 * Parse one `--set` argument.
 * @throws UsageError naming the argument: no `=`, a bad path, a value that is neither JSON nor a plain word
 * @example parseOverride('init.mean=[-1,0]') // {path: ['init', 'mean'], value: [-1, 0], …}
 */
export function parseOverride(given: string): Override {
  const eq = given.indexOf('=');
  if (eq < 0) refuse(given, 'give PATH=VALUE, e.g. --set dt=0.005');
  const path = parsePath(given.slice(0, eq), `--set ${JSON.stringify(given)}`);
  const text = given.slice(eq + 1);
  if (text === '') refuse(given, 'got no value after "="; give a JSON value, e.g. 0.005, [-1,0] or "text"');
  let value: unknown;
  try {
    value = parseJsonText(text, 'value');
  } catch (e) {
    if (!PLAIN_WORD.test(text))
      refuse(given, `the value is not JSON (${(e as Error).message.replace(/^value:(\d+:\d+:)? /, '')}); quote a string as '"text"'`);
    value = text;
  }
  return { given, path, value };
}

/**
 * Apply the overrides in order to a copy of the parsed spec `raw`.
 * @throws UsageError naming the argument: a path into a non-object, an index out of range, a spec nested too deeply
 */
export function applyOverrides(raw: unknown, overrides: readonly Override[]): unknown {
  if (overrides.length === 0) return raw;
  let spec = structuredClone(raw);
  for (const o of overrides) {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) refuse(o.given, 'the spec file is not a JSON object', o.label);
    let node = spec as Record<string, unknown> | unknown[];
    for (let i = 0; i < o.path.length; i++) {
      const key = o.path[i];
      const where = o.path.slice(0, i).join('.') || 'the spec';
      const last = i === o.path.length - 1;
      if (Array.isArray(node)) {
        if (!/^(0|[1-9]\d*)$/.test(key))
          refuse(o.given, `${where} is an array; give an index from 0 to ${node.length - 1}, not "${key}"`, o.label);
        const index = Number(key);
        if (index >= node.length)
          refuse(o.given, `index ${index} is out of range: ${where} has ${node.length} element${node.length === 1 ? '' : 's'}`, o.label);
        if (last) node[index] = o.value;
        else node = step(o, node[index], o.path.slice(0, i + 1).join('.'));
      } else {
        if (last) node[key] = o.value;
        else {
          if (!Object.hasOwn(node, key)) node[key] = {};
          node = step(o, node[key], o.path.slice(0, i + 1).join('.'));
        }
      }
    }
  }
  // the file's limits: nesting no deeper than a spec file may be (checked on a copy: JSON text would turn 1e999 into null,
  // and the validator is to name the value given, as for the file)
  parseJsonText(JSON.stringify(spec), 'the spec with its --set overrides');
  return spec;
}

/** The object or array at `path` to go into, or a refusal. */
function step(o: Override, value: unknown, path: string): Record<string, unknown> | unknown[] {
  if (value === null || typeof value !== 'object')
    refuse(o.given, `${path} is ${value === null ? 'null' : `a ${typeof value}`}, not an object or array`, o.label);
  return value as Record<string, unknown> | unknown[];
}
