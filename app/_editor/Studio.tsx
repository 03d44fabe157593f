"use client";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  type Connection,
  type FinalConnectionState,
  type IsValidConnection,
  type NodeTypes,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { validateConnection } from "../../nodes/core/connection";
import { emptyWorkflow, type WorkflowDocument } from "../../nodes/core/document";
import { getNodeDefinition } from "../../nodes";
import { ApiError, createWorkflow, fetchWorkflow, saveWorkflow } from "./api-client";
import { uploadImage } from "./assets";
import { clearDraft, readDraft, writeDraft, type Draft } from "./drafts";
import { newId, useEditor } from "./editor-store";
import { fromFlowEdge, type StudioNode } from "./flow-mapping";
import { HelpPanel } from "./HelpPanel";
import { checkImportedDocument, readWorkflowFile } from "./import-document";
import { Palette } from "./Palette";
import { compatiblePort, type DanglingWire } from "./palette-filter";
import { ResultsPanel } from "./ResultsPanel";
import { useRun } from "./run-store";
import { cancelRun, runWorkflow, startRuntime } from "./runtime-client";
import { findShortcut, type CommandId } from "./shortcuts";
import { StudioNodeView } from "./StudioNodeView";
import { makeThumbnail } from "./thumbnail";
import { useToasts } from "./toasts";
import { Toasts } from "./Toasts";

const NODE_TYPES: NodeTypes = { studio: StudioNodeView };
const DRAFT_DELAY_MS = 400;
/**
 * Below this zoom, widgets and port labels are too small to read, and painting their text is
 * what slows dragging in large graphs; nodes then show only title, status, ports and outputs.
 */
const LOW_DETAIL_ZOOM = 0.5;

interface PaletteState {
  readonly screen: { x: number; y: number };
  readonly flow: { x: number; y: number };
  readonly wire?: DanglingWire;
}

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === "INPUT" ||
      el.tagName === "TEXTAREA" ||
      el.tagName === "SELECT" ||
      el.isContentEditable)
  );
}

function sameDocument(a: WorkflowDocument, b: WorkflowDocument): boolean {
  return (
    JSON.stringify({ ...a, viewport: undefined }) === JSON.stringify({ ...b, viewport: undefined })
  );
}

/**
 * The React Flow view alone subscribes to nodes and edges, so a drag re-renders it and the moved
 * node — not the toolbar, panels and handlers around it.
 */
function FlowView(props: {
  onConnect(c: Connection): void;
  onConnectEnd(event: MouseEvent | TouchEvent, state: FinalConnectionState): void;
  isValidConnection: IsValidConnection;
}) {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const lowDetail = useStore((s) => s.transform[2] < LOW_DETAIL_ZOOM);
  return (
    <ReactFlow<StudioNode>
      className={lowDetail ? "low-detail" : undefined}
      nodes={nodes}
      edges={edges}
      nodeTypes={NODE_TYPES}
      onNodesChange={useEditor.getState().onNodesChange}
      onEdgesChange={useEditor.getState().onEdgesChange}
      onConnect={props.onConnect}
      onConnectEnd={props.onConnectEnd}
      isValidConnection={props.isValidConnection}
      deleteKeyCode={null}
      selectionKeyCode="Shift"
      multiSelectionKeyCode={["Meta", "Control"]}
      zoomOnDoubleClick={false}
      minZoom={0.1}
      proOptions={{ hideAttribution: true }}
    >
      <Background gap={24} />
      <MiniMap pannable zoomable nodeColor="#3a4152" maskColor="rgb(22 24 29 / 70%)" />
      <Controls />
    </ReactFlow>
  );
}

