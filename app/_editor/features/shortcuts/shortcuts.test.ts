import { describe, expect, it } from "vitest";
import { chordOf, findShortcut, keysLabel, SHORTCUTS } from "./shortcuts";

const key = (
  k: string,
  mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {},
) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe("shortcuts", () => {
  it("canonicalises chords", () => {
    expect(chordOf(key("z", { ctrlKey: true, shiftKey: true }))).toBe("Mod+Shift+Z");
    expect(chordOf(key("z", { metaKey: true }))).toBe("Mod+Z");
  });

  it("maps undo and redo, and leaves text fields their own keys", () => {
    expect(findShortcut(key("z", { ctrlKey: true }), false)?.command).toBe("undo");
    expect(findShortcut(key("Z", { ctrlKey: true, shiftKey: true }), false)?.command).toBe("redo");
    expect(findShortcut(key("z", { ctrlKey: true }), true)).toBeUndefined();
    expect(findShortcut(key("s", { ctrlKey: true }), true)?.command).toBe("save");
  });

  it("tells Run to here (Ctrl+Shift+Enter) from Run (Ctrl+Enter), also while typing", () => {
    const enter = (mods: Parameters<typeof key>[1]) => findShortcut(key("Enter", mods), true);
    expect(enter({ ctrlKey: true })?.command).toBe("run");
    expect(enter({ ctrlKey: true, shiftKey: true })?.command).toBe("runToHere");
    expect(enter({ metaKey: true, shiftKey: true })?.command).toBe("runToHere");
    expect(enter({ shiftKey: true })).toBeUndefined();
    expect(keysLabel("runToHere")).toBe("Ctrl/⌘+Shift+Enter");
  });

  it("has no chord bound twice", () => {
    const all = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(all).size).toBe(all.length);
  });

  it("bypasses with Ctrl+B and mutes with Ctrl+M, as ComfyUI does, but not while typing", () => {
    expect(findShortcut(key("b", { ctrlKey: true }), false)?.command).toBe("bypass");
    expect(findShortcut(key("m", { metaKey: true }), false)?.command).toBe("mute");
    expect(findShortcut(key("b", { ctrlKey: true }), true)).toBeUndefined();
    expect(keysLabel("mute")).toBe("Ctrl/⌘+M");
  });
});
