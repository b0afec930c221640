/**
 * The kinetics fields of the run spec (src/spec/kinetics.ts): parameter
 * schedules, `protocol`, `passage`, the equilibrium init. Every bad value is
 * refused naming the field, the value and what is allowed; a valid spec is
 * written back by normalisedSpec so that running the result's `spec` again
 * runs the same protocol; the parameter values of every protocol point follow
 * the schedule's closed form.
 */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/engine.ts';
import { SpecError } from '../../src/errors.ts';
import { normalisedSpec } from '../../src/run/specJson.ts';
import { Protocol } from '../../src/run/protocol.ts';
import { paramAt } from '../../src/run/paramProtocol.ts';

const BASE = { dims: 1, particles: 100, potential: { expr: 'k*x^2/2 + a*x', params: { k: 1, a: 0 } }, dt: 0.01, steps: 10 };
const spec = (patch: Record<string, unknown>) => ({ ...BASE, ...patch });
const scheduled = (params: Record<string, unknown>, patch: Record<string, unknown> = {}) =>
  spec({ potential: { expr: 'k*x^2/2 + a*x', params }, ...patch });

function refusal(raw: unknown): SpecError {
  try {
    prepare(raw);
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe('refusals name the field, the value and what is allowed', () => {
  const cases: [string, unknown, string, string][] = [
    ['unknown schedule kind', scheduled({ k: { schedule: 'sqrt', from: 1 } }), 'potential.params.k.schedule', 'must be one of'],
    ['missing end', scheduled({ k: { schedule: 'linear', from: 1 } }), 'potential.params.k.to', 'finite number'],
    ['geometric through 0', scheduled({ k: { schedule: 'geometric', from: 1, to: -1 } }), 'potential.params.k.to', 'sign'],
    ['table of nothing', scheduled({ k: { schedule: 'table', values: [] } }), 'potential.params.k.values', '1 to'],
    ['sine beyond f32', scheduled({ k: { schedule: 'sine', amplitude: 1e39, period: 4 } }), 'potential.params.k.amplitude', '32-bit'],
    ['sine of period 0', scheduled({ k: { schedule: 'sine', amplitude: 1, period: 0 } }), 'potential.params.k.period', '> 0'],
    ['a word in an array', scheduled({ k: [{ schedule: 'linear', from: 1, to: 2 }, 'x'] }), 'potential.params.k[1]', 'schedule'],
    [
      'a scheduled temperature',
      scheduled({ k: { schedule: 'linear', from: 1, to: 2 } }, { temperature: { schedule: 'linear', from: 1, to: 0 } }),
      'temperature',
      'constant',
    ],
    ['reverse without schedule', spec({ protocol: 'reverse' }), 'protocol', 'no parameter has one'],
    ['protocol sideways', spec({ protocol: 'sideways' }), 'protocol', '"forward"'],
    ['region not an object', spec({ passage: { region: 3 } }), 'passage.region', 'box'],
    ['high below low', spec({ passage: { region: { low: [1], high: [0] } } }), 'passage.region.high[0]', 'must be >'],
    ['all of space', spec({ passage: { region: { low: [null], high: [null] } } }), 'passage.region', 'all of space'],
    ['wrong length', spec({ passage: { region: { low: [1, 2], high: [null, null] } } }), 'passage.region.low', 'dims = 1'],
    ['ball of radius 0', spec({ passage: { region: { center: [0], radius: 0 } } }), 'passage.region.radius', '> 0'],
    ['null centre', spec({ passage: { region: { center: [null], radius: 1 } } }), 'passage.region.center[0]', 'finite'],
    [
      'bridge under baoab',
      spec({ integrator: 'baoab', passage: { region: { low: [1], high: [null] }, bridge: true } }),
      'passage.bridge',
      'em or lm',
    ],
    ['bridge for a ball', spec({ passage: { region: { center: [1], radius: 1 }, bridge: true } }), 'passage.bridge', 'box'],
    ['absorb a word', spec({ passage: { region: { low: [1], high: [null] }, absorb: 'yes' } }), 'passage.absorb', 'true or false'],
    ['unknown passage field', spec({ passage: { region: { low: [1], high: [null] }, rate: 1 } }), 'passage.rate', 'unknown field'],
    [
      'passage with a dt schedule',
      spec({ dt: { schedule: 'linear', from: 0.1, to: 0.01 }, passage: { region: { low: [1], high: [null] } } }),
      'passage',
      'constant dt',
    ],
    ['passage at 2^32 − 1 steps', spec({ steps: 2 ** 32 - 1, passage: { region: { low: [1], high: [null] } } }), 'steps', '4294967294'],
    ['equilibrium without steps', spec({ init: { kind: 'equilibrium' } }), 'init.steps', 'integer'],
    [
      'equilibrium from equilibrium',
      spec({ init: { kind: 'equilibrium', steps: 2, from: { kind: 'equilibrium', steps: 1 } } }),
      'init.from',
      'normal',
    ],
  ];
  it.each(cases)('%s', (_, raw, field, words) => {
    const e = refusal(raw);
    expect(e.field).toBe(field);
    expect(e.message.startsWith(`${field}: `)).toBe(true);
    expect(e.message).toContain(words);
  });
});

describe('schedules over the protocol', () => {
  it('gives λ_j by the closed form of each kind at every point j = 0 … steps, forward and reverse', () => {
    const steps = 10;
    const cases: [unknown, (j: number) => number][] = [
      [{ schedule: 'linear', from: 1, to: 4 }, (j) => 1 + (3 * j) / steps],
      [{ schedule: 'geometric', from: 1, to: 1024 }, (j) => 1024 ** (j / steps)],
      [{ schedule: 'sine', mean: 0.5, amplitude: 2, period: 4, phase: 1 }, (j) => 0.5 + 2 * Math.sin((2 * Math.PI * j) / 4 + 1)],
      [{ schedule: 'table', values: [3, 5] }, (j) => (j < 5.5 ? 3 : 5)],
    ];
    for (const [s, exact] of cases) {
      for (const reverse of [false, true]) {
        const p = prepare(scheduled({ k: s, a: 0 }, { steps, ...(reverse ? { protocol: 'reverse' } : {}) }));
        const protocol = new Protocol(p.spec, p.potential);
        const table = protocol.paramTable(0, steps)!;
        const k = p.potential.paramNames.indexOf('k');
        for (let j = 0; j <= steps; j++) expect(table[j * 2 + k]).toBeCloseTo(exact(reverse ? steps - j : j), 12);
        // the compiled potential starts at λ_0 of the protocol's direction
        expect(p.potential.paramValues[k]).toBeCloseTo(exact(reverse ? steps : 0), 12);
      }
    }
  });

  it('paramAt is linear in j/steps and hits both ends exactly', () => {
    expect(paramAt({ schedule: 'linear', from: -2, to: 6 }, 0, 8)).toBe(-2);
    expect(paramAt({ schedule: 'linear', from: -2, to: 6 }, 8, 8)).toBe(6);
    expect(paramAt({ schedule: 'linear', from: -2, to: 6 }, 3, 8)).toBe(1);
  });

  it('a per-dimension built-in parameter given one schedule moves every component', () => {
    const p = prepare({
      dims: 2,
      potential: { name: 'harmonic', params: { k: { schedule: 'linear', from: 1, to: 3 } } },
      dt: 0.1,
      steps: 2,
    });
    const table = new Protocol(p.spec, p.potential).paramTable(0, 2)!;
    expect(Array.from(table)).toEqual([1, 1, 2, 2, 3, 3]);
  });
});

describe('normalisedSpec writes the kinetics back', () => {
  it('schedules as given, protocol, passage with null for unbounded sides, the equilibrium init: prepare(written) writes the same', () => {
    const raw = scheduled(
      { k: { schedule: 'linear', from: 1, to: 4 }, a: 0.5 },
      {
        protocol: 'reverse',
        passage: { region: { low: [1], high: [null] }, absorb: true },
        init: { kind: 'equilibrium', steps: 50, from: { kind: 'point', x: -1 } },
      },
    );
    const written = normalisedSpec(prepare(raw).spec);
    expect(written.potential.params).toEqual({ k: { schedule: 'linear', from: 1, to: 4 }, a: 0.5 });
    expect(written.protocol).toBe('reverse');
    expect(written.passage).toEqual({ region: { low: [1], high: [null] }, absorb: true, bridge: true });
    expect(written.init).toEqual({ kind: 'equilibrium', steps: 50, from: { kind: 'point', x: [-1] }, velocity: 'thermal' });
    expect(normalisedSpec(prepare(JSON.parse(JSON.stringify(written))).spec)).toEqual(written);
  });

  it('a parameter named __proto__ with a schedule stays an ordinary parameter', () => {
    const params = JSON.parse('{"__proto__": {"schedule": "linear", "from": 1, "to": 2}}') as Record<string, unknown>;
    const p = prepare({ ...BASE, steps: 2, potential: { expr: '__proto__*x^2', params } });
    expect(p.potential.paramNames).toEqual(['__proto__']);
    expect(Array.from(new Protocol(p.spec, p.potential).paramTable(0, 2)!)).toEqual([1, 1.5, 2]);
    expect(Object.getPrototypeOf(normalisedSpec(p.spec).potential.params)).toBe(Object.prototype);
  });
});
