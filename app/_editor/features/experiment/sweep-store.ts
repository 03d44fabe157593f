import { create } from "zustand";
import type { WorkflowDocument } from "@/nodes/core/document";
import type { SweepSpec } from "@/workers/runtime/sweep";

/** One axis as the grid labels it. */
export interface GridAxis {
  readonly label: string;
  readonly values: readonly string[];
}

export interface GridCell {
  readonly status: "queued" | "running" | "done" | "error" | "cancelled";
  /** The output node's first image, as an object URL. */
  readonly image?: { readonly url: string; readonly width: number; readonly height: number };
  /** Wall time of the cell's run (shared nodes served from the cache count nothing). */
  readonly ms?: number;
  /** The output node's text (an Upscaler says which model ran) or why the cell failed. */
  readonly message?: string;
  /** The Leffa loss line a Flow Field node reported in this cell's run, when one did. */
  readonly loss?: string;
  /** Nodes that ran for this cell, not served from the cache. */
  readonly ran?: number;
}

export interface SweepState {
  readonly spec: SweepSpec | null;
  /** The document the cells were made from (what a saved grid PNG embeds). */
  readonly doc: WorkflowDocument | null;
  readonly axes: readonly GridAxis[];
  /** Row by row, as expandSweep lists them. */
  readonly cells: readonly GridCell[];
  readonly running: boolean;
  /** Up to two cell indexes picked for the compare view, in the order they were clicked. */
  readonly picked: readonly number[];
  begin(doc: WorkflowDocument, spec: SweepSpec, axes: readonly GridAxis[], cellCount: number): void;
  update(index: number, cell: GridCell): void;
  finish(): void;
  /** Picks a cell for comparing (a third pick drops the oldest); picking it again drops it. */
  pick(index: number): void;
  clearPicks(): void;
}

function revoke(cells: readonly GridCell[]) {
  for (const c of cells) if (c.image) URL.revokeObjectURL(c.image.url);
}

export const useSweep = create<SweepState>()((set, get) => ({
  spec: null,
  doc: null,
  axes: [],
  cells: [],
  running: false,
  picked: [],
  begin(doc, spec, axes, cellCount) {
    revoke(get().cells);
    set({
      doc,
      spec,
      axes,
      cells: Array.from({ length: cellCount }, () => ({ status: "queued" as const })),
      running: true,
      picked: [],
    });
  },
  update(index, cell) {
    set((s) => {
      const old = s.cells[index];
      if (old?.image && old.image.url !== cell.image?.url) URL.revokeObjectURL(old.image.url);
      const cells = [...s.cells];
      cells[index] = cell;
      return { cells };
    });
  },
  finish() {
    set((s) => ({
      running: false,
      cells: s.cells.map((c) =>
        c.status === "queued" || c.status === "running" ? { status: "cancelled" as const } : c,
      ),
    }));
  },
  pick(index) {
    set((s) => {
      if (s.picked.includes(index)) return { picked: s.picked.filter((i) => i !== index) };
      return { picked: [...s.picked, index].slice(-2) };
    });
  },
  clearPicks() {
    set({ picked: [] });
  },
}));
