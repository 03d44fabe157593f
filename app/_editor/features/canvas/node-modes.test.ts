import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "@/nodes";
import { emptyWorkflow } from "@/nodes/core/document";
import { useEditor } from "./editor-store";
import { modeUnavailable, switchMode, type ModeTarget } from "./node-modes";

const target = (id: string, type: string, mode?: ModeTarget["mode"]): ModeTarget => ({
  id,
  def: getNodeDefinition(type),
  ...(mode ? { mode } : {}),
});

describe("node modes in the editor", () => {
  it("says why a node cannot be bypassed or muted", () => {
    expect(modeUnavailable(getNodeDefinition("upscaler"), "bypass")).toBeUndefined();
    expect(modeUnavailable(getNodeDefinition("preview"), "bypass")).toMatch(/has no outputs/);
    expect(modeUnavailable(getNodeDefinition("preview"), "mute")).toBeUndefined();
    expect(modeUnavailable(getNodeDefinition("note"), "mute")).toBe("A note does not run");
    expect(modeUnavailable(undefined, "mute")).toMatch(/unknown/);
  });

  it("switches the nodes that can take the mode and toggles back when all have it", () => {
    const on = switchMode([target("a", "upscaler"), target("b", "preview")], "bypass");
    // The Preview cannot be bypassed: it is left alone.
    expect(on).toEqual({ ok: true, modes: new Map([["a", "bypass"]]) });
    const off = switchMode([target("a", "upscaler", "bypass"), target("b", "resize")], "bypass");
    expect(off).toEqual({
      ok: true,
      modes: new Map([
        ["a", "bypass"],
        ["b", "bypass"],
      ]),
    });
    expect(switchMode([target("a", "upscaler", "bypass")], "bypass")).toEqual({
      ok: true,
      modes: new Map([["a", undefined]]),
    });
    // Muting a bypassed node replaces its mode.
    expect(switchMode([target("a", "upscaler", "bypass")], "mute")).toEqual({
      ok: true,
      modes: new Map([["a", "mute"]]),
    });
  });

  it("refuses with the reason when no target can take the mode", () => {
    expect(switchMode([target("p", "preview")], "bypass")).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^Preview has no outputs/),
    });
    expect(switchMode([], "mute")).toEqual({ ok: false, reason: "Select a node first" });
  });

  it("the store saves the mode in the document, toggles it and undoes it in one step", () => {
    const s = () => useEditor.getState();
    s().load(emptyWorkflow(), null);
    const up = s().addNode("upscaler", { x: 0, y: 0 });
    const view = s().addNode("preview", { x: 300, y: 0 });
    s().onNodesChange([{ type: "select", id: up, selected: true }]);
    expect(s().toggleMode("bypass")).toBeUndefined();
    expect(
      s()
        .document()
        .nodes.map((n) => n.mode),
    ).toEqual(["bypass", undefined]);
    expect(s().toggleMode("bypass", [view])).toMatch(/^Preview has no outputs/);
    expect(s().toggleMode("mute", [view])).toBeUndefined();
    expect(
      s()
        .document()
        .nodes.map((n) => n.mode),
    ).toEqual(["bypass", "mute"]);
    s().undo();
    expect(
      s()
        .document()
        .nodes.map((n) => n.mode),
    ).toEqual(["bypass", undefined]);
    expect(s().toggleMode("bypass", [up])).toBeUndefined();
    expect(s().document().nodes[0]).not.toHaveProperty("mode");
  });
});
