import { defineConfig } from 'vite';

// `npm run demo` serves index.html; `npm run build` writes a static site to dist/.
// WGSL is imported with `?raw`, which Vite handles natively.
export default defineConfig({
  build: { target: 'es2022', outDir: 'dist' },
  server: { host: '127.0.0.1' },
});
