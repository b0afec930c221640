/**
 * A sweep file (`langevin sweep SWEEP.json`, README "Sweeps"):
 * `{"base": SPEC, "axes": {"PATH": [values…], …}, "combine": "product" | "zip"}`,
 * or `"file": "spec.json"` (relative to the sweep file) in place of `base`.
 *
 * - PATH is a dotted spec path exactly as `--set` takes it (overrides.ts:
 *   `__proto__`, `constructor`, `prototype` and empty segments are refused);
 *   the values are JSON values.
 * - Points are numbered 0 … P−1. `product` (the default): every combination,
 *   the first axis slowest and the last fastest (nested loops in the order
 *   the axes are written). `zip`: point i takes the i-th value of every axis
 *   (the axes must be equally long).
 * - `"preset": "bias"` (with optional `dts`, `integrators`, `particles`,
 *   `maxSteps`, as `langevin bias` takes them) makes the axes itself: the
 *   runs of a bias study, zipped (integrator, dt, steps, particles and the
 *   histogram's from/every, scaled to the same simulated time).
 * - A point's spec is the base with the point's values applied in axis order,
 *   then its data file read (relative to the base's file: the sweep file for
 *   an inline base), as `langevin run` does.
 */
import { dirname, resolve } from 'node:path';
import { prepare } from '../engine.ts';
import { InputError } from '../errors.ts';
import { resolveDataFile } from './data.ts';
import { parseJsonFile } from './files.ts';
import { applyOverrides, parsePath, type Override } from './overrides.ts';
import { UsageError } from './usage.ts';
import { biasSweepAxes } from '../bias.ts';
import type { IntegratorName } from '../spec.ts';
import { MAX_PARTICLES } from '../limits.ts';

/** The most points a sweep may have (each is a whole run). */
export const MAX_SWEEP_POINTS = 10000;

/** One axis: the spec path it sets and its values. */
export interface SweepAxis {
  /** the dotted path as written */
  name: string;
  path: string[];
  values: unknown[];
}

/** A sweep file, read and checked. */
export interface Sweep {
  /** the sweep file's path as given */
  file: string;
  /** the base spec, parsed */
  base: unknown;
  /** the base spec's file (data paths are relative to it): the sweep file itself for an inline base */
  baseFile: string;
  axes: SweepAxis[];
  combine: 'product' | 'zip';
  /** how many points */
  count: number;
  /** what a preset says about its points (e.g. a bias run's steps capped at maxSteps) */
  notes?: string[];
}

/** One point: its index, its value on each axis (by name), and those values as overrides of the base. */
export interface SweepPoint {
  index: number;
  point: Record<string, unknown>;
  overrides: Override[];
}

const KEYS = ['base', 'file', 'axes', 'combine', 'preset', 'dts', 'integrators', 'particles', 'maxSteps'];
/** The keys of `"preset": "bias"` (its options, as `langevin bias` takes them). */
const BIAS_KEYS = ['dts', 'integrators', 'particles', 'maxSteps'];

const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/**
 * Read and check a sweep file.
 * @throws InputError naming the file and the field: not an object, an unknown key, base and file both or neither, a bad axis or combine
 */
export function readSweep(file: string): Sweep {
  const raw = parseJsonFile(file);
  const refuse = (why: string): never => {
    throw new InputError(`${file}: ${why}`);
  };
  if (!isObject(raw)) refuse('a sweep file is a JSON object: {"base": SPEC or "file": "spec.json", "axes": {"PATH": [values]}}');
  const r = raw as Record<string, unknown>;
  const unknown = Object.keys(r).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) refuse(`unknown key "${unknown}"; allowed: ${KEYS.join(', ')}`);
  if ('base' in r === 'file' in r) refuse('give the base spec as "base": {…} or as "file": "spec.json", one of them');
  let base = r.base;
  let baseFile = file;
  if ('file' in r) {
    if (typeof r.file !== 'string' || r.file === '') refuse('file: give the path of the base spec, relative to the sweep file');
    baseFile = resolve(dirname(file), r.file as string);
    base = parseJsonFile(baseFile);
  }
  if (!isObject(base)) refuse(`${'file' in r ? `the base spec ${baseFile}` : 'base'} must be a JSON object (a spec)`);
  if (r.preset !== undefined) return biasPreset(file, r, base, baseFile);
  const stray = BIAS_KEYS.find((k) => k in r);
  if (stray !== undefined) refuse(`${stray} goes with "preset": "bias"`);
  const combine = (r.combine ?? 'product') as Sweep['combine'];
  if (combine !== 'product' && combine !== 'zip')
    refuse(`combine: got ${JSON.stringify(combine)}; allowed: "product" (the default), "zip"`);
  const axes = readAxes(file, r.axes);
  const count = pointCount(file, axes, combine);
  return { file, base, baseFile, axes, combine, count };
}

/**
 * `"preset": "bias"`: the runs of `langevin bias` as zipped axes (biasSweepAxes): one point per (integrator, dt)
 * over the base spec's simulated time, with the options `dts`, `integrators`, `particles`, `maxSteps`.
 */
