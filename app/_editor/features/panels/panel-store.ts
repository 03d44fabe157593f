import { create } from "zustand";
import type { WorkflowDocument } from "@/nodes/core/document";
import type { ConflictInfo } from "../../shared/api-client";
import type { DanglingWire } from "../palette/palette-filter";

/** Where the palette opens, where its node lands, and the wire it would connect. */
export interface PaletteAnchor {
  readonly screen: { x: number; y: number };
  readonly flow: { x: number; y: number };
  readonly wire?: DanglingWire;
}

/** The dialogs that open without anything to show but themselves. */
export type PlainPanel =
  "help" | "models" | "history" | "share" | "makeSubgraph" | "components" | ServerRunsPanel;
/** The server-runs dialogs (features/server-runs/): the run history and "Run as batch". */
export type ServerRunsPanel = "runs" | "batch";
export type PanelName = PlainPanel | "palette";

export type OpenPanel =
  | { readonly name: "palette"; readonly anchor: PaletteAnchor }
  /** The sweep dialog, opened from a node's menu: that node's params are offered first. */
  | { readonly name: "sweep"; readonly nodeId: string }
  | { readonly name: PlainPanel | ExperimentPanel };

/** The experiment feature's panels (features/experiment/): the sweep's grid and compare view. */
export type ExperimentPanel = "sweepGrid";

/** A save refused as stale, with what the person was trying to save. */
export interface PendingConflict {
  readonly info: ConflictInfo;
  readonly document: WorkflowDocument;
  readonly thumbnail: string | undefined;
  readonly revision: number;
}

export interface PanelState {
  /**
   * The one dialog open over the canvas. One slot, because each dialog's backdrop covers the
   * toolbar and the canvas that open the others, and the shortcuts pause while one is open.
   */
  readonly open: OpenPanel | null;
  /**
   * A save conflict stands apart from `open`: the history panel can save, so its conflict opens
   * over it, and the history panel is still there once the conflict is settled.
   */
  readonly conflict: PendingConflict | null;
  openPanel(name: PlainPanel): void;
  openPanel(name: "palette", anchor: PaletteAnchor): void;
  openPanel(name: "sweep", nodeId: string): void;
  openPanel(name: ExperimentPanel): void;
  togglePanel(name: PlainPanel): void;
  closePanel(): void;
  raiseConflict(conflict: PendingConflict): void;
  settleConflict(): void;
  /** Nothing open: when the studio unmounts, so a dialog does not reappear on the next visit. */
  closeAll(): void;
}

export const usePanels = create<PanelState>()((set) => ({
  open: null,
  conflict: null,
  openPanel: (name: PanelName | ExperimentPanel | "sweep", arg?: PaletteAnchor | string) =>
    set({
      open:
        name === "palette"
          ? { name, anchor: arg as PaletteAnchor }
          : name === "sweep"
            ? { name, nodeId: arg as string }
            : { name },
    }),
  togglePanel: (name) => set((s) => ({ open: s.open?.name === name ? null : { name } })),
  closePanel: () => set({ open: null }),
  raiseConflict: (conflict) => set({ conflict }),
  settleConflict: () => set({ conflict: null }),
  closeAll: () => set({ open: null, conflict: null }),
}));

/** While any dialog is up, the canvas shortcuts stay quiet (the dialog owns the keyboard). */
export function anyPanelOpen(s: Pick<PanelState, "open" | "conflict">): boolean {
  return s.open !== null || s.conflict !== null;
}

/** Where the palette is open, or null when it is not. */
export function paletteAnchor(s: Pick<PanelState, "open">): PaletteAnchor | null {
  return s.open?.name === "palette" ? s.open.anchor : null;
}
