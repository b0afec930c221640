/**
 * The guided tour in the URL: `?tour=<id>` opens that step of src/demo/tourSteps.ts with the step's preset
 * and settings (`step.query`), while the other settings the URL gives (particles, seed, …) still apply. Each
 * step's URL reproduces it: the demo writes every control into the URL (params.ts) and keeps `tour` there.
 */
import { describeValue } from '../errors.ts';
import { TOUR, type TourStep } from './tourSteps.ts';

/** What a page's query opens: the demo's query and, in the tour, the step's index and (for a bad `?tour=`) why it is not the one asked for. */
export interface TourOpening {
  /** the query the demo's controls are read from (params.ts `readParams`) */
  query: URLSearchParams;
  /** the step's index in TOUR; undefined: the plain demo */
  index?: number;
  /** a bad `?tour=` value: the message that names it and the steps there are */
  problem?: string;
}

/** Settings that Next/Previous keep from the step before: the ensemble's size and seed, and how frames are drawn. */
const KEPT = ['particles', 'seed', 'present', 'backend'];

/** The tour's step ids, as a message lists them. */
export function tourIds(): string {
  return TOUR.map((s) => s.id).join(', ');
}

/**
 * What a page opened with query `q` shows. A `tour` value that names no step opens the first step, with a
 * message naming the value and the steps there are.
 * @example openingOf(new URLSearchParams('tour=sgd&particles=5000')).index // 5
 */
export function openingOf(q: URLSearchParams): TourOpening {
  const id = q.get('tour');
  if (id === null) return { query: q };
  const found = TOUR.findIndex((s) => s.id === id);
  const index = Math.max(found, 0);
  const problem =
    found < 0
      ? `tour: ${describeValue(id)} is not a step of the guided tour; the steps are ${tourIds()}. Showing the first step, ${TOUR[0].id}.`
      : undefined;
  return { query: stepQuery(TOUR[index], q), index, problem };
}

/** The demo's query for `step`: its preset and settings, with the settings of `q` (other than preset and tour) on top. */
export function stepQuery(step: TourStep, q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(step.query ?? {});
  for (const [key, value] of q) if (key !== 'preset' && key !== 'tour') out.set(key, value);
  out.set('preset', step.preset);
  out.set('tour', step.id);
  return out;
}

/** The query of moving (Next, Previous, the Tour link) from the page at `q` to `step`: only the particles, seed and drawing path carry over. */
export function moveQuery(step: TourStep, q: URLSearchParams): URLSearchParams {
  const kept = new URLSearchParams();
  for (const key of KEPT) {
    const value = q.get(key);
    if (value !== null) kept.set(key, value);
  }
  return stepQuery(step, kept);
}

/** The query of leaving the tour at `q`: the same settings without `tour`. */
export function leaveQuery(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams(q);
  out.delete('tour');
  return out;
}