function biasPreset(file: string, r: Record<string, unknown>, base: unknown, baseFile: string): Sweep {
  const refuse = (why: string): never => {
    throw new InputError(`${file}: ${why}`);
  };
  if (r.preset !== 'bias') refuse(`preset: got ${JSON.stringify(r.preset)}; allowed: "bias"`);
  if ('axes' in r || 'combine' in r) refuse('"preset": "bias" makes the axes itself (integrator × dt, zipped): leave out axes and combine');
  const numbers = (k: string, ok: (x: number) => boolean, what: string) => {
    const v = r[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || v.length > 64 || !v.every((x) => typeof x === 'number' && ok(x)))
      refuse(`${k}: got ${JSON.stringify(v)}; give 1 to 64 ${what}`);
    return v as number[];
  };
  const whole = (k: string, max: number) => {
    const v = r[k];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max))
      refuse(`${k}: got ${JSON.stringify(v)}; give an integer from 1 to ${max}`);
    return v as number | undefined;
  };
  const integrators = r.integrators;
  if (
    integrators !== undefined &&
    !(Array.isArray(integrators) && integrators.length > 0 && integrators.every((x) => typeof x === 'string'))
  )
    refuse(`integrators: got ${JSON.stringify(integrators)}; give a list of integrator names`);
  const options = {
    dts: numbers('dts', (x) => Number.isFinite(x) && x > 0, 'step sizes > 0'),
    integrators: integrators as IntegratorName[] | undefined,
    particles: whole('particles', MAX_PARTICLES),
    maxSteps: whole('maxSteps', 2 ** 32 - 1),
  };
  let axes: Record<string, unknown[]>;
  let notes: string[];
  try {
    ({ axes, notes } = biasSweepAxes(resolveDataFile(base, baseFile), options));
  } catch (e) {
    if (e instanceof InputError) refuse(`"preset": "bias": ${e.message}`);
    throw e;
  }
  const list = Object.entries(axes!).map(([name, values]) => ({ name, path: parsePath(name, `${file}: preset axis`), values }));
  return { file, base, baseFile, axes: list, combine: 'zip', count: list[0].values.length, notes: notes! };
}

function readAxes(file: string, raw: unknown): SweepAxis[] {
  if (!isObject(raw) || Object.keys(raw).length === 0)
    throw new InputError(`${file}: axes: give an object of spec paths and their values, e.g. {"temperature": [0.5, 1]}`);
  return Object.entries(raw).map(([name, values]) => {
    const path = parsePath(name, `${file}: axes: "${name}"`);
    if (!Array.isArray(values) || values.length === 0 || values.length > MAX_SWEEP_POINTS)
      throw new InputError(`${file}: axes: "${name}": give an array of 1 to ${MAX_SWEEP_POINTS} values`);
    return { name, path, values };
  });
}

function pointCount(file: string, axes: SweepAxis[], combine: 'product' | 'zip'): number {
  if (combine === 'zip') {
    const lengths = axes.map((a) => a.values.length);
    if (lengths.some((n) => n !== lengths[0]))
      throw new InputError(
        `${file}: combine "zip" needs axes of equal length; got ${axes.map((a) => `"${a.name}": ${a.values.length}`).join(', ')}`,
      );
    return lengths[0];
  }
  let count = 1;
  for (const a of axes) count *= a.values.length;
  if (count > MAX_SWEEP_POINTS) throw new InputError(`${file}: the product of the axes has ${count} points; at most ${MAX_SWEEP_POINTS}`);
  return count;
}

/** Point `index` (0 ≤ index < sweep.count): product, last axis fastest; zip, the index-th value of every axis. */
export function sweepPoint(sweep: Sweep, index: number): SweepPoint {
  const picks: number[] = new Array<number>(sweep.axes.length);
  let rest = index;
  for (let a = sweep.axes.length - 1; a >= 0; a--) {
    const n = sweep.axes[a].values.length;
    picks[a] = sweep.combine === 'zip' ? index : rest % n;
    rest = Math.floor(rest / n);
  }
  const point: Record<string, unknown> = {};
  const overrides = sweep.axes.map((axis, a): Override => {
    const value = axis.values[picks[a]];
    point[axis.name] = value;
    return { given: `${axis.name}=${JSON.stringify(value)}`, path: axis.path, value, label: `sweep point ${index}, axis "${axis.name}"` };
  });
  return { index, point, overrides };
}

/** A point's spec: the base with the point's values, its data file read. */
export function pointSpec(sweep: Sweep, p: SweepPoint): unknown {
  return resolveDataFile(applyOverrides(sweep.base, p.overrides), sweep.baseFile);
}

/** `temperature=0.5 seed=1`: a point's values, for messages and `--list`. */
export function describePoint(p: SweepPoint): string {
  return Object.entries(p.point)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
}

/**
 * Validate every point's spec (prepare) before anything runs; returns the points.
 * @throws InputError naming the point's index, its values and the field
 */
export function checkedPoints(sweep: Sweep): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (let i = 0; i < sweep.count; i++) {
    const p = sweepPoint(sweep, i);
    try {
      prepare(pointSpec(sweep, p));
    } catch (e) {
      if (e instanceof UsageError) throw e; // applyOverrides names the point and axis itself
      if (e instanceof InputError) throw new InputError(`${sweep.file}: sweep point ${i} (${describePoint(p)}): ${e.message}`);
      throw e;
    }
    points.push(p);
  }
  return points;
}
