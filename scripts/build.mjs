// `npm run build` (and `prepare`): the package's built output in dist/.
//   dist/index.js, dist/node.js   ESM for `langevin` and `langevin/node` (dependencies stay imports)
//   dist/cli.js                   the `langevin` command, with a shebang
//   dist/chunks/                  code the three share
//   dist/langevin.browser.js      one minified file with everything in it, for a plain page
//   dist/types/                   declarations (tsc), `.ts` specifiers rewritten to `.js`
// Vite (Rolldown) builds the JavaScript: it inlines the `.wgsl?raw` shaders as
// it does for the demo and the tests, so the sources need no loader.
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dependencies = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
const external = (id) =>
  id.startsWith('node:') || builtinModules.includes(id) || dependencies.some((d) => id === d || id.startsWith(d + '/'));

rmSync(out, { recursive: true, force: true });

// 1. The package's modules, for Node and for bundlers: three entries, shared chunks, dependencies external.
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir: out,
    emptyOutDir: false,
    target: 'es2022',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      input: { index: join(root, 'src/index.ts'), node: join(root, 'src/node/index.ts'), cli: join(root, 'src/node/bin.ts') },
      external,
      output: {
        format: 'es',
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        banner: (chunk) => (chunk.isEntry && chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
      },
    },
  },
  ssr: { external: dependencies },
});
chmodSync(join(out, 'cli.js'), 0o755);

// 2. One file for a plain page: the browser API with mathjs and everything else inlined.
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    outDir: out,
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    lib: { entry: join(root, 'src/index.ts'), formats: ['es'], fileName: () => 'langevin.browser.js' },
    rollupOptions: { output: { codeSplitting: false } },
  },
});

// 3. Declarations.
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
const dts = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? dts(p) : p.endsWith('.d.ts') ? [p] : [];
  });
// tsc keeps `./x.ts` in declarations; consumers resolve `./x.js` to `./x.d.ts` under every moduleResolution
for (const f of dts(join(out, 'types'))) {
  const text = readFileSync(f, 'utf8');
  const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
  if (fixed !== text) writeFileSync(f, fixed);
}

const browser = readFileSync(join(out, 'langevin.browser.js'));
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
console.log(`dist/langevin.browser.js: ${kB(browser.length)} minified, ${kB(gzipSync(browser, { level: 9 }).length)} gzip`);
