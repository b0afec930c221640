/**
 * GpuTimer: the GPU time of one compute pass from `timestamp-query`: the pass
 * writes its start and end, the timer resolves and reads them.
 */
export class GpuTimer {
  private readonly set: GPUQuerySet;
  private readonly resolve: GPUBuffer;
  private readonly staging: GPUBuffer;
  private destroyed = false;

  /** @param device a device created with the `timestamp-query` feature */
  constructor(private readonly device: GPUDevice) {
    this.set = device.createQuerySet({ label: 'GpuTimer.set', type: 'timestamp', count: 2 });
    this.resolve = device.createBuffer({
      label: 'GpuTimer.resolve',
      size: 16,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.staging = device.createBuffer({ label: 'GpuTimer.staging', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** What a compute pass descriptor takes to time itself. */
  get writes(): GPUComputePassTimestampWrites {
    return { querySet: this.set, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
  }

  /** Record, after the timed pass, the resolve and copy of its two timestamps. */
  record(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.set, 0, 2, this.resolve, 0);
    encoder.copyBufferToBuffer(this.resolve, 0, this.staging, 0, 16);
  }

  /** After the submit: the pass's GPU time, nanoseconds. */
  async read(): Promise<number> {
    await this.staging.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigUint64Array(this.staging.getMappedRange().slice(0));
    this.staging.unmap();
    return Number(t1 - t0);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.set.destroy();
    this.resolve.destroy();
    this.staging.destroy();
  }
}
