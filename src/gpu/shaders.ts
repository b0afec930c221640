/**
 * Shader assembly: WGSL lives in shaders/*.wgsl; a kernel's source is the
 * concatenation `const D` + generated struct declarations + shared pieces +
 * the stage file, with `#if NAME` variants resolved by wgsl-preprocessor and
 * the potential's generated functions spliced in at `//!potential`.
 */
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import philoxWGSL from '../../shaders/philox.wgsl?raw';
import commonWGSL from '../../shaders/common.wgsl?raw';
import reduceWGSL from '../../shaders/reduce.wgsl?raw';
import type { StructLayout } from './layout.ts';

export { philoxWGSL, commonWGSL };

const DIRECTIVE = /#(if|elif)\s+([A-Za-z_]\w*)/g;

/**
 * Resolve `#if NAME` / `#elif NAME` / `#else` / `#endif` against `defines`.
 * @throws Error when the source names a flag missing from `defines`
 */
export function preprocess(source: string, defines: Record<string, boolean>): string {
  const strings: string[] = [];
  const values: boolean[] = [];
  let last = 0;
  for (const m of source.matchAll(DIRECTIVE)) {
    const name = m[2];
    if (!(name in defines)) throw new Error(`shader flag ${name} is not defined (defined: ${Object.keys(defines).join(', ') || 'none'})`);
    strings.push(source.slice(last, m.index) + `#${m[1]} `);
    values.push(defines[name]);
    last = m.index + m[0].length;
  }
  strings.push(source.slice(last));
  return wgsl(Object.assign(strings, { raw: strings }) as unknown as TemplateStringsArray, ...values);
}

export interface ShaderParts {
  /** particle dimension D */
  dims: number;
  /** uniform structs used by the stage */
  structs: StructLayout<string>[];
  /** generated potential functions, spliced at `//!potential` */
  potential?: string;
  /** #if flags of the stage file */
  defines?: Record<string, boolean>;
  /** include philox.wgsl */
  rng?: boolean;
  /** include reduce.wgsl (workgroup sums; the stage declares `override WG`) */
  reduce?: boolean;
}

/** Where a stage file takes the potential's functions. */
const POTENTIAL_MARK = '//!potential';

/**
 * Generated WGSL holds printable ASCII and \n only. Any other line break
 * (U+000B, U+000C, \r, U+0085, U+2028, U+2029) would end a `//` comment and
 * compile what follows, so text that has one is refused before it reaches
 * the compiler, whatever put it there.
 */
const NOT_GENERATED_WGSL = /[^\x20-\x7e\n]/;

/**
 * The complete WGSL of one stage.
 * @throws Error when the stage needs a potential and none was given, or the potential's WGSL holds a character generated code never has
 */
export function assembleShader(stage: string, parts: ShaderParts): string {
  const head = [`const D: u32 = ${parts.dims}u;`, ...parts.structs.map((s) => s.wgsl()), commonWGSL];
  if (parts.rng) head.push(philoxWGSL);
  if (parts.reduce) head.push(reduceWGSL);
  let body = preprocess(stage, parts.defines ?? {});
  if (body.includes(POTENTIAL_MARK)) {
    if (parts.potential === undefined) throw new Error('stage needs a potential but none was given');
    checkGenerated(parts.potential);
    // sliced, not String.replace: a replacement string would expand `$&`, `$'`, … in the spliced text
    const at = body.indexOf(POTENTIAL_MARK);
    body = body.slice(0, at) + parts.potential + body.slice(at + POTENTIAL_MARK.length);
  }
  return `${head.join('\n')}\n${body}`;
}

/** @throws Error naming the first character of `potential` that generated WGSL never holds */
function checkGenerated(potential: string): void {
  const bad = NOT_GENERATED_WGSL.exec(potential);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new Error(
      `the potential's WGSL holds U+${code} at character ${bad.index + 1}; generated WGSL holds printable ASCII and \\n only`,
    );
  }
}

/** The line breaks of the WGSL spec (blankspace that ends a line), so that an error's line number finds its line. */
const WGSL_LINE_BREAK = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/;

/**
 * Compile WGSL, reporting errors against the generated source with line numbers.
 * @throws Error whose message quotes each offending line
 */
export async function compileShader(device: GPUDevice, code: string, label: string): Promise<GPUShaderModule> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label });
  const info = await module.getCompilationInfo();
  const scopeError = await device.popErrorScope();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0 || scopeError) {
    const lines = code.split(WGSL_LINE_BREAK);
    const detail = errors
      .map((m) => `  line ${m.lineNum}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1]?.trim() ?? ''}`)
      .join('\n');
    throw new Error(`WGSL compile error in ${label}:\n${detail || scopeError?.message}`);
  }
  return module;
}

/**
 * Compile one compute stage and build its pipeline (entry point `main`, auto
 * layout), labelled `${name}.module` and `${name}.pipeline`.
 * @param name the stage's class, e.g. 'ParticleKernel'
 * @param constants its pipeline-overridable constants (the workgroup size WG, …)
 * @throws Error naming the stage when the pipeline is invalid (e.g. a workgroup larger than the device allows)
 */
export async function computePipeline(
  device: GPUDevice,
  code: string,
  name: string,
  constants: Record<string, number>,
): Promise<GPUComputePipeline> {
  const module = await compileShader(device, code, `${name}.module`);
  try {
    return await device.createComputePipelineAsync({
      label: `${name}.pipeline`,
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants },
    });
  } catch (e) {
    throw new Error(`${name}: the pipeline could not be built (${JSON.stringify(constants)}): ${(e as Error).message}`);
  }
}
