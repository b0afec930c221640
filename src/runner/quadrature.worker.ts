/**
 * The runner's Boltzmann quadrature, off the page's main thread: the same
 * function the engine would call (public API), on the same spec, so the
 * numbers are identical. Message in: {id, spec, T}; out: {id, result} or {id, error}.
 */
import { boltzmannReference, prepare, type Prepared } from '../index.ts';

let cached: { text: string; prepared: Prepared } | undefined;

self.onmessage = (e: MessageEvent<{ id: number; spec: unknown; T: number }>) => {
  const { id, spec, T } = e.data;
  try {
    const text = JSON.stringify(spec);
    if (cached?.text !== text) cached = { text, prepared: prepare(spec) };
    const { potential, spec: s } = cached.prepared;
    if (!s.histogram) throw new Error('no histogram in the spec');
    self.postMessage({ id, result: boltzmannReference(potential, s.histogram, T) });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
