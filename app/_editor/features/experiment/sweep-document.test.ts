import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { emptyWorkflow, parseWorkflow } from "@/nodes/core/document";
import { embedWorkflowInPng, extractWorkflowFromPng } from "@/nodes/lib/png-workflow";
import type { SweepSpec } from "@/workers/runtime/sweep";
import { sweepOf, withSweep } from "./sweep-document";

const spec: SweepSpec = {
  axes: [
    { nodeId: "up", param: "model", values: { kind: "list", values: ["a", "b"] } },
    { nodeId: "size", param: "width", values: { kind: "range", start: 32, stop: 48, step: 16 } },
  ],
  output: "view",
};

describe("a grid PNG's sweep", () => {
  it("travels in the embedded workflow and reads back the same", async () => {
    const { data: grid } = await sharp({
      create: { width: 6, height: 4, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 1 } },
    })
      .png()
      .toUint8Array();
    const doc = { ...emptyWorkflow("Sweep"), meta: { author: "me" } };
    const png = embedWorkflowInPng(grid, withSweep(doc, spec));
    const back = parseWorkflow(extractWorkflowFromPng(png));
    expect(sweepOf(back)).toEqual(spec);
    expect(back.meta.author).toBe("me");
  });

  it("reads no sweep from a document without one, or with a broken one", () => {
    expect(sweepOf(emptyWorkflow())).toBeNull();
    expect(sweepOf({ ...emptyWorkflow(), meta: { sweep: { axes: "x" } } })).toBeNull();
  });
});
