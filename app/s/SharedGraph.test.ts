import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../../nodes";
import type { WorkflowDocument } from "../../nodes/core/document";
import { layoutGraph } from "./graph-layout";
import { SharedGraph } from "./SharedGraph";

const hostile = "<script>alert(1)</script>";

const doc: WorkflowDocument = {
  version: 2,
  name: hostile,
  nodes: [
    { id: "img", type: "load-image", position: { x: 0, y: 0 }, params: {} },
    { id: "n", type: "note", position: { x: 0, y: 200 }, params: { text: hostile } },
    { id: "x", type: hostile, position: { x: 300, y: 0 }, params: {} },
  ],
  edges: [],
  meta: {},
};

describe("SharedGraph", () => {
  it("renders every node, and names and notes only as text", () => {
    const html = renderToStaticMarkup(
      createElement(SharedGraph, { layout: layoutGraph(doc, getNodeDefinition) }),
    );
    expect(html.match(/data-testid="shared-node"/g)).toHaveLength(3);
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
