/**
 * The shape rules of src/ (scripts/structure.ts): no module over 400 lines,
 * no function over 60, no import cycle, integrator names compared only in the
 * integrator table and the spec validator. And the checker itself can fail:
 * a small tree that breaks each rule is reported rule by rule.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkStructure, MAX_FUNCTION_LINES, MAX_MODULE_LINES, sourceFiles } from '../../scripts/structure.ts';

describe('the GPU lifetime guard', () => {
  it('covers every test file that runs on a GPU device (it imports tests/gpu/harness.ts, or tests/support.ts which does)', () => {
    // tests/package/ runs the GPU only in other processes (installed consumer projects, Chromium), and so does a
    // CLI test that spawns the built command (cli-support.ts) without importing the engine or a GPU module: no
    // device in this process to guard
    const spawnsOnly = (f: string) => {
      const text = readFileSync(f, 'utf8');
      return /from '\.\/cli-support\.ts'/.test(text) && !/from '(\.\.\/)*src\/(engine|gpu\/|node\/device|run\/)/.test(text);
    };
    const files = sourceFiles(process.cwd(), 'tests').filter(
      (f) => f.endsWith('.test.ts') && f !== 'tests/unit/structure.test.ts' && !f.startsWith('tests/package/') && !spawnsOnly(f),
    );
    const onGpu = files.filter((f) => /tests\/gpu\/|'webgpu'|nodeGpuContext|\bgpu\(\)/.test(`${f}\n${readFileSync(f, 'utf8')}`));
    const unguarded = onGpu.filter(
      (f) => !/from '(\.\.\/)*(gpu\/)?harness\.ts'|from '(\.\/)?(\.\.\/)*support\.ts'|from '\.\/harness\.ts'/.test(readFileSync(f, 'utf8')),
    );
    expect(onGpu.length).toBeGreaterThan(15);
    expect(unguarded).toEqual([]);
  });
});

describe('the shape of src/', () => {
  it('keeps every rule', async () => {
    expect(await checkStructure(process.cwd())).toEqual([]);
  });

  it('the checker reports a long module, a long function, an import cycle and an integrator comparison', async () => {
    const root = mkdtempSync(join(tmpdir(), 'langevin-structure-'));
    try {
      mkdirSync(join(root, 'src'));
      const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  x += ${i};`).join('\n');
      writeFileSync(
        join(root, 'src', 'a.ts'),
        `import { b } from './b.ts';\nexport function long(x: number): number {\n${body}\n  return x + b;\n}\n`,
      );
      writeFileSync(
        join(root, 'src', 'b.ts'),
        `import { long } from './a.ts';\nexport const b = 1;\nexport const isHmc = (name: string) => name === 'hmc' && long(0) > 0;\n`,
      );
      writeFileSync(
        join(root, 'src', 'c.ts'),
        Array.from({ length: MAX_MODULE_LINES + 1 }, (_, i) => `export const c${i} = ${i};`).join('\n') + '\n',
      );
      const problems = await checkStructure(root);
      expect(problems).toEqual([
        `src/a.ts: function long has ${MAX_FUNCTION_LINES + 3} lines (at most ${MAX_FUNCTION_LINES})`,
        'src/b.ts:3: compares an integrator name (only src/integrators/table.ts and src/spec.ts may)',
        `src/c.ts: ${MAX_MODULE_LINES + 1} lines (at most ${MAX_MODULE_LINES})`,
        'import cycle: src/a.ts → src/b.ts → src/a.ts',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
