/**
 * The shape rules of src/ (issue 13), checked from the TypeScript syntax tree:
 * - no module over MAX_MODULE_LINES lines;
 * - no function (declaration, method, accessor, arrow, expression) over
 *   MAX_FUNCTION_LINES lines, except the generated-code tables listed in
 *   GENERATED (each with its reason);
 * - no import cycle among src/ modules (type-only imports included: a cycle of
 *   types is still two modules that must be read together);
 * - integrator names ('em', 'lm', 'baoab', 'mala', 'hmc') compared (===, !==,
 *   case) only in the integrator table and the spec validator.
 *
 * `checkStructure(root)` returns every violation as a line of text; run
 * `npx tsx scripts/structure.ts` to print them (exit 1 if any), with
 * `--formatted` to measure each file as Prettier (.prettierrc.json) would print it.
 * tests/unit/structure.test.ts runs it in the test command.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const MAX_MODULE_LINES = 400;
export const MAX_FUNCTION_LINES = 60;

/** Functions allowed to be longer: code generators whose body is the emitted program, line for line. */
export const GENERATED: Readonly<Record<string, string>> = {};

/** The only modules that may compare integrator names. */
export const INTEGRATOR_NAME_MODULES = ['src/integrators/table.ts', 'src/spec.ts'];

const INTEGRATOR_NAMES = new Set(['em', 'lm', 'baoab', 'mala', 'hmc']);

/** Every .ts file under `dir`, relative to `root`, sorted. */
export function sourceFiles(root: string, dir = 'src'): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(join(root, d)).sort()) {
      const p = join(d, name);
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A file's text, or a function of it (e.g. the formatter's output). */
export type Reader = (file: string, text: string) => string | Promise<string>;

async function parse(root: string, file: string, read: Reader): Promise<ts.SourceFile> {
  const text = await read(file, readFileSync(join(root, file), 'utf8'));
  return ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
}

function lineOf(sf: ts.SourceFile, pos: number): number {
  return sf.getLineAndCharacterOfPosition(pos).line + 1;
}

/** A readable name of a function-like node: `Class.method`, `name`, or `<arrow>@line`. */
function functionName(sf: ts.SourceFile, node: ts.Node): string {
  const own = (n: ts.Node): string | undefined => {
    if (
      (ts.isFunctionDeclaration(n) ||
        ts.isMethodDeclaration(n) ||
        ts.isGetAccessor(n) ||
        ts.isSetAccessor(n) ||
        ts.isFunctionExpression(n)) &&
      n.name
    )
      return n.name.getText(sf);
    if (ts.isConstructorDeclaration(n)) return 'constructor';
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isVariableDeclaration(n.parent)) return n.parent.name.getText(sf);
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && ts.isPropertyAssignment(n.parent)) return n.parent.name.getText(sf);
    return undefined;
  };
  const name = own(node) ?? `<anonymous>@${lineOf(sf, node.getStart(sf))}`;
  const cls = ts.findAncestor(node.parent, ts.isClassLike);
  return cls?.name ? `${cls.name.getText(sf)}.${name}` : name;
}

/** [name, lines] of every function-like node of a file. */
export function functionLengths(sf: ts.SourceFile): [string, number][] {
  const out: [string, number][] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = lineOf(sf, node.getEnd()) - lineOf(sf, node.getStart(sf)) + 1;
      out.push([functionName(sf, node), lines]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Relative module specifiers of a file's imports and re-exports, resolved to files under root. */
function importsOf(root: string, file: string, sf: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const st of sf.statements) {
    const spec =
      (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)
        ? st.moduleSpecifier.text
        : undefined;
    if (!spec?.startsWith('.') || !spec.endsWith('.ts')) continue;
    out.push(relative(root, resolve(root, dirname(file), spec)));
  }
  return out;
}

/** Import cycles among `files` (each cycle once, as a path a → b → … → a). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const seen = new Set<string>();
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (!graph.has(g)) continue;
      if (state.get(g) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(g)), g];
        const key = [...cycle.slice(0, -1)].sort().join('|');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return cycles;
}

/** Comparisons of a string literal integrator name: `x === 'em'`, `x !== 'hmc'`, `case 'lm':`. */
function integratorComparisons(sf: ts.SourceFile): number[] {
  const lines: number[] = [];
  const isName = (n: ts.Node) => ts.isStringLiteralLike(n) && INTEGRATOR_NAMES.has(n.text);
  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node)) {
      const k = node.operatorToken.kind;
      const eq =
        k === ts.SyntaxKind.EqualsEqualsEqualsToken ||
        k === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
        k === ts.SyntaxKind.EqualsEqualsToken ||
        k === ts.SyntaxKind.ExclamationEqualsToken;
      if (eq && (isName(node.left) || isName(node.right))) lines.push(lineOf(sf, node.getStart(sf)));
    }
    if (ts.isCaseClause(node) && isName(node.expression)) lines.push(lineOf(sf, node.getStart(sf)));
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return lines;
}

/** Every violation of the rules above in `root`/src, one line each. */
export async function checkStructure(root: string, read: Reader = (_, text) => text): Promise<string[]> {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const sf = await parse(root, file, read);
    const lines = sf.getLineAndCharacterOfPosition(sf.getEnd()).line + (sf.text.endsWith('\n') ? 0 : 1);
    if (lines > MAX_MODULE_LINES) problems.push(`${file}: ${lines} lines (at most ${MAX_MODULE_LINES})`);
    for (const [name, n] of functionLengths(sf)) {
      if (n > MAX_FUNCTION_LINES && !(`${file}:${name}` in GENERATED))
        problems.push(`${file}: function ${name} has ${n} lines (at most ${MAX_FUNCTION_LINES})`);
    }
    graph.set(file, importsOf(root, file, sf));
    if (!INTEGRATOR_NAME_MODULES.includes(file)) {
      for (const l of integratorComparisons(sf))
        problems.push(`${file}:${l}: compares an integrator name (only ${INTEGRATOR_NAME_MODULES.join(' and ')} may)`);
    }
  }
  for (const c of importCycles(graph)) problems.push(`import cycle: ${c.join(' → ')}`);
  return problems;
}

/** What Prettier, with the repository's configuration, would make of a file. */
async function formatted(root: string): Promise<Reader> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(join(root, 'package.json'))) ?? {};
  return (file, text) => prettier.format(text, { ...options, filepath: join(root, file) });
}

if (process.argv[1]?.endsWith('scripts/structure.ts')) {
  const root = process.cwd();
  const problems = await checkStructure(root, process.argv.includes('--formatted') ? await formatted(root) : undefined);
  for (const p of problems) process.stdout.write(`${p}\n`);
  process.stdout.write(`${problems.length} problem(s)\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
