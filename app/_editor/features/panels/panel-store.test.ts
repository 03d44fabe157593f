import { beforeEach, describe, expect, it } from "vitest";
import type { ConflictInfo } from "../../shared/api-client";
import { emptyWorkflow } from "@/nodes/core/document";
import { anyPanelOpen, paletteAnchor, usePanels, type PendingConflict } from "./panel-store";

const panels = () => usePanels.getState();

const conflict: PendingConflict = {
  info: {
    baseVersion: 2,
    currentVersion: 3,
    savedAt: "2025-01-01T00:00:00.000Z",
    savedBy: null,
    message: null,
  } satisfies ConflictInfo,
  document: emptyWorkflow(),
  thumbnail: undefined,
  revision: 4,
};

beforeEach(() => panels().closeAll());

describe("the panel store", () => {
  it("starts with nothing open, and the shortcuts live", () => {
    expect(panels().open).toBeNull();
    expect(panels().conflict).toBeNull();
    expect(anyPanelOpen(panels())).toBe(false);
  });

  it("keeps one dialog open: opening another replaces it", () => {
    panels().openPanel("history");
    expect(panels().open).toEqual({ name: "history" });
    expect(anyPanelOpen(panels())).toBe(true);
    panels().openPanel("share");
    expect(panels().open).toEqual({ name: "share" });
    panels().closePanel();
    expect(panels().open).toBeNull();
    expect(anyPanelOpen(panels())).toBe(false);
  });

  it("toggles a panel shut only when that panel is the one open", () => {
    panels().togglePanel("help");
    expect(panels().open).toEqual({ name: "help" });
    panels().togglePanel("help");
    expect(panels().open).toBeNull();
    panels().openPanel("models");
    panels().togglePanel("help");
    expect(panels().open).toEqual({ name: "help" });
  });

  it("opens the palette where it was asked for, with the wire it would connect", () => {
    const anchor = {
      screen: { x: 10, y: 20 },
      flow: { x: -5, y: 7 },
      wire: { nodeId: "n1", handleId: "image", portType: "IMAGE", from: "source" },
    } as const;
    panels().openPanel("palette", anchor);
    expect(paletteAnchor(panels())).toEqual(anchor);
    panels().openPanel("help");
    expect(paletteAnchor(panels())).toBeNull();
  });

  it("opens a save conflict over the history panel and leaves that panel open once settled", () => {
    panels().openPanel("history");
    panels().raiseConflict(conflict);
    expect(panels().open).toEqual({ name: "history" });
    expect(panels().conflict).toBe(conflict);
    panels().settleConflict();
    expect(panels().conflict).toBeNull();
    expect(panels().open).toEqual({ name: "history" });
  });

  it("pauses the shortcuts for a conflict alone, which closing a panel does not dismiss", () => {
    panels().raiseConflict(conflict);
    expect(anyPanelOpen(panels())).toBe(true);
    panels().closePanel();
    expect(panels().conflict).toBe(conflict);
    expect(anyPanelOpen(panels())).toBe(true);
  });

  it("closes everything when the studio goes away", () => {
    panels().openPanel("models");
    panels().raiseConflict(conflict);
    panels().closeAll();
    expect(panels().open).toBeNull();
    expect(panels().conflict).toBeNull();
  });
});
