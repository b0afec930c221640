/**
 * The few lines that sum up a run, as `langevin run` prints them on a
 * terminal and as the runner page shows them: one text, two layouts. Pure:
 * no DOM, no Node APIs.
 */
import type { RunResult } from './engine.ts';

/**
 * A number as the summaries print it: four decimals, or four significant
 * digits in exponent form where four decimals would hide it (|x| < 10^-3) or
 * run long (|x| ≥ 10^4); NaN and ±Infinity as JavaScript writes them.
 * @example fmt(0.5) // "0.5000"; fmt(26_760_000) // "2.676e+7"
 */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a >= 1e4 || (a < 1e-3 && x !== 0) ? x.toExponential(3) : x.toFixed(4);
}

/**
 * Who reads the summary:
 * - `terminal` (the CLI): counts as plain integers, the rate in parentheses,
 *   no warnings (the CLI writes them to stderr whether or not it is a
 *   terminal, before the summary).
 * - `page` (the runner page): counts grouped with commas, the backend and
 *   device, then the warnings.
 * Both say how far a partial run got (interrupted or cancelled).
 */
export type SummaryLayout = 'terminal' | 'page';

/**
 * The summary of a run, one line per item, without indentation or prefix:
 * what was run and how fast, the final moments, the comparison with the
 * Boltzmann distribution (when there is a histogram), the best point, then
 * the warnings (page only) and the notes.
 */
export function summaryLines(r: RunResult, layout: SummaryLayout): string[] {
  const f = r.final;
  const lines = [
    headline(r, layout),
    `mean [${f.mean.map(fmt).join(', ')}]  variance [${f.variance.map(fmt).join(', ')}]  mean energy ${fmt(f.meanEnergy)}  T ${fmt(f.temperature)}`,
  ];
  if (r.divergence && r.boltzmann) {
    const d = r.divergence;
    lines.push(
      `vs Boltzmann at T = ${fmt(r.boltzmann.temperature)}: KL ${fmt(d.kl)} (floor ${fmt(d.klFloor)})  TV ${fmt(d.tv)}  χ² ${fmt(d.chi2)} / ${d.dof} dof, p = ${fmt(d.pValue)}${d.note ? ' (not calibrated: snapshots are correlated)' : ''}`,
    );
  }
  lines.push(
    `best energy ${fmt(r.best.energy)} at [${r.best.x.map(fmt).join(', ')}] (step ${r.best.step})${r.target ? `; ${(100 * r.target.fraction).toFixed(2)}% within ${r.target.radius} of the target` : ''}`,
  );
  lines.push(...kineticsLines(r));
  if (layout === 'page') for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines;
}

/** The first line: particles × steps, the time and the rate. */
function headline(r: RunResult, layout: SummaryLayout): string {
  const seconds = (r.elapsedMs / 1000).toFixed(2);
  const count = layout === 'terminal' ? String : (n: number) => n.toLocaleString('en');
  const partial = r.partial ? ` (of ${count(r.partial.stepsPlanned)}: ${r.partial.reason})` : '';
  if (layout === 'terminal')
    return `${r.particles} particles × ${r.steps} steps${partial} in ${seconds} s (${fmt(r.particleStepsPerSecond)} particle-steps/s)`;
  return `${count(r.particles)} particles × ${count(r.steps)} steps${partial} on ${r.backend} (${r.device}) in ${seconds} s, ${fmt(r.particleStepsPerSecond)} particle-steps/s`;
}

/** A value with its standard error: `1.234 ± 0.005`. */
function pm(value: number | null, se: number | null | undefined): string {
  if (value === null) return 'n/a';
  return se === undefined || se === null || !Number.isFinite(se) ? fmt(value) : `${fmt(value)} ± ${fmt(se)}`;
}

/** First passage (hit fraction, MFPT or restricted mean, rate) and work (mean, Jarzynski ΔF, dissipation), with exact references where the result has them. */
function kineticsLines(r: RunResult): string[] {
  const lines: string[] = [];
  const p = r.passage;
  if (p) {
    const exact = p.reference ? `  (exact ${fmt(p.reference.mfpt)}: ${p.reference.method})` : '';
    const mfpt = p.mfpt
      ? `MFPT ${pm(p.mfpt.value, p.mfpt.standardError)}${exact}`
      : `restricted mean ${pm(p.restrictedMean?.value ?? null, p.restrictedMean?.standardError)} up to t = ${fmt(p.restrictedMean?.horizon ?? NaN)}${p.tailEstimate ? `, with an exponential tail ${fmt(p.tailEstimate.value)}` : ''}${exact}`;
    lines.push(`first passage: ${(100 * p.fraction).toFixed(2)}% hit; ${mfpt}`);
    lines.push(
      p.rate
        ? `rate k ${pm(p.rate.value, p.rate.standardError)} over t ∈ [${fmt(p.rate.from)}, ${fmt(p.rate.to)}] (${p.rate.events} events, p = ${fmt(p.rate.pValue)})${p.reference ? `  (1/exact MFPT ${fmt(1 / p.reference.mfpt)})` : ''}`
        : 'rate: none (see notes)',
    );
  }
  const w = r.work;
  if (w) {
    lines.push(`work: mean ${pm(w.mean, w.standardError)}  variance ${pm(w.variance, null)}  (${w.particles} walkers)`);
    if (w.jarzynski) {
      const exact = w.reference ? `  (exact ${fmt(w.reference.deltaF)}: ${w.reference.method})` : '';
      lines.push(
        `Jarzynski ΔF ${pm(w.jarzynski.deltaF, w.jarzynski.standardError)} (effective samples ${fmt(w.jarzynski.effectiveSamples)})${exact}; dissipated ${w.dissipated ? pm(w.dissipated.value, w.dissipated.standardError) : 'n/a'}`,
      );
    }
  }
  for (const n of [...(p?.notes ?? []), ...(w?.notes ?? [])]) lines.push(`note: ${n}`);
  return lines;
}
