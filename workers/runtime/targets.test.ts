import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../../nodes/core/document";
import { UnknownTargetError, upstreamClosure } from "./targets";

/** Nodes by id and wires as "source>target". */
function graph(ids: string[], wires: string[]): Pick<WorkflowDocument, "nodes" | "edges"> {
  return {
    nodes: ids.map((id) => ({ id, type: "t", position: { x: 0, y: 0 }, params: {} })),
    edges: wires.map((w, i) => {
      const [source, target] = w.split(">");
      return { id: `e${i}`, source, sourceHandle: "out", target, targetHandle: `in${i}` };
    }),
  };
}

const sorted = (s: Set<string>) => [...s].sort();

describe("upstreamClosure", () => {
  // a → b → c, a → d; x → y unrelated; b and e both feed f.
  const doc = graph(
    ["a", "b", "c", "d", "x", "y", "e", "f"],
    ["a>b", "b>c", "a>d", "x>y", "b>f", "e>f"],
  );

  it("takes the target and its ancestors, not its descendants, siblings or other branches", () => {
    expect(sorted(upstreamClosure(doc, ["b"]))).toEqual(["a", "b"]);
    expect(sorted(upstreamClosure(doc, ["c"]))).toEqual(["a", "b", "c"]);
    expect(sorted(upstreamClosure(doc, ["a"]))).toEqual(["a"]);
    expect(sorted(upstreamClosure(doc, ["y"]))).toEqual(["x", "y"]);
  });

  it("follows every input of a node with several, and unions several targets", () => {
    expect(sorted(upstreamClosure(doc, ["f"]))).toEqual(["a", "b", "e", "f"]);
    expect(sorted(upstreamClosure(doc, ["c", "y"]))).toEqual(["a", "b", "c", "x", "y"]);
  });

  it("visits a shared ancestor once and terminates on a cycle", () => {
    const diamond = graph(["s", "l", "r", "t"], ["s>l", "s>r", "l>t", "r>t"]);
    expect(sorted(upstreamClosure(diamond, ["t"]))).toEqual(["l", "r", "s", "t"]);
    const loop = graph(["p", "q", "z"], ["p>q", "q>p", "z>p"]);
    expect(sorted(upstreamClosure(loop, ["q"]))).toEqual(["p", "q", "z"]);
  });

  it("refuses a node id the document does not have, naming it", () => {
    expect(() => upstreamClosure(doc, ["nope"])).toThrow(UnknownTargetError);
    expect(() => upstreamClosure(doc, ["b", "nope"])).toThrow(/"nope"/);
  });

  it("ignores a wire from a node that is not in the document", () => {
    const dangling = graph(["a", "b"], ["ghost>b", "a>b"]);
    expect(sorted(upstreamClosure(dangling, ["b"]))).toEqual(["a", "b"]);
  });
});
