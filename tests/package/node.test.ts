/**
 * The packed package in a fresh Node project, as its users install it: the
 * linters of the package format, a Node ESM script on both backends against
 * the same spec through the installed `langevin` command, the optional peer
 * dependency missing, and strict TypeScript under both module resolutions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli-support.ts';
import { createProject, packTarball, type Project } from './pack.ts';

const NODE = process.execPath;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** Free diffusion from the origin: each coordinate's variance is 2·T·t = 2 · 0.5 · (200 · 0.01) = 2. */
const SPEC = {
  dims: 2,
  particles: 4000,
  potential: { name: 'free' },
  dt: 0.01,
  temperature: 0.5,
  steps: 200,
  seed: 7,
  init: { kind: 'point', x: [0, 0] },
  observe: { every: 100 },
};
const EXACT_VARIANCE = 2;
/** Standard error of a sample variance of N normals: σ²·√(2/(N−1)). */
const VARIANCE_SE = EXACT_VARIANCE * Math.sqrt(2 / (SPEC.particles - 1));

interface Result {
  backend: string;
  device: string;
  final: { mean: number[]; variance: number[] };
  trace: { step: number; variance?: number[] }[];
}

let tarball: string;
beforeAll(() => {
  tarball = packTarball();
});
afterAll(() => rmSync(dirname(tarball), { recursive: true, force: true }));

