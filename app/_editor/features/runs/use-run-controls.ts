import { useCallback } from "react";
import { lookupNode, newId, useEditor } from "../canvas/editor-store";
import { runIdPrefix } from "../subgraphs/run-summary";
import { cancelRun, runWorkflow } from "../../shared/runtime-client";
import { useToasts } from "../../shared/toasts";
import { cancelActiveServerRun } from "../server-runs/server-run-store";
import { useRun, type RunTarget } from "./run-store";

export interface RunControls {
  /** Runs the whole workflow. */
  run(): Promise<void>;
  /** "Run to here": runs one node and what it needs; every other node keeps its results. */
  runTo(nodeId: string): Promise<void>;
  cancel(): void;
}

/** The node "run to here" would run from the selection: exactly one executable node, or why not. */
export function runToSelection(): { nodeId: string } | { reason: string } {
  const selected = useEditor.getState().nodes.filter((n) => n.selected);
  if (selected.length !== 1) return { reason: "Select one node to run to" };
  const def = lookupNode(selected[0].data.nodeType);
  if (def?.executable === false) return { reason: `A ${def.title.toLowerCase()} does not run` };
  return { nodeId: selected[0].id };
}

/** Run the editor's document in the worker (one run at a time) and cancel the current run. */
export function useRunControls(): RunControls {
  const toast = useToasts((s) => s.push);

  const start = useCallback(
    async (target?: RunTarget) => {
      if (useRun.getState().running) return;
      const runId = newId("run");
      useRun.getState().begin(runId, target);
      try {
        await runWorkflow(
          useEditor.getState().document(),
          runId,
          (e) => void useRun.getState().apply(e),
          target ? [target.nodeId] : undefined,
        );
      } catch (err) {
        useRun.getState().fail((err as Error).message);
        toast(`Run failed: ${(err as Error).message}`, "error");
      }
    },
    [toast],
  );

  const run = useCallback(() => start(), [start]);

  const runTo = useCallback(
    (nodeId: string) => {
      const node = useEditor.getState().nodes.find((n) => n.id === nodeId);
      const title = (node && lookupNode(node.data.nodeType)?.title) ?? nodeId;
      // Inside an opened subgraph the node runs under its flattened id (nodes/core/flatten.ts).
      return start({ nodeId: runIdPrefix(useEditor.getState().scope) + nodeId, title });
    },
    [start],
  );

  const cancel = useCallback(() => {
    // A run on the server is cancelled there (DELETE /api/runs/:id), not in this tab's worker.
    if (cancelActiveServerRun((message) => toast(message, "error"))) return;
    const id = useRun.getState().runId;
    if (id && useRun.getState().running) void cancelRun(id);
  }, [toast]);

  return { run, runTo, cancel };
}
