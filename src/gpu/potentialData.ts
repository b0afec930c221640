/**
 * The data of a potential from data on the GPU: one read-only storage buffer
 * of f32 (N rows × C columns, row-major), bound as `potential_data` at
 * @group(1) @binding(0) by every kernel and renderer that includes the
 * potential (src/potential/data.ts declares it). Potentials without data have
 * no group 1.
 */
import { SpecError } from '../errors.ts';
import type { CompiledPotential } from '../potential/index.ts';

/**
 * Upload the potential's data, or return undefined when it has none.
 * @throws SpecError (naming `potential.data`) when the data exceed the device's storage-binding limit
 */
export function createDataBuffer(device: GPUDevice, potential: CompiledPotential): GPUBuffer | undefined {
  const data = potential.data;
  if (!data) return undefined;
  const bytes = Math.max(16, data.values.length * 4);
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  if (bytes > limit) {
    throw new SpecError(
      'potential.data',
      `${data.rows} rows × ${data.columns.length} columns`,
      `needs ${bytes} bytes as f32, more than this GPU's storage-binding limit of ${limit} bytes; use fewer rows (or --backend cpu)`,
    );
  }
  const buffer = device.createBuffer({
    label: 'potentialData.buffer',
    size: bytes,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(buffer, 0, Float32Array.from(data.values));
  return buffer;
}

/** The group-1 bind group of a pipeline (layout 'auto') that includes a potential from data. */
export function dataBindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline | GPURenderPipeline,
  data: GPUBuffer,
  label: string,
): GPUBindGroup {
  return device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(1), entries: [{ binding: 0, resource: { buffer: data } }] });
}
