import { describe, expect, it } from "vitest";
import { chordOf, findShortcut, SHORTCUTS } from "./shortcuts";

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

  it("has no chord bound twice", () => {
    const all = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(all).size).toBe(all.length);
  });
});
