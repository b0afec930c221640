/**
 * Checkpoint files (`--checkpoint FILE`, `--resume FILE`): a NumPy `.npz`
 * (npz.ts) holding `checkpoint.json` (the header: format, version, the spec
 * and its hash, the backend, the step, the observations so far, a shard's
 * log) and the particle arrays `positions.npy`, `velocities.npy` (baoab,
 * hmc) and `accepts.npy` (WebGPU, mala and hmc: the accepted moves per
 * particle since the last observation). Written to a temporary file beside
 * FILE and renamed over it, so FILE is always a whole checkpoint. README
 * "Beyond one machine" documents the format for Python.
 */
import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { BackendKind } from '../backend.ts';
import type { Simulation, SimulationState } from '../engine.ts';
import { describeValue, InputError, RuntimeFailure } from '../errors.ts';
import { INTEGRATOR_TABLE } from '../integrators/table.ts';
import { parseJsonText } from '../json.ts';
import { specDifferences, specHash } from '../run/shards.ts';
import { headerText, joinState, parseHeader, splitState, type StateJson } from '../run/checkpointState.ts';
import type { SpecJson } from '../run/specJson.ts';
import { normalisedSpec } from '../run/specJson.ts';
import { hasSchedule } from '../spec/kinetics.ts';
import { VERSION } from '../version.ts';
import { errnoReason, fileKind } from './files.ts';
import { writeAll, type NpyDtype } from './npy.ts';
import { processAlive } from './output.ts';
import { MAX_NPZ_BYTES, npyArray, readHead, npyEntry, npyShapeText, npzBytes, readNpz, type NpzEntry } from './npz.ts';

export const CHECKPOINT_FORMAT = 'langevin-checkpoint-1';

/** checkpoint.json: everything but the particle arrays. */
export interface CheckpointHeader extends StateJson {
  format: typeof CHECKPOINT_FORMAT;
  langevin: string;
  createdAt: string;
  specHash: string;
  spec: SpecJson;
  backend: BackendKind;
  device: string;
  /** steps done */
  step: number;
}

/** A checkpoint that cannot be resumed here: exit 2, naming the difference. */
export class CheckpointError extends InputError {
  override readonly name = 'CheckpointError';
}

/** Write the simulation's state to `path`, atomically. Returns the bytes written. */
export async function writeCheckpoint(path: string, sim: Simulation): Promise<number> {
  const { json, arrays } = splitState(await sim.checkpoint());
  const spec = normalisedSpec(sim.spec);
  const header: CheckpointHeader = {
    format: CHECKPOINT_FORMAT,
    langevin: VERSION,
    createdAt: new Date().toISOString(),
    specHash: await specHash(spec),
    spec,
    backend: sim.backend.kind,
    device: sim.backend.device,
    step: sim.step,
    ...json,
  };
  const D = sim.spec.dims;
  const entries: NpzEntry[] = [
    { name: 'checkpoint.json', bytes: Buffer.from(headerText(header)) },
    ...arrays.map(({ name, values }) =>
      npyEntry(`${name}.npy`, values instanceof Float64Array ? '<f8' : '<f4', arrayShape(name, values, D), values),
    ),
  ];
  let bytes: Buffer;
  try {
    bytes = npzBytes(entries);
  } catch (e) {
    throw new RuntimeFailure(`--checkpoint: the state is ${(e as Error).message}`);
  }
  const tmp = checkpointTemp(path);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new RuntimeFailure(`--checkpoint: could not write ${path}: ${(e as Error).message}`);
  }
  return bytes.length;
}

/**
 * Refuse, before any work, a checkpoint that could not be written: the particle arrays of `particles` × `dims`
 * (positions, velocities for inertial integrators, float64 on the CPU, float32 and per-particle accepts on WebGPU)
 * must fit in one .npz.
 * @throws CheckpointError (exit 2) naming --checkpoint, the size and what to do
 */
export function checkCheckpointSize(particles: number, dims: number, backend: BackendKind, velocities: boolean, accepts: boolean): void {
  const word = backend === 'cpu' ? 8 : 4;
  const bytes = particles * dims * word * (velocities ? 2 : 1) + (backend === 'webgpu' && accepts ? 4 * particles : 0);
  if (bytes > MAX_NPZ_BYTES - 2 ** 26)
    throw new CheckpointError(
      `--checkpoint: the state of ${particles} particles is ${(bytes / 2 ** 30).toFixed(2)} GiB; a checkpoint holds at most 2 GiB: cut the run into shards (--shard I/N), each with its own checkpoint`,
    );
}

