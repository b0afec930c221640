import { defineConfig } from 'vitest/config';

// No LD_LIBRARY_PATH setting here: the Node entry loads Debian chromium's
// Vulkan loader itself where the machine has no other (src/node/device.ts),
// and the tests run as a user's program would.
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
