/**
 * Checkpoints of the runner's runs in the Origin Private File System: the
 * whole state of a run (positions, velocities, observations; packState of
 * src/run/checkpointState.ts) saved every few seconds between chunks, one
 * file per run (`langevin-checkpoints/RUN-ID`), written through a writable
 * stream that replaces the file only when closed. After a reload or a lost
 * device the page offers to resume from it (interrupted.ts).
 */
import { Simulation, VERSION, type SimulationState } from '../index.ts';
import { joinState, packState, splitState, unpackState, type StateJson } from '../run/checkpointState.ts';

const FOLDER = 'langevin-checkpoints';

/** What a checkpoint file's header holds besides the state. */
interface Header extends StateJson {
  langevin: string;
  step: number;
}

async function folder(create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
  if (!navigator.storage?.getDirectory) return undefined;
  const root = await navigator.storage.getDirectory();
  try {
    return await root.getDirectoryHandle(FOLDER, { create });
  } catch {
    return undefined;
  }
}

/** Whether this browser can keep checkpoints (OPFS with writable streams). */
export async function checkpointsSupported(): Promise<boolean> {
  const dir = await folder(true).catch(() => undefined);
  return dir !== undefined && typeof (FileSystemFileHandle.prototype as { createWritable?: unknown }).createWritable === 'function';
}

/** Save `sim`'s state (between chunks) as run `id`'s checkpoint; returns its size in bytes. */
export async function saveCheckpoint(id: string, sim: Simulation): Promise<number> {
  const { json, arrays } = splitState(await sim.checkpoint());
  const bytes = packState({ langevin: VERSION, step: sim.step, ...json }, arrays);
  const dir = await folder(true);
  if (!dir) throw new Error('this browser has no Origin Private File System');
  const file = await dir.getFileHandle(id, { create: true });
  const stream = await file.createWritable();
  await stream.write(bytes as Uint8Array<ArrayBuffer>);
  await stream.close();
  return bytes.length;
}

/**
 * Run `id`'s checkpoint, or undefined when there is none (or it is of another version: its numbers could differ).
 * @throws Error when the file is damaged
 */
export async function loadCheckpoint(id: string): Promise<(SimulationState & { step: number }) | undefined> {
  const dir = await folder(false);
  const handle = await dir?.getFileHandle(id).catch(() => undefined);
  if (!handle) return undefined;
  const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
  const { header, arrays } = unpackState<Header>(bytes);
  if (header.langevin !== VERSION) return undefined;
  return { ...joinState(header, arrays), step: header.step };
}

/** Remove run `id`'s checkpoint (none: nothing to do). */
export async function removeCheckpoint(id: string): Promise<void> {
  const dir = await folder(false);
  await dir?.removeEntry(id).catch(() => {});
}
