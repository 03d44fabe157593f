/** Figures of bench:queue, from the run records' event log; pure, so they are tested. */

export interface RunEvent {
  readonly run_id: string;
  readonly what: string;
  readonly worker: string | null;
  /** Wall-clock ms. */
  readonly at: number;
}

/** The p-th percentile (0–100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Each run's start (markRunning) and finish, with the worker that started it. */
export function runSpans(
  events: readonly RunEvent[],
): Map<string, { start: number; end: number; worker: string }> {
  const spans = new Map<string, { start: number; end: number; worker: string }>();
  for (const e of events) {
    if (e.what === "running")
      spans.set(e.run_id, { start: e.at, end: NaN, worker: e.worker ?? "" });
    else if (e.what.startsWith("finished")) {
      const span = spans.get(e.run_id);
      if (span) span.end = e.at;
    }
  }
  return spans;
}

/**
 * The queue's own time per run on a busy worker: from the end of one run to the start of the
 * worker's next (completing the job, fetching the next, loading and marking the run).
 */
export function gapsBetweenRuns(
  spans: ReadonlyMap<string, { start: number; end: number; worker: string }>,
): number[] {
  const byWorker = new Map<string, { start: number; end: number }[]>();
  for (const span of spans.values()) {
    const list = byWorker.get(span.worker) ?? [];
    list.push(span);
    byWorker.set(span.worker, list);
  }
  const gaps: number[] = [];
  for (const list of byWorker.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 1; i < list.length; i++) gaps.push(list[i].start - list[i - 1].end);
  }
  return gaps;
}
