import type { LoggerService } from '@nestjs/common';

/**
 * A background pass run every `intervalMs` (and on demand by trigger()), never two at once. A
 * failed pass is logged and the next tick tries again; stop() clears the timer and waits for a
 * pass under way. The timer does not keep the process alive.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private current?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly pass: () => Promise<unknown>,
    private readonly logger: Pick<LoggerService, 'warn'>,
  ) {}

  start(intervalMs: number, options: { immediately?: boolean } = {}): void {
    clearInterval(this.timer);
    this.stopped = false;
    this.timer = setInterval(() => this.trigger(), intervalMs);
    this.timer.unref();
    if (options.immediately) this.trigger();
  }

  /** Starts a pass now, unless one is under way or the task is stopped. */
  trigger(): void {
    if (this.stopped || this.current) return;
    this.current = this.pass()
      .then(
        () => undefined,
        (error: Error) => this.logger.warn(`${this.what} failed: ${error?.message ?? String(error)}`),
      )
      .finally(() => (this.current = undefined));
  }

  get running(): boolean {
    return this.current !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }
}
