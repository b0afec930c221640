/** Run a one-off test compute kernel over storage buffers and read them back. */
import { compileShader } from '../../src/gpu/shaders.ts';

export interface KernelBuffer {
  /** initial contents (its byteLength sets the size) */
  data: ArrayBufferView;
  /** read back after the dispatch */
  read?: boolean;
}

export async function runKernel(
  device: GPUDevice,
  code: string,
  buffers: KernelBuffer[],
  workgroups: [number, number?],
): Promise<ArrayBuffer[]> {
  const module = await compileShader(device, code, 'test kernel');
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const gpuBuffers = buffers.map((b) => {
    const buf = device.createBuffer({
      size: Math.max(16, b.data.byteLength),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(buf, 0, b.data.buffer, b.data.byteOffset, b.data.byteLength);
    return buf;
  });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: gpuBuffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1);
  pass.end();
  const staging = buffers.map((b, i) => {
    if (!b.read) return undefined;
    const s = device.createBuffer({ size: gpuBuffers[i].size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    enc.copyBufferToBuffer(gpuBuffers[i], 0, s, 0, gpuBuffers[i].size);
    return s;
  });
  device.queue.submit([enc.finish()]);
  const out: ArrayBuffer[] = [];
  for (const s of staging) {
    if (!s) {
      out.push(new ArrayBuffer(0));
      continue;
    }
    await s.mapAsync(GPUMapMode.READ);
    out.push(s.getMappedRange().slice(0));
    s.unmap();
    s.destroy();
  }
  for (const b of gpuBuffers) b.destroy();
  return out;
}
