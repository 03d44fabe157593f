import { describe, expect, it } from "vitest";
import { getNodeDefinition, parseCheckedWorkflow } from "../index";
import { parseWorkflow, type WorkflowDocument } from "./document";
import { validateGraph } from "./graph";
import { subgraphLookup } from "./subgraph";
import { nodesOf, prepSubgraph, wiresOf, withPrep } from "./subgraph-fixtures";

function refusal(doc: unknown): string {
  try {
    parseCheckedWorkflow(doc);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the document was accepted");
}

/** A subgraph "holder" whose only node is a subgraph node of `inner`. */
function holder(inner: string, name = "Holder") {
  return {
    name,
    nodes: nodesOf([["x", `subgraph:${inner}`]]),
    edges: [],
    inputs: [{ name: "photo", node: "x", port: "photo" }],
    outputs: [{ name: "result", node: "x", port: "result" }],
    params: [],
  };
}

describe("subgraph documents", () => {
  it("accept a valid subgraph and keep it through parsing", () => {
    const doc = parseCheckedWorkflow(withPrep({ size: 12 }));
    expect(doc.subgraphs?.prep.name).toBe("Prep");
    expect(validateGraph(doc, getNodeDefinition)).toEqual([]);
  });

  it("give the subgraph node the exposed ports and params, typed as the inner ones", () => {
    const look = subgraphLookup({ prep: prepSubgraph() }, getNodeDefinition);
    const def = look("subgraph:prep")!;
    expect(def.title).toBe("Prep");
    expect(def.inputs.photo.type).toBe("IMAGE");
    expect(def.outputs.result.type).toBe("IMAGE");
    // Its default is the inner node's value, which runs while the subgraph node sets none.
    expect(def.params.size).toMatchObject({ widget: "number", label: "width", default: 10 });
    expect(look("resize")).toBe(getNodeDefinition("resize"));
    expect(look("subgraph:nope")).toBeUndefined();
  });

  it("refuse a node naming a subgraph the workflow does not define", () => {
    const doc = withPrep();
    doc.subgraphs = {};
    expect(refusal(doc)).toMatch(/names subgraph "prep", which the workflow does not define/);
  });

  it("refuse dangling mappings and wires, naming the subgraph", () => {
    const mapping = withPrep();
    mapping.subgraphs!.prep.inputs = [{ name: "photo", node: "zz", port: "image" }];
    expect(refusal(mapping)).toMatch(
      /subgraph "Prep": exposed input "photo" maps to node "zz", which is not in the subgraph/,
    );
    const param = withPrep();
    param.subgraphs!.prep.params = [{ name: "size", node: "a", param: "nope" }];
    expect(refusal(param)).toMatch(
      /exposed param "size" maps to "nope", which Resize \("a"\) has no param named/,
    );
    const port = withPrep();
    port.subgraphs!.prep.outputs = [{ name: "result", node: "b", port: "mask2" }];
    expect(refusal(port)).toMatch(
      /exposed output "result" maps to "mask2", which Crop \("b"\) has no output named/,
    );
    const wire = withPrep();
    wire.subgraphs!.prep.edges = wiresOf([["a", "image", "q", "image"]]);
    expect(refusal(wire)).toMatch(/wire "e0" refers to node "q", which is not in the subgraph/);
    const twice = withPrep();
    twice.subgraphs!.prep.inputs.push({ name: "again", node: "b", port: "image" });
    expect(refusal(twice)).toMatch(
      /exposed input "again" maps to input "image" of node "b", which already has a wire/,
    );
  });

  it("refuse unknown inner node types", () => {
    const doc = withPrep();
    doc.subgraphs!.prep.nodes[1] = { ...doc.subgraphs!.prep.nodes[1], type: "warp-drive" };
    expect(refusal(doc)).toMatch(
      /subgraph "Prep": unknown inner node type "warp-drive" \(node "b"\)/,
    );
  });

  it("refuse a cycle inside a subgraph", () => {
    const doc = withPrep();
    doc.subgraphs!.prep.edges.push({
      id: "back",
      source: "b",
      sourceHandle: "image",
      target: "a",
      targetHandle: "image",
    });
    doc.subgraphs!.prep.inputs = [];
    expect(refusal(doc)).toMatch(/subgraph "Prep": cycle through its nodes a, b/);
  });

  it("refuse a cycle through the exposed ports", () => {
    const self = withPrep();
    self.edges = wiresOf([["prep", "result", "prep", "photo"]]);
    expect(refusal(self)).toMatch(
      /a node cannot feed itself \(through the exposed ports of subgraph "Prep"\)/,
    );
    const loop = withPrep();
    loop.nodes.push(...nodesOf([["r", "resize"]]));
    loop.edges = wiresOf([
      ["prep", "result", "r", "image"],
      ["r", "image", "prep", "photo"],
    ]);
    expect(refusal(loop)).toMatch(
      /cycle through nodes prep, r \(through the exposed ports of subgraph "Prep"\)/,
    );
  });

  it("allow a subgraph inside a subgraph, but not one level deeper, nor one inside itself", () => {
    const once: WorkflowDocument = {
      ...withPrep(),
      subgraphs: { prep: prepSubgraph(), hold: holder("prep") },
    };
    once.nodes[1] = { ...once.nodes[1], type: "subgraph:hold" };
    expect(parseCheckedWorkflow(once).subgraphs?.hold.name).toBe("Holder");

    const twice = { ...once, subgraphs: { ...once.subgraphs, top: holder("hold", "Top") } };
    twice.nodes = twice.nodes.map((n) => (n.id === "prep" ? { ...n, type: "subgraph:top" } : n));
    expect(refusal(twice)).toMatch(/subgraph "Top" nests subgraphs 3 deep/);

    const itself = { ...withPrep(), subgraphs: { prep: holder("prep", "Loop") } };
    expect(refusal(itself)).toMatch(/subgraph "Loop" contains itself/);
  });

  it("refuse a subgraph field that does not fit the schema, with its path", () => {
    const doc = withPrep() as unknown as { subgraphs: { prep: Record<string, unknown> } };
    doc.subgraphs.prep.inputs = [{ name: "photo", node: "a" }];
    expect(() => parseWorkflow(doc)).toThrow(/subgraphs\.prep\.inputs\[0\]\.port/);
  });

  it("are version 2: a version-1 document still upgrades without any", () => {
    const { subgraphs: _none, ...rest } = withPrep();
    const v1 = { ...rest, version: 1 };
    v1.nodes = v1.nodes.filter((n) => n.id !== "prep");
    v1.edges = [];
    const doc = parseWorkflow(v1);
    expect(doc.version).toBe(2);
    expect(doc.subgraphs).toBeUndefined();
    // A version-1 document never had subgraphs: one that claims some is refused, not upgraded.
    expect(() => parseWorkflow({ ...withPrep(), version: 1 })).toThrow(
      /subgraphs arrived in version 2; this document says version 1/,
    );
  });
});
