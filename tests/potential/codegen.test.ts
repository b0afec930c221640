/**
 * No user text in generated code. Every path a user's text takes to the
 * compilers (the expression, a parameter name, a data column from a spec or a
 * CSV header, the demo's `?expr=`, the runner's spec box) either refuses a
 * hostile character with an InputError or generates WGSL and JavaScript
 * byte-identical to those of the same spec written plainly: the text cannot
 * end a WGSL `//` comment (every Unicode line terminator) nor be expanded by
 * a replacement pattern (`$&`, `$'`, …).
 *
 * The WGSL compared is the full assembled shader of every stage that splices
 * the potential (each integrator's particle kernel, the moments reduction,
 * the landscape and point renderers); the JavaScript is every source given
 * to `new Function` while the spec is prepared (energy and gradient bodies)
 * plus each integrator's generated CPU range kernel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import stepWGSL from '../../shaders/step.wgsl?raw';
import momentsWGSL from '../../shaders/moments.wgsl?raw';
import landscapeWGSL from '../../shaders/landscape.wgsl?raw';
import pointsWGSL from '../../shaders/points.wgsl?raw';
import colormapWGSL from '../../shaders/colormap.wgsl?raw';
import { prepare, type Prepared } from '../../src/engine.ts';
import { InputError } from '../../src/errors.ts';
import { parseCsv } from '../../src/data.ts';
import { assembleShader } from '../../src/gpu/shaders.ts';
import { potentialWithBatch } from '../../src/gpu/batch.ts';
import { LandscapeParams, MomentsParams, ParticleParams, PointParams } from '../../src/gpu/layout.ts';
import { INTEGRATORS, INTEGRATOR_TABLE, MINI_BATCH } from '../../src/integrators/table.ts';
import { presetById } from '../../src/demo/presets.ts';
import { readParams, specFor } from '../../src/demo/params.ts';
import { check } from '../../src/runner/source.ts';

/** Every Unicode line terminator, and every `String.replace` replacement pattern. */
const TERMINATORS = ['\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029'];
const DOLLARS = ['$&', "$'", '$`', '$$', '$1'];
const HOSTILE = [...TERMINATORS, ...DOLLARS];
/** How a test names a hostile string: U+XXXX for a terminator. */
const show = (t: string) => (t.startsWith('$') ? t : `U+${t.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);

/** The injection: a WGSL function after a line terminator, inside a mathjs `#` comment. */
const INJECTED = 'fn sqrt(v: f32) -> f32 { return 0.0; }';

const originalFunction = globalThis.Function;
afterEach(() => {
  globalThis.Function = originalFunction;
});

/** What `make` prepares, and every source it handed to `new Function` meanwhile. */
function capturingFunctionSources(make: () => Prepared): { prepared: Prepared; sources: string[] } {
  const sources: string[] = [];
  globalThis.Function = new Proxy(originalFunction, {
    construct(target, args: string[]) {
      sources.push(args.join('\n---\n'));
      return Reflect.construct(target, args) as object;
    },
  });
  try {
    return { prepared: make(), sources };
  } finally {
    globalThis.Function = originalFunction;
  }
}

/** Every generated source of a prepared spec: each stage's full WGSL, then the JavaScript. */
function generatedCode(make: () => Prepared): string[] {
  const { prepared, sources } = capturingFunctionSources(make);
  const { spec, potential } = prepared;
  const dims = spec.dims;
  const stages: string[] = [];
  const kernels: string[] = [];
  for (const name of INTEGRATORS) {
    const entry = INTEGRATOR_TABLE[name];
    const batch = spec.batch && MINI_BATCH.includes(name) ? spec.batch : undefined;
    stages.push(
      assembleShader(entry.wgsl, {
        dims,
        structs: [ParticleParams],
        potential: potentialWithBatch(potential.wgsl, batch && potential.data ? { ...batch, rows: potential.data.rows } : undefined),
        defines: { ...entry.defines, BATCH: batch !== undefined },
        rng: true,
      }),
    );
    kernels.push(entry.kernel({ dims, potential, batch, mass: spec.mass, leapfrogSteps: spec.leapfrogSteps }) ?? `(no kernel for ${name})`);
  }
  stages.push(
    assembleShader(momentsWGSL, {
      dims,
      structs: [MomentsParams],
      potential: potential.wgsl,
      defines: { ENERGY: true, CENTRED: true },
      reduce: true,
    }),
  );
  stages.push(assembleShader(`${colormapWGSL}\n${landscapeWGSL}`, { dims, structs: [LandscapeParams], potential: potential.wgsl }));
  stages.push(assembleShader(`${colormapWGSL}\n${pointsWGSL}`, { dims, structs: [PointParams], potential: potential.wgsl }));
  expect(sources.length).toBeGreaterThan(0); // the energy and gradient bodies were seen
  return [...stages, ...sources, ...kernels];
}

/**
 * The hostile spec is refused with an InputError, or generates exactly the
 * code of the clean one.
 */
function outcome(hostile: () => Prepared, clean: () => Prepared): 'refused' | 'same' {
  const expected = generatedCode(clean);
  let got: string[];
  try {
    got = generatedCode(hostile);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return 'refused';
  }
  expect(got).toHaveLength(expected.length);
  got.forEach((code, i) => expect(code, `generated source ${i}`).toBe(expected[i]));
  return 'same';
}

const run = { dims: 2, particles: 10, dt: 0.01, temperature: 0.5, steps: 10, seed: 1 };
const withExpr = (expr: string, params?: Record<string, number>) => () => prepare({ ...run, potential: { expr, params } });

describe('the expression never reaches generated code', () => {
  it.each(HOSTILE.map((t) => [show(t), t]))('%s inside a # comment', (_, t) => {
    const got = outcome(withExpr(`x^2 + y^2 # ${t}${INJECTED}`), withExpr('x^2 + y^2'));
    // mathjs ends a comment only at \n, which then starts a second statement: refused
    expect(got).toBe(t === '\n' ? 'refused' : 'same');
  });

  it.each(HOSTILE.map((t) => [show(t), t]))('%s between tokens, inside parentheses and at either end', (_, t) => {
    const clean = withExpr('(x^2 + y^2)');
    for (const expr of [`(x^2 +${t}y^2)`, `(x^2 + ${t} y^2)`, `x^2 +${t}(y^2)`, `${t}(x^2 + y^2)`, `(x^2 + y^2)${t}`]) {
      outcome(withExpr(expr), clean);
    }
  });

  it("the issue's example: a U+2028 in a comment, then a WGSL function", () => {
    const hostile = withExpr('x^2 + y^2 # \u2028fn sqrt(v: f32) -> f32 { return 0.0; }');
    expect(outcome(hostile, withExpr('x^2 + y^2'))).toBe('same');
    for (const code of generatedCode(hostile)) expect(code).not.toContain('return 0.0; }');
  });

  it("# $' leaves exactly one fn main in every compute stage (one fn vs and fn fs in every render stage)", () => {
    const count = (code: string, fn: string) => code.match(new RegExp(`\\bfn ${fn}\\(`, 'g'))?.length ?? 0;
    const stages = generatedCode(withExpr("x^2 + y^2 # $'")).filter((c) => c.includes('@compute') || c.includes('@vertex'));
    expect(stages).toHaveLength(INTEGRATORS.length + 3);
    for (const code of stages) {
      if (code.includes('@compute')) expect(count(code, 'main')).toBe(1);
      else expect([count(code, 'vs'), count(code, 'fs')]).toEqual([1, 1]);
    }
  });

  it('a potential from data: # comments in the example and the prior', () => {
    const data = (example: string, prior: string) => () =>
      prepare({
        ...run,
        integrator: 'em',
        batch: 3,
        potential: {
          data: {
            columns: ['u', 'v'],
            rows: [
              [0.1, 0.2],
              [0.3, 0.4],
              [0.5, 0.7],
            ],
          },
          example,
          prior,
        },
      });
    const clean = data('(v - x - y*u)^2', 'x^2 + y^2');
    for (const t of HOSTILE) {
      expect(outcome(data(`(v - x - y*u)^2 # ${t}${INJECTED}`, 'x^2 + y^2'), clean), show(t)).toBe(t === '\n' ? 'refused' : 'same');
      expect(outcome(data('(v - x - y*u)^2', `x^2 + y^2 # ${t}${INJECTED}`), clean), show(t)).toBe(t === '\n' ? 'refused' : 'same');
    }
  });
});

describe('names never reach generated code', () => {
  it('a parameter named differently generates the same code', () => {
    expect(outcome(withExpr('kappa*x^2 + b_1*y^2', { kappa: 2, b_1: 3 }), withExpr('a*x^2 + b*y^2', { a: 2, b: 3 }))).toBe('same');
  });

  it.each(HOSTILE.map((t) => [show(t), t]))('a parameter name holding %s is refused', (_, t) => {
    for (const name of [`a${t}`, `${t}a`, `a${t}b`]) {
      expect(outcome(withExpr('a*x^2 + y^2', { [name]: 2 }), withExpr('a*x^2 + y^2', { a: 2 }))).toBe('refused');
    }
  });

  const dataSpec = (columns: string[], example: string) => () =>
    prepare({ ...run, potential: { data: { columns, rows: [[0.1, 0.2]] }, example, prior: 'x^2 + y^2' } });

  it('data columns named differently generate the same code', () => {
    expect(outcome(dataSpec(['obs_1', 'w'], '(w - x*obs_1)^2'), dataSpec(['u', 'v'], '(v - x*u)^2'))).toBe('same');
  });

  it.each(HOSTILE.map((t) => [show(t), t]))(
    'a data column holding %s: in "columns" refused, in a CSV header refused or trimmed away',
    (_, t) => {
      const clean = dataSpec(['u', 'v'], '(v - x*u)^2');
      for (const name of [`u${t}`, `${t}u`, `u${t}w`]) {
        expect(outcome(dataSpec([name, 'v'], '(v - x*u)^2'), clean)).toBe('refused');
        // JavaScript's trim (which the CSV reader applies to each cell) removes most terminators at the ends
        outcome(() => {
          const { columns, rows } = parseCsv(`${name},v\n0.1,0.2\n`, 'points.csv');
          return prepare({ ...run, potential: { data: { columns, rows }, example: '(v - x*u)^2', prior: 'x^2 + y^2' } });
        }, clean);
      }
    },
  );
});

describe('the pages: the demo and the runner', () => {
  const demo = (expr: string) => () => prepare(specFor(presetById(null), readParams(new URLSearchParams({ expr }))));
  const runner = (expr: string) => () => {
    const checked = check({ text: JSON.stringify({ ...run, potential: { expr } }), source: 'pasted spec' });
    if (!checked.ok) throw new InputError(checked.message);
    return checked.prepared;
  };

  it.each(HOSTILE.map((t) => [show(t), t]))("the demo's ?expr= with %s in a comment", (_, t) => {
    expect(outcome(demo(`x^2 + y^2 # ${t}${INJECTED}`), demo('x^2 + y^2'))).toBe(t === '\n' ? 'refused' : 'same');
  });

  it.each(HOSTILE.map((t) => [show(t), t]))("the runner's spec box with %s in a comment", (_, t) => {
    expect(outcome(runner(`x^2 + y^2 # ${t}${INJECTED}`), runner('x^2 + y^2'))).toBe(t === '\n' ? 'refused' : 'same');
  });
});

describe('assembleShader splices the potential verbatim, at one place', () => {
  const stage = (potential: string) =>
    assembleShader(stepWGSL, {
      dims: 2,
      structs: [ParticleParams],
      potential,
      defines: { ...INTEGRATOR_TABLE.em.defines, BATCH: false },
      rng: true,
    });

  it.each(DOLLARS.map((d) => [d]))('%s in the potential text is not a replacement pattern', (d) => {
    const potential = [prepare({ ...run, potential: { expr: 'x^2 + y^2' } }).potential.wgsl, `// ${d} end`].join('\n');
    const code = stage(potential);
    expect(code.match(/\bfn main\b/g)).toHaveLength(1);
    expect(code).toContain(`${potential}\n`);
    expect(code).not.toContain('//!potential');
  });

  it.each(TERMINATORS.filter((t) => t !== '\n').map((t) => [show(t), t]))(
    'a potential text holding %s is refused before compiling',
    (_, t) => {
      expect(() => stage(`// comment${t}${INJECTED}`)).toThrow(/generated WGSL holds printable ASCII/);
    },
  );
});
