import { describe, expect, it } from "vitest";
import { prepSubgraph, withPrep } from "@/nodes/core/subgraph-fixtures";
import { enter, leave, stitch } from "./scope";

describe("editing inside a subgraph", () => {
  it("opens a subgraph node, and writes the inside back on the way out", () => {
    const doc = withPrep();
    const subgraphs = { prep: prepSubgraph() };
    const opened = enter(doc, "prep", subgraphs);
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.inner.nodes.map((n) => n.id)).toEqual(["a", "b"]);
    // Inside: b deleted, so the output that mapped to it goes too.
    const edited = { nodes: opened.inner.nodes.slice(0, 1), edges: [] };
    const whole = stitch([opened.frame], edited, subgraphs);
    expect(whole.top).toBe(doc);
    expect(whole.subgraphs.prep.nodes.map((n) => n.id)).toEqual(["a"]);
    expect(whole.subgraphs.prep.outputs).toEqual([]);
    expect(whole.subgraphs.prep.inputs).toHaveLength(1);
    const out = leave([opened.frame], edited, subgraphs, 0);
    expect(out.scope).toEqual([]);
    expect(out.level).toBe(doc);
    expect(out.subgraphs).toEqual(whole.subgraphs);
  });

  it("refuses to open a node that is no subgraph", () => {
    expect(enter(withPrep(), "load", { prep: prepSubgraph() })).toEqual({
      ok: false,
      reason: "only a subgraph node can be opened",
    });
  });
});
