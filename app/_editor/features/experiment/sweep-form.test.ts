import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "@/nodes";
import type { WorkflowDocument } from "@/nodes/core/document";
import { defaultOutput, defaultValues, parseList, sweepableParams } from "./sweep-form";

const doc: WorkflowDocument = {
  version: 2,
  name: "w",
  meta: {},
  nodes: [
    { id: "load", type: "load-image", position: { x: 0, y: 0 }, params: {} },
    { id: "size", type: "resize", position: { x: 0, y: 0 }, params: { width: 512 } },
    { id: "up", type: "upscaler", position: { x: 0, y: 0 }, params: {} },
    { id: "view", type: "preview", position: { x: 0, y: 0 }, params: {} },
    { id: "note", type: "note", position: { x: 0, y: 0 }, params: {} },
  ],
  edges: [
    { id: "a", source: "load", sourceHandle: "image", target: "size", targetHandle: "image" },
    { id: "b", source: "size", sourceHandle: "image", target: "up", targetHandle: "image" },
    { id: "c", source: "up", sourceHandle: "image", target: "view", targetHandle: "image" },
  ],
};

describe("the sweep dialog's choices", () => {
  it("offers number, choice and seed params only", () => {
    const labels = sweepableParams(doc, getNodeDefinition).map((p) => p.label);
    expect(labels).toContain("Resize · width");
    expect(labels).toContain("Upscaler · model");
    expect(labels.some((l) => l.startsWith("Load Image"))).toBe(false);
    expect(labels.some((l) => l.includes("Lanczos if"))).toBe(false);
  });

  it("starts an axis with every choice, or three steps around the current number", () => {
    const params = sweepableParams(doc, getNodeDefinition);
    const model = params.find((p) => p.label === "Upscaler · model")!;
    expect(defaultValues(model, undefined)).toMatchObject({ kind: "list" });
    const width = params.find((p) => p.label === "Resize · width")!;
    expect(defaultValues(width, 512)).toEqual({ kind: "range", start: 511, stop: 513, step: 1 });
  });

  it("reads lists and picks the Preview downstream as the output", () => {
    expect(parseList(" 1, 2 ,,3")).toEqual(["1", "2", "3"]);
    expect(defaultOutput(doc, "size", getNodeDefinition)).toBe("view");
    expect(defaultOutput(doc, "view", getNodeDefinition)).toBe("view");
  });
});
