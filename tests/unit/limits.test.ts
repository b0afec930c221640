/**
 * Input limits (src/limits.ts), checked before any work they protect: JSON
 * nesting, the size of an expression, the length of a name. Each hostile
 * input is refused with an InputError naming the field; none reaches a stack
 * overflow, a regular expression built from user text or Object.prototype.
 */
import { describe, expect, it } from 'vitest';
import { refusal } from './refusal.ts';
import { prepare } from '../../src/engine.ts';
import { describeValue } from '../../src/errors.ts';
import { jsonErrorIndex, JsonSyntaxError, parseJsonText } from '../../src/json.ts';
import {
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  MAX_EXPRESSION_NESTING,
  MAX_EXPRESSION_NODES,
  MAX_IDENTIFIER_LENGTH,
  MAX_JSON_DEPTH,
} from '../../src/limits.ts';
import { compilePotential, PotentialError } from '../../src/potential/index.ts';

const BASE = { dims: 1, particles: 10, dt: 0.01, steps: 1 };

/** The error parsing `text` throws, which must be a JsonSyntaxError. */
function jsonRefusal(text: string): JsonSyntaxError {
  try {
    parseJsonText(text, 'spec.json');
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw new Error(`expected a JsonSyntaxError, got ${String(e)}`);
  }
  throw new Error('expected a refusal');
}

describe('JSON nesting is limited before anything walks the value', () => {
  it.each([1e4, 1e5])('arrays %i deep, valid or not, are refused at the bracket that goes too deep', (n) => {
    for (const text of ['['.repeat(n) + ']'.repeat(n), '['.repeat(n) + ']'.repeat(n - 1), '['.repeat(n) + 'e']) {
      const e = jsonRefusal(text);
      expect(e.message).toBe(
        `spec.json:1:${MAX_JSON_DEPTH + 1}: JSON nested too deeply: more than ${MAX_JSON_DEPTH} levels of arrays and objects (a spec needs 4)`,
      );
      expect([e.line, e.column]).toEqual([1, MAX_JSON_DEPTH + 1]);
    }
  });

  it('objects nested 10^5 deep, on their own line, give the line and column of the first bracket too deep', () => {
    const text = '{\n  "dt": ' + '{"a":'.repeat(1e5) + '1' + '}'.repeat(1e5) + '\n}';
    const e = jsonRefusal(text);
    expect([e.line, e.column]).toEqual([2, 9 + 5 * (MAX_JSON_DEPTH - 1)]);
  });

  it('brackets inside strings do not count; exactly MAX_JSON_DEPTH levels parse', () => {
    const deepest = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(parseJsonText(`{"a": "${'['.repeat(1000)}", "b": ${deepest.slice(1, -1)}}`, 's')).toHaveProperty('a');
    expect(jsonRefusal(`[${deepest}]`).column).toBe(MAX_JSON_DEPTH + 1);
  });

  it('the error locator scans without recursion: a 10^5-deep broken text gives an index, not a stack overflow', () => {
    expect(jsonErrorIndex('['.repeat(1e5) + 'e')).toBe(MAX_JSON_DEPTH);
    expect(jsonErrorIndex('['.repeat(MAX_JSON_DEPTH) + 'e')).toBe(MAX_JSON_DEPTH);
    expect(jsonErrorIndex('{"a": [1, {"b": tru}]}')).toBe(16);
    expect(jsonErrorIndex('{"a": [1, {"b": true}]}')).toBeUndefined();
  });

  it('a value nested 10^6 deep given through the API is refused and described in a few characters', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1e6; i++) deep = [deep];
    const e = refusal({ ...BASE, potential: { expr: 'x' }, particles: deep });
    expect(e.message).toBe(`particles: got ${'['.repeat(77)}...; must be an integer from 1 to 1099511627776`);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toMatch(/^\{"a":1,"self":\{"a":1,"self":.*\.\.\.$/);
    expect(describeValue(cyclic).length).toBe(80);
  });

  it('messages stay on one line: describeValue escapes the line separators JSON leaves raw', () => {
    expect(describeValue('a\u2028b\u2029c\u0085d\ne\u000bf\u000cg')).toBe('"a\\u2028b\\u2029c\\u0085d\\ne\\u000bf\\fg"');
    const e = refusal({ ...BASE, potential: { expr: 'x' }, ['a\u2028b']: 1 });
    expect(e.message).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
    expect(e.message.startsWith('spec["a\\u2028b"]: got 1; unknown field')).toBe(true);
  });
});

