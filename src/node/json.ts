/**
 * Where JSON text goes wrong. V8 (Node 20) leaves the position out of some
 * JSON.parse messages ("Unexpected token 'e', ... is not valid JSON"), so the
 * CLI finds it itself to report line:column.
 */

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
