/**
 * Ctrl-C and `kill` during a run lose nothing: the first SIGINT or SIGTERM
 * aborts the run's signal, so `Simulation.run` finishes the chunk in flight
 * and returns the partial result, which the CLI writes before it exits with
 * 128 + the signal's number (130, 143). A second one exits at once, after
 * `onSecond` (which removes the temporary output file), with nothing written.
 */
import { constants } from 'node:os';

/** The signals that stop a run. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The conventional exit status after `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

/** The signal handlers of one run; `dispose` removes them. */
export class Interrupts {
  private readonly controller = new AbortController();
  /** the first stop signal received, if any */
  received: StopSignal | undefined;
  /** called at the second signal, before the process exits */
  onSecond: () => void = () => {};
  /** what the run does after the chunk in flight (a run in blocks has no partial result to write) */
  afterStop = 'then writing the partial result';
  private readonly handler = (signal: StopSignal) => this.handle(signal);

  /**
   * @param notice one line for the user (stderr)
   * @param exit how the second signal ends the process (tests pass their own)
   */
  constructor(
    private readonly notice: (line: string) => void,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {
    for (const s of STOP_SIGNALS) process.on(s, this.handler);
  }

  /** Aborted at the first stop signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The exit status the run ends with after a stop signal; undefined if none came. */
  get exitCode(): number | undefined {
    return this.received && signalExitCode(this.received);
  }

  private handle(signal: StopSignal): void {
    if (this.received === undefined) {
      this.received = signal;
      this.notice(
        `interrupted (${signal}): finishing the chunk in flight, ${this.afterStop}; interrupt again to quit at once, writing nothing`,
      );
      this.controller.abort();
      return;
    }
    this.onSecond();
    this.notice(`interrupted again (${signal}): quitting; nothing written`);
    this.exit(signalExitCode(signal));
  }

  /** Remove the handlers (signals then act as they did before). */
  dispose(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.handler);
  }
}
