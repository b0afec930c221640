/**
 * The runner's saved runs (IndexedDB): while a run goes on, the observations
 * of its last completed chunk are kept here, so a closed tab or a lost device
 * does not lose them; a run that finishes or is cancelled deletes its record.
 * A record found when the page loads is therefore an interrupted run.
 */
import type { Observations } from '../index.ts';

/** One run in progress (or interrupted). Structured-cloneable. */
export interface SavedRun {
  /** unique per run */
  id: string;
  /** the spec as the user gave it (parsed JSON), so it can be prepared again */
  spec: unknown;
  /** where the spec came from: a file name, a URL, "pasted spec" */
  source: string;
  /** Date.now() at the start and at the last save, milliseconds */
  startedAt: number;
  savedAt: number;
  /** steps the spec asks for */
  stepsPlanned: number;
  observations: Observations;
  /** the step of the run's last checkpoint in the Origin Private File System (checkpoints.ts), if one was saved */
  checkpointStep?: number;
}

const DB = 'langevin-runner';
const STORE = 'runs';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** The saved runs of this origin. Every method resolves once its transaction has committed. */
export class RunStore {
  private constructor(private readonly db: IDBDatabase) {}

  /** @throws when this browser has no IndexedDB (private modes of some browsers) */
  static async open(): Promise<RunStore> {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'id' });
    return new RunStore(await request(open));
  }

  private async transact<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const tx = this.db.transaction(STORE, mode);
    const result = request(f(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  }

  /** Write (replace) a run's record; the observations are copied at this call. */
  put(run: SavedRun): Promise<IDBValidKey> {
    return this.transact('readwrite', (s) => s.put(run));
  }

  /** All saved runs, oldest first. */
  async list(): Promise<SavedRun[]> {
    const all = (await this.transact('readonly', (s) => s.getAll())) as SavedRun[];
    return all.sort((a, b) => a.startedAt - b.startedAt);
  }

  delete(id: string): Promise<undefined> {
    return this.transact('readwrite', (s) => s.delete(id));
  }
}
