/**
 * Render into an offscreen texture and read the pixels back: for tests, PNG
 * export, and pages where presenting to a canvas is not possible.
 */

/** RGBA8 (or BGRA8) pixels, rows padded to `bytesPerRow` (a multiple of 256). */
export interface Pixels {
  pixels: Uint8Array;
  bytesPerRow: number;
  width: number;
  height: number;
}

/**
 * @param draw records into a render pass over the cleared (opaque black) texture
 */
export async function renderOffscreen(
  device: GPUDevice,
  width: number,
  height: number,
  format: GPUTextureFormat,
  draw: (pass: GPURenderPassEncoder) => void,
): Promise<Pixels> {
  const texture = device.createTexture({
    label: 'offscreen.texture',
    size: [width, height],
    format,
    usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC,
  });
  const bytesPerRow = Math.ceil((width * 4) / 256) * 256;
  const readback = device.createBuffer({
    label: 'offscreen.readback',
    size: bytesPerRow * height,
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  const encoder = device.createCommandEncoder({ label: 'offscreen.encoder' });
  const pass = encoder.beginRenderPass({
    label: 'offscreen.pass',
    colorAttachments: [{ view: texture.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 1] }],
  });
  draw(pass);
  pass.end();
  encoder.copyTextureToBuffer({ texture }, { buffer: readback, bytesPerRow }, [width, height]);
  device.queue.submit([encoder.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  const pixels = new Uint8Array(readback.getMappedRange().slice(0));
  readback.unmap();
  readback.destroy();
  texture.destroy();
  return { pixels, bytesPerRow, width, height };
}
