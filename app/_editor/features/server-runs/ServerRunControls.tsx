"use client";
import { useCallback, useMemo } from "react";
import { useEditor } from "../canvas/editor-store";
import { usePanels } from "../panels/panel-store";
import { useRun } from "../runs/run-store";
import { useToasts } from "../../shared/toasts";
import { BatchDialog } from "./BatchDialog";
import { RunsPanel } from "./RunsPanel";
import css from "./server-runs.module.css";
import { serverOffer } from "./server-offer";
import { runOnServer, useServerRun } from "./server-run-store";

/**
 * The toolbar's server side, beside Run: "Run on server" (the saved workflow, followed on the
 * canvas like a local run), "Batch…" and "Runs", and the dialogs they open. Where this tab
 * cannot hold the workflow's model (Leffa pose transfer on the 4 GB WASM heap) it says so and
 * offers the server.
 */
export function ServerRunControls({ onSave }: { onSave(): Promise<boolean> }) {
  const toast = useToasts((s) => s.push);
  const running = useRun((s) => s.running);
  const serverRunId = useServerRun((s) => s.runId);
  const position = useServerRun((s) => s.position);
  const saved = useEditor((s) => s.workflowId !== null);
  const workflowId = useEditor((s) => s.workflowId);
  const backend = useRun((s) => s.backend);
  const nodes = useEditor((s) => s.nodes);
  const offer = useMemo(
    () =>
      serverOffer(
        {
          nodes: nodes.map((n) => ({
            id: n.id,
            type: n.data.nodeType,
            params: n.data.params,
            mode: n.data.mode,
          })),
        },
        backend,
      ),
    [nodes, backend],
  );
  const open = usePanels((s) => s.open);
  const openPanel = usePanels((s) => s.openPanel);
  const closePanel = usePanels((s) => s.closePanel);
  const onError = useCallback((message: string) => toast(message, "error"), [toast]);

  /** A server run runs a saved version: save first when there is anything unsaved. */
  const ensureSaved = useCallback(async (): Promise<string | null> => {
    const st = useEditor.getState();
    if (st.workflowId && st.revision === st.savedRevision) return st.workflowId;
    if (!(await onSave())) return null;
    return useEditor.getState().workflowId;
  }, [onSave]);

  const runServer = async () => {
    const id = await ensureSaved();
    if (!id) return;
    try {
      await runOnServer(id);
    } catch (err) {
      toast(`Not run on the server: ${(err as Error).message}`, "error");
    }
  };

  return (
    <>
      <button
        type="button"
        className={offer ? "primary" : undefined}
        onClick={() => void runServer()}
        disabled={running}
        title={
          offer
            ? `${offer.reason.split(". Run it")[0]}. The server can: run it there.`
            : "Run the saved workflow on the server's queue (saves first)"
        }
        data-testid="run-on-server"
      >
        {serverRunId && running
          ? position
            ? `Queued #${position}…`
            : "On server…"
          : "Run on server"}
      </button>
      {offer && !running && (
        <span className={css.offer} data-testid="server-offer" title={offer.reason}>
          This device cannot hold {offer.nodeId}&apos;s model: run on server
        </span>
      )}
      <button
        type="button"
        onClick={() => openPanel("batch")}
        title="Run the saved workflow over many images (one or two Load Image nodes crossed)"
        data-testid="open-batch"
      >
        Batch…
      </button>
      <button
        type="button"
        onClick={() => openPanel("runs")}
        disabled={!saved}
        title={
          saved
            ? "This workflow's runs on the server"
            : "Save first: server runs run a saved version"
        }
        data-testid="open-runs"
      >
        Runs
      </button>
      {open?.name === "runs" && workflowId && (
        <RunsPanel workflowId={workflowId} onClose={closePanel} onError={onError} />
      )}
      {open?.name === "batch" && (
        <BatchDialog ensureSaved={ensureSaved} onClose={closePanel} onError={onError} />
      )}
    </>
  );
}
