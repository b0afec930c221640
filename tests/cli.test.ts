/**
 * The command line, end to end: `node dist/cli.js …` spawned as a user
 * would run it (stdout and stderr are pipes, so no progress bar). Exit codes:
 * 0 success, 2 invalid input, 1 runtime failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunResult } from '../src/engine.ts';
import { main, parseJsonFile } from '../src/node/cli.ts';
import { runAndRead } from './support.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BUILTINS = [
  'free',
  'harmonic',
  'double-well',
  'tilted-double-well',
  'mueller-brown',
  'rastrigin',
  'ackley',
  'himmelblau',
  'gaussian-mixture',
];

// vitest.config.ts puts /usr/lib/chromium on LD_LIBRARY_PATH for the in-process
// GPU tests; take it off so that the CLI has to find the Vulkan loader by itself.
const ENV: NodeJS.ProcessEnv = { ...process.env };
ENV.LD_LIBRARY_PATH = (process.env.LD_LIBRARY_PATH ?? '')
  .split(':')
  .filter((p) => p !== '' && p !== '/usr/lib/chromium')
  .join(':');
if (ENV.LD_LIBRARY_PATH === '') delete ENV.LD_LIBRARY_PATH;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Outcome {
  const r = spawnSync(process.execPath, ['dist/cli.js', ...args], { cwd: ROOT, env: ENV, encoding: 'utf8', timeout: 90_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'langevin-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Write a spec (an object, or raw text) into the temp folder; returns its path. */
function specFile(name: string, spec: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2));
  return path;
}

const noStackTrace = (s: string) => expect(s).not.toMatch(/^\s+at /m);

/** A sample variance of N normal samples with true variance v has standard error v·√(2/(N−1)). */
const varianceSE = (v: number, n: number) => v * Math.sqrt(2 / (n - 1));

// 2-D harmonic, k = (1, 4), T = 0.5, LM from the point (1, −1): exact Boltzmann variances T/k = (0.5, 0.125).
const GOOD = {
  dims: 2,
  particles: 1000,
  potential: { name: 'harmonic', params: { k: [1, 4] } },
  integrator: 'lm',
  dt: 0.05,
  temperature: 0.5,
  steps: 200,
  seed: 7,
  init: { kind: 'point', x: [1, -1] },
};

function checkGoodResult(r: RunResult): void {
  expect(r.backend).toBe('cpu');
  expect(r.software).toBe(true);
  expect(r.device).toMatch(/CPU/);
  expect(r.particles).toBe(1000);
  expect(r.dims).toBe(2);
  expect(r.steps).toBe(200);
  expect(r.elapsedMs).toBeGreaterThan(0);
  expect(r.particleStepsPerSecond).toBeGreaterThan(0);
  expect(r.final.temperature).toBe(0.5);
  expect(r.final.nonFinite).toBe(0);
  expect(r.final.mean).toHaveLength(2);
  expect(r.final.variance).toHaveLength(2);
  const N = r.particles;
  [0.5, 0.125].forEach((v, d) => {
    expect(Math.abs(r.final.variance[d] - v)).toBeLessThan(5 * varianceSE(v, N));
    expect(Math.abs(r.final.mean[d])).toBeLessThan(5 * Math.sqrt(v / N));
  });
  // ⟨E⟩ = D·T/2 = 0.5; Var(E) = D·T²/2 = 0.25
  expect(Math.abs(r.final.meanEnergy - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / N));
  expect(r.warnings).toEqual([]);
}

