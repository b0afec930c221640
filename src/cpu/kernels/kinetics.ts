/**
 * The kinetics lines of a generated overdamped kernel (./overdamped.ts):
 * the parameter switch and its work, the first-passage test with the
 * Brownian bridge, and absorption, statement for statement as
 * src/cpu/kinetics.ts does them around the reference step (the same bits:
 * tests/kinetics/backends.test.ts). The region test and the bridge are
 * src/integrators/passage.ts's, inlined with the region's bounds as literals
 * (the same comparisons and float64 operations in the same order).
 *
 * State: [positions, hit (float64 integers; 4294967295 = not hit) when the
 * spec has a passage region, work when a parameter has a schedule]. With a
 * schedule, `params` holds the chunk's K + 1 rows of P parameters. The
 * equilibration before the protocol runs with the key's top bit set
 * (src/backend.ts `equilibrationKey`): the kernel then tests no passage, adds
 * no work, and reads one row of parameters.
 */
import type { Emitted } from '../../potential/emit.ts';
import { BRIDGE_MIN, BRIDGE_STREAM, NOT_HIT, type PassageSpec } from '../../integrators/passage.ts';
import { COEF_STRIDE } from '../../integrators/coefficients.ts';

/** What a kernel with kinetics is built with. */
export interface KernelKinetics {
  passage?: PassageSpec;
  /** P scalar parameters per row, when they follow a schedule, and the energy (no kernel without it) */
  scheduled?: { params: number; energy?: Emitted };
}

/** A JavaScript literal of a region (infinite bounds as `Infinity`, which JSON cannot write). */
function regionLiteral(p: PassageSpec): string {
  const r = p.region;
  const list = (a: number[]) => `[${a.map((x) => String(x)).join(', ')}]`;
  return r.kind === 'box'
    ? `{ kind: 'box', low: ${list(r.low)}, high: ${list(r.high)} }`
    : `{ kind: 'ball', center: ${list(r.center)}, radius: ${r.radius} }`;
}

/** Factory-level code: none (the region's tests are inlined, with its bounds as literals). */
export function kineticsHelpers(k: KernelKinetics): string[] {
  return k.passage ? [`// first passage into ${regionLiteral(k.passage)}`] : [];
}

/**
 * The in-region test of src/integrators/passage.ts `inRegion`, inlined over the coordinates `v(d)`: the same
 * comparisons (infinite bounds included, so a NaN is never inside) and, for a ball, the same sum in the same order.
 */
function inRegionExpr(p: PassageSpec, v: (d: number) => string, dims: number): string {
  const r = p.region;
  const ds = Array.from({ length: dims }, (_, d) => d);
  // x − x === 0 is Number.isFinite(x) for a number: an infinite coordinate is never inside, as in inRegion and the WGSL
  if (r.kind === 'box')
    return `(${ds.map((d) => `${v(d)} - ${v(d)} === 0 && ${v(d)} >= ${r.low[d]} && ${v(d)} <= ${r.high[d]}`).join(' && ')})`;
  const terms = ds.map((d) => `(${v(d)} - ${r.center[d]}) * (${v(d)} - ${r.center[d]})`);
  return `(${terms.reduce((a, t) => `(${a} + ${t})`, '0')} <= ${r.radius * r.radius})`;
}

/**
 * `bridgeProbability` of src/integrators/passage.ts inlined from the old position `_o{d}` to x{d}: per coordinate
 * in order, the low face then the high one, the same products, cutoff and running product; leaves it in `_p`.
 */
function bridgeLines(r: { low: number[]; high: number[] }, dims: number): string[] {
  const ds = Array.from({ length: dims }, (_, d) => d);
  const within = (e: number, v: string) => `${v} >= ${r.low[e]} && ${v} <= ${r.high[e]}`;
  const others = (d: number) =>
    ds
      .filter((e) => e !== d)
      .map((e) => `${within(e, `_o${e}`)} && ${within(e, `x${e}`)}`)
      .join(' && ') || 'true';
  const face = (d: number, cond: string, dd: string) => [
    `${cond} {`,
    // d·d′ ≥ 17.0000017·T·h implies d·d′/(T·h) ≥ 17 whatever the roundings: the division is skipped, not the decision
    `const _dd = ${dd};`,
    `if (_dd < 17.0000017 * _th) {`,
    `const _q = _dd / _th;`,
    `if (_q < 17 && (${others(d)})) _miss *= 1 - Math.exp(-_q);`,
    '}',
    '}',
  ];
  const out = ['let _miss = 1;'];
  for (const d of ds) {
    const [lo, hi] = [r.low[d], r.high[d]];
    if (lo === -Infinity && hi === Infinity) continue;
    out.push(
      ...face(d, `if (_o${d} < ${lo} && x${d} < ${lo})`, `(${lo} - _o${d}) * (${lo} - x${d})`),
      ...face(d, `else if (_o${d} > ${hi} && x${d} > ${hi})`, `(_o${d} - ${hi}) * (x${d} - ${hi})`),
    );
  }
  const th = `const _th = coef[${COEF_STRIDE} * _k + 2] * coef[${COEF_STRIDE} * _k];`;
  return ['let _p = 0;', th, 'if (_th > 0) {', ...out, '_p = 1 - _miss;', '}'];
}

