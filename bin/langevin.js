#!/usr/bin/env node
// Entry point of `npx langevin`: runs the TypeScript CLI directly (no build step).
import { ensureVulkanLoader, registerLoaders } from './node-env.js';

await ensureVulkanLoader();
registerLoaders();
const { main } = await import('../src/node/cli.ts');
process.exitCode = await main(process.argv.slice(2));