/** The temporary file a checkpoint is written to before the rename: `.NAME.ckpt-PID` beside it. */
function checkpointTemp(path: string, pid: number = process.pid): string {
  return join(dirname(path), `.${basename(path)}.ckpt-${pid}`);
}

/**
 * Remove the checkpoint temporaries beside `path` that processes killed mid-write left: `.NAME.ckpt-PID`
 * regular files of a process no longer running, empty or starting as a ZIP does. A file a user named so
 * is left alone.
 */
export function removeStaleCheckpointTemps(path: string): void {
  const prefix = `.${basename(path)}.ckpt-`;
  for (const name of readdirSync(dirname(path))) {
    const pid = name.startsWith(prefix) ? name.slice(prefix.length) : '';
    if (!/^[1-9]\d{0,9}$/.test(pid) || (Number(pid) !== process.pid && processAlive(Number(pid)))) continue;
    const temp = join(dirname(path), name);
    try {
      const st = lstatSync(temp);
      const head = st.isFile() ? readHead(temp, 4) : undefined;
      if (head && (head.length === 0 || head.equals(ZIP_START.subarray(0, head.length)))) unlinkSync(temp);
    } catch {
      // gone already, or not ours: leave it
    }
  }
}

const ZIP_START = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Why a file cannot be read, for `--resume: FILE: …`. */
function unreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a folder; give a checkpoint file';
  if (code === 'EACCES' || code === 'EPERM') return `cannot be read (${code})`;
  return errnoReason(e);
}

/** The entries of the .npz at `path`: a regular file of at most MAX_NPZ_BYTES. */
function readCheckpointEntries(path: string): Map<string, Buffer> {
  const refuse = (why: string) => new CheckpointError(`--resume: ${path}: ${why}`);
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw refuse('is a folder; give a checkpoint file');
    if (!st.isFile()) throw refuse(`is ${fileKind(st)}; give a checkpoint file`);
    if (st.size > MAX_NPZ_BYTES)
      throw refuse(`is ${(st.size / 2 ** 30).toFixed(2)} GiB; a langevin checkpoint holds at most 2 GiB, so it is not one`);
    bytes = readFileSync(path);
  } catch (e) {
    throw e instanceof CheckpointError ? e : refuse(unreadable(e));
  }
  try {
    return readNpz(bytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw refuse(code === 'ERR_OUT_OF_RANGE' ? 'a damaged ZIP file (an offset past its end)' : (e as Error).message);
  }
}

/**
 * The header of a checkpoint: checkpoint.json parsed (nesting bounded), of this format and version, of the
 * shape the engine needs (HEADER_FIELDS), its spec the one its specHash names.
 * @throws CheckpointError naming the file and what is wrong
 */
