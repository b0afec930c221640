/** The render pipeline shape the renderers share: entry points `vs`/`fs`, layout from the shader, optional additive blending. */

const ADDITIVE: GPUBlendState = {
  color: { operation: 'add', srcFactor: 'one', dstFactor: 'one' },
  alpha: { operation: 'add', srcFactor: 'one', dstFactor: 'one' },
};

/**
 * @param label the owning class, e.g. 'PointRenderer' (the pipeline is labelled `${label}.pipeline`)
 * @param additive add the fragment colour to the target (particle clouds, trails, frames) instead of replacing it
 */
export function renderPipeline(
  device: GPUDevice,
  label: string,
  module: GPUShaderModule,
  format: GPUTextureFormat,
  topology: GPUPrimitiveTopology,
  additive: boolean,
): GPURenderPipeline {
  return device.createRenderPipeline({
    label: `${label}.pipeline`,
    layout: 'auto',
    vertex: { module, entryPoint: 'vs' },
    fragment: { module, entryPoint: 'fs', targets: [additive ? { format, blend: ADDITIVE } : { format }] },
    primitive: { topology },
  });
}
