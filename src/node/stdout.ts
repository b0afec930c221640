/**
 * Standard output that fails with one line instead of a stack trace: a
 * reader that closed the pipe early (`| head -c 10`: EPIPE) or a full
 * device (`> /dev/full`: ENOSPC) is reported as a RuntimeFailure (exit 1,
 * "langevin: cannot write to stdout: …"). Node emits such failures as an
 * 'error' event on the stream, which, without a listener, ends the process
 * with a trace; the guard listens, keeps the first error and reports it.
 */
import { RuntimeFailure } from '../errors.ts';
import { errnoReason } from './files.ts';

/** The failure reported for a stdout write error. */
function failure(e: NodeJS.ErrnoException): RuntimeFailure {
  const why = e.code === 'EPIPE' ? 'the reader closed the pipe (EPIPE)' : errnoReason(e);
  return new RuntimeFailure(`cannot write to stdout: ${why}`);
}

/** Writes to stdout that report failures (see the module comment); stderr failures are ignored, nothing could show them. */
export class StdoutGuard {
  private error: NodeJS.ErrnoException | undefined;
  private readonly onStdoutError = (e: NodeJS.ErrnoException) => {
    this.error ??= e;
  };
  private readonly onStderrError = () => {};

  constructor(
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {
    stdout.on('error', this.onStdoutError);
    stderr.on('error', this.onStderrError);
  }

  /**
   * Write `text` and wait until the system has taken it.
   * @throws RuntimeFailure when stdout failed, now or before
   */
  write(text: string): Promise<void> {
    if (this.error) return Promise.reject(failure(this.error));
    return new Promise((done, fail) =>
      this.stdout.write(text, (e) => {
        if (e) this.error ??= e;
        if (this.error) fail(failure(this.error));
        else done();
      }),
    );
  }

  /**
   * Write `text` without waiting (lines as they come, e.g. those of `bench`).
   * @throws RuntimeFailure when an earlier write failed, so that a long command stops writing into a closed pipe
   */
  push(text: string): void {
    if (this.error) throw failure(this.error);
    this.stdout.write(text);
  }

  /**
   * Wait for every earlier `push`.
   * @throws RuntimeFailure when one of them failed
   */
  settled(): Promise<void> {
    return this.write('');
  }

  /** Stop listening (the streams' errors crash the process again). */
  dispose(): void {
    this.stdout.off('error', this.onStdoutError);
    this.stderr.off('error', this.onStderrError);
  }
}
