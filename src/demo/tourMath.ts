/** MathML markup for the tour's formulas (tourSteps.ts): small builders of presentation MathML, which Chromium renders natively. */
/** an identifier */
export const mi = (x: string) => `<mi>${x}</mi>`;
/** an operator */
export const mo = (x: string) => `<mo>${x}</mo>`;
/** a number */
export const mn = (x: string) => `<mn>${x}</mn>`;
export const row = (...xs: string[]) => `<mrow>${xs.join('')}</mrow>`;
export const frac = (a: string, b: string) => `<mfrac>${a}${b}</mfrac>`;
export const sup = (a: string, b: string) => `<msup>${a}${b}</msup>`;
export const sub = (a: string, b: string) => `<msub>${a}${b}</msub>`;
export const dot = (x: string) => `<mover>${mi(x)}<mo>˙</mo></mover>`;
export const ddot = (x: string) => `<mover>${mi(x)}<mo>¨</mo></mover>`;
export const avg = (...xs: string[]) => row(mo('⟨'), ...xs, mo('⟩'));
export const exp = (...xs: string[]) => sup(mi('e'), row(...xs));
/** the whole formula, displayed as a block */
export const math = (...xs: string[]) => `<math display="block">${row(...xs)}</math>`;
export const mspace = () => '<mspace width="1em"></mspace>';
/** ⟨|x(t) − x(0)|²⟩ */
export const msd = avg(
  sup(row(mo('|'), mi('x'), mo('('), mi('t'), mo(')'), mo('−'), mi('x'), mo('('), mn('0'), mo(')'), mo('|')), mn('2')),
);
/** ∫ from `lo` to `hi` */
export const int = (lo: string, hi: string) => `<msubsup>${mo('∫')}${lo}${hi}</msubsup>`;
