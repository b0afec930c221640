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
