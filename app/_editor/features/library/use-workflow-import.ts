import { useReactFlow } from "@xyflow/react";
import { useCallback, type RefObject } from "react";
import { parseCheckedWorkflow } from "@/nodes";
import type { WorkflowDocument } from "@/nodes/core/document";
import { uploadImage } from "../../shared/assets";
import { useToasts } from "../../shared/toasts";
import { useEditor } from "../canvas/editor-store";
import { writeDraft } from "./drafts";
import { readWorkflowFile } from "./import-document";

type Point = { x: number; y: number };

interface WorkflowImportOptions {
  /** The document with the current view, kept as a draft when an import replaces unsaved work. */
  currentDocument(): WorkflowDocument;
  /** Restores the imported document's view, or fits it. */
  showDocument(doc: WorkflowDocument): void;
  /** Where the pointer last was on the canvas: pasted images and nodes land there. */
  readonly cursor: RefObject<{ screen: Point; flow: Point }>;
}

/**
 * What arrives from outside the editor: a workflow file (JSON, or a PNG saved by the studio)
 * opened, dropped or pasted replaces the document; an image becomes or fills a Load Image node.
 */
export function useWorkflowImport({
  currentDocument,
  showDocument,
  cursor,
}: WorkflowImportOptions) {
  const flow = useReactFlow();
  const toast = useToasts((s) => s.push);

  const replaceDocument = useCallback(
    (doc: WorkflowDocument, source: string) => {
      const st = useEditor.getState();
      const dirty = st.revision !== st.savedRevision;
      const question = `Replace the current workflow with the one from ${source}? Unsaved changes are kept as a draft.`;
      if (dirty && !window.confirm(question)) return;
      if (dirty) writeDraft(st.workflowId, currentDocument());
      st.load(doc, null, { dirty: true });
      window.history.replaceState(null, "", "/");
      showDocument(doc);
      toast(`Opened "${doc.name}" from ${source} (not saved yet)`);
    },
    [toast, currentDocument, showDocument],
  );

  const openFile = useCallback(
    async (file: File) => {
      try {
        const doc = await readWorkflowFile(file);
        if (doc) replaceDocument(doc, file.name);
        else toast(`${file.name} holds no workflow`, "error");
      } catch (err) {
        toast(`Not opened: ${(err as Error).message}`, "error");
      }
    },
    [replaceDocument, toast],
  );

  /** An image file sets the selected Load Image node, or becomes a new one at `at`. */
  const addImage = useCallback(
    async (file: File, at: Point) => {
      try {
        const image = await uploadImage(file);
        const st = useEditor.getState();
        const selected = st.nodes.filter((n) => n.selected && n.data.nodeType === "load-image");
        if (selected.length === 1) st.setParam(selected[0].id, "image", image);
        else st.addNode("load-image", at, { image });
      } catch (err) {
        toast(`Image not loaded: ${(err as Error).message}`, "error");
      }
    },
    [toast],
  );

  const onPasteImage = useCallback(
    (file: File) => void addImage(file, cursor.current.flow),
    [addImage, cursor],
  );
  const onPasteText = useCallback(
    (text: string) => {
      if (useEditor.getState().paste(text, cursor.current.flow)) return;
      try {
        replaceDocument(parseCheckedWorkflow(JSON.parse(text)), "the clipboard");
      } catch (err) {
        toast(`Nothing to paste: ${(err as Error).message}`, "error");
      }
    },
    [replaceDocument, toast, cursor],
  );

  const onDrop = useCallback(
    async (e: React.DragEvent) => {
      e.preventDefault();
      const file = e.dataTransfer.files[0];
      if (!file) return;
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      try {
        const doc = await readWorkflowFile(file);
        if (doc) return replaceDocument(doc, file.name);
      } catch (err) {
        return toast(`Not opened: ${(err as Error).message}`, "error");
      }
      if (file.type.startsWith("image/")) await addImage(file, at);
      else toast(`"${file.name}" is neither an image nor a workflow`, "error");
    },
    [flow, replaceDocument, addImage, toast],
  );

  return { openFile, onDrop, onPasteImage, onPasteText };
}
