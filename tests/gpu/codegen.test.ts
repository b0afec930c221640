/**
 * No user text in generated code, on the device: the injection (a
 * WGSL function after U+2028 in a mathjs `#` comment) compiles to the clean
 * expression's shaders and samples the same distribution as the CPU; compile
 * errors still quote the generated line they are about.
 */
import { describe, expect, it } from 'vitest';
import stepWGSL from '../../shaders/step.wgsl?raw';
import { gpu } from './harness.ts';
import { runAndRead } from '../support.ts';
import { prepare } from '../../src/engine.ts';
import { assembleShader, compileShader } from '../../src/gpu/shaders.ts';
import { ParticleParams } from '../../src/gpu/layout.ts';
import { INTEGRATOR_TABLE } from '../../src/integrators/table.ts';

const spec = (expr: string) => ({
  dims: 2,
  particles: 2000,
  potential: { expr },
  integrator: 'em',
  dt: 0.01,
  temperature: 0.5,
  steps: 50,
  seed: 1,
  init: { kind: 'normal', mean: [0, 0], std: 0.1 },
});

/** The example: `sqrt` redefined to 0 would switch the GPU's noise off. */
const INJECTION = 'x^2 + y^2 # \u2028fn sqrt(v: f32) -> f32 { return 0.0; }';

/** `body`'s result and the WGSL of every shader module it created on the shared device, sorted. */
async function capturingShaders<T>(body: () => Promise<T>): Promise<{ value: T; codes: string[] }> {
  const { device } = await gpu();
  const codes: string[] = [];
  const original = device.createShaderModule;
  device.createShaderModule = function (descriptor: GPUShaderModuleDescriptor) {
    codes.push(descriptor.code);
    return original.call(this, descriptor);
  };
  try {
    return { value: await body(), codes: codes.sort() };
  } finally {
    device.createShaderModule = original;
  }
}

/** U+XXXX, how a test names a line break. */
const codePoint = (c: string) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

describe('the potential text cannot reach the shaders', () => {
  it("the issue's injection: the WebGPU variance is the CPU's to f32 tolerance, the shaders the clean expression's", async () => {
    const cpu = await runAndRead(spec(INJECTION), 'cpu');
    const hostile = await capturingShaders(() => runAndRead(spec(INJECTION), 'webgpu'));
    const clean = await capturingShaders(() => runAndRead(spec('x^2 + y^2'), 'webgpu'));
    const variance = cpu.result.final.variance;
    // overdamped from std 0.1 towards T/2 = 0.25: about 0.21 after 50 steps; an injected sqrt = 0 leaves 0.0013.
    // Same seed, same random stream: f32 state and normals (good to ~2^-11) differ from float64 by ~1e-4 relative.
    for (const v of variance) expect(v).toBeGreaterThan(0.15);
    hostile.value.result.final.variance.forEach((v, d) => expect(Math.abs(v - variance[d])).toBeLessThan(1e-3 * variance[d]));
    expect(hostile.codes.length).toBeGreaterThan(1);
    expect(hostile.codes).toEqual(clean.codes);
    for (const code of hostile.codes) expect(code).not.toContain('return 0.0; }');
  });
});

describe('compile errors quote the generated line', () => {
  it('a broken function spliced after the potential is named with its line and text', async () => {
    const { device } = await gpu();
    const potential = `${prepare(spec('x^2 + y^2')).potential.wgsl}\nfn broken() -> f32 { return undefined_name; }`;
    const code = assembleShader(stepWGSL, {
      dims: 2,
      structs: [ParticleParams],
      potential,
      defines: { ...INTEGRATOR_TABLE.em.defines, BATCH: false },
      rng: true,
    });
    const line = code.split('\n').findIndex((l) => l.startsWith('fn broken')) + 1;
    const error = await compileShader(device, code, 'broken.module').catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`WGSL compile error in broken.module:\n  line ${line}:`);
    expect((error as Error).message).toContain('\n    fn broken() -> f32 { return undefined_name; }');
  });

  it.each(['\u000b', '\u000c', '\r', '\r\n', '\u0085', '\u2028', '\u2029'].map((b) => [[...b].map(codePoint).join(' '), b]))(
    'after a %s line break the quoted line is still the one the compiler names',
    async (_, br) => {
      const { device } = await gpu();
      const code = `// one${br}// two\nconst c: f32 = undefined_name;\n`;
      const error = await compileShader(device, code, 'lines.module').catch((e: Error) => e);
      expect((error as Error).message).toMatch(/line 3:\d+: .*\n {4}const c: f32 = undefined_name;/);
    },
  );
});
