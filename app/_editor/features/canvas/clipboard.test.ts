import { describe, expect, it } from "vitest";
import type { WorkflowEdge, WorkflowNode } from "@/nodes/core/document";
import { instantiate, parseClipboard, serializeSelection } from "./clipboard";

const nodes: WorkflowNode[] = [
  { id: "a", type: "load-image", position: { x: 100, y: 50 }, params: { image: "" } },
  { id: "b", type: "resize", position: { x: 300, y: 80 }, params: { width: 512 } },
];
const edges: WorkflowEdge[] = [
  { id: "e1", source: "a", sourceHandle: "image", target: "b", targetHandle: "image" },
  { id: "e2", source: "b", sourceHandle: "image", target: "outside", targetHandle: "image" },
];

describe("clipboard", () => {
  it("keeps only wires inside the selection and round-trips", () => {
    const text = serializeSelection(nodes, edges)!;
    const parsed = parseClipboard(text)!;
    expect(parsed.nodes).toHaveLength(2);
    expect(parsed.edges.map((e) => e.id)).toEqual(["e1"]);
  });

  it("remaps ids and moves the group to the cursor", () => {
    let n = 0;
    const pasted = instantiate(
      parseClipboard(serializeSelection(nodes, edges)!)!,
      { x: 10, y: 20 },
      () => `n${++n}`,
    );
    expect(pasted.nodes.map((p) => p.id)).toEqual(["n1", "n2"]);
    expect(pasted.nodes[0].position).toEqual({ x: 10, y: 20 });
    expect(pasted.nodes[1].position).toEqual({ x: 210, y: 50 });
    expect(pasted.edges).toEqual([
      { id: "n3", source: "n1", sourceHandle: "image", target: "n2", targetHandle: "image" },
    ]);
    expect(pasted.nodes[1].params).toEqual({ width: 512 });
  });

  it("ignores text that is not a studio selection", () => {
    expect(parseClipboard("hello")).toBeNull();
    expect(parseClipboard(JSON.stringify({ kind: "other" }))).toBeNull();
    expect(serializeSelection([], [])).toBeNull();
  });
});
