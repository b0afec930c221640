/**
 * Node side of potentials from data: `potential.data: {"file": "points.csv"}`
 * is read here, relative to the spec file, and replaced by `{columns, rows}`
 * (src/data.ts parses and checks it).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCsv } from '../data.ts';
import { SpecError } from '../errors.ts';

/**
 * Return `raw` with a `potential.data.file` replaced by the CSV's `{columns, rows}`.
 * Other specs are returned unchanged.
 * @param specPath path of the spec file; the CSV path is relative to its folder
 * @throws SpecError for an unreadable, empty or malformed file (naming the line and column)
 * @example resolveDataFile(JSON.parse(readFileSync('examples/sgld-mixture.json', 'utf8')), 'examples/sgld-mixture.json')
 */
export function resolveDataFile(raw: unknown, specPath: string): unknown {
  const spec = raw as { potential?: { data?: Record<string, unknown> } };
  const data = spec?.potential?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !('file' in data)) return raw;
  const file = data.file;
  const keys = Object.keys(data).filter((k) => k !== 'file');
  if (keys.length > 0)
    throw new SpecError(
      `potential.data.${keys[0]}`,
      data[keys[0]],
      'unknown field next to "file"; give either {"file": "points.csv"} or {"columns", "rows"}',
    );
  if (typeof file !== 'string' || file === '')
    throw new SpecError(
      'potential.data.file',
      file,
      'must be the path of a CSV file (header row = column names), relative to the spec file',
    );
  const path = resolve(dirname(specPath), file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(
      'potential.data.file',
      file,
      `cannot be read (${code === 'ENOENT' ? 'no such file' : (e as Error).message}; looked for ${path}, paths are relative to the spec file)`,
    );
  }
  const set = parseCsv(text, file);
  return { ...spec, potential: { ...spec.potential, data: set } };
}
