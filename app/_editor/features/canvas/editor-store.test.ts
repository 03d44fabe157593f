import { beforeEach, describe, expect, it } from "vitest";
import { emptyWorkflow } from "@/nodes/core/document";
import { useEditor } from "./editor-store";

const s = () => useEditor.getState();

beforeEach(() => {
  s().load(emptyWorkflow(), null);
});

describe("editor store", () => {
  it("adds nodes with default params, and undo/redo walks back and forth", () => {
    const a = s().addNode("resize", { x: 0, y: 0 });
    expect(s().nodes.find((n) => n.id === a)?.data.params).toMatchObject({
      mode: "pad",
      width: 768,
    });
    s().addNode("preview", { x: 300, y: 0 });
    expect(s().nodes).toHaveLength(2);
    s().undo();
    expect(s().nodes).toHaveLength(1);
    s().undo();
    expect(s().nodes).toHaveLength(0);
    s().redo();
    s().redo();
    expect(s().nodes).toHaveLength(2);
  });

  it("groups rapid edits of one field; selection and measurement are not recorded", () => {
    const id = s().addNode("resize", { x: 0, y: 0 });
    const steps = s().history.past.length;
    for (const w of [1, 10, 102, 1024]) s().setParam(id, "width", w);
    expect(s().history.past.length).toBe(steps + 1);
    s().onNodesChange([{ type: "select", id, selected: false }]);
    s().onNodesChange([{ type: "dimensions", id, dimensions: { width: 200, height: 300 } }]);
    expect(s().history.past.length).toBe(steps + 1);
    s().undo();
    expect(s().nodes[0].data.params.width).toBe(768);
  });

  it("records a whole drag as one step", () => {
    const id = s().addNode("resize", { x: 0, y: 0 });
    const steps = s().history.past.length;
    for (let x = 1; x <= 5; x++)
      s().onNodesChange([{ type: "position", id, position: { x, y: 0 }, dragging: true }]);
    s().onNodesChange([{ type: "position", id, position: { x: 5, y: 0 }, dragging: false }]);
    expect(s().history.past.length).toBe(steps + 1);
    s().undo();
    expect(s().nodes[0].position).toEqual({ x: 0, y: 0 });
  });

  it("a second wire into an input replaces the first; refused wires say why", () => {
    const l1 = s().addNode("load-image", { x: 0, y: 0 });
    const l2 = s().addNode("load-image", { x: 0, y: 200 });
    const r = s().addNode("resize", { x: 300, y: 0 });
    const m = s().addNode("mask-ops", { x: 600, y: 0 });
    expect(
      s().connect({ source: l1, sourceHandle: "image", target: r, targetHandle: "image" }),
    ).toBeNull();
    expect(
      s().connect({ source: l2, sourceHandle: "image", target: r, targetHandle: "image" }),
    ).toBeNull();
    expect(s().edges).toHaveLength(1);
    expect(s().edges[0].source).toBe(l2);
    expect(s().connect({ source: r, sourceHandle: "image", target: m, targetHandle: "mask" })).toBe(
      "type mismatch: IMAGE cannot connect to MASK",
    );
  });

  it("deleting a node removes its wires; paste remaps ids and keeps inner wires", () => {
    const l = s().addNode("load-image", { x: 0, y: 0 });
    const r = s().addNode("resize", { x: 300, y: 0 });
    s().connect({ source: l, sourceHandle: "image", target: r, targetHandle: "image" });
    s().selectAll();
    const text = s().copySelection()!;
    expect(s().paste(text, { x: 1000, y: 1000 })).toBe(true);
    expect(s().nodes).toHaveLength(4);
    expect(s().edges).toHaveLength(2);
    const pasted = s().nodes.filter((n) => n.selected);
    expect(pasted.map((n) => n.id)).not.toContain(l);
    expect(pasted[0].position).toEqual({ x: 1000, y: 1000 });
    s().deleteSelection();
    expect(s().nodes.map((n) => n.id)).toEqual([l, r]);
    expect(s().edges).toHaveLength(1);
  });

  it("tracks unsaved changes against the saved revision", () => {
    expect(s().revision).toBe(s().savedRevision);
    s().setName("renamed");
    expect(s().revision).not.toBe(s().savedRevision);
    s().markSaved("w1");
    expect(s().revision).toBe(s().savedRevision);
    expect(s().document().name).toBe("renamed");
  });

  it("remembers the saved version edits are based on, across a save and a draft restore", () => {
    s().load(emptyWorkflow("A"), "w1", { baseVersion: 3 });
    expect(s().baseVersion).toBe(3);
    const revision = s().revision;
    s().setName("edited while saving");
    s().markSaved("w1", 4, revision);
    expect(s().baseVersion).toBe(4);
    // The edit made during the save is still unsaved.
    expect(s().revision).not.toBe(s().savedRevision);

    // A draft restored over the same workflow keeps the base; another workflow starts fresh.
    s().load(emptyWorkflow("draft"), "w1", { dirty: true });
    expect(s().baseVersion).toBe(4);
    s().load(emptyWorkflow("B"), "w2");
    expect(s().baseVersion).toBeNull();
    s().load(emptyWorkflow("Imported"), null, { dirty: true });
    expect(s().baseVersion).toBeNull();
  });
});
