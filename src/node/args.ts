/**
 * The command line's conventions, on `node:util` parseArgs (strict): every
 * option takes `--opt value` or `--opt=value`; an unknown option, a missing
 * or empty value, an option given twice (except the repeatable `--set`) or
 * a stray argument is a UsageError naming the option and what is allowed,
 * with the hint `langevin help COMMAND` (exit 2, one line on stderr).
 */
import { parseArgs } from 'node:util';
import { UsageError } from './usage.ts';

/** One option of a command. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** one letter: `-x` */
  short?: string;
  /** may be given more than once (a string option's values are then a list) */
  repeatable?: boolean;
}

/** What `parseCommandArgs` found. */
export interface ParsedArgs {
  /** string options: the value (or the values of a repeatable one); boolean options: true when given */
  values: Record<string, string | string[] | boolean | undefined>;
  positionals: string[];
}

/** Whether `--help` or `-h` is among the arguments (before a `--`): the command's help wins over everything else. */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** The hint every usage error of `command` ends with. */
export function helpHint(command: string): string {
  return `see \`langevin help ${command}\``;
}

/** A usage error of `command`: the message, then the hint. */
export function usageError(command: string, message: string): UsageError {
  return new UsageError(`${command}: ${message} (${helpHint(command)})`);
}

/** `--name` for a list of option names, with `=VALUE` hints for string options. */
function allowed(options: Record<string, OptionSpec>): string {
  return [...Object.keys(options).map((n) => `--${n}`), '--help'].join(', ');
}

/**
 * Parse the arguments after `command` (see `wantsHelp` for `--help`).
 * @param maxPositionals how many plain arguments the command takes
 * @throws UsageError for an unknown option, a missing, empty or repeated value, a boolean given a value, too many arguments
 */
export function parseCommandArgs(command: string, args: string[], options: Record<string, OptionSpec>, maxPositionals: number): ParsedArgs {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple: boolean }> = {};
  for (const [name, o] of Object.entries(options))
    config[name] = { type: o.type, multiple: o.type === 'string', ...(o.short ? { short: o.short } : {}) };
  let parsed: ReturnType<typeof parseArgs<{ options: typeof config; strict: true; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options: config, strict: true, allowPositionals: true });
  } catch (e) {
    if (!String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS_')) throw e;
    throw usageError(command, describeParseError(e as NodeJS.ErrnoException, options));
  }
  const values: ParsedArgs['values'] = {};
  for (const [name, o] of Object.entries(options)) {
    const v = parsed.values[name] as string[] | boolean | undefined;
    if (!Array.isArray(v)) {
      values[name] = v;
      continue;
    }
    const empty = v.find((x) => x === '');
    if (empty !== undefined) throw usageError(command, `--${name}: got nothing; give a value`);
    if (o.repeatable) values[name] = v;
    else if (v.length > 1) throw usageError(command, `--${name}: given twice ("${v[0]}" and "${v[1]}"); give it once`);
    else values[name] = v[0];
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals[maxPositionals];
    throw usageError(
      command,
      maxPositionals === 0
        ? `unexpected argument "${extra}"; allowed: ${allowed(options)}`
        : `unexpected argument "${extra}": give one spec file`,
    );
  }
  return { values, positionals: parsed.positionals };
}

/** One line for parseArgs's error (its own messages span lines and suggest `--`). */
function describeParseError(e: NodeJS.ErrnoException, options: Record<string, OptionSpec>): string {
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? '';
  const name = quoted.split(' ')[0];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${name}; allowed: ${allowed(options)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const known = Object.entries(options).find(([n, o]) => `--${n}` === name || (o.short && `-${o.short}` === name));
      if (known?.[1].type === 'boolean') return `${name} takes no value; give it alone`;
      if (/ambiguous/.test(e.message))
        return `${name}: got no value (the next argument starts with "-"); give a value, or write ${name}=VALUE`;
      return `${name}: got nothing; give a value`;
    }
    default:
      return e.message.split('\n')[0];
  }
}
