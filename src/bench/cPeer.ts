/**
 * The compiled peer of `langevin bench` (Node only): the C program of
 * ./cSource.ts written to a temporary folder, compiled by `cc` once per bench
 * run in each variant (the compile timed apart from the figures), and run as a
 * child process that times itself like the engine's method (one warm-up block,
 * then the median of REPS timed blocks) and prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOUBLE_WELL, rowProvenance, type BenchRow } from './matrix.ts';
import { C_PEER_SOURCE } from './cSource.ts';

/** A way of compiling the peer: its row name, its flags, its precision. */
export interface CVariant {
  /** `c scalar` (no vectorisation, IEEE arithmetic) or `c native` (this CPU's vector units, -ffast-math) */
  name: string;
  flags: string[];
  precision: 'float32' | 'float64';
}

const SCALAR = ['-O3', '-fno-tree-vectorize'];
const NATIVE = ['-O3', '-march=native', '-ffast-math'];

/** The bench's variants: scalar and native, float64 (the CPU backend's precision) and float32 (the GPU's). */
export const C_VARIANTS: CVariant[] = [
  { name: 'c scalar', flags: SCALAR, precision: 'float64' },
  { name: 'c scalar', flags: SCALAR, precision: 'float32' },
  { name: 'c native', flags: NATIVE, precision: 'float64' },
  { name: 'c native', flags: NATIVE, precision: 'float32' },
];

/** The variant of the agreement tests: IEEE arithmetic, no fused multiply-add, so float64 results follow the engine's to rounding. */
export function checkVariant(precision: 'float32' | 'float64'): CVariant {
  return { name: 'c check', flags: ['-O2', '-ffp-contract=off'], precision };
}

/** A compiled peer: the binary, the compiler's first `--version` line, the compile's wall time (s). */
export interface CompiledPeer {
  variant: CVariant;
  binary: string;
  compiler: string;
  compileSeconds: number;
}

/** The first line of `cc --version`, or undefined when there is no working `cc`. */
export function findCompiler(cc = 'cc'): string | undefined {
  const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : undefined;
}

/** The flags of a variant as one string, as a row reports them. */
export function variantFlags(v: CVariant): string {
  return [...v.flags, ...(v.precision === 'float32' ? ['-DPEER_F32'] : [])].join(' ');
}

/**
 * Write the C source into `dir` and compile one variant (with -pthread, -lm).
 * @returns the compiled peer, or the compiler's complaint (its last lines)
 */
export function compileCPeer(dir: string, variant: CVariant, compiler: string, cc = 'cc'): CompiledPeer | { error: string } {
  const source = join(dir, 'peer.c');
  writeFileSync(source, C_PEER_SOURCE);
  const binary = join(dir, `peer-${variant.name.replace(/\W+/g, '-')}-${variant.precision}`);
  const t0 = performance.now();
  const args = [...variantFlags(variant).split(' '), '-o', binary, source, '-lm', '-pthread'];
  const r = spawnSync(cc, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(-2).join(' ') };
  return { variant, binary, compiler, compileSeconds: (performance.now() - t0) / 1000 };
}

/** Run the peer with arguments; its stdout, or an Error with its stderr. */
export function runCPeer(peer: CompiledPeer, args: (string | number)[], timeoutMs = 600_000): string {
  const r = spawnSync(peer.binary, args.map(String), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${peer.variant.name} ${peer.variant.precision}: ${(r.stderr || r.error?.message || '').trim()}`);
  return r.stdout;
}

/** One timed workload of the peer: the bench's 2-D double well at T = 1. */
export interface CWorkload {
  /** em, baoab or mala */
  integrator: string;
  particles: number;
  /** steps per timed block */
  steps: number;
  reps: number;
  threads: number;
  /** step size (time units); the double well's bench value by default */
  dt?: number;
  seed?: number;
}

/** What the peer prints in bench mode. */
interface CTiming {
  precision: string;
  threads: number;
  median: number;
  min: number;
  max: number;
}

/** Time one workload on a compiled peer: a bench row (backend `c scalar` / `c native`, with threads, compiler, flags, precision). */
export function cPeerRow(peer: CompiledPeer, w: CWorkload): BenchRow {
  const [low, high] = [DOUBLE_WELL.box[0] / 2, DOUBLE_WELL.box[1] / 2];
  const dt = w.dt ?? DOUBLE_WELL.dt;
  const out = runCPeer(peer, ['bench', w.integrator, w.particles, w.steps, w.reps, w.threads, dt, w.seed ?? 1, low, high]);
  const t = JSON.parse(out.trim().split('\n').at(-1)!) as CTiming;
  return {
    ...rowProvenance(),
    backend: peer.variant.name,
    device: `CPU, ${w.threads} thread${w.threads > 1 ? 's' : ''}`,
    software: true,
    potential: DOUBLE_WELL.potential,
    integrator: w.integrator,
    dims: 2,
    particles: w.particles,
    stepsPerDispatch: w.steps,
    histogram: false,
    particleStepsPerSecond: t.median,
    spread: [t.min, t.max],
    threads: t.threads,
    compiler: peer.compiler,
    flags: variantFlags(peer.variant),
    precision: peer.variant.precision,
  };
}