describe('langevin run: success', () => {
  let fromStdout: RunResult;

  it('writes the result JSON to stdout and nothing to stderr when piped', () => {
    const spec = specFile('good.json', GOOD);
    const r = cli('run', spec, '--backend', 'cpu');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    fromStdout = JSON.parse(r.stdout) as RunResult;
    checkGoodResult(fromStdout);
  });

  it('--out writes the file (replacing what was there), stdout stays empty, and the run is reproducible', () => {
    const spec = specFile('good.json', GOOD);
    const out = join(dir, 'result.json');
    writeFileSync(out, 'an older result\n');
    const r = cli('run', spec, '--backend=cpu', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    const fromFile = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    checkGoodResult(fromFile);
    // same seed, same backend: the same numbers (when the stdout test ran first)
    if (fromStdout) expect(fromFile.final).toEqual(fromStdout.final);
    // written atomically: no temporary file left beside it
    expect(readdirSync(dir).filter((f) => f.startsWith('result.json'))).toEqual(['result.json']);
  });
});

describe('langevin run: invalid input exits 2 with a one-line reason, before any work', () => {
  const PREVIOUS = Buffer.from('{"previous": "result"}\n\u00ff\u0000 bytes that must survive', 'latin1');

  it('an invalid spec names the field, the value and what is allowed; the existing --out file is untouched', () => {
    const spec = specFile('bad-dt.json', { ...GOOD, dt: -1 });
    const out = join(dir, 'kept.json');
    writeFileSync(out, PREVIOUS);
    const r = cli('run', spec, '--backend', 'cpu', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('langevin: invalid input: dt: got -1; must be a finite number > 0 or a schedule object\n');
    expect(r.stdout).toBe('');
    noStackTrace(r.stderr);
    expect(readFileSync(out).equals(PREVIOUS)).toBe(true);
  });

  it('an unknown potential lists the known ones; the existing --out file is untouched', () => {
    const spec = specFile('bad-potential.json', { ...GOOD, potential: { name: 'doublewell' } });
    const out = join(dir, 'kept2.json');
    writeFileSync(out, PREVIOUS);
    const r = cli('run', spec, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('langevin: invalid input: potential.name: unknown potential "doublewell"');
    expect(r.stderr).toContain(`known potentials: ${BUILTINS.join(', ')}`);
    expect(r.stdout).toBe('');
    noStackTrace(r.stderr);
    expect(readFileSync(out).equals(PREVIOUS)).toBe(true);
  });

  it('invalid JSON gives file:line:column (a message V8 reports with a position)', () => {
    // trailing comma: the error is at the closing brace, line 4, column 1
    const spec = specFile('trailing-comma.json', '{\n  "dt": 0.01,\n  "steps": 10,\n}\n');
    const r = cli('run', spec, '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`langevin: invalid input: ${spec}:4:1: invalid JSON`);
    noStackTrace(r.stderr);
  });

  it('invalid JSON gives file:line:column (a message V8 reports without a position)', () => {
    // an unquoted string: V8 says "Unexpected token 'e'" with no position; the e is at line 3, column 17
    const spec = specFile('unquoted.json', '{\n  "dt": 0.01,\n  "integrator": em,\n  "steps": 10\n}\n');
    const r = cli('run', spec, '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`langevin: invalid input: ${spec}:3:17: invalid JSON`);
    noStackTrace(r.stderr);
  });

  it('a missing spec file', () => {
    const missing = join(dir, 'no-such-spec.json');
    const r = cli('run', missing, '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`langevin: invalid input: cannot read spec file ${missing}: no such file\n`);
    expect(r.stdout).toBe('');
  });

  it('an unknown option', () => {
    const r = cli('run', specFile('good.json', GOOD), '--fast');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'langevin: invalid input: run: unknown option --fast; allowed: --backend, --out, --set, --export, --save-positions, --shard, --shards, --checkpoint, --checkpoint-every, --resume, --help (see `langevin help run`)\n',
    );
    expect(r.stdout).toBe('');
  });

  it('a bad --backend value', () => {
    const r = cli('run', specFile('good.json', GOOD), '--backend', 'cuda');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('langevin: invalid input: run: --backend: got "cuda"; allowed: auto, webgpu, cpu (see `langevin help run`)\n');
    expect(r.stdout).toBe('');
  });
});

describe('in process (no spawn): JSON positions and argument checks', () => {
  /** The "file:line:column" prefix parseJsonFile reports for `text`. */
  function where(text: string): string {
    const path = specFile('inproc.json', text);
    try {
      parseJsonFile(path);
    } catch (e) {
      const message = (e as Error).message;
      expect(message.startsWith(`${path}:`)).toBe(true);
      const m = /^:(\d+):(\d+): invalid JSON: /.exec(message.slice(path.length));
      if (!m) throw new Error(`no line:column in ${message}`);
      return `${m[1]}:${m[2]}`;
    }
    throw new Error(`expected ${JSON.stringify(text)} to be refused`);
  }

  it.each([
    // text, line:column of the offending character
    ['{"integrator": em}', '1:16'],
    ['{\n  "a": 1,\n  "b": tru\n}', '3:8'],
    ['{"a": trux}', '1:7'],
    ['{"a": True}', '1:7'],
    ['{"a": NaN}', '1:7'],
    ['{"a": [1, 2,, 3]}', '1:13'],
    ['{"a": 1}\n\nx', '3:1'],
    ['', '1:1'],
    ['{\n  "a": [1, 2\n', '3:1'],
    ['{"a": "unterminated', '1:20'],
    ['{"a": 1,}', '1:9'],
  ])('%j → %s', (text, position) => {
    expect(where(text)).toBe(position);
  });

  it('valid JSON, with escapes and numbers of every form, parses', () => {
    const value = { s: 'a"b\\c\n\u00e9', n: [0, -1.5e-3, 2e2, 10], t: true, f: false, z: null, o: {} };
    expect(parseJsonFile(specFile('inproc.json', JSON.stringify(value)))).toEqual(value);
  });

  it('potentials refuses an unknown option (exit 2) instead of ignoring it', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['potentials', '--jsn'])).toBe(2);
      expect(err).toHaveBeenCalledWith(
        'langevin: invalid input: potentials: unknown option --jsn; allowed: --json, --help (see `langevin help potentials`)\n',
      );
      expect(out).not.toHaveBeenCalled();
      expect(await main(['frobnicate'])).toBe(2);
      expect(err).toHaveBeenLastCalledWith(
        'langevin: invalid input: unknown command "frobnicate"; commands: run, merge, crooks, sweep, potentials, bench, bias, help; options: --version, --help\n',
      );
      expect(await main(['run'])).toBe(2);
      expect(err.mock.lastCall![0]).toContain('run: give a spec file');
      expect(await main(['bench', '--k', '0,64'])).toBe(2);
      expect(err).toHaveBeenLastCalledWith(
        'langevin: invalid input: bench: --k: got "0,64"; give up to 64 comma-separated integers from 1 to 1024 (see `langevin help bench`)\n',
      );
      expect(await main(['bench', '--fast'])).toBe(2);
      expect(err.mock.lastCall![0]).toContain('bench: unknown option --fast; allowed: --quick, --json, --particles, --k, --wg, --help');
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
  });
});

describe('langevin potentials', () => {
  it('lists the nine built-ins with their formulas', () => {
    const r = cli('potentials');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const headers = r.stdout.split('\n').filter((l) => /^\S/.test(l));
    expect(headers.map((l) => l.split(' ')[0])).toEqual(BUILTINS);
    expect(headers).toContain('mueller-brown  (dims: 2)');
    expect(headers).toContain('harmonic  (dims: any)');
    expect(r.stdout).toContain('E = ½ Σ_i k_i x_i²');
    expect(r.stdout).toMatch(/^ {4}k = 1 \(number or one per dimension\): /m);
  });

  it('--json is a parseable array of the nine, with formulas, dims and parameter defaults', () => {
    const r = cli('potentials', '--json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as {
      name: string;
      formula: string;
      dims: number | 'any';
      params: Record<string, { default: number }>;
    }[];
    expect(list.map((p) => p.name)).toEqual(BUILTINS);
    for (const p of list) expect(p.formula).toMatch(/^E = /);
    const byName = Object.fromEntries(list.map((p) => [p.name, p]));
    expect(byName['mueller-brown'].dims).toBe(2);
    expect(byName['himmelblau'].dims).toBe(2);
    expect(byName['harmonic'].dims).toBe('any');
    expect(byName['harmonic'].params.k.default).toBe(1);
    expect(byName['double-well'].params.h.default).toBe(1);
    expect(byName['free'].params).toEqual({});
  });
});

describe('langevin run: physics and blow-up', () => {
  it('a run that blows up still exits 0, counts the non-finite particles and says to lower dt', () => {
    // EM on a spring is unstable for h·k > 2; here x → (1 − hk)x = −299x per step, so even the
    // float64 CPU backend overflows within 100 steps (with k = 1, dt = 3 it only reaches ~1e30).
    const particles = 500;
    const spec = specFile('blow-up.json', {
      dims: 1,
      particles,
      potential: { name: 'harmonic', params: { k: 100 } },
      dt: 3,
      steps: 100,
      integrator: 'em',
    });
    const r = cli('run', spec, '--backend', 'cpu');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result.final.nonFinite).toBe(particles);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain(`${particles} of ${particles} particles became non-finite`);
    expect(r.stderr).toContain('lower dt (now 3)');
    expect(r.stderr).toMatch(/^langevin: warning: /);
    noStackTrace(r.stderr);
  });

  // 1-D harmonic k = 1, T = 1, h = 0.5 from the point x = 3: LM samples the exact variance T/k = 1;
  // EM's stationary variance is 2T/(k(2 − hk)) = 4/3. With N = 2000, 5 SE ≈ 0.16 (0.21): the two are told apart.
  const physics = (integrator: string) => ({
    dims: 1,
    particles: 2000,
    potential: { name: 'harmonic' },
    integrator,
    dt: 0.5,
    temperature: 1,
    steps: 200,
    seed: 3,
    init: { kind: 'point', x: 3 },
  });

  it.each([
    ['lm', 1],
    ['em', 4 / 3],
  ])('%s: the variance is %s within 5 standard errors', (integrator, expected) => {
    const spec = specFile(`physics-${integrator}.json`, physics(integrator as string));
    const r = cli('run', spec, '--backend', 'cpu');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as RunResult;
    const N = result.particles;
    expect(N).toBe(2000);
    expect(result.final.nonFinite).toBe(0);
    expect(Math.abs(result.final.variance[0] - expected)).toBeLessThan(5 * varianceSE(expected, N));
    expect(Math.abs(result.final.mean[0])).toBeLessThan(5 * Math.sqrt(expected / N));
  });
});

describe('langevin run --backend webgpu', () => {
  const hasHardware = existsSync('/dev/nvidia0') || existsSync('/dev/dri');
  const hasSwiftShader = existsSync('/usr/lib/chromium/vk_swiftshader_icd.json');

  it.skipIf(!hasHardware && !hasSwiftShader)(
    'by default (auto) passes a software adapter over for the CPU backend, saying so in one line',
    () => {
      const r = cli('run', specFile('auto.json', { ...GOOD, particles: 256, steps: 20 }));
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout) as RunResult;
      if (!hasHardware) {
        expect(r.stderr).toMatch(
          /^langevin: SwiftShader\b.* is a software adapter; running on the CPU backend \(--backend webgpu to use it anyway\)\n$/,
        );
        expect(result.backend).toBe('cpu');
      } else if (result.backend === 'webgpu') {
        expect(result.software).toBe(false);
        expect(r.stderr).toBe('');
      }
    },
  );

  it.skipIf(!hasHardware && !hasSwiftShader)('runs on a WebGPU adapter it finds by itself (SwiftShader on a machine without a GPU)', () => {
    const spec = specFile('webgpu.json', {
      ...GOOD,
      particles: 1024,
      steps: 50,
      init: { kind: 'normal', std: [Math.SQRT1_2, Math.sqrt(0.125)] },
    });
    const r = cli('run', spec, '--backend', 'webgpu');
    noStackTrace(r.stderr);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as RunResult;
    expect(result.backend).toBe('webgpu');
    expect(typeof result.device).toBe('string');
    expect(result.device.trim()).not.toBe('');
    if (!hasHardware) {
      expect(result.software).toBe(true);
      expect(result.device).toMatch(/swiftshader/i);
    }
    expect(result.particles).toBe(1024);
    expect(result.steps).toBe(50);
    expect(result.final.nonFinite).toBe(0);
    expect(result.final.mean).toHaveLength(2);
  });
});

