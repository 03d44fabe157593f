"use client";
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { emptyWorkflow, type WorkflowDocument } from "@/nodes/core/document";
import { getNodeDefinition } from "@/nodes";
import { Toasts } from "../shared/Toasts";
import {
  ApiError,
  createWorkflow,
  fetchWorkflow,
  markOpened,
  SaveConflictError,
  saveWorkflow,
  copyFromTemplate,
  type SavedWorkflow,
  type ShareState,
} from "../shared/api-client";
import styles from "../shared/panels.module.css";
import { runtimeReady, startRuntime } from "../shared/runtime-client";
import { useToasts } from "../shared/toasts";
import { FlowView } from "../features/canvas/FlowView";
import type { NodeMenuItem } from "../features/canvas/NodeContextMenu";
import { nodeModeMenuItems } from "../features/canvas/node-mode-menu";
import { ExperimentPanels, sweepMenuItem } from "../features/experiment/ExperimentPanels";
import { useEditor } from "../features/canvas/editor-store";
import { HistoryPanel } from "../features/history/HistoryPanel";
import { ConflictDialog, type ConflictChoice } from "../features/library/ConflictDialog";
import { DraftBanner } from "../features/library/DraftBanner";
import { clearDraft, readDraft, writeDraft, type Draft } from "../features/library/drafts";
import { downloadWorkflowJson } from "../features/library/export-json";
import { graphThumbnail, makeThumbnail } from "../features/library/thumbnail";
import { useDraftAutosave } from "../features/library/use-draft-autosave";
import { useWorkflowImport } from "../features/library/use-workflow-import";
import { ModelsPanel } from "../features/models/ModelsPanel";
import { WorkflowModelsBanner } from "../features/models/WorkflowModelsBanner";
import { Palette } from "../features/palette/Palette";
import { compatiblePort, type DanglingWire } from "../features/palette/palette-filter";
import { paletteAnchor, usePanels } from "../features/panels/panel-store";
import { ComponentsPanel } from "../features/subgraphs/ComponentsPanel";
import { MakeSubgraphDialog } from "../features/subgraphs/MakeSubgraphDialog";
import { SubgraphBreadcrumb } from "../features/subgraphs/SubgraphBreadcrumb";
import { subgraphMenuItems } from "../features/subgraphs/subgraph-menu";
import { ResultsPanel } from "../features/runs/ResultsPanel";
import { useRun } from "../features/runs/run-store";
import { runToSelection, useRunControls } from "../features/runs/use-run-controls";
import { SharePanel } from "../features/sharing/SharePanel";
import { HelpPanel } from "../features/shortcuts/HelpPanel";
import { keysLabel, type CommandId } from "../features/shortcuts/shortcuts";
import { useEditorKeys } from "../features/shortcuts/use-editor-keys";
import { Toolbar } from "./Toolbar";

function sameDocument(a: WorkflowDocument, b: WorkflowDocument): boolean {
  return (
    JSON.stringify({ ...a, viewport: undefined }) === JSON.stringify({ ...b, viewport: undefined })
  );
}

const panels = () => usePanels.getState();

function copyOf(name: string): string {
  return `${name.slice(0, 193).trimEnd()} (copy)`;
}

