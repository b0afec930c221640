/** The package's version, from package.json (inlined by the build; one source of truth). */
import { version } from '../package.json';

/** Langevin's version, e.g. "0.1.0": written into every result as `langevin`. */
export const VERSION: string = version;
