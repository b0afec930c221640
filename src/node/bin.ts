/** The `langevin` command (dist/cli.js): the CLI's exit code becomes the process's. */
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
