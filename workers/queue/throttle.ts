/**
 * Calls `send` at most once per `intervalMs` with the latest state, never two at once: progress
 * from a sampler comes many times a second and the database need only see a few. `flush` waits
 * for the last send, so nothing is written after the run's finish.
 */
export class Throttle {
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly send: () => Promise<void>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something changed: send now, or once the interval since the last send has passed. */
  poke(): void {
    if (this.stopped || this.timer) return;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) this.fire();
    else this.timer = setTimeout(() => this.fire(), wait);
  }

  /** No more sends; resolves once the one under way (if any) is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** Sends the latest state now if it has not been sent, then stops. */
  async flush(): Promise<void> {
    if (this.timer && !this.stopped) {
      clearTimeout(this.timer);
      this.fire();
    }
    await this.stop();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.last = this.now();
    this.inFlight = this.inFlight.then(() => this.send());
  }
}
