import type { RunQueue } from "@/workers/queue/contract";

/**
 * A run queue that executes nothing and records what the API handed it, for tests of the API
 * (execution is workers/queue's, tested there): runs stay as the test leaves them, so a test can
 * drive them through RunRecords itself, and "nothing queued" can be checked.
 */
export class RecordingRunQueue implements RunQueue {
  readonly enqueued: string[] = [];
  readonly cancelled: string[] = [];

  async enqueue(runId: string): Promise<void> {
    this.enqueued.push(runId);
  }

  async cancel(runId: string): Promise<void> {
    this.cancelled.push(runId);
  }

  /** Place in order of enqueueing, among the runs not cancelled. */
  async position(runId: string): Promise<number | null> {
    const waiting = this.enqueued.filter((id) => !this.cancelled.includes(id));
    const at = waiting.indexOf(runId);
    return at < 0 ? null : at + 1;
  }

  reset(): void {
    this.enqueued.length = 0;
    this.cancelled.length = 0;
  }

  async close(): Promise<void> {}
}
