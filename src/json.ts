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
  constructor(message: string, readonly source: string, readonly line?: number, readonly column?: number) {
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
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (c: string) => (text[i] === c ? i++ : fail());
  const str = () => {
    expect('"');
    for (;;) {
      const c = text[i];
      if (c === undefined || c < ' ') fail();
      i++;
      if (c === '"') return;
      if (c === '\\') {
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
        else fail();
      }
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          str();
          ws();
          expect(':');
        }
        value();
        ws();
        if (text[i] !== ',') return void expect(close);
        i++;
      }
    }
    if (c === '"') return str();
    const lit = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
    if (lit) {
      i += lit.length;
      return;
    }
    const num = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    num.lastIndex = i;
    if (!num.test(text)) fail();
    i = num.lastIndex;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (typeof e === 'number') return e;
    throw e;
  }
}
