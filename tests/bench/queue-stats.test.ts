import { describe, expect, it } from "vitest";
import { gapsBetweenRuns, percentile, runSpans } from "./queue-stats";

describe("bench:queue figures", () => {
  it("percentile by nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("gaps between one worker's consecutive runs, per worker", () => {
    const events = [
      { run_id: "a", what: "running", worker: "w1", at: 0 },
      { run_id: "b", what: "running", worker: "w2", at: 1 },
      { run_id: "a", what: "finished done", worker: null, at: 10 },
      { run_id: "c", what: "running", worker: "w1", at: 13 },
      { run_id: "b", what: "finished done", worker: null, at: 20 },
      { run_id: "c", what: "finished error", worker: null, at: 30 },
      { run_id: "d", what: "running", worker: "w2", at: 24 },
      { run_id: "d", what: "finished done", worker: null, at: 40 },
    ];
    const spans = runSpans(events);
    expect(spans.get("c")).toEqual({ start: 13, end: 30, worker: "w1" });
    expect(gapsBetweenRuns(spans).sort()).toEqual([3, 4]);
  });
});
