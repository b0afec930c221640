import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// `npm run demo` serves index.html (the particle demo) and runner.html (run a
// spec); `npm run build:site` writes both as a static site to site/. WGSL is
// imported with `?raw`, which Vite handles natively.
//
// Both servers send COOP/COEP so the pages are cross-origin isolated: that is
// what gives them SharedArrayBuffer, and so the CPU fallback's worker threads
// (src/cpu/pool.ts). A static host that cannot send these headers still serves
// working pages; their CPU fallback then steps on one thread.
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'site',
    rollupOptions: { input: { demo: resolve(__dirname, 'index.html'), runner: resolve(__dirname, 'runner.html') } },
  },
  server: { host: '127.0.0.1', headers: isolation },
  preview: { host: '127.0.0.1', headers: isolation },
});
