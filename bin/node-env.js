// Start-up of the repository's TypeScript scripts (benchmarks, bin/run-ts.js):
// let Node import the TypeScript sources and `.wgsl?raw` files directly. The
// package itself runs from dist/ (npm run build) and needs neither.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

/** TypeScript (tsx) and `.wgsl?raw` imports. */
export function registerLoaders() {
  registerTsx();
  register('./wgsl-loader.js', import.meta.url);
}
