/**
 * Where the runner's spec comes from (the example, a file, a drop, a paste, a
 * `?spec=` URL: remote.ts) and the message a person sees for it: the CLI's, word for word
 * (`invalid input: …` for JSON, spec and potential errors).
 */
import { InputError, parseJsonText, prepare, RuntimeFailure, type Prepared } from '../index.ts';

/** A spec's text and what to call it in messages. */
export interface SpecText {
  text: string;
  /** a file name, a URL, or "pasted spec" */
  source: string;
}

/** The spec the page opens with: a 2-D double well with a histogram and a trace. */
export const EXAMPLE: SpecText = {
  text: JSON.stringify(
    {
      dims: 2,
      particles: 100000,
      potential: { name: 'double-well' },
      integrator: 'lm',
      dt: 0.01,
      temperature: 0.5,
      steps: 2000,
      seed: 42,
      init: { kind: 'normal', mean: [-1, 0], std: 0.1 },
      histogram: { dims: [0, 1], bins: [48, 32], low: [-2, -1.5], high: [2, 1.5], from: 1000, every: 100 },
      observe: { every: 100 },
    },
    null,
    2,
  ),
  source: 'example',
};

/** Parsed and prepared, or the message saying why not. */
export type Checked = { ok: true; raw: unknown; prepared: Prepared } | { ok: false; message: string };

/** Errors a user can fix by changing the spec (the CLI's exit code 2). */
export function isInputError(e: unknown): e is Error {
  return e instanceof InputError;
}

/** The one-line message for an error, as the CLI words it (without its "langevin: " prefix); never a stack trace. */
export function describeError(e: unknown): string {
  if (isInputError(e)) return `invalid input: ${e.message}`;
  if (e instanceof RuntimeFailure) return e.message;
  return `internal error: ${e instanceof Error ? e.message : String(e)}`;
}

/** Parse and validate spec text exactly as `langevin run` does (JSON, then spec, then potential). */
export function check(spec: SpecText): Checked {
  try {
    const raw = parseJsonText(spec.text, spec.source);
    return { ok: true, raw, prepared: prepare(raw) };
  } catch (e) {
    if (!isInputError(e)) throw e;
    return { ok: false, message: describeError(e) };
  }
}

/** A file's text (file picker or drop). */
export async function fromFile(file: File): Promise<SpecText> {
  return { text: await file.text(), source: file.name };
}