/** An expression's refusal by the compiler. */
function exprRefusal(expr: string, dims = 1): PotentialError {
  const e = refusal({ ...BASE, dims, potential: { expr } });
  expect(e).toBeInstanceOf(PotentialError);
  expect(e.message.startsWith('potential.expr: ')).toBe(true);
  return e as PotentialError;
}

describe('expression size is limited, and the compiler is safe up to the limits', () => {
  it('a sum of 2000 terms is one level deep: it compiles and evaluates', () => {
    const p = prepare({ ...BASE, potential: { expr: Array(2000).fill('x').join(' + ') } }).potential;
    expect(p.energy([1.5])).toBe(3000);
    const g = [0];
    p.gradient([1.5], g);
    expect(g[0]).toBe(2000);
  });

  it(`a sum of 1000 squares (${4 * 1000 - 1} nodes) compiles; 1400 of them (over ${MAX_EXPRESSION_NODES} nodes) are refused`, () => {
    const p = prepare({ ...BASE, potential: { expr: Array(1000).fill('x^2').join('+') } }).potential;
    expect(p.energy([2])).toBe(4000);
    const e = exprRefusal(Array(1400).fill('x^2').join('+'));
    expect(e.message).toContain(`too large: more than ${MAX_EXPRESSION_NODES} numbers, names, operators and calls`);
  });

  it(`a chain of ${MAX_EXPRESSION_DEPTH - 1} subtractions compiles; deeper chains of -, / and unary minus are refused`, () => {
    const p = prepare({ ...BASE, potential: { expr: Array(MAX_EXPRESSION_DEPTH).fill('x').join(' - ') } }).potential;
    expect(p.energy([1])).toBe(2 - MAX_EXPRESSION_DEPTH);
    for (const expr of [
      Array(MAX_EXPRESSION_DEPTH + 2)
        .fill('x')
        .join(' - '),
      Array(1500).fill('x').join('/'),
      '-'.repeat(3000) + 'x',
      Array(4000).fill('x').join('^'),
    ]) {
      const e = exprRefusal(expr);
      expect(e.message).toContain('nested too deeply');
      expect(e.message).toContain(`${MAX_EXPRESSION_DEPTH} operations inside one another`);
    }
  });

  it(`${MAX_EXPRESSION_NESTING} nested brackets compile; one more is refused at its character, before parsing`, () => {
    const ok = (n: number) => 'sin('.repeat(n) + 'x' + ')'.repeat(n);
    expect(prepare({ ...BASE, potential: { expr: ok(MAX_EXPRESSION_NESTING) } }).potential.energy([0.5])).toBeCloseTo(
      Array.from({ length: MAX_EXPRESSION_NESTING }).reduce<number>((v) => Math.sin(v), 0.5),
      12,
    );
    for (const n of [MAX_EXPRESSION_NESTING + 1, 1000]) {
      const e = exprRefusal('('.repeat(n) + 'x' + ')'.repeat(n));
      expect(e.position).toBe(MAX_EXPRESSION_NESTING);
      expect(e.message).toContain(`nested too deeply at character ${MAX_EXPRESSION_NESTING + 1}`);
      expect(e.message.split('\n')[0].length).toBeLessThan(600);
    }
    // brackets in a # comment are not nesting: the expression is x^2, then a comment full of them
    const commented = `x^2 # ${'('.repeat(MAX_EXPRESSION_NESTING + 5)}`;
    expect(prepare({ ...BASE, potential: { expr: commented } }).potential.energy([0.5])).toBe(0.25);
  });

  it(`an expression longer than ${MAX_EXPRESSION_LENGTH} characters is refused before parsing, with a short message`, () => {
    const e = exprRefusal('x' + ' + x'.repeat(MAX_EXPRESSION_LENGTH / 4));
    expect(e.message).toBe(
      `potential.expr: got an expression of ${MAX_EXPRESSION_LENGTH + 1} characters; at most ${MAX_EXPRESSION_LENGTH} are allowed`,
    );
    const field = refusal({ ...BASE, potential: { data: { columns: ['u'], rows: [[1]] }, example: 'x*u' + '+x'.repeat(6000) } });
    expect(field.message.startsWith('potential.example: got an expression of 12003 characters')).toBe(true);
  });

  it('generated code stays shallow: WGSL nests at most 25 parentheses and chains at most 64 operands per line', () => {
    const exprs = [
      Array(MAX_EXPRESSION_DEPTH).fill('x').join(' - '),
      'sin('.repeat(MAX_EXPRESSION_NESTING) + 'x' + ')'.repeat(MAX_EXPRESSION_NESTING),
      Array(1000).fill('x^2').join('+'),
    ];
    for (const expr of exprs) {
      const { wgsl } = prepare({ ...BASE, potential: { expr } }).potential;
      // Comments aside: only code reaches the parser's recursion.
      for (const line of wgsl.split('\n').map((l) => l.replace(/\/\/.*$/, ''))) {
        let depth = 0;
        let max = 0;
        for (const c of line) {
          if (c === '(') max = Math.max(max, ++depth);
          if (c === ')') depth--;
        }
        expect(max).toBeLessThanOrEqual(25);
        expect(line.split(/ [+*] /).length).toBeLessThanOrEqual(64);
      }
    }
  });
});