async function readHeader(path: string, entries: Map<string, Buffer>): Promise<CheckpointHeader> {
  const json = entries.get('checkpoint.json');
  if (!json) throw new CheckpointError(`--resume: ${path} holds no checkpoint.json; it is not a langevin checkpoint`);
  const refuse = (why: string) => new CheckpointError(`--resume: ${path}: ${why}`);
  const text = json.toString('utf8');
  let raw: unknown;
  try {
    raw = parseJsonText(text, 'checkpoint.json', '');
  } catch (e) {
    throw refuse((e as Error).message);
  }
  if (!isObject(raw)) throw refuse(`checkpoint.json: got ${describeValue(raw)}; expected an object`);
  if (raw.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(`--resume: ${path} is of format ${describeText(raw.format)}; this version reads ${CHECKPOINT_FORMAT}`);
  if (raw.langevin !== VERSION) {
    const version = describeText(raw.langevin);
    throw new CheckpointError(
      `--resume: ${path} was written by langevin ${version}; this is ${VERSION}, whose numbers may differ: run it with ${version}`,
    );
  }
  const problem = headerProblem(raw);
  if (problem) throw refuse(`checkpoint.json: ${problem}`);
  let header: CheckpointHeader;
  try {
    header = parseHeader<CheckpointHeader>(text);
  } catch (e) {
    throw refuse(`checkpoint.json: ${(e as Error).message}`);
  }
  if (header.specHash !== (await specHash(header.spec))) throw refuse('its spec does not match its specHash (the file was edited)');
  return header;
}

/** A version or format name as it is; anything else (odd characters, not a string) as describeValue gives it. */
const describeText = (v: unknown) => (typeof v === 'string' && /^[\w.+-]{1,80}$/.test(v) ? v : describeValue(v));

/**
 * Read a checkpoint and check it against the spec about to run.
 * @throws CheckpointError naming the file and what is wrong (not a checkpoint, a malformed one, another format,
 *   version, spec or backend, arrays not of this run's shape)
 */
export async function readCheckpoint(
  path: string,
  spec: SpecJson,
  backend: 'auto' | BackendKind,
): Promise<SimulationState & { header: CheckpointHeader }> {
  const entries = readCheckpointEntries(path);
  const header = await readHeader(path, entries);
  if (header.specHash !== (await specHash(spec)))
    throw new CheckpointError(`--resume: ${path} is of another spec (it differs in ${specDifferences(header.spec, spec).join(', ')})`);
  if (backend !== 'auto' && backend !== header.backend)
    throw new CheckpointError(`--resume: ${path} was made on the ${header.backend} backend; resume it with --backend ${header.backend}`);
  const mismatch = headerMismatch(header, spec);
  if (mismatch) throw new CheckpointError(`--resume: ${path}: checkpoint.json: ${mismatch}`);
  const arrays = checkpointArrays(path, entries, header, spec);
  try {
    return { header, ...joinState(header, arrays) };
  } catch (e) {
    throw new CheckpointError(`--resume: ${path}: ${(e as Error).message}`);
  }
}

/** One field of checkpoint.json: its path, what it must be, the test, and whether it may be absent. */
type HeaderField = [path: string, what: string, ok: (v: unknown) => boolean, optional?: 'optional'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
/** a number, or a non-finite one as the header writes it */
const isNumber = (v: unknown) => typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity';
const listOf = (ok: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.every(ok);
const isBackend = (v: unknown) => v === 'cpu' || v === 'webgpu';
const [OBJECT, STEP, NUMBER, NUMBERS, STEPS] = ['an object', 'an integer ≥ 0', 'a number', 'a list of numbers', 'a list of steps'];

/**
 * What the engine reads of checkpoint.json, parents before their fields: a field is checked when its parent is
 * there (a required parent that is missing is refused before).
 */
const HEADER_FIELDS: HeaderField[] = [
  ['specHash', '64 hexadecimal digits', (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)],
  ['spec', 'the spec, an object', isObject],
  ['backend', '"cpu" or "webgpu"', isBackend],
  ['step', STEP, isCount],
  ['observations', OBJECT, isObject],
  ['observations.backend', '"cpu" or "webgpu"', isBackend],
  ['observations.step', STEP, isCount],
  ['observations.elapsedMs', NUMBER, isNumber],
  ['observations.trace', 'a list of trace rows (objects with their step)', listOf((r) => isObject(r) && isCount(r.step))],
  ['observations.best', OBJECT, isObject],
  ['observations.best.energy', NUMBER, isNumber],
  ['observations.best.x', NUMBERS, listOf(isNumber)],
  ['observations.best.step', STEP, isCount],
  ['observations.range', 'an object {first, count}', isObject, 'optional'],
  ['observations.range.first', STEP, isCount],
  ['observations.range.count', 'an integer ≥ 1', (v) => isCount(v) && (v as number) > 0],
  ['observations.histogram', OBJECT, isObject, 'optional'],
  ['observations.histogram.counts', NUMBERS, listOf(isNumber)],
  ['observations.histogram.outside', NUMBER, isNumber],
  ['observations.histogram.snapshots', STEPS, listOf(isCount)],
  ['observations.moments', OBJECT, isObject, 'optional'],
  ['observations.moments.step', STEP, isCount],
  ['observations.moments.mean', NUMBERS, listOf(isNumber)],
  ['observations.moments.variance', NUMBERS, listOf(isNumber)],
  ['observations.moments.meanEnergy', NUMBER, isNumber],
  ['observations.moments.best', OBJECT, isObject],
  ['observations.acceptance', OBJECT, isObject, 'optional'],
  ['observations.acceptance.accepted', NUMBER, isNumber],
  ['observations.acceptance.proposed', NUMBER, isNumber],
  ['observations.initialTotalEnergy', NUMBER, isNumber, 'optional'],
  ['observations.start', OBJECT, isObject, 'optional'],
  ['observations.emptyHistogramSteps', STEPS, listOf(isCount), 'optional'],
  ['observations.observedAt', STEP, isCount, 'optional'],
  ['pending', OBJECT, isObject, 'optional'],
  ['pending.accepted', NUMBER, isNumber],
  ['pending.proposed', NUMBER, isNumber],
  ['shardLog', OBJECT, isObject, 'optional'],
  ['shardLog.calls', 'a list of objects', listOf(isObject)],
  ['shardLog.particles', OBJECT, isObject],
];

/** The value at a dotted path of a parsed header; undefined where a parent is missing or not an object. */
const at = (raw: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), raw);

/** The first field of HEADER_FIELDS that is not what the engine needs, as `FIELD: got …; expected …`. */
function headerProblem(raw: Record<string, unknown>): string | undefined {
  for (const [path, what, ok, optional] of HEADER_FIELDS) {
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : undefined;
    if (parent !== undefined && at(raw, parent) === undefined) continue;
    const v = at(raw, path);
    if (!(v === undefined && optional) && !ok(v)) return `${path}: got ${describeValue(v)}; expected ${what}`;
  }
  return undefined;
}

/** What in a well-formed header does not fit itself or the spec it was checked to be of (undefined: nothing). */
function headerMismatch(header: CheckpointHeader, spec: SpecJson): string | undefined {
  const obs = header.observations;
  if (header.step > spec.steps) return `step: got ${header.step}; the spec runs ${spec.steps} steps`;
  if (obs.step !== header.step) return `step: got ${header.step}, but observations.step is ${obs.step}`;
  if (obs.backend !== header.backend) return `observations.backend: got "${obs.backend}", but backend is "${header.backend}"`;
  if (obs.range && obs.range.first + obs.range.count > spec.particles)
    return `observations.range: particles [${obs.range.first}, ${obs.range.first + obs.range.count}) of a spec of ${spec.particles}`;
  if (obs.best.x.length !== 0 && obs.best.x.length !== spec.dims)
    return `observations.best.x: got ${obs.best.x.length} coordinates; the spec has ${spec.dims} dimensions`;
  const bins = spec.histogram?.bins.reduce((a, b) => a * b, 1);
  if (obs.histogram && obs.histogram.counts.length !== bins)
    return `observations.histogram.counts: got ${obs.histogram.counts.length} bins; the spec's histogram has ${bins ?? 'none'}`;
  return undefined;
}

/** The npy shape of a state array: (N, D) coordinates, (N,) accepts and hit steps, work (N,) on the CPU and (N, 2) sum and compensation on WebGPU. */
function arrayShape(name: string, values: Float32Array | Float64Array, D: number): number[] {
  if (name === 'accepts' || name === 'hit') return [values.length];
  if (name === 'work') return values instanceof Float64Array ? [values.length] : [values.length / 2, 2];
  return [values.length / D, D];
}

/** The dtype and shape a checkpoint's array must have. */
function expectedArray(name: string, word: NpyDtype, n: number, D: number): [NpyDtype, number[]] {
  if (name === 'accepts') return ['<f4', [n]];
  if (name === 'hit') return ['<f8', [n]];
  if (name === 'work') return [word, word === '<f8' ? [n] : [n, 2]];
  return [word, [n, D]];
}

/**
 * The particle arrays of a checkpoint, each of the dtype and shape this run holds: positions and (inertial
 * integrators) velocities (N, D), float64 on the CPU and float32 on WebGPU; accepts (N,) float32.
 * @throws CheckpointError naming the file, the entry and what is wrong
 */
function checkpointArrays(
  path: string,
  entries: Map<string, Buffer>,
  header: CheckpointHeader,
  spec: SpecJson,
): Map<string, Float32Array | Float64Array> {
  const n = header.observations.range?.count ?? spec.particles;
  const word: NpyDtype = header.backend === 'cpu' ? '<f8' : '<f4';
  const required = {
    positions: true,
    velocities: INTEGRATOR_TABLE[spec.integrator].velocities,
    accepts: false,
    hit: spec.passage !== undefined,
    work: Object.values(spec.potential.params).some(hasSchedule),
  };
  const arrays = new Map<string, Float32Array | Float64Array>();
  for (const [name, needed] of Object.entries(required)) {
    const [entry, dtype, shape] = [`${name}.npy`, ...expectedArray(name, word, n, spec.dims)];
    const bytes = entries.get(entry);
    if (!bytes && needed)
      throw new CheckpointError(
        `--resume: ${path} holds no ${entry}; a ${spec.integrator} checkpoint holds the ${name} (${n}, ${spec.dims})`,
      );
    if (!bytes) continue;
    let a: ReturnType<typeof npyArray>;
    try {
      a = npyArray(bytes);
    } catch (e) {
      throw new CheckpointError(`--resume: ${path}: ${entry}: ${(e as Error).message}`);
    }
    if (a.dtype !== dtype || npyShapeText(a.shape) !== npyShapeText(shape))
      throw new CheckpointError(
        `--resume: ${path}: ${entry} holds '${a.dtype}' ${npyShapeText(a.shape)}; this run's ${header.backend} checkpoint holds '${dtype}' ${npyShapeText(shape)}`,
      );
    arrays.set(name, a.values);
  }
  return arrays;
}
