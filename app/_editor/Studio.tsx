"use client";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { emptyWorkflow, type WorkflowDocument } from "../../nodes/core/document";
import { getNodeDefinition, parseCheckedWorkflow } from "../../nodes";
import { ApiError, createWorkflow, fetchWorkflow, saveWorkflow } from "./api-client";
import { uploadImage } from "./assets";
import { DraftBanner } from "./DraftBanner";
import { clearDraft, readDraft, writeDraft, type Draft } from "./drafts";
import { newId, useEditor } from "./editor-store";
import { FlowView } from "./FlowView";
import { HelpPanel } from "./HelpPanel";
import { ModelsPanel } from "./ModelsPanel";
import { readWorkflowFile } from "./import-document";
import { Palette } from "./Palette";
import { compatiblePort, type DanglingWire } from "./palette-filter";
import { ResultsPanel } from "./ResultsPanel";
import { useRun } from "./run-store";
import { cancelRun, runtimeReady, runWorkflow, startRuntime } from "./runtime-client";
import type { CommandId } from "./shortcuts";
import { makeThumbnail } from "./thumbnail";
import { useToasts } from "./toasts";
import { Toasts } from "./Toasts";
import { Toolbar } from "./Toolbar";
import { useDraftAutosave } from "./use-draft-autosave";
import { useEditorKeys } from "./use-editor-keys";

interface PaletteState {
  readonly screen: { x: number; y: number };
  readonly flow: { x: number; y: number };
  readonly wire?: DanglingWire;
}

