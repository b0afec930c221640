/**
 * Spec text → value, with the error the CLI and the runner page both show:
 * `SOURCE:LINE:COL: invalid JSON: …`. V8 (Node 20) leaves the position out of
 * some JSON.parse messages ("Unexpected token 'e', ... is not valid JSON"), so
 * the position is found here.
 */
import { InputError } from './errors.ts';
import { MAX_JSON_DEPTH } from './limits.ts';

/** Text that is not JSON; the message names the source, line and column. */
export class JsonSyntaxError extends InputError {
  override readonly name = 'JsonSyntaxError';
  /**
   * @param line 1-based, undefined when the position is unknown
   * @param column 1-based
   */
  constructor(
    message: string,
    readonly source: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

/**
 * Parse spec text (a file's, a paste's, a download's). Nesting deeper than
 * MAX_JSON_DEPTH is refused before JSON.parse runs, so no later walk of the
 * value (validation, error messages) can run out of stack.
 * @param source what to call the text in the message: a file path, a URL, "pasted spec"
 * @param depthHint how deep the expected text nests, for the too-deep message ('' for none; default a spec's)
 * @throws JsonSyntaxError `SOURCE:LINE:COL: invalid JSON: MESSAGE`, or `SOURCE:LINE:COL: JSON nested too deeply: …`
 * @example parseJsonText('{"dt": }', 'spec.json') // throws "spec.json:1:8: invalid JSON: …"
 */
export function parseJsonText(text: string, source: string, depthHint = 'a spec needs 4'): unknown {
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const hint = depthHint ? ` (${depthHint})` : '';
    throw located(text, source, deep, `JSON nested too deeply: more than ${MAX_JSON_DEPTH} levels of arrays and objects${hint}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8 quotes the text around the error as it is: escape what would break the message's line.
    const msg = (e as Error).message.replace(/[\p{Cc}\u0085\u2028\u2029]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const pos = /position (\d+)/.exec(msg);
    const p = pos ? Number(pos[1]) : jsonErrorIndex(text);
    if (p !== undefined) throw located(text, source, p, `invalid JSON: ${msg}`);
    throw new JsonSyntaxError(`${source}: invalid JSON: ${msg}`, source);
  }
}

/** A JsonSyntaxError at index `p` of `text`: `SOURCE:LINE:COL: WHAT`. */
function located(text: string, source: string, p: number, what: string): JsonSyntaxError {
  const before = text.slice(0, p);
  const line = before.split('\n').length;
  const col = p - before.lastIndexOf('\n');
  return new JsonSyntaxError(`${source}:${line}:${col}: ${what}`, source, line, col);
}

/**
 * Index of the first `[` or `{` that opens level MAX_JSON_DEPTH + 1, outside
 * strings; undefined when the text nests no deeper than that. A single loop,
 * so any depth of input is safe to scan.
 */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Index of the first character at which `text` stops being valid JSON (or
 * nests deeper than MAX_JSON_DEPTH); undefined if it is valid.
 */
export function jsonErrorIndex(text: string): number | undefined {
  const scan = new JsonScanner(text);
  try {
    scan.value();
    scan.ws();
    if (scan.i < text.length) scan.fail();
    return undefined;
  } catch (e) {
    if (typeof e === 'number') return e;
    throw e;
  }
}

/**
 * Reads JSON (RFC 8259) from the start of a text without building a value, to
 * find where it stops being JSON: a failure throws the index it reached, as a
 * number, so that one catch in jsonErrorIndex ends the whole scan. Open
 * containers are kept on an explicit stack rather than the call stack, and a
 * container deeper than MAX_JSON_DEPTH is a failure at its bracket.
 */
class JsonScanner {
  /** the next character to read */
  i = 0;

  constructor(private readonly text: string) {}

  fail(): never {
    throw this.i;
  }

  /** Skip whitespace. */
  ws(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i])) this.i++;
  }

  /** One value, after optional whitespace, with everything nested in it. */
  value(): void {
    /** the closing bracket of every open container, innermost last */
    const open: string[] = [];
    for (;;) {
      if (this.opened(open)) continue;
      for (;;) {
        if (open.length === 0) return;
        this.ws();
        const close = open[open.length - 1];
        if (this.text[this.i] === ',') {
          this.i++;
          if (close === '}') this.key();
          break;
        }
        this.expect(close);
        open.pop();
      }
    }
  }

  /**
   * Read the start of a value: a scalar or an empty container, which is then
   * complete (false), or the opening of a non-empty container pushed on `open`
   * (true: its first element comes next).
   */
  private opened(open: string[]): boolean {
    this.ws();
    const c = this.text[this.i];
    if (c !== '{' && c !== '[') {
      this.scalar();
      return false;
    }
    if (open.length >= MAX_JSON_DEPTH) this.fail();
    const close = c === '{' ? '}' : ']';
    this.i++;
    this.ws();
    if (this.text[this.i] === close) {
      this.i++;
      return false;
    }
    open.push(close);
    if (close === '}') this.key();
    return true;
  }

  /** An object's key and its colon. */
  private key(): void {
    this.ws();
    this.string();
    this.ws();
    this.expect(':');
  }

  /** A string, a number, true, false or null. */
  private scalar(): void {
    if (this.text[this.i] === '"') return this.string();
    const lit = ['true', 'false', 'null'].find((w) => this.text.startsWith(w, this.i));
    if (lit) {
      this.i += lit.length;
      return;
    }
    const num = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    num.lastIndex = this.i;
    if (!num.test(this.text)) this.fail();
    this.i = num.lastIndex;
  }

  private expect(c: string): void {
    if (this.text[this.i] === c) this.i++;
    else this.fail();
  }

  /** A string with its escapes, from its opening quote. */
  private string(): void {
    const { text } = this;
    this.expect('"');
    for (;;) {
      const c = text[this.i];
      if (c === undefined || c < ' ') this.fail();
      this.i++;
      if (c === '"') return;
      if (c === '\\') {
        if (text[this.i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(this.i + 1, this.i + 5))) this.fail();
          this.i += 5;
        } else if (text[this.i] !== undefined && '"\\/bfnrt'.includes(text[this.i])) this.i++;
        else this.fail();
      }
    }
  }
}
