import { describe, expect, it } from "vitest";
import { getNodeDefinition, parseCheckedWorkflow } from "@/nodes";
import { nodesOf, prepSubgraph, withPrep } from "@/nodes/core/subgraph-fixtures";
import {
  componentDocument,
  componentKey,
  dropUnused,
  fitUses,
  importComponent,
} from "./component-document";
import { flattenWorkflow } from "@/nodes/core/flatten";

describe("components", () => {
  it("save a subgraph as a document of one node with the definitions it needs", () => {
    const defs = {
      prep: { ...prepSubgraph(), component: { id: "c1", version: 1 } },
      other: prepSubgraph(),
    };
    const doc = parseCheckedWorkflow(componentDocument("prep", defs));
    expect(componentKey(doc)).toBe("prep");
    expect(Object.keys(doc.subgraphs ?? {})).toEqual(["prep"]);
    expect(doc.subgraphs?.prep.component).toBeUndefined();
    expect(doc.meta).toEqual({ kind: "component" });
  });

  it("import into a workflow under a free key, recording id and version; update in place", () => {
    const component = componentDocument("prep", { prep: prepSubgraph() });
    const mine = { prep: { ...prepSubgraph(), name: "My own prep" } };
    const added = importComponent(component, { id: "c1", version: 2 }, mine);
    expect(added.key).toBe("prep_2");
    expect(added.subgraphs.prep.name).toBe("My own prep");
    expect(added.subgraphs.prep_2.component).toEqual({ id: "c1", version: 2 });

    const v3 = componentDocument("prep", {
      prep: {
        ...prepSubgraph(),
        params: [],
        outputs: [{ name: "cropped", node: "b", port: "image" }],
      },
    });
    const updated = importComponent(v3, { id: "c1", version: 3 }, added.subgraphs, "prep_2");
    expect(updated.key).toBe("prep_2");
    expect(updated.subgraphs.prep_2.component).toEqual({ id: "c1", version: 3 });

    // A workflow using it: the port and param the new version no longer shows are dropped.
    const doc = withPrep({ size: 30 });
    doc.nodes[1] = { ...doc.nodes[1], type: "subgraph:prep_2" };
    const fitted = fitUses(doc.nodes, doc.edges, "prep_2", updated.subgraphs.prep_2);
    expect(fitted.nodes[1].params).toEqual({});
    expect(fitted.edges.map((e) => e.targetHandle)).toEqual(["photo"]);
    const kept = dropUnused(fitted.nodes, updated.subgraphs);
    expect(Object.keys(kept)).toEqual(["prep_2"]);
    const result = parseCheckedWorkflow({ ...doc, ...fitted, subgraphs: kept });
    expect(flattenWorkflow(result, getNodeDefinition).doc.nodes.map((n) => n.id)).toContain(
      "prep/b",
    );
  });

  it("carry nested subgraphs along, renamed where the workflow's keys are taken", () => {
    const holder = {
      name: "Holder",
      nodes: nodesOf([["x", "subgraph:prep"]]),
      edges: [],
      inputs: [],
      outputs: [],
      params: [],
    };
    const component = componentDocument("holder", { holder, prep: prepSubgraph() });
    expect(Object.keys(component.subgraphs ?? {}).sort()).toEqual(["holder", "prep"]);
    const added = importComponent(component, { id: "c9", version: 1 }, { prep: prepSubgraph() });
    expect(added.subgraphs[added.key].nodes[0].type).toBe("subgraph:prep_2");
    expect(added.subgraphs.prep_2.name).toBe("Prep");
  });

  it("refuse a document that is not a component", () => {
    expect(() => componentKey(withPrep())).toThrow(/is not a component/);
  });
});
