#!/usr/bin/env node
// `npm run bench:bundle`: one folder, bundle/, that runs `langevin bench` (and
// `run`) on an offline Linux x86-64 host with a GPU and a Vulkan driver but no
// Node and no network. It holds: node.xz (this Node binary, xz-compressed),
// langevin.mjs (the CLI bundled by Vite, WGSL inlined), node_modules/webgpu
// (Dawn's dawn.node), lib/libvulkan.so.1 (a Vulkan loader, used only when the
// host has none), run.sh and README.md.
import { build } from 'vite';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bundle');
const LIMIT = 60 * 2 ** 20;

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`bench:bundle builds a linux-x64 bundle and must run on linux-x64 (this is ${process.platform}-${process.arch})`);
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'lib'), { recursive: true });

// 1. The CLI in one ES module; `webgpu` stays external (it loads dawn.node by path).
await build({
  root,
  configFile: false,
  logLevel: 'warn',
  build: {
    ssr: join(root, 'src/node/bin.ts'),
    outDir: out,
    emptyOutDir: false,
    target: 'node20',
    minify: true,
    rollupOptions: { external: ['webgpu'], output: { format: 'es', entryFileNames: 'langevin.mjs', codeSplitting: false } },
  },
  ssr: { noExternal: true, external: ['webgpu'] },
});

// 2. Dawn's Node module, only the linux-x64 build.
const webgpu = join(root, 'node_modules/webgpu');
const dst = join(out, 'node_modules/webgpu');
mkdirSync(join(dst, 'dist/linux-x64'), { recursive: true });
for (const f of ['index.js', 'package.json', 'LICENSE.md']) copyFileSync(join(webgpu, f), join(dst, f));
copyFileSync(join(webgpu, 'dist/linux-x64/dawn.node'), join(dst, 'dist/linux-x64/dawn.node'));

// 3. This Node binary, xz-compressed.
execFileSync('sh', ['-c', `xz -T0 -6 -c "${process.execPath}" > "${join(out, 'node.xz')}"`]);

// 4. A Vulkan loader for hosts without one (Debian chromium's, else the system's).
const loader = ['/usr/lib/chromium/libvulkan.so.1', '/usr/lib/x86_64-linux-gnu/libvulkan.so.1'].find(existsSync);
if (!loader) {
  console.error('bench:bundle needs a libvulkan.so.1 to ship: apt-get install -y chromium (or libvulkan1)');
  process.exit(1);
}
copyFileSync(loader, join(out, 'lib/libvulkan.so.1'));

// 5. The launcher and its README.
writeFileSync(
  join(out, 'run.sh'),
  `#!/bin/sh
# Run the Langevin CLI from this folder: ./run.sh bench [--quick] [--json] | ./run.sh run SPEC.json
set -eu
here=$(cd "$(dirname "$0")" && pwd)
node="\${LANGEVIN_NODE:-\${TMPDIR:-/tmp}/langevin-node-$(id -u)}"
if [ ! -x "$node" ]; then
  if command -v xz >/dev/null 2>&1; then xz -dc "$here/node.xz" > "$node.part"
  else python3 -c 'import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())' "$here/node.xz" > "$node.part"; fi
  chmod +x "$node.part" && mv "$node.part" "$node"
fi
# the host's Vulkan loader if it has one, else ours
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
  export LD_LIBRARY_PATH="$here/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
# NVIDIA's ICD where container images keep it
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "\${VK_DRIVER_FILES:-}\${VK_ICD_FILENAMES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
done
exec "$node" "$here/langevin.mjs" "$@"
`,
);
chmodSync(join(out, 'run.sh'), 0o755);
writeFileSync(
  join(out, 'README.md'),
  `# Langevin portable bench bundle

Runs the Langevin CLI on an offline Linux x86-64 host with a GPU and a Vulkan
driver, without Node or network access.

    ./run.sh bench --quick            # the workload matrix with peers, a table
    ./run.sh bench --json             # JSON rows
    ./run.sh bench --particles 100000000 --k 64
    ./run.sh run SPEC.json --out result.json

run.sh unpacks node.xz (the Node ${process.version} binary this bundle was built
with) into $TMPDIR once, uses the host's libvulkan.so.1 or the one in lib/,
and points the Vulkan loader at NVIDIA's ICD when it finds one in the usual
places (set VK_DRIVER_FILES yourself otherwise). The first lines of
\`bench\` name the adapter; check it is the GPU, not a software adapter.
NumPy, PyTorch and JAX peers run when the host's python3 has them.

Built by \`npm run bench:bundle\` in the Langevin repository.
`,
);

// 6. Size check.
const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((a, f) => a + size(join(p, f)), 0) : statSync(p).size);
const total = size(out);
console.log(`bundle/: ${(total / 2 ** 20).toFixed(1)} MiB`);
if (total > LIMIT) {
  console.error(`bundle/ is over the 60 MiB limit`);
  process.exit(1);
}
