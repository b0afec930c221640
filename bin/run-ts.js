#!/usr/bin/env node
// Run a TypeScript script of this repo (benchmarks) from source: node bin/run-ts.js bench/x.ts [args]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerLoaders } from './node-env.js';

registerLoaders();
const script = process.argv[2];
if (!script) {
  process.stderr.write('usage: node bin/run-ts.js SCRIPT.ts [args]\n');
  process.exit(2);
}
await import(pathToFileURL(resolve(script)).href);
