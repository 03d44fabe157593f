"use client";
import { getNodeDefinition } from "@/nodes";
import type { NodeMenuItem } from "../canvas/NodeContextMenu";
import { useEditor } from "../canvas/editor-store";
import { usePanels } from "../panels/panel-store";
import { useRun } from "../runs/run-store";
import { runSweepCells } from "./run-sweep-cells";
import { SweepDialog } from "./SweepDialog";
import { SweepGrid } from "./SweepGrid";
import { useSweep } from "./sweep-store";

/** "Sweep…" in a node's menu: offered on nodes with a number, choice or seed param. */
export function sweepMenuItem(nodeId: string): NodeMenuItem {
  const node = useEditor.getState().nodes.find((n) => n.id === nodeId);
  const def = node && getNodeDefinition(node.data.nodeType);
  const sweepable =
    def && Object.values(def.params).some((p) => ["number", "select", "seed"].includes(p.widget));
  return {
    id: "sweep",
    label: "Sweep…",
    unavailable: sweepable
      ? useSweep.getState().running
        ? "A sweep is running: cancel it first"
        : useRun.getState().running
          ? "A run is in progress: cancel it first"
          : undefined
      : "This node has no number, choice or seed param to sweep",
    onSelect: () => usePanels.getState().openPanel("sweep", nodeId),
  };
}

/** The experiment feature's dialogs, as the panel store opens them: the sweep and its grid. */
export function ExperimentPanels({ onError }: { onError(message: string): void }) {
  const open = usePanels((s) => s.open);
  const closePanel = usePanels((s) => s.closePanel);
  if (open?.name === "sweep") {
    return (
      <SweepDialog
        nodeId={open.nodeId}
        doc={useEditor.getState().document()}
        onClose={closePanel}
        onStart={(spec) => {
          const doc = useEditor.getState().document();
          usePanels.getState().openPanel("sweepGrid");
          runSweepCells(doc, spec).catch((err: Error) => onError(`Sweep failed: ${err.message}`));
        }}
      />
    );
  }
  if (open?.name === "sweepGrid") return <SweepGrid onClose={closePanel} onError={onError} />;
  return null;
}
