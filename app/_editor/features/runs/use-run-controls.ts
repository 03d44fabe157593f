import { useCallback } from "react";
import { newId, useEditor } from "../canvas/editor-store";
import { cancelRun, runWorkflow } from "../../shared/runtime-client";
import { useToasts } from "../../shared/toasts";
import { useRun } from "./run-store";

/** Run the editor's document in the worker (one run at a time) and cancel the current run. */
export function useRunControls(): { run(): Promise<void>; cancel(): void } {
  const toast = useToasts((s) => s.push);

  const run = useCallback(async () => {
    if (useRun.getState().running) return;
    const runId = newId("run");
    useRun.getState().begin(runId);
    try {
      await runWorkflow(
        useEditor.getState().document(),
        runId,
        (e) => void useRun.getState().apply(e),
      );
    } catch (err) {
      useRun.getState().fail((err as Error).message);
      toast(`Run failed: ${(err as Error).message}`, "error");
    }
  }, [toast]);

  const cancel = useCallback(() => {
    const id = useRun.getState().runId;
    if (id && useRun.getState().running) void cancelRun(id);
  }, []);

  return { run, cancel };
}
