import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// Dawn dlopens libvulkan.so.1 at first use; on a machine with only Debian's
// chromium (no libvulkan1) the loader ships in /usr/lib/chromium. The test
// processes are forked from here and inherit this environment.
const chromiumLib = '/usr/lib/chromium';
if (process.platform === 'linux' && existsSync(`${chromiumLib}/libvulkan.so.1`)) {
  const cur = process.env.LD_LIBRARY_PATH ?? '';
  if (!cur.split(':').includes(chromiumLib)) process.env.LD_LIBRARY_PATH = cur ? `${cur}:${chromiumLib}` : chromiumLib;
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // SwiftShader uses every core; two GPU files at once only thrash.
    fileParallelism: false,
  },
});
