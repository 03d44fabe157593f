import { describe, expect, it } from "vitest";
import { runStats, toCanvasNode, toCanvasNodes } from "./server-run-state";

describe("server run states on the canvas", () => {
  it("turns 0–1 progress of a running node into a bar of 100", () => {
    expect(toCanvasNode({ status: "running", progress: 0.375, message: "step 3/8" })).toEqual({
      status: "running",
      message: "step 3/8",
      elapsedMs: undefined,
      progress: { value: 38, max: 100 },
    });
    expect(toCanvasNode({ status: "done", progress: 1, elapsedMs: 12 })).toEqual({
      status: "done",
      message: undefined,
      elapsedMs: 12,
    });
  });

  it("shows unreported nodes as queued and keeps inner subgraph nodes", () => {
    const nodes = toCanvasNodes(["a", "b"], {
      a: { status: "done" },
      "sg/inner": { status: "running", progress: 0.5 },
    });
    expect(nodes.a.status).toBe("done");
    expect(nodes.b.status).toBe("queued");
    expect(nodes["sg/inner"].progress).toEqual({ value: 50, max: 100 });
  });

  it("counts what ran, came from the cache, failed and was skipped", () => {
    expect(
      runStats(
        {
          a: { status: "done" },
          b: { status: "cached" },
          c: { status: "error" },
          d: { status: "skipped" },
          e: { status: "done" },
        },
        1234,
      ),
    ).toEqual({ ran: 2, cached: 1, failed: 1, skipped: 1, ms: 1234 });
  });
});
