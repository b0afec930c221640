/**
 * Every way a potential spec can be wrong gives a PotentialError whose message
 * names the field, shows the value, says what is allowed and, for
 * expressions, points at the offending character.
 */
import { describe, expect, it } from 'vitest';
import { CATALOG, compilePotential, PotentialError, type PotentialSpec } from '../../src/potential/index.ts';

function failure(spec: PotentialSpec, dims: number, field = 'potential'): PotentialError {
  try {
    compilePotential(spec, dims, field);
  } catch (e) {
    expect(e).toBeInstanceOf(PotentialError);
    return e as PotentialError;
  }
  throw new Error(`expected ${JSON.stringify(spec)} at dims = ${dims} to be rejected`);
}

/** The caret line of the message sits under character `position` of the expression line above it. */
function caretColumn(message: string): number {
  const lines = message.split('\n');
  return lines[lines.length - 1].indexOf('^') - 2;
}

describe('expression errors point at the character', () => {
  it.each([
    // expression, dims, 0-based position, words the message must contain
    ['(x^2 - 1', 1, 8, ['syntax error', 'Parenthesis ) expected', 'character 9']],
    ['x + * y', 2, 4, ['syntax error', 'Value expected', 'character 5']],
    ['x + q', 2, 4, ["unknown symbol 'q'", 'x, y, x0, x1', 'pi, e', 'parameters: none']],
    ['x^2 + z', 2, 6, ["'z' is not a variable when dims = 2", 'x, y, x0, x1']],
    ['x0 + x5', 3, 5, ["'x5' is not a variable when dims = 3", 'x, y, z, x0, x1, x2']],
    ['y + x1', 8, 0, ["'y' is not a variable when dims = 8", 'x0, x1, x2, x3, x4, x5, x6, x7']],
    ['sin(x) + foo(x)', 1, 9, ["unknown function 'foo'", 'sin, cos, tan, exp, log, sqrt, abs, tanh, sinh, cosh, atan, asin, acos']],
    ['x*sign(x)', 1, 2, ["unknown function 'sign'"]],
    ['log(x, 2)', 1, 0, ['log takes exactly one argument, got 2']],
    ['x (y + 1)', 2, 0, ["unknown function 'x'", 'write x*(...) to multiply']],
    ['x mod 2', 1, 2, ["unsupported operator 'mod'", '+ - * / ^']],
    ['x! + 1', 1, 1, ["unsupported operator '!'"]],
    ['x == 1', 1, 2, ["unsupported operator '=='"]],
    ['[1, 2]', 1, 0, ['unsupported construct (array)']],
    ['x > 0 ? x : 0', 1, 6, ['unsupported construct (conditional)']],
    ['"abc" + x', 1, 0, ['unsupported constant "abc"', 'only numbers']],
    ['x + 1e400*y', 2, 4, ['number 1e400 is too large', '3.4e38']],
    ['2 cm', 1, 2, ["unknown symbol 'cm'"]],
  ] as const)('%j at D = %i', (expr, dims, position, words) => {
    const e = failure({ expr }, dims);
    expect(e.field).toBe('potential.expr');
    expect(e.value).toBe(expr);
    expect(e.position).toBe(position);
    expect(e.message.startsWith('potential.expr: ')).toBe(true);
    expect(e.message).toContain(JSON.stringify(expr));
    for (const w of words) expect(e.message).toContain(w);
    expect(caretColumn(e.message)).toBe(position);
  });

  it('a free symbol of an expression must be a parameter: the message says where to define it', () => {
    const e = failure({ expr: 'x^2 + y^2', params: {} }, 1);
    expect(e.position).toBe(6);
    expect(e.message).toContain("'y' is not a variable when dims = 1");
    const missing = failure({ expr: 'k*x^2 + b', params: { k: 2 } }, 1);
    expect(missing.position).toBe(8);
    expect(missing.message).toContain("unknown symbol 'b'");
    expect(missing.message).toContain('parameters: k');
    expect(missing.message).toContain("Define 'b' in potential.params");
  });

  it('the field prefix is the caller’s', () => {
    const e = failure({ expr: 'x + q' }, 1, 'stages[2].potential');
    expect(e.field).toBe('stages[2].potential.expr');
    expect(e.message).toContain('stages[2].potential.params');
  });

  it('constants that are not finite, or not representable in f32, are rejected', () => {
    const nan = failure({ expr: 'x + log(0)' }, 1);
    expect(nan.message).toContain('not a finite number');
    expect(failure({ expr: 'x*(1e300*1e300)' }, 1).message).toContain('1e+300 * 1e+300 is not a finite number');
    const big = failure({ expr: '1e39*x^2' }, 1);
    expect(big.message).toContain('outside the range of 32-bit floats');
    expect(big.message).toContain('1e39*x^2');
  });
});

