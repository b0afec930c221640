/**
 * The package as a user gets it: `npm pack` of this checkout (its dist/ was
 * built by the test command's `npm run build`), installed into a fresh
 * project by `npm ci --offline`. Offline, npm can fetch a package only by
 * the integrity a lockfile records (`npm ci` of this repository put those
 * tarballs in npm's cache), not resolve a name or range: so the project gets
 * a lockfile made of this repository's entries for the packages it needs and
 * the tarball's own.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT } from '../cli-support.ts';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The newest modification time under `dir`, in ms. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((t, e) => {
    const p = join(dir, e.name);
    return Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
}

/** Refuses to test a stale build: dist/ must be newer than every source file. */
export function checkBuilt(): void {
  const cli = join(ROOT, 'dist/cli.js');
  if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm run build` (the test command does)');
  const built = statSync(cli).mtimeMs;
  const src = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'shaders')));
  if (src > built) throw new Error('dist/ is older than src/: run `npm run build` (the test command does)');
}

/** `npm pack` into a new temporary folder; returns the tarball's path. */
export function packTarball(): string {
  checkBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'langevin-pack-'));
  // --ignore-scripts: dist/ is built already; `prepare` would build it again
  const out = execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
  const [info] = JSON.parse(out) as { filename: string }[];
  return resolve(dir, info.filename);
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** This repository's lockfile entries, by path ("node_modules/a/node_modules/b"). */
function repositoryLock(): Record<string, LockEntry> {
  return (JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }).packages;
}

/**
 * The lockfile entries `names` need, with their dependencies, resolved as
 * Node does (the nearest node_modules up from the dependent), flags of this
 * repository's tree (dev, peer) dropped.
 */
function closure(lock: Record<string, LockEntry>, names: string[]): Record<string, LockEntry> {
  const out: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean) => {
    let base = from;
    for (;;) {
      const path = `${base ? base + '/' : ''}node_modules/${name}`;
      if (lock[path]) {
        if (out[path]) return;
        const { dev: _d, devOptional: _o, peer: _p, ...entry } = lock[path] as LockEntry & Record<string, unknown>;
        out[path] = entry;
        for (const d of Object.keys(entry.dependencies ?? {})) visit(path, d, false);
        for (const d of Object.keys(entry.optionalDependencies ?? {})) visit(path, d, true);
        for (const d of Object.keys(entry.peerDependencies ?? {})) if (!entry.peerDependenciesMeta?.[d]?.optional) visit(path, d, false);
        return;
      }
      if (!base) break;
      const i = base.lastIndexOf('/node_modules/');
      base = i < 0 ? '' : base.slice(0, i);
    }
    if (!optional) throw new Error(`${name} (needed by ${from || 'the project'}) is not in this repository's package-lock.json`);
  };
  for (const n of names) visit('', n, false);
  return out;
}

export interface Project {
  dir: string;
  /** run a command in the project; its output and exit code */
  run(
    cmd: string,
    args: string[],
    options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): { stdout: string; stderr: string; code: number };
  remove(): void;
}

/**
 * A new project (`"type": "module"`) with the tarball and `packages` (names of
 * packages this repository's lockfile pins, e.g. "webgpu", "vite") installed
 * by `npm ci --offline`. `files` are written first.
 */
export function createProject(name: string, tarball: string, packages: string[], files: Record<string, string> = {}): Project {
  const dir = mkdtempSync(join(tmpdir(), `langevin-consumer-${name}-`));
  const lock = repositoryLock();
  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as LockEntry & { name: string; version: string };
  const tgz = readFileSync(tarball);
  const dependencies: Record<string, string> = { [own.name]: `file:${tarball}` };
  for (const p of packages) dependencies[p] = lock[`node_modules/${p}`]?.version ?? '(not in package-lock.json)';
  const pkg = { name: `consumer-${name}`, version: '1.0.0', private: true, type: 'module', dependencies };
  const packageLock = {
    name: pkg.name,
    version: pkg.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: pkg.name, version: pkg.version, dependencies },
      [`node_modules/${own.name}`]: {
        version: own.version,
        resolved: `file:${tarball}`,
        integrity: `sha512-${createHash('sha512').update(tgz).digest('base64')}`,
        license: own.license,
        dependencies: own.dependencies,
        peerDependencies: own.peerDependencies,
        peerDependenciesMeta: own.peerDependenciesMeta,
        bin: own.bin,
        engines: own.engines,
      },
      ...closure(lock, [...Object.keys(own.dependencies ?? {}), ...packages]),
    },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(packageLock, null, 2));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const run: Project['run'] = (cmd, args, options = {}) => {
    const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: options.env ?? process.env, timeout: options.timeoutMs ?? 300_000 });
    if (r.error) throw r.error;
    return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
  };
  const install = run(NPM, ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error']);
  if (install.code !== 0) throw new Error(`npm ci --offline failed in ${dir}:\n${install.stderr}`);
  return { dir, run, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
