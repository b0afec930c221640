/**
 * The demo's specs from its controls (src/demo/params.ts specFor): every preset, and every lane, gives a spec the
 * engine accepts, and changing the dimension D resizes what is per coordinate (init, the passage region) instead of
 * leaving a spec the controls cannot mend.
 */
import { describe, expect, it } from 'vitest';
import { PRESETS, lanesOf, readParams, specFor } from '../../src/demo/params.ts';
import { validateSpec } from '../../src/spec.ts';

describe("the demo's specs", () => {
  it('every preset and lane gives a valid spec at its own D', () => {
    for (const preset of PRESETS) {
      const params = readParams(new URLSearchParams(`preset=${preset.id}`));
      lanesOf(preset).forEach((_, lane) => {
        expect(() => validateSpec(specFor(preset, params, undefined, lane)), `${preset.id} lane ${lane}`).not.toThrow();
      });
    }
  });

  it('first passage at D = 3 and 4: the region stays the half-space x ≥ threshold (bounds padded with null)', () => {
    const preset = PRESETS.find((p) => p.id === 'first-passage')!;
    const region = (preset.spec.passage as { region: { low: (number | null)[] } }).region;
    for (const dims of [3, 4]) {
      const spec = specFor(preset, readParams(new URLSearchParams(`preset=first-passage&dims=${dims}`)));
      const valid = validateSpec(spec);
      expect(valid.passage?.region).toEqual({
        kind: 'box',
        low: [region.low[0], ...new Array(dims - 1).fill(-Infinity)],
        high: new Array(dims).fill(Infinity),
      });
    }
  });
});