describe('spec errors', () => {
  it('unknown potential name: the message lists every built-in', () => {
    const e = failure({ name: 'harmonc' }, 2);
    expect(e.field).toBe('potential.name');
    expect(e.value).toBe('harmonc');
    expect(e.message).toContain('"harmonc"');
    for (const c of CATALOG) expect(e.message).toContain(c.name);
  });

  it('a fixed-dimension built-in at another dims names the dims allowed', () => {
    for (const [name, dims] of [
      ['mueller-brown', 3],
      ['himmelblau', 1],
    ] as const) {
      const e = failure({ name }, dims);
      expect(e.field).toBe('potential.name');
      expect(e.message).toContain(`'${name}'`);
      expect(e.message).toContain('dims = 2 only');
      expect(e.message).toContain(`dims = ${dims} was requested`);
    }
  });

  it('unknown parameter of a built-in: the message lists the known ones', () => {
    const e = failure({ name: 'double-well', params: { h: 1, q: 2 } }, 2);
    expect(e.field).toBe('potential.params.q');
    expect(e.value).toBe(2);
    expect(e.message).toContain("unknown parameter 'q' for potential 'double-well'");
    expect(e.message).toContain('known parameters: h, k');
    expect(failure({ name: 'himmelblau', params: { a: 1 } }, 2).message).toContain('it takes no parameters');
  });

  it('a per-dimension array of the wrong length says how many numbers are expected', () => {
    const e = failure({ name: 'harmonic', params: { k: [1, 2] } }, 3);
    expect(e.field).toBe('potential.params.k');
    expect(e.value).toEqual([1, 2]);
    expect(e.message).toContain('[1,2]');
    expect(e.message).toContain('3 numbers, one per dimension');
  });

  it('an array for a scalar parameter, or a non-finite value, is rejected', () => {
    const arr = failure({ name: 'double-well', params: { h: [1, 2] } }, 2);
    expect(arr.field).toBe('potential.params.h');
    expect(arr.message).toContain('[1,2]');
    expect(arr.message).toContain('a single finite number');
    const nan = failure({ name: 'double-well', params: { h: NaN } }, 2);
    expect(nan.message).toContain('got NaN; expected a finite number');
    const str = failure({ expr: 'a*x', params: { a: '1' as unknown as number } }, 1);
    expect(str.field).toBe('potential.params.a');
    expect(str.message).toContain('got "1"');
    const elem = failure({ name: 'harmonic', params: { k: [1, Infinity] } }, 2);
    expect(elem.field).toBe('potential.params.k[1]');
    expect(elem.message).toContain('Infinity');
  });

  it('expression parameter names must be identifiers that are not variables, constants or functions', () => {
    for (const bad of ['x', 'y', 'x3', 'pi', 'e', 'sin', '2a', 'a-b']) {
      const e = failure({ expr: 'x', params: { [bad]: 1 } }, 2);
      expect(e.field).toBe(`potential.params.${bad}`);
      expect(e.message).toContain(`'${bad}' cannot be a parameter name`);
      expect(e.message).toContain('x, y, x0, x1');
    }
  });

  it('an array parameter and an explicit a_0 collide', () => {
    const e = failure({ expr: 'a_0*x', params: { a: [1, 2], a_0: 3 } }, 1);
    expect(e.message).toContain("parameter 'a_0' is defined twice");
  });

  it('exactly one of name and expr; dims from 1 to 16; params an object', () => {
    expect(failure({}, 2).message).toContain('give exactly one of "name"');
    expect(failure({ name: 'harmonic', expr: 'x' }, 2).message).toContain('harmonic, double-well');
    const empty = failure({ expr: '  ' }, 2);
    expect(empty.field).toBe('potential.expr');
    expect(empty.message).toContain('non-empty expression');
    for (const dims of [0, 17, 2.5]) {
      const e = failure({ name: 'harmonic' }, dims);
      expect(e.value).toBe(dims);
      expect(e.message).toContain(`dims = ${dims}`);
      expect(e.message).toContain('from 1 to 16');
    }
    const p = failure({ name: 'harmonic', params: [1] as unknown as Record<string, number> }, 2);
    expect(p.field).toBe('potential.params');
    expect(p.message).toContain('expected an object');
  });
});
