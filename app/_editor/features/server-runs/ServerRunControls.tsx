"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
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
 * canvas like a local run), "Runs" (with Run as batch), and the dialogs they open. Where this tab
 * cannot hold the workflow's model (Leffa pose transfer on the 4 GB WASM heap) it says so and
 * offers the server.
 */
export function ServerRunControls({ onSave }: { onSave(): Promise<boolean> }) {
  const toast = useToasts((s) => s.push);
  const running = useRun((s) => s.running);
  const serverRunId = useServerRun((s) => s.runId);
  const position = useServerRun((s) => s.position);
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
  const [menuOpen, setMenuOpen] = useState(false);
  const anchor = useRef<HTMLSpanElement>(null);
  // A press anywhere outside the menu closes it.
  useEffect(() => {
    if (!menuOpen) return;
    const close = (e: MouseEvent) => {
      if (!anchor.current?.contains(e.target as Node)) setMenuOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [menuOpen]);
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

  const pick = (action: () => void) => {
    setMenuOpen(false);
    action();
  };

  return (
    <>
      {/* One narrow menu button: the toolbar is full, and the backend badge gives way first. */}
      <span className={css.menuAnchor} ref={anchor}>
        <button
          type="button"
          className={offer ? "primary" : undefined}
          onClick={() => setMenuOpen((v) => !v)}
          aria-haspopup="menu"
          aria-expanded={menuOpen}
          // No title starting "Run": the tests find the Run button by its title.
          title={
            offer
              ? `${offer.reason.split(". Run it")[0]}. The server can: run it there.`
              : "On the server: run the saved workflow, its runs, a batch"
          }
          data-testid="server-menu"
        >
          {serverRunId && running ? (position ? `Queued #${position}` : "On server…") : "Server ▾"}
        </button>
        {menuOpen && (
          <div className={css.menu} role="menu">
            <button
              type="button"
              role="menuitem"
              disabled={running}
              onClick={() => pick(() => void runServer())}
              data-testid="run-on-server"
            >
              Run on server
            </button>
            <button
              type="button"
              role="menuitem"
              onClick={() => pick(() => openPanel("runs"))}
              data-testid="open-runs"
            >
              Runs…
            </button>
            <button
              type="button"
              role="menuitem"
              onClick={() => pick(() => openPanel("batch"))}
              data-testid="open-batch-menu"
            >
              Run as batch…
            </button>
          </div>
        )}
      </span>
      {offer && !running && (
        <span className={css.offer} data-testid="server-offer" title={offer.reason}>
          too large here: use the server
        </span>
      )}
      {open?.name === "runs" && (
        <RunsPanel
          workflowId={workflowId}
          onBatch={() => openPanel("batch")}
          onClose={closePanel}
          onError={onError}
        />
      )}
      {open?.name === "batch" && (
        <BatchDialog ensureSaved={ensureSaved} onClose={closePanel} onError={onError} />
      )}
    </>
  );
}
