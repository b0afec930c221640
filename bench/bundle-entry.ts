/** Entry of the portable bench bundle: the CLI (bench, run, potentials) in one file. */
import { main } from '../src/node/cli.ts';

process.exitCode = await main(process.argv.slice(2));
