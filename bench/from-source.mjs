// The command from its TypeScript sources (tsx at run time), as `npx langevin` ran before dist/:
// node bench/from-source.mjs ARGS (bench/cli-start.mjs compares its start with dist/cli.js).
import { registerLoaders } from '../bin/node-env.js';

registerLoaders();
await import('../src/node/bin.ts');
