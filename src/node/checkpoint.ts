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
import { InputError, RuntimeFailure } from '../errors.ts';
import { specDifferences, specHash } from '../run/shards.ts';
import { headerText, joinState, parseHeader, splitState, type StateJson } from '../run/checkpointState.ts';
import type { SpecJson } from '../run/specJson.ts';
import { normalisedSpec } from '../run/specJson.ts';
import { VERSION } from '../version.ts';
import { writeAll } from './npy.ts';
import { processAlive } from './output.ts';
import { npyArray, npyEntry, npzBytes, readNpz, type NpzEntry } from './npz.ts';

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
      npyEntry(
        `${name}.npy`,
        values instanceof Float64Array ? '<f8' : '<f4',
        name === 'accepts' ? [values.length] : [values.length / D, D],
        values,
      ),
    ),
  ];
  const bytes = npzBytes(entries);
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
      const head = st.isFile() ? readFileSync(temp).subarray(0, 4) : undefined;
      if (head && (head.length === 0 || head.equals(ZIP_START.subarray(0, head.length)))) unlinkSync(temp);
    } catch {
      // gone already, or not ours: leave it
    }
  }
}

const ZIP_START = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * Read a checkpoint and check it against the spec about to run.
 * @throws CheckpointError naming the file and what differs (not a checkpoint, another format, version, spec or backend)
 */
export async function readCheckpoint(
  path: string,
  spec: SpecJson,
  backend: 'auto' | BackendKind,
): Promise<SimulationState & { header: CheckpointHeader }> {
  let entries: Map<string, Buffer>;
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    entries = readNpz(readFileSync(path));
  } catch (e) {
    throw new CheckpointError(`--resume: ${path}: ${(e as Error).message}`);
  }
  const json = entries.get('checkpoint.json');
  if (!json) throw new CheckpointError(`--resume: ${path} holds no checkpoint.json; it is not a langevin checkpoint`);
  const header = parseHeader<CheckpointHeader>(json.toString('utf8'));
  if (header.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(`--resume: ${path} is of format ${String(header.format)}; this version reads ${CHECKPOINT_FORMAT}`);
  if (header.langevin !== VERSION)
    throw new CheckpointError(
      `--resume: ${path} was written by langevin ${header.langevin}; this is ${VERSION}, whose numbers may differ: run it with ${header.langevin}`,
    );
  if (header.specHash !== (await specHash(spec)))
    throw new CheckpointError(`--resume: ${path} is of another spec (it differs in ${specDifferences(header.spec, spec).join(', ')})`);
  if (backend !== 'auto' && backend !== header.backend)
    throw new CheckpointError(`--resume: ${path} was made on the ${header.backend} backend; resume it with --backend ${header.backend}`);
  const arrays = new Map<string, Float32Array | Float64Array>();
  for (const name of ['positions', 'velocities', 'accepts']) {
    const b = entries.get(`${name}.npy`);
    if (b) arrays.set(name, npyArray(b).values);
  }
  try {
    return { header, ...joinState(header, arrays) };
  } catch (e) {
    throw new CheckpointError(`--resume: ${path}: ${(e as Error).message}`);
  }
}
