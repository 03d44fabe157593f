"use client";
import { clearDraft, type Draft } from "./drafts";
import { useEditor } from "../canvas/editor-store";

/** Offers back the unsaved edits found for this workflow after a reload or a crash. */
export function DraftBanner({
  draft,
  workflowId,
  onDone,
}: {
  draft: Draft;
  workflowId: string | null;
  onDone(): void;
}) {
  return (
    <div className="draft-banner" role="status">
      Unsaved changes from {new Date(draft.savedAt).toLocaleString()} were found.
      <button
        type="button"
        onClick={() => {
          useEditor.getState().load(draft.document, workflowId, { dirty: true });
          onDone();
        }}
      >
        Restore draft
      </button>
      <button
        type="button"
        onClick={() => {
          clearDraft(workflowId);
          onDone();
        }}
      >
        Discard
      </button>
    </div>
  );
}
