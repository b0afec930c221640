import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// `npm run demo` serves index.html (the particle demo) and runner.html (run a
// spec); `npm run build` writes both as a static site to dist/. WGSL is
// imported with `?raw`, which Vite handles natively.
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'dist',
    // mathjs (the expression compiler) alone is ~600 kB; the demo needs it to compile user potentials
    chunkSizeWarningLimit: 1000,
    rollupOptions: { input: { demo: resolve(__dirname, 'index.html'), runner: resolve(__dirname, 'runner.html') } },
  },
  server: { host: '127.0.0.1' },
});
