/**
 * What every output of Langevin says about where it came from (README
 * "Result"): the version, the time, the host, and the JSON Schemas its format
 * is published as (schema/*.schema.json, the one source of truth of the
 * format; tests/unit/schema.test.ts validates examples and results against
 * them). Browser-safe: the host is detected from globals, with no Node import.
 */
import { VERSION } from './version.ts';

/**
 * `$id` of schema/spec.schema.json: a spec may name it as `"$schema"`; a
 * result's `spec` does. The URL is an identifier (the file ships in the
 * package's schema/ folder); its `0.1` is the format's version, raised when
 * the format changes, not with every release.
 */
export const SPEC_SCHEMA = 'https://langevin.dev/schema/spec-0.1.json';

/** `$id` of schema/result.schema.json, a result's `"$schema"`. */
export const RESULT_SCHEMA = 'https://langevin.dev/schema/result-0.1.json';

/** `$id` of schema/bias.schema.json, the `"$schema"` of a bias study (`langevin bias --json`, `biasStudy`). */
export const BIAS_SCHEMA = 'https://langevin.dev/schema/bias-0.1.json';

/** `$id` of schema/bench-row.schema.json, the `"$schema"` of each `langevin bench --json` row. */
export const BENCH_ROW_SCHEMA = 'https://langevin.dev/schema/bench-row-0.1.json';

/** Where and when an output was made: the fields every result, bias study and bench row carries. */
export interface Provenance {
  /** Langevin's version (package.json) */
  langevin: string;
  /** ISO 8601 UTC time at which the output was completed, e.g. "2025-01-31T12:00:00.000Z" */
  createdAt: string;
  /** `node v20.19.0 (linux x64)` in Node; `navigator.userAgent` in a browser or worker */
  host: string;
}

interface HostGlobals {
  process?: { version?: string; versions?: { node?: string }; platform?: string; arch?: string };
  navigator?: { userAgent?: string };
}

/**
 * The host running this code: Node's version, platform and architecture, else
 * the browser's user agent ('unknown' where neither exists). Node is looked
 * for first: Node 21+ has a `navigator` too.
 */
export function hostDescription(g: HostGlobals = globalThis as HostGlobals): string {
  const p = g.process;
  if (typeof p?.versions?.node === 'string') return `node ${p.version} (${p.platform} ${p.arch})`;
  return typeof g.navigator?.userAgent === 'string' ? g.navigator.userAgent : 'unknown';
}

/**
 * The provenance of an output completed now (or at `at`).
 * @param at when the output was completed (default: now), e.g. the time of a run's last saved observation
 */
export function provenance(at: Date | number = new Date()): Provenance {
  return { langevin: VERSION, createdAt: new Date(at).toISOString(), host: hostDescription() };
}