describe('names: never looked up on Object.prototype, never turned into a regular expression, at most 64 characters', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('the expression %s alone is an unknown symbol', (name) => {
    const e = exprRefusal(name);
    expect(e.message).toContain(`unknown symbol '${name}' at character 1`);
    const inside = exprRefusal(`x + ${name}`);
    expect(inside.message).toContain(`unknown symbol '${name}' at character 5`);
    expect(inside.message).not.toContain('native code');
  });

  it('parameters named __proto__, constructor and hasOwnProperty are ordinary parameters', () => {
    const params = JSON.parse('{"__proto__": 2, "constructor": 3, "hasOwnProperty": 5, "toString": 7}');
    const p = prepare({ ...BASE, potential: { expr: '__proto__*x + constructor*x^2 + hasOwnProperty + toString', params } }).potential;
    expect(p.paramNames).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    expect(p.energy([2])).toBe(2 * 2 + 3 * 4 + 5 + 7);
  });

  it('data columns named constructor and __proto__ are ordinary columns', () => {
    const data = { columns: ['constructor', '__proto__', 'hasOwnProperty'], rows: [[1, 2, 3]] };
    const p = prepare({ ...BASE, potential: { data, example: 'constructor*x + __proto__*x^2 + hasOwnProperty' } }).potential;
    expect(p.energy([2])).toBe(1 * 2 + 2 * 4 + 3);
  });

  it(`a name longer than ${MAX_IDENTIFIER_LENGTH} characters is refused, in an expression, in params and in data columns`, () => {
    const long = 'a'.repeat(MAX_IDENTIFIER_LENGTH + 1);
    const e = exprRefusal(`x + ${long}`);
    expect(e.position).toBe(4);
    expect(e.message).toContain(`is ${MAX_IDENTIFIER_LENGTH + 1} characters long`);
    const p = refusal({ ...BASE, potential: { expr: 'x', params: { [long]: 1 } } });
    expect(p.message).toBe(`potential.params: got "${long}"; parameter names must be at most ${MAX_IDENTIFIER_LENGTH} characters long`);
    const c = refusal({ ...BASE, potential: { data: { columns: [long], rows: [[1]] }, example: 'x' } });
    expect(c.message.startsWith('potential.data.columns[0]: got "aaa')).toBe(true);
    expect(c.message).toContain(`at most ${MAX_IDENTIFIER_LENGTH} characters`);
  });

  it('an identifier of 10^5 characters is refused by length; the error never builds a regular expression from it', () => {
    const e = exprRefusal('x + ' + 'a'.repeat(1e5));
    expect(e.message).toContain('at most 10000 are allowed');
    // Within the length limit, names full of regular-expression syntax are found by plain search.
    const odd = compileRefusal('x + $a$.b');
    expect(odd.message).toContain('potential.expr: ');
  });
});

/** The compiler's refusal of `expr` at D = 1. */
function compileRefusal(expr: string): PotentialError {
  try {
    compilePotential({ expr }, 1);
  } catch (e) {
    expect(e).toBeInstanceOf(PotentialError);
    return e as PotentialError;
  }
  throw new Error('expected a refusal');
}
