/** Mutations of JSON objects for the schema tests. */

/** A copy of `x` with `path` (dotted; array indices as keys) set to `value`, or deleted for undefined. */
export function mutate(x: object, path: string, value: unknown): Record<string, unknown> {
  const out = structuredClone(x) as Record<string, unknown>;
  const keys = path.split('.');
  let o = out;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[keys[keys.length - 1]];
  else o[keys[keys.length - 1]] = value;
  return out;
}