/** The editor: loading and saving, the palette and the dialogs; running and imports are hooks. */
function Canvas({ workflowId }: { workflowId: string | null }) {
  const flow = useReactFlow();
  const isEmpty = useEditor((s) => s.nodes.length === 0);
  // The id changes without a remount when a new workflow is first saved.
  const workflowIdNow = useEditor((s) => s.workflowId);
  const toast = useToasts((s) => s.push);
  // Which dialog is open lives in the panel store; the toolbar and the shortcuts open them there.
  const open = usePanels((s) => s.open);
  const palette = usePanels(paletteAnchor);
  const conflict = usePanels((s) => s.conflict);
  const closePanel = usePanels((s) => s.closePanel);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [saving, setSaving] = useState(false);
  /** Sharing state and whether the opened workflow is a read-only template. */
  const [share, setShare] = useState<ShareState>({
    visibility: "private",
    shareToken: null,
    sharePath: null,
  });
  const [isTemplate, setIsTemplate] = useState(false);
  const [hasThumbnail, setHasThumbnail] = useState(false);
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
      let baseVersion: number | null = null;
      if (workflowId) {
        try {
          const saved = await fetchWorkflow(workflowId);
          doc = saved.document;
          baseVersion = saved.latestVersion;
          setIsTemplate(saved.isTemplate);
          setHasThumbnail(saved.hasThumbnail);
          setShare({
            visibility: saved.visibility,
            shareToken: saved.shareToken,
            sharePath: saved.shareToken ? `/s/${saved.shareToken}` : null,
          });
          // Only the "recently opened" order depends on this; a failure is not worth a toast.
          markOpened(workflowId).catch(() => undefined);
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
      useEditor.getState().load(doc, workflowId, { baseVersion });
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

  // The store outlives the studio: leave no dialog behind to reappear on the next visit.
  useEffect(() => () => panels().closeAll(), []);

  useDraftAutosave(currentDocument);
  const { run, runTo, cancel } = useRunControls();

  /** Run to here from the keyboard or the toolbar: the one selected node. */
  const runToSelected = useCallback(() => {
    const pick = runToSelection();
    if ("reason" in pick) toast(pick.reason, "error");
    else void runTo(pick.nodeId);
  }, [runTo, toast]);

  const nodeMenu = useCallback(
    (nodeId: string): NodeMenuItem[] => {
      const node = useEditor.getState().nodes.find((n) => n.id === nodeId);
      const def = node && getNodeDefinition(node.data.nodeType);
      return [
        {
          id: "run-to-here",
          label: "Run to here",
          keys: keysLabel("runToHere"),
          unavailable:
            def?.executable === false
              ? `A ${def.title.toLowerCase()} does not run`
              : useRun.getState().running
                ? "A run is in progress: cancel it first"
                : undefined,
          onSelect: () => void runTo(nodeId),
        },
        ...nodeModeMenuItems(nodeId, (reason) => toast(reason, "error")),
        sweepMenuItem(nodeId),
        ...subgraphMenuItems(nodeId, toast),
      ];
    },
    [runTo, toast],
  );
  const { openFile, onDrop, onPasteImage, onPasteText } = useWorkflowImport({
    currentDocument,
    showDocument,
    cursor,
  });

  /** Bookkeeping after any successful save: URL, drafts, the version edits now build on. */
  const saved = useCallback(
    (result: SavedWorkflow, previousId: string | null, revision: number) => {
      setHasThumbnail(result.hasThumbnail);
      if (previousId !== result.id) {
        clearDraft(previousId);
        window.history.replaceState(null, "", `/w/${result.id}`);
        setIsTemplate(result.isTemplate);
        setShare({ visibility: result.visibility, shareToken: result.shareToken, sharePath: null });
      }
      clearDraft(result.id);
      useEditor.getState().markSaved(result.id, result.latestVersion, revision);
      toast(`Saved "${result.name}" (version ${result.latestVersion})`);
    },
    [toast],
  );

  /** Saves a new version (with an optional message); false when it did not save. */
  const save = useCallback(
    async (message?: string): Promise<boolean> => {
      const st = useEditor.getState();
      const doc = currentDocument();
      const revision = st.revision;
      setSaving(true);
      let thumbnail: string | undefined;
      try {
        // The library thumbnail is the last image shown on the canvas; before the workflow has
        // produced one, a drawing of the graph (kept once an image replaces it).
        const outputs = useRun.getState().outputs;
        const shown = st.nodes.flatMap((n) => outputs[n.id]?.images ?? []);
        thumbnail = shown.length
          ? await makeThumbnail(shown[shown.length - 1].url).catch(() => undefined)
          : !st.workflowId || !hasThumbnail
            ? await graphThumbnail(doc).catch(() => undefined)
            : undefined;
        // A template is never changed in place: saving one makes the person's own copy.
        const result =
          st.workflowId && !isTemplate
            ? await saveWorkflow(st.workflowId, doc, {
                thumbnail,
                baseVersion: st.baseVersion ?? undefined,
                message,
              })
            : await createWorkflow(doc, thumbnail);
        saved(result, st.workflowId, revision);
        if (isTemplate) toast("Templates are read-only: this is now your own copy.");
        return true;
      } catch (err) {
        if (err instanceof SaveConflictError) {
          panels().raiseConflict({ info: err.conflict, document: doc, thumbnail, revision });
        } else {
          toast(`Not saved: ${(err as Error).message}`, "error");
        }
        return false;
      } finally {
        setSaving(false);
      }
    },
    [toast, currentDocument, saved, isTemplate, hasThumbnail],
  );

  /** The person's answer to a refused save; never drops either version. */
  const resolveConflict = useCallback(
    async (choice: ConflictChoice) => {
      const pending = panels().conflict;
      const id = useEditor.getState().workflowId;
      if (!pending || !id) return panels().settleConflict();
      if (choice === "cancel") return panels().settleConflict();
      setSaving(true);
      try {
        if (choice === "overwrite") {
          const result = await saveWorkflow(id, pending.document, {
            thumbnail: pending.thumbnail,
            baseVersion: pending.info.currentVersion,
          });
          saved(result, id, pending.revision);
        } else if (choice === "copy") {
          const doc = { ...pending.document, name: copyOf(pending.document.name) };
          const result = await createWorkflow(doc, pending.thumbnail);
          useEditor.getState().setName(doc.name);
          saved(result, id, useEditor.getState().revision);
        } else {
          writeDraft(id, currentDocument());
          const latest = await fetchWorkflow(id);
          useEditor.getState().load(latest.document, id, { baseVersion: latest.latestVersion });
          showDocument(latest.document);
          toast(
            `Reloaded version ${latest.latestVersion}; your edits are kept as a draft (reopen to restore them).`,
          );
        }
        panels().settleConflict();
      } catch (err) {
        if (err instanceof SaveConflictError) {
          // Yet another save landed meanwhile: ask again with the newer version.
          panels().raiseConflict({ ...pending, info: err.conflict });
        } else {
          toast(`Not saved: ${(err as Error).message}`, "error");
        }
      } finally {
        setSaving(false);
      }
    },
    [saved, currentDocument, showDocument, toast],
  );

  const restored = useCallback(
    (result: SavedWorkflow, fromVersion: number) => {
      const st = useEditor.getState();
      if (st.revision !== st.savedRevision) writeDraft(result.id, currentDocument());
      st.load(result.document, result.id, { baseVersion: result.latestVersion });
      showDocument(result.document);
      panels().closePanel();
      toast(`Restored version ${fromVersion} as version ${result.latestVersion}`);
    },
    [currentDocument, showDocument, toast],
  );

  const copyTemplate = useCallback(async () => {
    const id = useEditor.getState().workflowId;
    if (!id) return;
    try {
      const copy = await copyFromTemplate(id);
      window.location.assign(`/w/${copy.id}`);
    } catch (err) {
      toast(`Template not copied: ${(err as Error).message}`, "error");
    }
  }, [toast]);

  const openPalette = useCallback(
    (screen: { x: number; y: number }, wire?: DanglingWire) => {
      panels().openPanel("palette", { screen, flow: flow.screenToFlowPosition(screen), wire });
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
      panels().closePanel();
    },
    [palette, toast],
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
        case "runToHere":
          return runToSelected();
        case "bypass":
        case "mute": {
          const reason = st.toggleMode(command);
          return reason ? toast(reason, "error") : undefined;
        }
        case "makeSubgraph":
          return useEditor.getState().nodes.some((n) => n.selected)
            ? panels().openPanel("makeSubgraph")
            : toast("Select the nodes to make a subgraph of first", "error");
        case "cancel":
          return cancel();
        case "save":
          return void save();
        case "palette":
          return openPalette(cursor.current.screen);
        case "note":
          return void st.addNode("note", cursor.current.flow);
        case "help":
          return panels().togglePanel("help");
        case "copy":
        case "paste":
          return; // carried by the native clipboard events (useEditorKeys)
      }
    },
    [run, runToSelected, cancel, save, openPalette, toast],
  );

  useEditorKeys({
    dispatch,
    onPasteImage,
    onPasteText,
  });

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
        onSave={() => save()}
        onAddNode={() => openPalette({ x: 80, y: 64 })}
        onRun={() => void run()}
        onRunToHere={runToSelected}
        onCancel={cancel}
        onExport={() => downloadWorkflowJson(currentDocument())}
        onImport={(file) => void openFile(file)}
        isTemplate={isTemplate}
      />
      {isTemplate && (
        <div className={styles.banner} role="status" data-testid="template-banner">
          This is a read-only template: saving makes your own copy.
          <button type="button" className="primary" onClick={() => void copyTemplate()}>
            Use template
          </button>
        </div>
      )}
      {draft && <DraftBanner draft={draft} workflowId={workflowId} onDone={() => setDraft(null)} />}
      <WorkflowModelsBanner className={styles.banner} />
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
          <SubgraphBreadcrumb />
          <FlowView onWireDropped={openPalette} nodeMenu={nodeMenu} />
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
          onClose={closePanel}
        />
      )}
      {open?.name === "help" && <HelpPanel onClose={closePanel} />}
      {open?.name === "makeSubgraph" && <MakeSubgraphDialog onClose={closePanel} />}
      {open?.name === "components" && (
        <ComponentsPanel
          at={() =>
            flow.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 })
          }
          onClose={closePanel}
          onError={(message) => toast(message, "error")}
        />
      )}
      {open?.name === "models" && <ModelsPanel onClose={closePanel} />}
      {open?.name === "history" && workflowIdNow && (
        <HistoryPanel
          workflowId={workflowIdNow}
          onRestored={restored}
          onSave={save}
          onClose={closePanel}
        />
      )}
      {open?.name === "share" && workflowIdNow && (
        <SharePanel
          workflowId={workflowIdNow}
          state={share}
          onChange={setShare}
          onClose={closePanel}
        />
      )}
      <ExperimentPanels onError={(message) => toast(message, "error")} />
      {conflict && (
        <ConflictDialog
          conflict={conflict.info}
          busy={saving}
          onChoose={(choice) => void resolveConflict(choice)}
        />
      )}
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
