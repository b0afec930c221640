/**
 * Keeping a run in progress saved: its observations go to the page's
 * RunStore after each chunk, and a Web Lock named for the run is held while
 * it goes on, so that a tab finding the record while the lock is held knows
 * the run is live, not interrupted.
 */
import type { Observations } from '../index.ts';
import { showNotice, type Page } from './page.ts';
import type { SavedRun } from './store.ts';

/**
 * Keeps a run's observations in IndexedDB: after every chunk, skipping a chunk
 * while the previous save is still being written (a save copies the
 * observations when it starts).
 */
export class Saver {
  private writing: Promise<void> = Promise.resolve();
  private busy = false;
  /** the step of the run's last checkpoint (OPFS), kept in its record for the banner */
  checkpointStep: number | undefined;

  constructor(
    private readonly page: Page,
    private readonly record: Omit<SavedRun, 'observations' | 'savedAt'>,
  ) {}

  save(o: Observations): void {
    const { store, runner } = this.page;
    if (!store || this.busy) return;
    this.busy = true;
    const step = o.step;
    this.writing = store
      .put({
        ...this.record,
        savedAt: Date.now(),
        observations: o,
        ...(this.checkpointStep !== undefined ? { checkpointStep: this.checkpointStep } : {}),
      })
      .then(() => void (runner.progress.savedStep = step))
      .catch((e) =>
        showNotice(
          this.page,
          `could not save the run's observations in IndexedDB (${(e as Error).message}); an interrupted run will be lost`,
        ),
      )
      .finally(() => (this.busy = false));
  }

  /** Save now (after the last write), e.g. when the run failed. */
  async flush(o: Observations): Promise<void> {
    await this.writing;
    this.busy = false;
    this.save(o);
    await this.writing;
  }

  /** The run ended with a result in hand: forget it (after any write in flight). */
  async forget(): Promise<void> {
    await this.writing;
    await this.page.store?.delete(this.record.id);
  }
}

/** The Web Lock held while the run `id` goes on. */
export const lockName = (id: string) => `langevin-runner-run-${id}`;

/** Hold a Web Lock until the returned function is called (no-op where there are no Web Locks). */
export function holdLock(name: string): () => void {
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  void navigator.locks?.request(name, () => held);
  return release;
}

/** Names of the locks held now, by any tab of this origin. */
export async function heldLocks(): Promise<Set<string>> {
  const q = await navigator.locks?.query();
  return new Set((q?.held ?? []).map((l) => l.name ?? ''));
}
