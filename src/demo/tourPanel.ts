/**
 * The guided tour's panel (in index.html's `#tour`): "Tour k/10: title", Previous / Next / leave tour, the
 * step's text, its formula (MathML) and its key number "label: measured ± se (exact: value)".
 */
import type { KeyNumber, TourStep } from './tourSteps.ts';

/** What the panel's buttons do. */
export interface TourActions {
  previous(): void;
  next(): void;
  leave(): void;
}

/**
 * Decimal places that show `se` with two significant digits (0 … 10; 4 where `se` is 0 or not finite).
 * @example decimalsFor(0.0123) // 3
 */
export function decimalsFor(se: number): number {
  if (!(se > 0) || !Number.isFinite(se)) return 4;
  return Math.min(10, Math.max(0, 1 - Math.floor(Math.log10(se))));
}

/**
 * The key number as the panel shows it: measured and its standard error to the same decimals (a tiny measured
 * value, under 10⁻³, in units of its power of ten), and the exact value to six significant digits.
 * @example formatKey({ label: 'MSD / 2DTt', measured: 1.00312, se: 0.0123, exact: 1 }) // 'MSD / 2DTt: 1.003 ± 0.012 (exact: 1)'
 * @example formatKey({ label: 'r', measured: 1.4531e-6, se: 3.8e-10, exact: 1.45312e-6 }) // 'r: (1.45310 ± 0.00038) × 10^-6 (exact: 0.00000145312)'
 */
export function formatKey(k: KeyNumber): string {
  const size = Math.abs(k.measured);
  const power = size > 0 && size < 1e-3 ? Math.floor(Math.log10(size)) : 0;
  const unit = 10 ** power;
  const d = decimalsFor(k.se / unit);
  const value = `${(k.measured / unit).toFixed(d)} ± ${(k.se / unit).toFixed(d)}`;
  const exact = Number.isFinite(k.exact) ? String(Number(k.exact.toPrecision(6))) : String(k.exact);
  return `${k.label}: ${power === 0 ? value : `(${value}) × 10^${power}`} (exact: ${exact})`;
}

/** The panel's elements, built once into the tour's section. */
export class TourPanel {
  private readonly heading = document.createElement('h2');
  private readonly text = document.createElement('p');
  private readonly formula = document.createElement('div');
  private readonly key = document.createElement('p');
  private readonly previous: HTMLButtonElement;
  private readonly next: HTMLButtonElement;

  constructor(
    private readonly root: HTMLElement,
    actions: TourActions,
  ) {
    const button = (label: string, title: string, action: () => void) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.title = title;
      b.addEventListener('click', action);
      return b;
    };
    this.previous = button('← Previous', 'previous step (← key)', () => actions.previous());
    this.next = button('Next →', 'next step (→ key)', () => actions.next());
    const leave = button('leave tour', 'back to the plain demo, with this preset', () => actions.leave());
    const nav = document.createElement('nav');
    nav.append(this.heading, this.previous, this.next, leave);
    this.text.className = 'tour-text';
    this.formula.className = 'tour-formula';
    this.key.className = 'tour-key';
    this.key.setAttribute('aria-live', 'polite');
    root.replaceChildren(nav, this.text, this.formula, this.key);
  }

  /** Show step `index` (0-based) of `count`. */
  show(step: TourStep, index: number, count: number): void {
    this.heading.textContent = `Tour ${index + 1}/${count}: ${step.title}`;
    this.text.textContent = step.text;
    this.formula.innerHTML = step.formula; // MathML markup from tourSteps.ts, never from the URL
    this.previous.disabled = index === 0;
    this.next.disabled = index === count - 1;
    this.showKey(null);
    this.root.hidden = false;
  }

  /** The key number now (null: not yet measurable). */
  showKey(key: KeyNumber | null): void {
    this.key.textContent = key ? formatKey(key) : 'measuring …';
  }

  hide(): void {
    this.root.hidden = true;
  }
}
