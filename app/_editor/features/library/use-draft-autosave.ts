import { useEffect } from "react";
import type { WorkflowDocument } from "@/nodes/core/document";
import { writeDraft } from "./drafts";
import { useEditor } from "../canvas/editor-store";

const DRAFT_DELAY_MS = 400;

/**
 * Keeps a local draft of unsaved edits (debounced after each recorded edit, and on leaving) and
 * asks the browser to warn before the tab closes with unsaved changes.
 */
export function useDraftAutosave(currentDocument: () => WorkflowDocument): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = useEditor.subscribe((s, prev) => {
      if (s.revision === prev.revision) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const st = useEditor.getState();
        if (st.revision !== st.savedRevision) writeDraft(st.workflowId, currentDocument());
      }, DRAFT_DELAY_MS);
    });
    const beforeUnload = (e: BeforeUnloadEvent) => {
      const st = useEditor.getState();
      if (st.revision !== st.savedRevision) {
        writeDraft(st.workflowId, currentDocument());
        e.preventDefault();
      }
    };
    window.addEventListener("beforeunload", beforeUnload);
    return () => {
      unsubscribe();
      clearTimeout(timer);
      window.removeEventListener("beforeunload", beforeUnload);
    };
  }, [currentDocument]);
}
