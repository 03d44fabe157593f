import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../index";
import type { WorkflowDocument } from "./document";
import { topologicalOrder, validateGraph } from "./graph";

const doc = (
  nodes: [string, string][],
  edges: [string, string, string, string][],
): WorkflowDocument => ({
  version: 2,
  name: "t",
  meta: {},
  nodes: nodes.map(([id, type]) => ({ id, type, position: { x: 0, y: 0 }, params: {} })),
  edges: edges.map(([source, sourceHandle, target, targetHandle], i) => ({
    id: `e${i}`,
    source,
    sourceHandle,
    target,
    targetHandle,
  })),
});

describe("topologicalOrder", () => {
  it("orders dependencies first and keeps document order for ties", () => {
    const { order, cycle } = topologicalOrder(
      ["c", "a", "b"],
      [
        { source: "a", target: "c" },
        { source: "b", target: "c" },
      ],
    );
    expect(order).toEqual(["a", "b", "c"]);
    expect(cycle).toEqual([]);
  });

  it("reports the nodes on a cycle", () => {
    const { order, cycle } = topologicalOrder(
      ["a", "b", "c"],
      [
        { source: "a", target: "b" },
        { source: "b", target: "a" },
        { source: "b", target: "c" },
      ],
    );
    expect(order).toEqual([]);
    expect(cycle).toEqual(["a", "b", "c"]);
  });
});

describe("validateGraph", () => {
  it("passes a valid graph", () => {
    expect(
      validateGraph(
        doc(
          [
            ["l", "load-image"],
            ["r", "resize"],
          ],
          [["l", "image", "r", "image"]],
        ),
        getNodeDefinition,
      ),
    ).toEqual([]);
  });

  it("names unknown types, mismatched wires, doubled inputs and cycles", () => {
    const issues = validateGraph(
      doc(
        [
          ["l", "load-image"],
          ["r", "resize"],
          ["c", "crop"],
          ["m", "mask-ops"],
          ["x", "mystery"],
        ],
        [
          ["l", "image", "m", "mask"],
          ["l", "image", "r", "image"],
          ["c", "image", "r", "image"],
          ["r", "image", "c", "image"],
        ],
      ),
      getNodeDefinition,
    );
    const messages = issues.map((i) => i.message);
    expect(messages).toContain('unknown node type "mystery"');
    expect(messages).toContain("wire e0: type mismatch: IMAGE cannot connect to MASK");
    expect(messages).toContain('input "image" of node "r" has more than one wire');
    expect(messages.some((m) => m.startsWith("cycle through nodes"))).toBe(false);
  });

  it("finds a cycle", () => {
    const issues = validateGraph(
      doc(
        [
          ["r", "resize"],
          ["c", "crop"],
        ],
        [
          ["c", "image", "r", "image"],
          ["r", "image", "c", "image"],
        ],
      ),
      getNodeDefinition,
    );
    expect(issues).toEqual([{ nodeId: "r", message: "cycle through nodes r, c" }]);
  });
});
