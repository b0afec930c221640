/**
 * The parser (src/potential/parse.ts) against mathjs, which the compiler used
 * before and which stays a test oracle: the same text means the same
 * expression, and what mathjs (with the old validation) refused is refused.
 */
import * as mathjs from 'mathjs';
import { describe, expect, it } from 'vitest';
import { lowerExpression } from '../../src/potential/lower.ts';
import { PotentialError } from '../../src/potential/error.ts';
import { parseExpression, type Node } from '../../src/potential/parse.ts';
import { USER_FUNCTIONS } from '../../src/potential/vocabulary.ts';
import { Random, TOKENS } from '../fuzz/mutations.ts';
import { NAMES, randomSource } from './expressions.ts';

/** Evaluate the syntax tree in float64, operation by operation as written. */
function evaluate(n: Node, scope: Record<string, number>): number {
  switch (n.t) {
    case 'num':
      return n.v;
    case 'name':
      return scope[n.name];
    case 'call':
      return (Math as unknown as Record<string, (v: number) => number>)[n.name](evaluate(n.args[0], scope));
    case 'op': {
      const [a, b] = n.args.map((m) => evaluate(m, scope));
      return { '+': a + b, '-': a - b, '*': a * b, '/': a / b, '^': Math.pow(a, b), neg: -a, pos: a }[n.op];
    }
  }
}

/** A point and parameters: x = x0, y = x1. */
function scopeAt(r: Random): Record<string, number> {
  const [x, y] = [-2 + 4 * r.float(), -2 + 4 * r.float()];
  return { x, y, x0: x, x1: y, a: 0.5 + r.float(), b: -1 + 2 * r.float(), pi: Math.PI, e: Math.E };
}

const ALLOWED_OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus']);

/** Whether the old compiler accepted `s`: mathjs parses it and the tree holds only what the language has (its validation, lower.ts before). */
function mathjsAccepts(s: string): boolean {
  let tree: mathjs.MathNode;
  try {
    tree = mathjs.parse(s);
  } catch {
    return false;
  }
  let ok = true;
  tree.traverse((n, path, parent) => {
    if (mathjs.isFunctionNode(parent) && path === 'fn') return;
    if (mathjs.isParenthesisNode(n)) return;
    if (mathjs.isConstantNode(n)) ok &&= typeof n.value === 'number' && Number.isFinite(n.value);
    else if (mathjs.isSymbolNode(n)) ok &&= NAMES.includes(n.name);
    else if (mathjs.isOperatorNode(n)) ok &&= ALLOWED_OPERATORS.has(n.fn);
    else if (mathjs.isFunctionNode(n))
      ok &&= mathjs.isSymbolNode(n.fn) && (USER_FUNCTIONS as string[]).includes(n.fn.name) && n.args.length === 1;
    else ok = false;
  });
  return ok;
}

/** Whether the compiler accepts `s` (a constant that folds to a non-finite number is a valid expression: both refuse it later). */
function weAccept(s: string): boolean {
  try {
    lowerExpression({ dims: 2, letters: true, params: ['a', 'b'], source: s, field: 'expr' });
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(PotentialError);
    const message = (e as PotentialError).message;
    if (/is not a finite number/.test(message)) return true;
    expect((e as PotentialError).position, message).toBeDefined();
    return false;
  }
}