function Canvas({ workflowId }: { workflowId: string | null }) {
  const flow = useReactFlow();
  const isEmpty = useEditor((s) => s.nodes.length === 0);
  const name = useEditor((s) => s.name);
  const dirty = useEditor((s) => s.revision !== s.savedRevision);
  const running = useRun((s) => s.running);
  const backend = useRun((s) => s.backend);
  const toast = useToasts((s) => s.push);
  const [palette, setPalette] = useState<PaletteState | null>(null);
  const [help, setHelp] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [saving, setSaving] = useState(false);
  const cursor = useRef({ screen: { x: 200, y: 200 }, flow: { x: 0, y: 0 } });

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
          if (!cancelled)
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
    startRuntime().then(
      (b) => useRun.getState().setBackend(b),
      (err: Error) => toast(`The runtime worker did not start: ${err.message}`, "error"),
    );
    return () => {
      cancelled = true;
    };
  }, [workflowId, flow, toast, showDocument]);

  // Keep a local draft of unsaved edits; warn before leaving with unsaved changes.
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
      const wire = palette.wire;
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
      if (
        st.revision !== st.savedRevision &&
        !window.confirm(
          `Replace the current workflow with the one from ${source}? Unsaved changes are kept as a draft.`,
        )
      )
        return;
      if (st.revision !== st.savedRevision) writeDraft(st.workflowId, currentDocument());
      st.load(doc, null, { dirty: true });
      window.history.replaceState(null, "", "/");
      showDocument(doc);
      toast(`Opened "${doc.name}" from ${source} (not saved yet)`);
    },
    [toast, currentDocument, showDocument],
  );

  const addImageNode = useCallback(
    async (file: File, at: { x: number; y: number }) => {
      try {
        const image = await uploadImage(file);
        const selected = useEditor
          .getState()
          .nodes.filter((n) => n.selected && n.data.nodeType === "load-image");
        if (selected.length === 1) useEditor.getState().setParam(selected[0].id, "image", image);
        else useEditor.getState().addNode("load-image", at, { image });
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
          return; // native copy/paste events carry the system clipboard (below)
      }
    },
    [run, cancel, save, openPalette],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const shortcut = findShortcut(e, isTyping(e.target));
      if (!shortcut || shortcut.command === "copy" || shortcut.command === "paste") return;
      if (palette || help) return;
      e.preventDefault();
      dispatch(shortcut.command);
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isTyping(e.target)) return;
      const text = useEditor.getState().copySelection();
      if (!text || !e.clipboardData) return;
      e.clipboardData.setData("text/plain", text);
      e.preventDefault();
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isTyping(e.target) || !e.clipboardData) return;
      const file = [...e.clipboardData.files].find((f) => f.type.startsWith("image/"));
      if (file) {
        e.preventDefault();
        void addImageNode(file, cursor.current.flow);
        return;
      }
      const text = e.clipboardData.getData("text/plain");
      if (!text) return;
      e.preventDefault();
      if (useEditor.getState().paste(text, cursor.current.flow)) return;
      try {
        replaceDocument(checkImportedDocument(JSON.parse(text)), "the clipboard");
      } catch (err) {
        toast(`Nothing to paste: ${(err as Error).message}`, "error");
      }
    };
    window.addEventListener("keydown", onKey);
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      window.removeEventListener("keydown", onKey);
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [dispatch, palette, help, addImageNode, replaceDocument, toast]);

  const isValidConnection: IsValidConnection = useCallback((c) => {
    if (!c.sourceHandle || !c.targetHandle) return false;
    const st = useEditor.getState();
    return validateConnection(
      {
        source: c.source,
        sourceHandle: c.sourceHandle,
        target: c.target,
        targetHandle: c.targetHandle,
      },
      st.nodes.map((n) => ({ id: n.id, type: n.data.nodeType })),
      st.edges.map(fromFlowEdge),
      getNodeDefinition,
    ).ok;
  }, []);

  const onConnect = useCallback(
    (c: Connection) => {
      const reason = useEditor.getState().connect(c);
      if (reason) toast(`Wire refused: ${reason}`, "error");
    },
    [toast],
  );

  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || state.toNode || !state.fromHandle?.id || !state.fromNode) return;
      const fromNode = useEditor.getState().nodes.find((n) => n.id === state.fromNode!.id);
      if (!fromNode) return;
      const def = getNodeDefinition(fromNode.data.nodeType);
      const kind = state.fromHandle.type;
      const spec =
        kind === "source" ? def?.outputs[state.fromHandle.id] : def?.inputs[state.fromHandle.id];
      if (!spec) return;
      const point = "changedTouches" in event ? event.changedTouches[0] : event;
      openPalette(
        { x: point.clientX, y: point.clientY },
        { nodeId: fromNode.id, handleId: state.fromHandle.id, from: kind, portType: spec.type },
      );
    },
    [openPalette],
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
      if (file.type.startsWith("image/")) await addImageNode(file, at);
      else toast(`"${file.name}" is neither an image nor a workflow`, "error");
    },
    [flow, replaceDocument, addImageNode, toast],
  );

  const exportJson = useCallback(() => {
    const doc = useEditor.getState().document();
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }),
    );
    const a = document.createElement("a");
    a.href = url;
    a.download = `${doc.name.replace(/[^\w.-]+/g, "_")}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }, []);

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
      <header className="toolbar">
        <Link href="/library" className="brand" title="Workflow library">
          Leffa Studio
        </Link>
        <input
          className="name"
          aria-label="workflow name"
          value={name}
          onChange={(e) => useEditor.getState().setName(e.target.value)}
        />
        <span className={`save-state ${dirty ? "dirty" : "clean"}`} data-testid="save-state">
          {dirty ? "unsaved changes" : "saved"}
        </span>
        <button type="button" onClick={() => void save()} disabled={saving} title="Save (Ctrl+S)">
          {saving ? "Saving…" : "Save"}
        </button>
        <button
          type="button"
          onClick={() => openPalette({ x: 80, y: 64 })}
          title="Add a node (Ctrl+K)"
        >
          + Add node
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => void run()}
          disabled={running}
          title="Run (Ctrl+Enter)"
        >
          {running ? "Running…" : "▶ Run"}
        </button>
        <button type="button" onClick={cancel} disabled={!running} title="Cancel (Ctrl+.)">
          Cancel
        </button>
        <button type="button" onClick={exportJson} title="Download the workflow as JSON">
          Export
        </button>
        <label className="button" title="Open a workflow JSON or a PNG saved by the studio">
          Import
          <input
            type="file"
            hidden
            accept="application/json,.json,image/png"
            aria-label="import workflow file"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              e.target.value = "";
              if (!file) return;
              try {
                const doc = await readWorkflowFile(file);
                if (doc) replaceDocument(doc, file.name);
                else toast(`${file.name} holds no workflow`, "error");
              } catch (err) {
                toast(`Not opened: ${(err as Error).message}`, "error");
              }
            }}
          />
        </label>
        <span className="spacer" />
        <span
          className={`backend backend-${backend?.name ?? "starting"}`}
          data-testid="backend"
          title={backend?.detail}
        >
          {backend ? `${backend.name.toUpperCase()} · ${backend.detail}` : "starting runtime…"}
        </span>
        <button
          type="button"
          onClick={() => setHelp(true)}
          title="Keyboard shortcuts (?)"
          aria-label="help"
        >
          ?
        </button>
      </header>
      {draft && (
        <div className="draft-banner" role="status">
          Unsaved changes from {new Date(draft.savedAt).toLocaleString()} were found.
          <button
            type="button"
            onClick={() => {
              useEditor.getState().load(draft.document, workflowId, { dirty: true });
              setDraft(null);
            }}
          >
            Restore draft
          </button>
          <button
            type="button"
            onClick={() => {
              clearDraft(workflowId);
              setDraft(null);
            }}
          >
            Discard
          </button>
        </div>
      )}
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
          <FlowView
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
          />
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
