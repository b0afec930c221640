/**
 * GpuSpanTimer: the GPU time between two points of a queue's work, from
 * `timestamp-query`. WebGPU writes timestamps only at the start or end of a
 * pass, so `begin` and `end` each submit an empty compute pass that writes
 * one of a `GpuTimer`'s two timestamps; the queue runs in order, so the span
 * covers whatever was submitted between them (e.g. a demo frame's steps, in
 * several submissions).
 */
import { GpuTimer } from './timer.ts';

export class GpuSpanTimer {
  private readonly timer: GpuTimer;

  /** @param device a device created with the `timestamp-query` feature */
  constructor(private readonly device: GPUDevice) {
    this.timer = new GpuTimer(device);
  }

  /** Submit the span's start: it begins where the work submitted before it ends. */
  begin(): void {
    const { querySet, beginningOfPassWriteIndex } = this.timer.writes;
    this.mark({ querySet, beginningOfPassWriteIndex }, false);
  }

  /** Submit the span's end (after the work to time) and the read-back of both timestamps. */
  end(): void {
    const { querySet, endOfPassWriteIndex } = this.timer.writes;
    this.mark({ querySet, endOfPassWriteIndex }, true);
  }

  /** After `end`: the span's GPU time, milliseconds (waits for the work in it). */
  async read(): Promise<number> {
    return (await this.timer.read()) / 1e6;
  }

  private mark(writes: GPUComputePassTimestampWrites, last: boolean): void {
    const encoder = this.device.createCommandEncoder({ label: 'GpuSpanTimer.mark' });
    encoder.beginComputePass({ label: 'GpuSpanTimer.pass', timestampWrites: writes }).end();
    if (last) this.timer.record(encoder);
    this.device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    this.timer.destroy();
  }
}
