import { describe, expect, it } from "vitest";
import {
  migrateWorkflow,
  nodeMode,
  parseWorkflow,
  parseWorkflowJson,
  WORKFLOW_VERSION,
  WorkflowParseError,
} from "./document";

const valid = {
  version: 1,
  name: "w",
  nodes: [{ id: "a", type: "load-image", position: { x: 1, y: 2 }, params: {} }],
  edges: [],
};

function error(fn: () => unknown): WorkflowParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WorkflowParseError) return err;
    throw err;
  }
  throw new Error("expected a WorkflowParseError");
}

describe("workflow document", () => {
  it("parses a valid document and fills defaults", () => {
    const doc = parseWorkflow(valid);
    expect(doc.version).toBe(WORKFLOW_VERSION);
    expect(doc.meta).toEqual({});
  });

  it("names the node and field of an invalid value", () => {
    const e = error(() =>
      parseWorkflow({ ...valid, nodes: [{ ...valid.nodes[0], position: { x: "left", y: 0 } }] }),
    );
    expect(e.nodeId).toBe("a");
    expect(e.field).toBe("nodes[0].position.x");
    expect(e.message).toMatch(/^node "a": nodes\[0\]\.position\.x: /);
  });

  it("rejects malformed JSON as JSON, not as a schema error", () => {
    expect(error(() => parseWorkflowJson("{nope")).message).toMatch(/^not valid JSON/);
  });

  it("rejects duplicate ids and dangling edges", () => {
    expect(
      error(() => parseWorkflow({ ...valid, nodes: [valid.nodes[0], valid.nodes[0]] })).message,
    ).toBe('duplicate node id "a"');
    const dangling = {
      ...valid,
      edges: [{ id: "e", source: "a", sourceHandle: "image", target: "zz", targetHandle: "image" }],
    };
    expect(error(() => parseWorkflow(dangling)).message).toMatch(/refers to node "zz"/);
  });

  it("refuses documents from a newer studio and documents without a version", () => {
    expect(error(() => parseWorkflow({ ...valid, version: WORKFLOW_VERSION + 1 })).message).toMatch(
      /newer studio/,
    );
    const { version: _v, ...unversioned } = valid;
    expect(error(() => parseWorkflow(unversioned)).field).toBe("version");
    expect(error(() => parseWorkflow([])).message).toBe("a workflow must be a JSON object");
  });

  it("keeps unknown node types (they become placeholders in the editor)", () => {
    const doc = parseWorkflow({
      ...valid,
      nodes: [{ ...valid.nodes[0], type: "from-the-future" }],
    });
    expect(doc.nodes[0].type).toBe("from-the-future");
  });

  describe("version 1 to 2 (node modes)", () => {
    it("upgrades a version-1 document: same nodes and wires, every node normal", () => {
      const v1 = {
        ...valid,
        nodes: [...valid.nodes, { id: "b", type: "preview", position: { x: 0, y: 0 } }],
        edges: [
          { id: "e", source: "a", sourceHandle: "image", target: "b", targetHandle: "image" },
        ],
      };
      const doc = parseWorkflow(v1);
      expect(doc.version).toBe(2);
      expect(doc.nodes.map((n) => n.id)).toEqual(["a", "b"]);
      expect(doc.nodes.map(nodeMode)).toEqual(["normal", "normal"]);
      expect(doc.nodes.every((n) => !("mode" in n))).toBe(true);
      expect(doc.edges).toEqual(v1.edges);
      // The input is not changed in place.
      expect(v1.version).toBe(1);
    });

    it("keeps bypass and mute in a version-2 document and refuses other modes", () => {
      const v2 = {
        ...valid,
        version: 2,
        nodes: [
          { ...valid.nodes[0], mode: "bypass" },
          { id: "m", type: "preview", position: { x: 0, y: 0 }, mode: "mute" },
        ],
      };
      expect(parseWorkflow(v2).nodes.map(nodeMode)).toEqual(["bypass", "mute"]);
      const e = error(() => parseWorkflow({ ...v2, nodes: [{ ...valid.nodes[0], mode: "off" }] }));
      expect(e.field).toBe("nodes[0].mode");
    });

    it("refuses a version-1 document whose nodes already carry a mode", () => {
      const e = error(() =>
        migrateWorkflow({ ...valid, nodes: [{ ...valid.nodes[0], mode: "mute" }] }),
      );
      expect(e.field).toBe("nodes[0].mode");
      expect(e.message).toMatch(/arrived in version 2/);
    });
  });
});
