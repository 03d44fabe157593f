import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "@/nodes";
import { parseCheckedWorkflow } from "@/nodes";
import type { WorkflowDocument } from "@/nodes/core/document";
import { flattenWorkflow } from "@/nodes/core/flatten";
import { nodesOf, wiresOf } from "@/nodes/core/subgraph-fixtures";
import { collapseSelection, selectionPorts } from "./collapse";

/** load → a (resize) → b (crop) → c (resize) → view */
function chain(): WorkflowDocument {
  return {
    version: 2,
    name: "chain",
    meta: {},
    nodes: nodesOf([
      ["load", "load-image", { image: "" }],
      ["a", "resize", { mode: "stretch", width: 10, height: 5 }],
      ["b", "crop", { x: 0, y: 0, width: 4, height: 4 }],
      ["c", "resize", { mode: "fit", width: 3, height: 3 }],
      ["view", "preview"],
    ]),
    edges: wiresOf([
      ["load", "image", "a", "image"],
      ["a", "image", "b", "image"],
      ["b", "image", "c", "image"],
      ["c", "image", "view", "image"],
    ]),
  };
}

const three = new Set(["a", "b", "c"]);
const wires = (d: Pick<WorkflowDocument, "edges">) =>
  d.edges.map((e) => `${e.source}.${e.sourceHandle}->${e.target}.${e.targetHandle}`).sort();

describe("collapseSelection", () => {
  it("offers the selection's open inputs, outputs and params, marking those wired outside", () => {
    const ports = selectionPorts(chain(), three, getNodeDefinition);
    expect(ports.inputs.filter((p) => p.wired).map((p) => p.key)).toEqual(["in:a:image"]);
    expect(ports.outputs.filter((p) => p.wired).map((p) => p.key)).toEqual(["out:c:image"]);
    // b's image input is wired from a, inside the selection: not offered.
    expect(ports.inputs.some((p) => p.key === "in:b:image")).toBe(false);
    expect(ports.params.map((p) => p.key)).toContain("param:a:width");
  });

  it("collapses three nodes into one whose flattening is the original graph", () => {
    const doc = chain();
    const result = collapseSelection(
      doc,
      three,
      {
        name: "Prep",
        nodeId: "prep",
        expose: new Set(["in:a:image", "out:c:image", "param:a:width"]),
      },
      getNodeDefinition,
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.key).toBe("prep");
    expect(result.nodes.map((n) => n.id)).toEqual(["load", "view", "prep"]);
    expect(result.nodes[2]).toMatchObject({ type: "subgraph:prep", params: { width: 10 } });
    expect(wires(result)).toEqual(["load.image->prep.image", "prep.image->view.image"]);
    const { nodes, edges, subgraphs } = result;
    const collapsed = parseCheckedWorkflow({ ...doc, nodes, edges, subgraphs });
    const flat = flattenWorkflow(collapsed, getNodeDefinition).doc;
    expect(
      wires(flat)
        .map((w) => w.replaceAll("prep/", ""))
        .sort(),
    ).toEqual(wires(doc));
    expect(flat.nodes.find((n) => n.id === "prep/a")?.params).toEqual(doc.nodes[1].params);
  });

  it("drops the wires of ports left unexposed, and refuses an empty name or selection", () => {
    const result = collapseSelection(
      chain(),
      three,
      { name: "Prep", nodeId: "prep", expose: new Set(["out:c:image"]) },
      getNodeDefinition,
    );
    if (!result.ok) throw new Error(result.reason);
    expect(wires(result)).toEqual(["prep.image->view.image"]);
    const opts = { name: " ", nodeId: "p", expose: new Set<string>() };
    expect(collapseSelection(chain(), three, opts, getNodeDefinition)).toEqual({
      ok: false,
      reason: "the subgraph needs a name",
    });
    expect(
      collapseSelection(chain(), new Set(), { ...opts, name: "x" }, getNodeDefinition),
    ).toMatchObject({ ok: false });
  });

  it("nests a subgraph once, and refuses to nest one deeper", () => {
    const all = new Set(["a", "b", "c"]);
    const choose = (nodeId: string, expose: string[]) => ({
      name: nodeId,
      nodeId,
      expose: new Set(expose),
    });
    const one = collapseSelection(
      chain(),
      all,
      choose("one", ["in:a:image", "out:c:image"]),
      getNodeDefinition,
    );
    if (!one.ok) throw new Error(one.reason);
    const two = collapseSelection(
      { ...chain(), ...one },
      new Set(["one"]),
      choose("two", ["in:one:image", "out:one:image"]),
      getNodeDefinition,
    );
    if (!two.ok) throw new Error(two.reason);
    const three2 = collapseSelection(
      { ...chain(), ...two },
      new Set(["two"]),
      choose("three", []),
      getNodeDefinition,
    );
    expect(three2.ok).toBe(false);
    expect(!three2.ok && three2.reason).toMatch(/nests subgraphs 3 deep/);
  });
});
