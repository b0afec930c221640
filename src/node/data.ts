/**
 * Node side of potentials from data: `potential.data: {"file": "points.csv"}`
 * is read here, relative to the spec file, and replaced by `{columns, rows}`
 * (src/data.ts parses and checks it).
 */
import { dirname, resolve } from 'node:path';
import { csvOptions, parseCsv } from '../data.ts';
import { quoted, SpecError } from '../errors.ts';
import { FileRefusal, MAX_DATA_FILE_BYTES, readTextFile } from './files.ts';

/** `potential.data` when it names a file, else undefined. */
function dataWithFile(raw: unknown): Record<string, unknown> | undefined {
  const data = (raw as { potential?: { data?: unknown } })?.potential?.data;
  return typeof data === 'object' && data !== null && !Array.isArray(data) && Object.hasOwn(data, 'file')
    ? (data as Record<string, unknown>)
    : undefined;
}

/**
 * Where `potential.data.file` of a spec read from `specPath` is (relative to
 * the spec's folder); undefined when the spec names no data file.
 * @example dataFilePath({potential: {data: {file: 'points.csv'}}}, 'runs/spec.json') // '/…/runs/points.csv'
 */
export function dataFilePath(raw: unknown, specPath: string): string | undefined {
  const file = dataWithFile(raw)?.file;
  return typeof file === 'string' && file !== '' ? resolve(dirname(specPath), file) : undefined;
}

/**
 * Return `raw` with a `potential.data.file` replaced by the CSV's `{columns, rows}`,
 * read with the `delimiter`, `index` and `columns` given next to `file` (src/data.ts `CsvOptions`).
 * Other specs are returned unchanged. The file must be a regular file of at
 * most `MAX_DATA_FILE_BYTES`: a device, FIFO or directory is refused, never read.
 * @param specPath path of the spec file; the CSV path is relative to its folder
 * @throws SpecError for an unreadable, empty, oversized, non-regular or malformed file (naming the line and column), or a bad option
 * @example resolveDataFile(JSON.parse(readFileSync('examples/sgld-mixture.json', 'utf8')), 'examples/sgld-mixture.json')
 */
export function resolveDataFile(raw: unknown, specPath: string): unknown {
  const data = dataWithFile(raw);
  if (data === undefined) return raw;
  const spec = raw as { potential: Record<string, unknown> };
  const file = data.file;
  const options = csvOptions(data, 'potential.data');
  if (typeof file !== 'string' || file === '')
    throw new SpecError(
      'potential.data.file',
      file,
      'must be the path of a CSV file (a header row of column names, or "columns"), relative to the spec file',
    );
  const path = dataFilePath(raw, specPath)!;
  let text: string;
  try {
    text = readTextFile(path, MAX_DATA_FILE_BYTES);
  } catch (e) {
    if (!(e instanceof FileRefusal)) throw e;
    throw new SpecError(
      'potential.data.file',
      file,
      `cannot be read (${e.reason}; looked for ${quoted(path)}, paths are relative to the spec file)`,
    );
  }
  const set = parseCsv(text, file, options);
  return { ...spec, potential: { ...spec.potential, data: set } };
}