describe('langevin bias', () => {
  // 1-D tilted double well at T = 1 over time 6; one snapshot at the end, so the samples are
  // independent and the KL of an unbiased sampler is below floor + 5 sd, sd = √(2(B − 1))/(2n).
  const BIAS = {
    dims: 1,
    particles: 3000,
    potential: { name: 'tilted-double-well' },
    integrator: 'em',
    dt: 0.05,
    temperature: 1,
    steps: 120,
    seed: 3,
    init: { kind: 'uniform', low: -2, high: 2 },
    histogram: { dims: [0], bins: 30, low: -2.5, high: 2.5 },
  };

  it('--json: one row per integrator and dt over the same time; EM bias grows with dt, MALA stays at the floor', async () => {
    const spec = specFile('bias.json', BIAS);
    const r = cli('bias', spec, '--dt', '0.02,0.05', '--integrators', 'em,mala', '--backend', 'cpu', '--json');
    noStackTrace(r.stderr);
    expect(r.code).toBe(0);
    const study = JSON.parse(r.stdout) as import('../src/bias.ts').BiasStudy;
    expect(study.backend).toBe('cpu');
    expect(study.time).toBeCloseTo(6, 12);
    expect(study.particles).toBe(3000);
    expect(study.rows.map((row) => [row.integrator, row.dt, row.steps])).toEqual([
      ['em', 0.02, 300],
      ['em', 0.05, 120],
      ['mala', 0.02, 300],
      ['mala', 0.05, 120],
    ]);
    const [em1, em2, m1, m2] = study.rows;
    for (const row of study.rows) {
      expect(row.samples).toBeGreaterThan(2900); // one snapshot, nearly all in the box
      expect(row.nonFinite).toBe(0);
    }
    // the floor of exact samples over 30 populated bins: (B − 1)/(2n), sd √(2(B − 1))/(2n); checked, not taken on trust
    for (const row of study.rows) expect(row.klFloor).toBeCloseTo(29 / (2 * row.samples), 12);
    const bound = (row: typeof em1) => 29 / (2 * row.samples) + 5 * (Math.sqrt(2 * 29) / (2 * row.samples));
    expect(em2.kl).toBeGreaterThan(em1.kl);
    expect(em2.kl).toBeGreaterThan(3 * bound(em2));
    expect(m1.kl).toBeLessThan(bound(m1));
    expect(m2.kl).toBeLessThan(bound(m2));
    // the MALA row's acceptance is that of the same spec run through the API (float64 CPU: the same decisions)
    const direct = await runAndRead({ ...BIAS, integrator: 'mala', dt: 0.05, steps: 120, observe: { every: 0 } }, 'cpu');
    expect(m2.acceptanceRate).toBe(direct.result.final.acceptanceRate);
    expect(m2.acceptanceRate!).toBeGreaterThan(0.5);
    expect(em1.acceptanceRate).toBeUndefined();
  });

  it('prints a table by default; HMC rows count trajectories of leapfrogSteps × dt', () => {
    const spec = specFile('bias-table.json', { ...BIAS, particles: 500, leapfrogSteps: 4 });
    const r = cli('bias', spec, '--dt', '0.05', '--integrators', 'lm,hmc', '--backend', 'cpu');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toContain('T = 1');
    expect(lines[1].split(/\s+/)).toEqual(['integrator', 'dt', 'steps', 'KL', 'KL/floor', 'TV', 'accept', 'non-finite']);
    expect(lines[2].split(/\s+/).slice(0, 3)).toEqual(['lm', '0.05', '120']);
    expect(lines[3].split(/\s+/).slice(0, 3)).toEqual(['hmc', '0.05', '30']);
  });

  it('refuses bad input with exit 2: a spec without a histogram, a bad --dt, an unknown integrator', () => {
    const { histogram: _, ...noHistogram } = BIAS;
    const r1 = cli('bias', specFile('bias-nohist.json', noHistogram), '--backend', 'cpu');
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('histogram: got nothing; is required by `langevin bias`');
    const r2 = cli('bias', specFile('bias-ok.json', BIAS), '--dt', '0.01,-1');
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('--dt: got "0.01,-1"; give up to 64 comma-separated step sizes > 0');
    const r3 = cli('bias', specFile('bias-ok2.json', BIAS), '--integrators', 'em,rk4');
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('--integrators: got "rk4"; allowed: em, lm, baoab, mala, hmc');
    noStackTrace(r1.stderr + r2.stderr + r3.stderr);
  });
});