describe('the package format', () => {
  it('publint and arethetypeswrong report no problem', () => {
    const node = (args: string[]) => spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8' });
    const publint = node([join(ROOT, 'node_modules/publint/src/cli.js'), '--strict', ROOT]);
    expect(publint.stdout + publint.stderr).not.toMatch(/Warnings|Errors|Suggestions/);
    expect(publint.status).toBe(0);
    // ESM only, on purpose: node10 and CommonJS `require` resolution are out of scope (Node ≥ 20.19 loads ESM everywhere)
    const attw = node([
      join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'),
      tarball,
      '--profile',
      'esm-only',
      '--format',
      'json',
    ]);
    expect(attw.status, attw.stdout + attw.stderr).toBe(0);
    const problems = (JSON.parse(attw.stdout) as { analysis: { problems: { resolutionKind: string }[] } }).analysis.problems;
    // what the esm-only profile ignores is only CommonJS require and node10, never node16 ESM or bundlers
    expect(problems.filter((p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs')).toEqual([]);
  });

  it('ships dist, schema, README and LICENSE, and nothing of the repository besides', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    const top = new Set(files.map((f) => f.split('/')[1]));
    expect([...top].sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json', 'schema'].sort());
    expect(files).toContain('package/dist/cli.js');
    expect(files).toContain('package/dist/langevin.browser.js');
    expect(files).toContain('package/dist/types/index.d.ts');
    expect(files.some((f) => f.startsWith('package/dist/') && f.endsWith('.wgsl'))).toBe(false);
  });
});

describe('the browser path', () => {
  /** The files dist/FILE loads statically, itself included (relative imports followed). */
  const graph = (file: string, seen = new Set<string>()): Set<string> => {
    if (seen.has(file)) return seen;
    seen.add(file);
    const text = readFileSync(join(ROOT, 'dist', file), 'utf8');
    for (const m of text.matchAll(/(?:^|[;\n])\s*(?:import|export)\b[^'"]*?from\s*"(\.{1,2}\/[^"]+)"/g))
      graph(join(dirname(file), m[1]), seen);
    return seen;
  };
  const staticNodeImports = (file: string) =>
    readFileSync(join(ROOT, 'dist', file), 'utf8').match(/(?:from\s*|import\s*)"node:[a-z_/]+"|require\("node:/g) ?? [];

  it('dist/index.js and the chunks it loads import no Node built-in; dist/node.js does (the check sees one)', () => {
    const files = [...graph('index.js')];
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) expect(staticNodeImports(f), f).toEqual([]);
    expect([...graph('node.js')].flatMap(staticNodeImports).length).toBeGreaterThan(0);
  });

  it('dist/langevin.browser.js is one file with no import at all', () => {
    const text = readFileSync(join(ROOT, 'dist/langevin.browser.js'), 'utf8');
    expect(text).not.toMatch(/(?:^|[;}\n])\s*import\s*[{*\w][^(]*?from\s*["']/);
    expect(staticNodeImports('langevin.browser.js')).toEqual([]);
  });
});

describe('a Node ESM project', () => {
  let project: Project;
  beforeAll(() => {
    project = createProject('node', tarball, ['webgpu'], {
      'spec.json': JSON.stringify(SPEC),
      // what a user writes: the package's two entries, no loader, no LD_LIBRARY_PATH
      'run.js': `import { Simulation } from 'langevin';
import { nodeGpuContext } from 'langevin/node';
const spec = JSON.parse(process.argv[3]);
const notices = [];
const sim = await Simulation.create(spec, { backend: process.argv[2], gpu: nodeGpuContext, onNotice: (m) => notices.push(m) });
const result = await sim.run();
sim.destroy();
process.stdout.write(JSON.stringify({ result, notices }));
`,
      // the exact merge from the API, as a script on a cluster's login node would call it
      'merge.js': `import { readFileSync } from 'node:fs';
import { mergeShards } from 'langevin';
const parts = process.argv.slice(2).map((name) => ({ name, json: JSON.parse(readFileSync(name, 'utf8')) }));
process.stdout.write(JSON.stringify(await mergeShards(parts)));
`,
    });
  });
  afterAll(() => project?.remove());

  /** The environment of a user's shell: no loader path set (the package finds chromium's Vulkan loader itself). */
  const env = { ...process.env, LD_LIBRARY_PATH: '' };
  const api = (backend: string): Result => {
    const r = project.run(NODE, ['run.js', backend, JSON.stringify(SPEC)], { env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).result as Result;
  };
  const command = (backend: string): Result => {
    const r = project.run(NODE, ['node_modules/.bin/langevin', 'run', 'spec.json', '--backend', backend], { env });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Result;
  };

  it.each(['cpu', 'webgpu'])(
    'on %s the API and the installed command give the same numbers, and free diffusion spreads as 2Tt',
    (backend) => {
      const viaApi = api(backend);
      const viaCommand = command(backend);
      expect(viaApi.backend).toBe(backend);
      if (backend === 'webgpu') expect(viaApi.device).toMatch(/swiftshader|nvidia|amd|intel|apple/i);
      expect(viaApi.final).toEqual(viaCommand.final);
      expect(viaApi.trace.length).toBe(3);
      for (const v of viaApi.final.variance) expect(Math.abs(v - EXACT_VARIANCE)).toBeLessThan(5 * VARIANCE_SE);
    },
  );

  it('the installed command runs shards, and both `langevin merge` and mergeShards from the API give the single run', () => {
    // 9000 particles: 3 tiles of 4096, so 2 shards
    const run = (...args: string[]) => {
      const r = project.run(
        NODE,
        ['node_modules/.bin/langevin', 'run', 'spec.json', '--backend', 'cpu', '--set', 'particles=9000', ...args],
        { env },
      );
      expect(r.code, r.stderr).toBe(0);
      return r;
    };
    run('--out', 'whole.json');
    expect(run('--shard', '0/2', '--out', 'part-0.json').stderr).toContain('shard 0 of 2: particles [0, 4096)');
    run('--shard', '1/2', '--out', 'part-1.json');
    const merged = project.run(NODE, ['node_modules/.bin/langevin', 'merge', 'part-1.json', 'part-0.json', '--out', 'merged.json'], {
      env,
    });
    expect(merged.code, merged.stderr).toBe(0);
    const viaApi = project.run(NODE, ['merge.js', 'part-0.json', 'part-1.json'], { env });
    expect(viaApi.code, viaApi.stderr).toBe(0);
    const read = (f: string) => JSON.parse(readFileSync(join(project.dir, f), 'utf8')) as Result & { trace: unknown[] };
    const whole = read('whole.json');
    for (const m of [read('merged.json'), JSON.parse(viaApi.stdout) as Result & { trace: unknown[] }]) {
      expect(JSON.stringify(m.final)).toBe(JSON.stringify(whole.final));
      expect(JSON.stringify(m.trace)).toBe(JSON.stringify(whole.trace));
    }
    for (const v of whole.final.variance) expect(Math.abs(v - EXACT_VARIANCE)).toBeLessThan(5 * EXACT_VARIANCE * Math.sqrt(2 / 8999));
  });

  it('the CPU and WebGPU backends agree within the statistics (same random numbers, f32 against f64)', () => {
    const cpu = api('cpu').final;
    const gpu = api('webgpu').final;
    for (let d = 0; d < 2; d++) {
      // same Philox streams: the trajectories agree to f32 rounding, far inside 5 standard errors
      expect(Math.abs(cpu.variance[d] - gpu.variance[d])).toBeLessThan(1e-3 * EXACT_VARIANCE);
      expect(Math.abs(cpu.mean[d] - gpu.mean[d])).toBeLessThan(1e-3);
    }
  });
});

describe('a Node project without the optional webgpu package', () => {
  let project: Project;
  beforeAll(() => {
    project = createProject('nowebgpu', tarball, [], {
      'run.js': `import { Simulation } from 'langevin';
import { nodeGpuContext } from 'langevin/node';
const notices = [];
try {
  const sim = await Simulation.create(JSON.parse(process.argv[3]), { backend: process.argv[2], gpu: nodeGpuContext, onNotice: (m) => notices.push(m) });
  const result = await sim.run();
  sim.destroy();
  console.log(JSON.stringify({ backend: result.backend, notices }));
} catch (e) {
  console.log(JSON.stringify({ error: e.name + ': ' + e.message, notices }));
}
`,
    });
  });
  afterAll(() => project?.remove());

  it('auto runs on the CPU and says how to install webgpu; webgpu refuses with that command', () => {
    const auto = JSON.parse(project.run(NODE, ['run.js', 'auto', JSON.stringify(SPEC)]).stdout);
    expect(auto.backend).toBe('cpu');
    expect(auto.notices.join('\n')).toMatch(/npm install webgpu@0\.6/);
    const forced = JSON.parse(project.run(NODE, ['run.js', 'webgpu', JSON.stringify(SPEC)]).stdout);
    expect(forced.error).toMatch(/^RuntimeFailure: .*npm install webgpu@0\.6/);
  });
});

describe('strict TypeScript in a consumer project', () => {
  let project: Project;
  const consumer = `import { Simulation, validateSpec, CATALOG, type RunResult, type RunSpec } from 'langevin';
import { nodeGpuContext } from 'langevin/node';

const spec: RunSpec = validateSpec({ dims: 1, potential: { name: 'harmonic' }, dt: 0.01, steps: 10 });
export async function variance(): Promise<number> {
  const sim = await Simulation.create(spec, { backend: 'cpu', gpu: nodeGpuContext });
  const result: RunResult = await sim.run();
  sim.destroy();
  return result.final.variance[0] + CATALOG.length;
}
// @ts-expect-error the result's sections are typed: no such field
export const wrong = (r: RunResult) => r.final.nonsense;
`;
  // a page's code: DOM types only, no Node types anywhere in the program
  const page = `import { browserGpuContext, Simulation, type RunResult } from 'langevin';
export async function run(canvas: HTMLCanvasElement): Promise<RunResult> {
  const sim = await Simulation.create({ dims: 2, potential: { name: 'double-well' }, dt: 0.01, steps: 100 }, { gpu: browserGpuContext });
  canvas.title = sim.constructor.name;
  try {
    return await sim.run();
  } finally {
    sim.destroy();
  }
}
`;
  const pageConfig = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'es2022',
      module: 'esnext',
      moduleResolution: 'bundler',
      lib: ['es2022', 'dom'],
      types: [],
    },
    files: ['page.ts'],
  };
  beforeAll(() => {
    project = createProject('ts', tarball, ['webgpu', '@types/node'], {
      'consumer.ts': consumer,
      'page.ts': page,
      'tsconfig.page.json': JSON.stringify(pageConfig),
    });
  });
  afterAll(() => project?.remove());

  it.each([
    ['bundler', 'esnext'],
    ['node16', 'node16'],
  ])('tsc --strict --noEmit passes under moduleResolution %s', (resolution, module) => {
    const r = project.run(NODE, [
      TSC,
      '--strict',
      '--noEmit',
      '--target',
      'es2022',
      '--module',
      module,
      '--moduleResolution',
      resolution,
      'consumer.ts',
    ]);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a page under moduleResolution bundler type-checks with DOM types only (the main entry needs no Node types)', () => {
    const r = project.run(NODE, [TSC, '-p', 'tsconfig.page.json']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a type error in the consumer is reported (the check is real)', () => {
    writeFileSync(join(project.dir, 'bad.ts'), `import { Simulation } from 'langevin';\nexport const n: number = Simulation;\n`);
    const r = project.run(NODE, [TSC, '--strict', '--noEmit', '--module', 'esnext', '--moduleResolution', 'bundler', 'bad.ts']);
    expect(r.stdout).toMatch(/bad\.ts.*TS2322/);
  });
});
