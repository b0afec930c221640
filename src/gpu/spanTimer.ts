/**
 * GpuSpanTimer: the GPU time between two points of a queue's work, from
 * `timestamp-query`. WebGPU writes timestamps only at the start or end of a
 * pass, so `begin` and `end` each submit an empty compute pass that writes
 * one; the queue runs in order, so the span covers whatever was submitted
 * between them (e.g. a demo frame's steps, in several submissions).
 */
export class GpuSpanTimer {
  private readonly set: GPUQuerySet;
  private readonly resolve: GPUBuffer;
  private readonly staging: GPUBuffer;
  private destroyed = false;

  /** @param device a device created with the `timestamp-query` feature */
  constructor(private readonly device: GPUDevice) {
    this.set = device.createQuerySet({ label: 'GpuSpanTimer.set', type: 'timestamp', count: 2 });
    this.resolve = device.createBuffer({
      label: 'GpuSpanTimer.resolve',
      size: 16,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.staging = device.createBuffer({
      label: 'GpuSpanTimer.staging',
      size: 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Submit the span's start: it begins where the work submitted before it ends. */
  begin(): void {
    this.mark({ querySet: this.set, beginningOfPassWriteIndex: 0 }, false);
  }

  /** Submit the span's end (after the work to time) and the read-back of both timestamps. */
  end(): void {
    this.mark({ querySet: this.set, endOfPassWriteIndex: 1 }, true);
  }

  /** After `end`: the span's GPU time, milliseconds (waits for the work in it). */
  async read(): Promise<number> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigUint64Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    return Number(t1 - t0) / 1e6;
  }

  private mark(writes: GPUComputePassTimestampWrites, last: boolean): void {
    const encoder = this.device.createCommandEncoder({ label: 'GpuSpanTimer.mark' });
    encoder.beginComputePass({ label: 'GpuSpanTimer.pass', timestampWrites: writes }).end();
    if (last) {
      encoder.resolveQuerySet(this.set, 0, 2, this.resolve, 0);
      encoder.copyBufferToBuffer(this.resolve, 0, this.staging, 0, 16);
    }
    this.device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.set.destroy();
    this.resolve.destroy();
    this.staging.destroy();
  }
}
