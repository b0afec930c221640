/**
 * Boltzmann references computed in a Worker (RunOptions.reference), so that
 * the 0.1–1 s quadrature per temperature never blocks the page.
 */
import type { BoltzmannResult } from '../index.ts';

export class QuadratureWorker {
  private readonly worker = new Worker(new URL('./quadrature.worker.ts', import.meta.url), { type: 'module', name: 'langevin-quadrature' });
  private readonly pending = new Map<number, { resolve: (r: BoltzmannResult) => void; reject: (e: Error) => void }>();
  private next = 0;

  /** @param spec the run's spec as given (the worker prepares it again) */
  constructor(private readonly spec: unknown) {
    this.worker.onmessage = (e: MessageEvent<{ id: number; result?: BoltzmannResult; error?: string }>) => {
      const p = this.pending.get(e.data.id);
      this.pending.delete(e.data.id);
      if (e.data.error !== undefined) p?.reject(new Error(`Boltzmann quadrature: ${e.data.error}`));
      else p?.resolve(e.data.result!);
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(`Boltzmann quadrature worker: ${e.message}`));
      this.pending.clear();
    };
  }

  /** The reference at temperature T (energy units). */
  reference(T: number): Promise<BoltzmannResult> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, spec: this.spec, T });
    });
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('the quadrature worker was stopped'));
    this.pending.clear();
  }
}
