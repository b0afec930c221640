/**
 * The kinetics lines of a generated overdamped kernel (./overdamped.ts):
 * the parameter switch and its work, the first-passage test with the
 * Brownian bridge, and absorption, statement for statement as
 * src/cpu/kinetics.ts does them around the reference step (the same bits:
 * tests/unit/cpu-kernel.test.ts). The region and bridge functions are
 * src/integrators/passage.ts's own, pasted by their source.
 *
 * State: [positions, hit (float64 integers; 4294967295 = not hit) when the
 * spec has a passage region, work when a parameter has a schedule]. With a
 * schedule, `params` holds the chunk's K + 1 rows of P parameters. The
 * equilibration before the protocol runs with the key's top bit set
 * (src/backend.ts `equilibrationKey`): the kernel then tests no passage, adds
 * no work, and reads one row of parameters.
 */
import type { Emitted } from '../../potential/emit.ts';
import { bridgeProbability, BRIDGE_STREAM, inRegion, NOT_HIT, type PassageSpec } from '../../integrators/passage.ts';
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

/** Factory-level code: the region and the functions that test it. */
export function kineticsHelpers(k: KernelKinetics): string[] {
  if (!k.passage) return [];
  return [
    `const _region = ${regionLiteral(k.passage)};`,
    `const _inRegion = (${inRegion.toString()});`,
    `const _bridgeProbability = (${bridgeProbability.toString()});`,
  ];
}

/** The parameters both the energy and the gradient read, as `let` bindings when they change per step. */
export function kineticsPrologue(k: KernelKinetics, gradientPars: number[], dims: number): string[] {
  const out = [`const _live = (k1 & 0x80000000) === 0, _xv = new Float64Array(${dims}), _xo = new Float64Array(${dims});`];
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
  const loadX = Array.from({ length: dims }, (_, d) => `_xv[${d}] = x${d};`);
  if (k.passage) out.push(`if (_live && _hv === ${NOT_HIT} && _step === 0) {`, ...loadX, 'if (_inRegion(_xv, _region)) _hv = 0;', '}');
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
  if (k.passage?.bridge) out.push(`if (_live && _hv === ${NOT_HIT}) {`, ...loadX.map((l) => l.replace('_xv', '_xo')), '}');
  return out;
}

/** Whether the step moves the particle (with `absorb`, a particle that has hit no longer moves). */
export function kineticsMoves(k: KernelKinetics): string {
  return k.passage?.absorb ? `_hv === ${NOT_HIT}` : 'true';
}

/** Lines after the step: the passage test of x_{n+1} and the bridge between x_n and x_{n+1}. */
export function kineticsAfter(k: KernelKinetics, dims: number): string[] {
  if (!k.passage) return [];
  const bridge = k.passage.bridge
    ? [
        'else {',
        `const _p = _bridgeProbability(_xo, _xv, _region, coef[${COEF_STRIDE} * _k + 2], coef[${COEF_STRIDE} * _k]);`,
        `if (_p > 0 && _U[_fillUniforms(base + _i, _step, 1, ${BRIDGE_STREAM}, k0, k1)] < _p) _hv = _step + 1;`,
        '}',
      ]
    : [];
  return [
    `if (_live && _hv === ${NOT_HIT}) {`,
    ...Array.from({ length: dims }, (_, d) => `_xv[${d}] = x${d};`),
    'if (_inRegion(_xv, _region)) _hv = _step + 1;',
    ...bridge,
    '}',
  ];
}

/** Load and store the particle's kinetics state. */
export function kineticsLoad(k: KernelKinetics): string[] {
  return [`let _hv = ${k.passage ? '_hit[_i]' : NOT_HIT};`, `let _w = ${k.scheduled ? '_work[_i]' : 0};`];
}

export function kineticsStore(k: KernelKinetics): string[] {
  return [...(k.passage ? ['_hit[_i] = _hv;'] : []), ...(k.scheduled ? ['_work[_i] = _w;'] : [])];
}