function sameDocument(a: WorkflowDocument, b: WorkflowDocument): boolean {
  return (
    JSON.stringify({ ...a, viewport: undefined }) === JSON.stringify({ ...b, viewport: undefined })
  );
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The editor: loading and saving, running, the palette, and what arrives by drop or paste. */
function Canvas({ workflowId }: { workflowId: string | null }) {
  const flow = useReactFlow();
  const isEmpty = useEditor((s) => s.nodes.length === 0);
  const toast = useToasts((s) => s.push);
  const [palette, setPalette] = useState<PaletteState | null>(null);
  const [help, setHelp] = useState(false);
  const [modelsOpen, setModelsOpen] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [saving, setSaving] = useState(false);
  const cursor = useRef({ screen: { x: 200, y: 200 }, flow: { x: 0, y: 0 } });
  const closeModels = useCallback(() => setModelsOpen(false), []);

  /** The document with the current view, which is saved with it (layout, never a cache key). */
  const currentDocument = useCallback(
    (): WorkflowDocument => ({ ...useEditor.getState().document(), viewport: flow.getViewport() }),
    [flow],
  );

  /** Restores the saved view, or fits the graph. */
  const showDocument = useCallback(
    (doc: WorkflowDocument) => {
      requestAnimationFrame(() => {
        if (doc.viewport) void flow.setViewport(doc.viewport);
        // Fitting an empty canvas would be deferred by React Flow until the first node appears,
        // and then yank that node to the centre.
        else if (doc.nodes.length) void flow.fitView({ padding: 0.2, maxZoom: 1 });
      });
    },
    [flow],
  );

  // Open the workflow (or a fresh one) and offer back an unsaved draft.
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      let doc = emptyWorkflow();
      if (workflowId) {
        try {
          doc = (await fetchWorkflow(workflowId)).document;
        } catch (err) {
          if (cancelled) return;
          setLoadError(
            err instanceof ApiError && err.status === 404
              ? "This workflow does not exist (it may have been deleted)."
              : `Could not open the workflow: ${(err as Error).message}`,
          );
          return;
        }
      }
      if (cancelled) return;
      useEditor.getState().load(doc, workflowId);
      const found = readDraft(workflowId);
      if (found && !sameDocument(found.document, doc)) setDraft(found);
      setLoaded(true);
      showDocument(doc);
    })();
    // The adapter is known at once; the onnxruntime self-test follows and refines the badge.
    const failed = (err: Error) =>
      toast(`The runtime worker did not start: ${err.message}`, "error");
    startRuntime().then((b) => useRun.getState().setBackend(b), failed);
    runtimeReady().then((b) => useRun.getState().setBackend(b), failed);
    return () => {
      cancelled = true;
    };
  }, [workflowId, toast, showDocument]);

  useDraftAutosave(currentDocument);

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

  const save = useCallback(async () => {
    const st = useEditor.getState();
    const doc = currentDocument();
    const revision = st.revision;
    setSaving(true);
    try {
      // The library thumbnail is the last image shown on the canvas, if any.
      const outputs = useRun.getState().outputs;
      const shown = st.nodes.flatMap((n) => outputs[n.id]?.images ?? []);
      const thumbnail = shown.length
        ? await makeThumbnail(shown[shown.length - 1].url).catch(() => undefined)
        : undefined;
      const saved = st.workflowId
        ? await saveWorkflow(st.workflowId, doc, thumbnail)
        : await createWorkflow(doc, thumbnail);
      if (!st.workflowId) {
        clearDraft(null);
        window.history.replaceState(null, "", `/w/${saved.id}`);
      }
      clearDraft(saved.id);
      useEditor.setState({ workflowId: saved.id, savedRevision: revision });
      toast(`Saved "${saved.name}" (version ${saved.latestVersion})`);
    } catch (err) {
      toast(`Not saved: ${(err as Error).message}`, "error");
    } finally {
      setSaving(false);
    }
  }, [toast, currentDocument]);

  const openPalette = useCallback(
    (screen: { x: number; y: number }, wire?: DanglingWire) => {
      setPalette({ screen, flow: flow.screenToFlowPosition(screen), wire });
    },
    [flow],
  );

  const addFromPalette = useCallback(
    (type: string) => {
      if (!palette) return;
      const st = useEditor.getState();
      const id = st.addNode(type, palette.flow);
      const { wire } = palette;
      const def = getNodeDefinition(type);
      const port = wire && def ? compatiblePort(def, wire) : undefined;
      if (wire && port) {
        const reason =
          wire.from === "source"
            ? st.connect({
                source: wire.nodeId,
                sourceHandle: wire.handleId,
                target: id,
                targetHandle: port,
              })
            : st.connect({
                source: id,
                sourceHandle: port,
                target: wire.nodeId,
                targetHandle: wire.handleId,
              });
        if (reason) toast(reason, "error");
      }
      setPalette(null);
    },
    [palette, toast],
  );

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
    async (file: File, at: { x: number; y: number }) => {
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

  const dispatch = useCallback(
    (command: CommandId) => {
      const st = useEditor.getState();
      switch (command) {
        case "undo":
          return st.undo();
        case "redo":
          return st.redo();
        case "delete":
          return st.deleteSelection();
        case "duplicate":
          return st.duplicateSelection();
        case "selectAll":
          return st.selectAll();
        case "run":
          return void run();
        case "cancel":
          return cancel();
        case "save":
          return void save();
        case "palette":
          return openPalette(cursor.current.screen);
        case "note":
          return void st.addNode("note", cursor.current.flow);
        case "help":
          return setHelp((h) => !h);
        case "copy":
        case "paste":
          return; // carried by the native clipboard events (useEditorKeys)
      }
    },
    [run, cancel, save, openPalette],
  );

  const onPasteImage = useCallback(
    (file: File) => void addImage(file, cursor.current.flow),
    [addImage],
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
    [replaceDocument, toast],
  );
  useEditorKeys({
    paused: palette !== null || help || modelsOpen,
    dispatch,
    onPasteImage,
    onPasteText,
  });

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

  const exportJson = useCallback(() => {
    const doc = currentDocument();
    download(
      `${doc.name.replace(/[^\w.-]+/g, "_")}.json`,
      new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }),
    );
  }, [currentDocument]);

  if (loadError) {
    return (
      <div className="load-error" role="alert">
        <p>{loadError}</p>
        <Link href="/library">Open the library</Link> · <Link href="/">Start a new workflow</Link>
      </div>
    );
  }

  return (
    <div className="studio">
      <Toolbar
        saving={saving}
        onSave={() => void save()}
        onAddNode={() => openPalette({ x: 80, y: 64 })}
        onRun={() => void run()}
        onCancel={cancel}
        onExport={exportJson}
        onImport={(file) => void openFile(file)}
        onHelp={() => setHelp(true)}
        onModels={() => setModelsOpen(true)}
      />
      {draft && <DraftBanner draft={draft} workflowId={workflowId} onDone={() => setDraft(null)} />}
      <main className="workspace">
        <div
          className="canvas"
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => void onDrop(e)}
          onMouseMove={(e) => {
            const screen = { x: e.clientX, y: e.clientY };
            cursor.current = { screen, flow: flow.screenToFlowPosition(screen) };
          }}
          onDoubleClick={(e) => {
            if ((e.target as Element).classList.contains("react-flow__pane"))
              openPalette({ x: e.clientX, y: e.clientY });
          }}
        >
          <FlowView onWireDropped={openPalette} />
          {loaded && isEmpty && (
            <div className="empty-hint">
              Double-click the canvas or press <kbd>Ctrl+K</kbd> to add a node — or open an example
              from the <Link href="/library">library</Link>.
            </div>
          )}
        </div>
        <ResultsPanel />
      </main>
      {palette && (
        <Palette
          screen={palette.screen}
          wire={palette.wire}
          onPick={addFromPalette}
          onClose={() => setPalette(null)}
        />
      )}
      {help && <HelpPanel onClose={() => setHelp(false)} />}
      {modelsOpen && <ModelsPanel onClose={closeModels} />}
      <Toasts />
    </div>
  );
}

export function Studio({ workflowId }: { workflowId: string | null }) {
  return (
    <ReactFlowProvider>
      <Canvas workflowId={workflowId} />
    </ReactFlowProvider>
  );
}
