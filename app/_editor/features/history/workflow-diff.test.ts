import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "@/nodes/core/document";
import { diffWorkflows, formatValue, isContentUnchanged } from "./workflow-diff";

function doc(overrides: Partial<WorkflowDocument> = {}): WorkflowDocument {
  return {
    version: 2,
    name: "Diff me",
    nodes: [
      { id: "img", type: "load-image", position: { x: 0, y: 0 }, params: { image: null } },
      { id: "rs", type: "resize", position: { x: 200, y: 0 }, params: { width: 768, mode: "pad" } },
      { id: "out", type: "preview", position: { x: 400, y: 0 }, params: {} },
    ],
    edges: [
      { id: "e1", source: "img", sourceHandle: "image", target: "rs", targetHandle: "image" },
      { id: "e2", source: "rs", sourceHandle: "image", target: "out", targetHandle: "image" },
    ],
    meta: {},
    ...overrides,
  };
}

describe("diffWorkflows", () => {
  it("finds nothing between equal documents, whatever the key order or viewport", () => {
    const a = doc();
    const b = doc({ viewport: { x: 5, y: 5, zoom: 2 } });
    b.nodes[1] = { ...b.nodes[1], params: { mode: "pad", width: 768 } };
    const diff = diffWorkflows(a, b);
    expect(isContentUnchanged(diff)).toBe(true);
    expect(diff.moved).toEqual([]);
  });

  it("reports nodes added and removed, and parameters added, removed and changed", () => {
    const a = doc();
    const b = doc({ name: "Renamed" });
    b.nodes = [
      b.nodes[0],
      { ...b.nodes[1], params: { width: 1024, fit: "cover" } },
      { id: "note", type: "note", position: { x: 0, y: 300 }, params: { text: "hi" } },
    ];
    b.edges = [b.edges[0]];
    const diff = diffWorkflows(a, b);
    expect(diff.name).toEqual({ from: "Diff me", to: "Renamed" });
    expect(diff.nodes.added.map((n) => n.id)).toEqual(["note"]);
    expect(diff.nodes.removed.map((n) => n.id)).toEqual(["out"]);
    expect(diff.nodes.changed).toEqual([
      {
        id: "rs",
        type: "resize",
        typeChange: null,
        params: [
          { key: "fit", kind: "added", to: "cover" },
          { key: "mode", kind: "removed", from: "pad" },
          { key: "width", kind: "changed", from: 768, to: 1024 },
        ],
      },
    ]);
    expect(diff.edges.removed.map((e) => e.id)).toEqual(["e2"]);
    expect(diff.edges.added).toEqual([]);
    expect(isContentUnchanged(diff)).toBe(false);
  });

  it("compares wires by their ports, not their ids, and reports rewiring", () => {
    const a = doc();
    const b = doc();
    b.edges = [
      { ...b.edges[0], id: "renamed-id" },
      { id: "e3", source: "img", sourceHandle: "image", target: "out", targetHandle: "image" },
    ];
    const diff = diffWorkflows(a, b);
    expect(diff.edges.added.map((e) => e.id)).toEqual(["e3"]);
    expect(diff.edges.removed.map((e) => e.id)).toEqual(["e2"]);
  });

  it("tells a node that only moved from one whose type changed", () => {
    const a = doc();
    const b = doc();
    b.nodes[0] = { ...b.nodes[0], position: { x: 10, y: 10 } };
    b.nodes[2] = { ...b.nodes[2], type: "save-image" };
    const diff = diffWorkflows(a, b);
    expect(diff.moved).toEqual(["img"]);
    expect(diff.nodes.changed).toEqual([
      {
        id: "out",
        type: "save-image",
        typeChange: { from: "preview", to: "save-image" },
        params: [],
      },
    ]);
  });

  it("compares nested parameter values deeply", () => {
    const a = doc();
    const b = doc();
    a.nodes[0] = { ...a.nodes[0], params: { image: { id: "abc", w: 1 } } };
    b.nodes[0] = { ...b.nodes[0], params: { image: { w: 1, id: "abc" } } };
    expect(diffWorkflows(a, b).nodes.changed).toEqual([]);
    b.nodes[0] = { ...b.nodes[0], params: { image: { w: 2, id: "abc" } } };
    expect(diffWorkflows(a, b).nodes.changed[0].params[0]).toMatchObject({ key: "image" });
  });
});

describe("node modes in the diff", () => {
  it("reports a node bypassed, muted or back to normal as changed", () => {
    const a = doc();
    const b = doc();
    b.nodes[0] = { ...b.nodes[0], mode: "bypass" };
    expect(diffWorkflows(a, b).nodes.changed).toEqual([
      expect.objectContaining({ id: a.nodes[0].id, modeChange: { from: "normal", to: "bypass" } }),
    ]);
    expect(diffWorkflows(b, a).nodes.changed[0].modeChange).toEqual({
      from: "bypass",
      to: "normal",
    });
    expect(diffWorkflows(a, a).nodes.changed).toEqual([]);
  });
});

describe("formatValue", () => {
  it("quotes strings, shows objects as JSON and cuts long values", () => {
    expect(formatValue("pad")).toBe('"pad"');
    expect(formatValue({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(formatValue(undefined)).toBe("—");
    expect(formatValue("x".repeat(100), 10)).toHaveLength(10);
  });
});
