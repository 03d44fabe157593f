import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../index";
import { flattenWorkflow, rootNodeId } from "./flatten";
import { nodesOf, prepSubgraph, RESIZE, wiresOf, withPrep } from "./subgraph-fixtures";

const wires = (
  edges: readonly { source: string; sourceHandle: string; target: string; targetHandle: string }[],
) => edges.map((e) => `${e.source}.${e.sourceHandle}->${e.target}.${e.targetHandle}`).sort();

describe("flattenWorkflow", () => {
  it("leaves a document without subgraph nodes as it is", () => {
    const doc = {
      ...withPrep(),
      nodes: withPrep().nodes.filter((n) => n.id !== "prep"),
      edges: [],
    };
    expect(flattenWorkflow(doc, getNodeDefinition).doc).toBe(doc);
  });

  it("namespaces inner ids under the subgraph node and re-routes wires through exposed ports", () => {
    const flat = flattenWorkflow(withPrep(), getNodeDefinition);
    expect(flat.doc.nodes.map((n) => n.id)).toEqual(["load", "prep/a", "prep/b", "view"]);
    expect(wires(flat.doc.edges)).toEqual(
      ["load.image->prep/a.image", "prep/a.image->prep/b.image", "prep/b.image->view.image"].sort(),
    );
    expect(flat.doc.subgraphs).toBeUndefined();
    expect(flat.members.get("prep")).toEqual(["prep/a", "prep/b"]);
    expect(flat.origins.get("prep/a")).toEqual({ root: "prep", label: "Resize inside Prep" });
    expect(flat.origins.has("load")).toBe(false);
    expect(rootNodeId("prep/b")).toBe("prep");
    expect(rootNodeId("load")).toBe("load");
  });

  it("applies exposed param values the subgraph node sets, and only those", () => {
    const set = flattenWorkflow(withPrep({ size: 64 }), getNodeDefinition).doc;
    expect(set.nodes.find((n) => n.id === "prep/a")?.params).toEqual({ ...RESIZE, width: 64 });
    const unset = flattenWorkflow(withPrep(), getNodeDefinition).doc;
    expect(unset.nodes.find((n) => n.id === "prep/a")?.params).toEqual(RESIZE);
  });

  it("flattens a subgraph nested in a subgraph, with both names in the label", () => {
    const outer = {
      name: "Outer",
      nodes: nodesOf([
        ["inner", "subgraph:prep", { size: 20 }],
        ["c", "crop", { x: 1, y: 1, width: 2, height: 2 }],
      ]),
      edges: wiresOf([["inner", "result", "c", "image"]], "o"),
      inputs: [{ name: "in", node: "inner", port: "photo" }],
      outputs: [{ name: "out", node: "c", port: "image" }],
      params: [{ name: "outerSize", node: "inner", param: "size" }],
    };
    const doc = withPrep();
    doc.nodes[1] = { ...doc.nodes[1], type: "subgraph:outer", params: { outerSize: 33 } };
    doc.edges = wiresOf([
      ["load", "image", "prep", "in"],
      ["prep", "out", "view", "image"],
    ]);
    doc.subgraphs = { prep: prepSubgraph(), outer };
    const flat = flattenWorkflow(doc, getNodeDefinition);
    expect(flat.doc.nodes.map((n) => n.id)).toEqual([
      "load",
      "prep/inner/a",
      "prep/inner/b",
      "prep/c",
      "view",
    ]);
    expect(wires(flat.doc.edges)).toEqual(
      [
        "load.image->prep/inner/a.image",
        "prep/inner/a.image->prep/inner/b.image",
        "prep/inner/b.image->prep/c.image",
        "prep/c.image->view.image",
      ].sort(),
    );
    // The outer node's value reaches the inner node through both exposed params.
    expect(flat.doc.nodes[1].params).toEqual({ ...RESIZE, width: 33 });
    expect(flat.origins.get("prep/inner/a")).toEqual({
      root: "prep",
      label: "Resize inside Prep inside Outer",
    });
    expect(flat.members.get("prep")).toEqual(["prep/inner/a", "prep/inner/b", "prep/c"]);
  });

  it("mutes what a muted subgraph holds and keeps a bypassed one whole", () => {
    const muted = withPrep();
    muted.nodes[1] = { ...muted.nodes[1], mode: "mute" };
    const flat = flattenWorkflow(muted, getNodeDefinition).doc;
    expect(flat.nodes.filter((n) => n.id.startsWith("prep/")).map((n) => n.mode)).toEqual([
      "mute",
      "mute",
    ]);
    const bypassed = withPrep();
    bypassed.nodes[1] = { ...bypassed.nodes[1], mode: "bypass" };
    const kept = flattenWorkflow(bypassed, getNodeDefinition).doc;
    expect(kept).toBe(bypassed);
  });

  it("leaves a reader unconnected when an exposed output maps to nothing", () => {
    const doc = withPrep();
    doc.subgraphs!.prep.outputs = [];
    const flat = flattenWorkflow(doc, getNodeDefinition).doc;
    expect(wires(flat.edges)).toEqual(["load.image->prep/a.image", "prep/a.image->prep/b.image"]);
  });
});
