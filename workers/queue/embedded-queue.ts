import type { RunBacklog, RunFinish, RunQueue, RunRecords } from "./contract";
import { describeError } from "./errors";
import type { RunExecutor } from "./execute-run";
import { backoffDelay, DEFAULT_RETRY, gaveUpMessage, type RetryPolicy } from "./retry";

export interface EmbeddedQueueOptions {
  readonly records: RunRecords;
  readonly backlog: RunBacklog;
  readonly executor: RunExecutor;
  readonly retry?: RetryPolicy;
  /** How long close() lets the run under way finish before handing it back (default 30 s). */
  readonly shutdownGraceMs?: number;
}

const CANCELLED: RunFinish = {
  status: "cancelled",
  outputs: [],
  timings: { totalMs: 0, nodes: {} },
};

/**
 * The default queue: in the studio's own process, one run at a time. It keeps no state of its
 * own: the queued Run rows are the queue, read in creation order when it starts, and runs a crash
 * left "running" are queued again and run in creation order with the rest, so a restart loses nothing.
 */
export class EmbeddedRunQueue implements RunQueue {
  private readonly pending: string[] = [];
  private current: { runId: string; abort: AbortController; done: Promise<void> } | undefined;
  private readonly attempts = new Map<string, number>();
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly retry: RetryPolicy;

  private constructor(private readonly options: EmbeddedQueueOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** Requeues what a crash left running, then takes up every queued run, oldest first. */
  static async start(options: EmbeddedQueueOptions): Promise<EmbeddedRunQueue> {
    const queue = new EmbeddedRunQueue(options);
    for (const runId of await options.backlog.runningRunIds()) {
      await options.records.requeue(runId, "the studio stopped while it ran");
    }
    for (const runId of await options.backlog.queuedRunIds()) queue.add(runId);
    return queue;
  }

  async enqueue(runId: string): Promise<void> {
    if (this.closed) throw new Error("the run queue is shut down");
    this.add(runId);
  }

  async cancel(runId: string): Promise<void> {
    if (this.current?.runId === runId) {
      this.current.abort.abort("cancelled");
      return;
    }
    const at = this.pending.indexOf(runId);
    if (at >= 0) this.pending.splice(at, 1);
    const spec = await this.options.records.load(runId);
    if (spec?.status === "queued") await this.options.records.finish(runId, CANCELLED);
  }

  async position(runId: string): Promise<number | null> {
    const at = this.pending.indexOf(runId);
    return at < 0 ? null : at + 1;
  }

  /**
   * Takes no more runs; the one under way gets `shutdownGraceMs` to finish, then is stopped and
   * handed back (queued again, for the next start).
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    const current = this.current;
    if (!current) return;
    const grace = setTimeout(
      () => current.abort.abort("shutdown"),
      this.options.shutdownGraceMs ?? 30_000,
    );
    await current.done;
    clearTimeout(grace);
  }

  /** Resolves once nothing is queued, waiting for a retry or running (for tests and tools). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return !this.current && this.pending.length === 0 && this.retryTimers.size === 0;
  }

  private add(runId: string, first = false): void {
    if (this.closed || this.current?.runId === runId || this.pending.includes(runId)) return;
    if (first) this.pending.unshift(runId);
    else this.pending.push(runId);
    this.next();
  }

  private next(): void {
    if (this.current || this.closed) return;
    const runId = this.pending.shift();
    if (runId === undefined) {
      if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    const abort = new AbortController();
    const done = this.runOnce(runId, abort.signal).finally(() => {
      this.current = undefined;
      this.next();
    });
    this.current = { runId, abort, done };
  }

  private async runOnce(runId: string, signal: AbortSignal): Promise<void> {
    const { executor, records } = this.options;
    try {
      await executor.execute(runId, signal);
      this.attempts.delete(runId);
    } catch (err) {
      const attempt = (this.attempts.get(runId) ?? 1) + 1;
      const message = describeError(err);
      try {
        if (this.closed || attempt <= this.retry.attempts) {
          await records.requeue(runId, message);
          if (this.closed) return; // handed back: the next start takes it up
          this.attempts.set(runId, attempt);
          const timer = setTimeout(
            () => {
              this.retryTimers.delete(timer);
              this.add(runId, true);
            },
            backoffDelay(this.retry, attempt),
          );
          this.retryTimers.add(timer);
        } else {
          this.attempts.delete(runId);
          await records.finish(runId, {
            status: "error",
            outputs: [],
            error: { message: gaveUpMessage(this.retry, message) },
            timings: { totalMs: 0, nodes: {} },
          });
        }
      } catch (recordErr) {
        // The database is down as well: the row stays as it is and the next start resumes it.
        console.error(
          `run ${runId}: ${message}; and could not record it: ${describeError(recordErr)}`,
        );
      }
    }
  }
}
