import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../../nodes";
import type { WorkflowDocument } from "../../nodes/core/document";
import { layoutGraph, NODE_WIDTH } from "./graph-layout";

const doc: WorkflowDocument = {
  version: 2,
  name: "Layout",
  nodes: [
    { id: "img", type: "load-image", position: { x: 0, y: 0 }, params: {} },
    { id: "rs", type: "resize", position: { x: 300, y: 50 }, params: { width: 512 } },
    { id: "alien", type: "from-the-future", position: { x: 600, y: 0 }, params: { k: 1 } },
  ],
  edges: [
    { id: "e1", source: "img", sourceHandle: "image", target: "rs", targetHandle: "image" },
    { id: "e2", source: "rs", sourceHandle: "image", target: "alien", targetHandle: "x" },
  ],
  meta: {},
};

describe("layoutGraph", () => {
  const layout = layoutGraph(doc, getNodeDefinition);

  it("places nodes where the editor put them, titled by their definition", () => {
    const rs = layout.nodes.find((n) => n.id === "rs")!;
    expect(rs).toMatchObject({ x: 300, y: 50, width: NODE_WIDTH, known: true });
    expect(rs.title).toBe(getNodeDefinition("resize")!.title);
    expect(rs.lines).toContain("width: 512");
    expect(rs.inputs.map((p) => p.name)).toContain("image");
    expect(rs.outputs[0].x).toBe(300 + NODE_WIDTH);
  });

  it("draws unknown node types as placeholders and skips wires it cannot place", () => {
    const alien = layout.nodes.find((n) => n.id === "alien")!;
    expect(alien).toMatchObject({ known: false, title: "from-the-future", inputs: [] });
    expect(layout.edges.map((e) => e.id)).toEqual(["e1"]);
    const img = layout.nodes.find((n) => n.id === "img")!;
    const rs = layout.nodes.find((n) => n.id === "rs")!;
    const from = img.outputs.find((p) => p.name === "image")!;
    const to = rs.inputs.find((p) => p.name === "image")!;
    expect(layout.edges[0].path.startsWith(`M ${from.x} ${from.y} `)).toBe(true);
    expect(layout.edges[0].path.endsWith(` ${to.x} ${to.y}`)).toBe(true);
  });

  it("frames every node with a margin", () => {
    const { x, y, width, height } = layout.viewBox;
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThan(x);
      expect(n.y).toBeGreaterThan(y);
      expect(n.x + n.width).toBeLessThan(x + width);
      expect(n.y + n.height).toBeLessThan(y + height);
    }
    expect(layoutGraph({ ...doc, nodes: [], edges: [] }, getNodeDefinition).nodes).toEqual([]);
  });
});
