/**
 * Spec text → value, with the error the CLI and the runner page both show:
 * `SOURCE:LINE:COL: invalid JSON: …`. V8 (Node 20) leaves the position out of
 * some JSON.parse messages ("Unexpected token 'e', ... is not valid JSON"), so
 * the position is found here.
 */
import { InputError } from './errors.ts';

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
 * Parse spec text (a file's, a paste's, a download's).
 * @param source what to call the text in the message: a file path, a URL, "pasted spec"
 * @throws JsonSyntaxError `SOURCE:LINE:COL: invalid JSON: MESSAGE`
 * @example parseJsonText('{"dt": }', 'spec.json') // throws "spec.json:1:8: invalid JSON: …"
 */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const p = pos ? Number(pos[1]) : jsonErrorIndex(text);
    if (p !== undefined) {
      const before = text.slice(0, p);
      const line = before.split('\n').length;
      const col = p - before.lastIndexOf('\n');
      throw new JsonSyntaxError(`${source}:${line}:${col}: invalid JSON: ${msg}`, source, line, col);
    }
    throw new JsonSyntaxError(`${source}: invalid JSON: ${msg}`, source);
  }
}

/** Index of the first character at which `text` stops being valid JSON; undefined if it is valid. */
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
 * number, so that one catch in jsonErrorIndex ends the whole descent.
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

  /** Any value, after optional whitespace. */
  value(): void {
    this.ws();
    const c = this.text[this.i];
    if (c === '{' || c === '[') return this.container(c);
    if (c === '"') return this.string();
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

  /** An object or an array, from its opening bracket `open`. */
  private container(open: '{' | '['): void {
    const close = open === '{' ? '}' : ']';
    this.i++;
    this.ws();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      if (open === '{') {
        this.ws();
        this.string();
        this.ws();
        this.expect(':');
      }
      this.value();
      this.ws();
      if (this.text[this.i] !== ',') return this.expect(close);
      this.i++;
    }
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