describe('parse.ts reads what mathjs reads', () => {
  it('400 random expressions: the same value as mathjs.evaluate at 5 points each', () => {
    const r = new Random(2024);
    let compared = 0;
    let valid = 0;
    while (valid < 400) {
      const s = randomSource(r);
      // The generator juxtaposes freely, so a few texts are not expressions (`x^2 3`): refused by both.
      if (!mathjsAccepts(s)) {
        expect(weAccept(s), s).toBe(false);
        continue;
      }
      valid++;
      const tree = parseExpression(s);
      const compiled = mathjs.compile(s);
      for (let k = 0; k < 5; k++) {
        const scope = scopeAt(r);
        const want: unknown = compiled.evaluate({ ...scope });
        // Complex results (a negative number to a fractional power, log of a negative…) have no counterpart.
        if (typeof want !== 'number' || !Number.isFinite(want)) continue;
        const got = evaluate(tree, scope);
        expect(Math.abs(got - want), `${JSON.stringify(s)} at ${JSON.stringify(scope)}`).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(want)),
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it.each([
    ['2x', '2*x'],
    ['2 x y', '(2*x)*y'],
    ['2(x+1)', '2*(x+1)'],
    ['(x+1)(y-1)', '(x+1)*(y-1)'],
    ['1/2x', '(1/2)*x'],
    ['-1/2 y', '((-1)/2)*y'],
    ['x/2y', 'x/(2*y)'],
    ['1/2/3x', '1/((2/3)*x)'],
    ['-x^2', '-(x^2)'],
    ['2^-x^2', '2^(-(x^2))'],
    ['x^y^2', 'x^(y^2)'],
    ['x - y - 1', '(x - y) - 1'],
    ['5.x + .5 + 1e-3 + 2E+1', '5*x + 0.5 + 0.001 + 20'],
    ['x +\n y # comment', 'x + y'],
    ['(x\n + y)', 'x + y'],
    ['sin (x) 2', 'sin(x)*2'],
  ])('%j = %s', (text, meaning) => {
    const scope = { x: 0.7, y: -1.3 };
    // the meaning evaluated by JavaScript itself (^ is **), not by the parser under test
    const js = new Function('x', 'y', `return ${meaning.replace(/\^/g, '**').replace(/sin/g, 'Math.sin')};`) as (
      x: number,
      y: number,
    ) => number;
    const want = js(scope.x, scope.y);
    expect(Math.abs(evaluate(parseExpression(text), scope) - want)).toBeLessThanOrEqual(1e-15 * Math.abs(want));
    expect(evaluate(parseExpression(text), scope)).toBe(mathjs.evaluate(text, { ...scope }));
  });
});

/**
 * What mathjs read but the language deliberately does not: percentages
 * (`x + 10%` is x + x·0.1 in mathjs) and numbers in hexadecimal, binary or
 * octal.
 */
const DELIBERATE = /%|\b0[box]/;

describe('parse.ts refuses what mathjs refused', () => {
  /** Hostile texts: mutants of valid expressions, operator soup, and the constructs of mathjs's language. */
  function hostile(): string[] {
    const r = new Random(99);
    const texts = [
      'x == 1',
      'x > 0 ? x : 0',
      'x mod 2',
      'x % 2',
      'x + 10%',
      '0x10*x',
      '0b11 + y',
      'x!',
      "x'",
      '[1, 2]',
      'x[1]',
      'x.a',
      '{a: 1}',
      'a = 1',
      'f(x) = x',
      'x; y',
      'x\ny',
      'x^2\n',
      '\nx',
      '1:3',
      '"abc"',
      "'abc'",
      'x to cm',
      'x in cm',
      'true + x',
      'NaN*x',
      'Infinity',
      'not x',
      '~x',
      'x & y',
      'x | y',
      'x << 1',
      'x .* y',
      'x ./ y',
      'x .^ 2',
      'x ?? y',
      'x?.a',
      '2 3',
      'x^2 3',
      '1.2.3',
      '2e+',
      'x..5',
      'x\r',
      'x\u2028+ y',
      'sin\n(x)',
      '(x',
      'x)',
      'sin()',
      'sin(x, y)',
      'log(x, 2)',
      'x,',
      '',
      ' ',
      '# only a comment',
    ];
    for (let i = 0; i < 1500; i++) {
      const base = randomSource(r);
      const at = r.int(base.length + 1);
      switch (r.int(4)) {
        case 0:
          texts.push(base.slice(0, at) + r.pick(TOKENS) + base.slice(at));
          break;
        case 1:
          texts.push(base.slice(0, at) + base.slice(at + 1 + r.int(3)));
          break;
        case 2:
          texts.push(base.slice(0, at) + base.slice(r.int(base.length + 1)));
          break;
        default:
          texts.push(Array.from({ length: 1 + r.int(8) }, () => r.pick(TOKENS)).join(r.pick(['', ' '])));
      }
    }
    return texts.filter((t) => t.length < 2000);
  }

  it('every text mathjs refused is refused at a character; every one refused that mathjs read is a deliberate difference', () => {
    const deliberate: string[] = [];
    let refused = 0;
    for (const text of hostile()) {
      const ours = weAccept(text);
      const theirs = mathjsAccepts(text);
      if (!ours) refused++;
      if (theirs && !ours) {
        expect(text, `refused, but mathjs read ${JSON.stringify(text)}`).toMatch(DELIBERATE);
        deliberate.push(text);
      } else expect(ours, `accepted ${JSON.stringify(text)}, which mathjs refused`).toBe(theirs);
    }
    expect(refused).toBeGreaterThan(500);
    expect(deliberate).toContain('x + 10%');
  });
});