/** The parameters both the energy and the gradient read, as `let` bindings when they change per step. */
export function kineticsPrologue(k: KernelKinetics, gradientPars: number[], dims: number): string[] {
  const out = [`const _live = (k1 & 0x80000000) === 0;`, `let ${Array.from({ length: dims }, (_, d) => `_o${d} = 0`).join(', ')};`];
  let s = 1;
  if (k.passage) out.push(`const _hit = state[${s++}];`);
  if (k.scheduled) {
    out.push(`const _work = state[${s++}], _table = _live;`);
    const pars = [...new Set([...gradientPars, ...k.scheduled.energy!.pars])];
    out.push(...pars.map((i) => `let p${i} = params[${i}];`));
  } else {
    out.push(...gradientPars.map((i) => `const p${i} = params[${i}];`));
  }
  return out;
}

const bind = (pars: number[], row: string, P: number) => pars.map((i) => `p${i} = params[${row} * ${P} + ${i}];`);

/** Lines before the step of step `_k` (global `step0 + _k`): the step-0 passage test and the switch's work. */
export function kineticsBefore(k: KernelKinetics, dims: number, gradientPars: number[]): string[] {
  const out = ['const _step = step0 + _k;'];
  const x = (d: number) => `x${d}`;
  if (k.passage) out.push(`if (_live && _hv === ${NOT_HIT} && _step === 0 && ${inRegionExpr(k.passage, x, dims)}) _hv = 0;`);
  if (k.scheduled) {
    const P = k.scheduled.params;
    const energy = k.scheduled.energy!;
    const pars = [...new Set([...gradientPars, ...energy.pars])];
    const e = (target: string) => ['{', ...energy.temps, `${target} = ${energy.results[0]};`, '}'];
    out.push(
      'if (_table) {',
      'let _e0 = 0, _e1 = 0;',
      ...bind(pars, '(_k + 1)', P),
      ...e('_e1'),
      ...bind(pars, '_k', P),
      ...e('_e0'),
      '_w += _e1 - _e0;',
      ...bind(pars, '(_k + 1)', P),
      '}',
    );
  }
  if (k.passage?.bridge) out.push(`if (_live && _hv === ${NOT_HIT}) {`, ...Array.from({ length: dims }, (_, d) => `_o${d} = x${d};`), '}');
  return out;
}

/** Whether the step moves the particle (with `absorb`, a particle that has hit no longer moves). */
export function kineticsMoves(k: KernelKinetics): string {
  return k.passage?.absorb ? `(_hv === ${NOT_HIT} || !_live)` : 'true';
}

/** Lines after the step: the passage test of x_{n+1} and the bridge between x_n and x_{n+1}. */
export function kineticsAfter(k: KernelKinetics, dims: number): string[] {
  const p = k.passage;
  if (!p) return [];
  const r = p.region;
  const bridge =
    p.bridge && r.kind === 'box'
      ? [
          'else {',
          ...bridgeLines(r, dims),
          `if (_p > ${BRIDGE_MIN} && _U[_fillUniforms(base + _i, _step, 1, ${BRIDGE_STREAM}, k0, k1)] < _p) _hv = _step + 1;`,
          '}',
        ]
      : [];
  return [`if (_live && _hv === ${NOT_HIT}) {`, `if (${inRegionExpr(p, (d) => `x${d}`, dims)}) _hv = _step + 1;`, ...bridge, '}'];
}

/** Load and store the particle's kinetics state. */
export function kineticsLoad(k: KernelKinetics): string[] {
  return [`let _hv = ${k.passage ? '_hit[_i]' : NOT_HIT};`, `let _w = ${k.scheduled ? '_work[_i]' : 0};`];
}

export function kineticsStore(k: KernelKinetics): string[] {
  return [...(k.passage ? ['_hit[_i] = _hv;'] : []), ...(k.scheduled ? ['_work[_i] = _w;'] : [])];
}
