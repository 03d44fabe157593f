"use client";
import { useCallback, useEffect, useState } from "react";
import { useReactFlow } from "@xyflow/react";
import { useEditor } from "../canvas/editor-store";
import { Modal } from "../../shared/Modal";
import styles from "../../shared/panels.module.css";
import css from "./server-runs.module.css";
import {
  cancelServerRun,
  fetchRunDocument,
  isFinished,
  listServerRuns,
  type ServerRun,
} from "./server-runs-api";

const REFRESH_MS = 1500;

/**
 * Who started the runs: with accounts on, the list holds only the signed-in person's own runs
 * (GET /api/runs), so their name; in local mode the session route answers 404 and it is null.
 */
function useSignedInName(): string | null {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void fetch("/api/auth/get-session")
      .then(async (res) =>
        res.ok ? ((await res.json()) as { user?: { name?: string } } | null) : null,
      )
      .then((body) => live && setName(body?.user?.name ?? null))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return name;
}

function duration(run: ServerRun): string {
  if (run.timings) return `${(run.timings.totalMs / 1000).toFixed(1)} s`;
  if (run.startedAt) return "running";
  return run.position ? `#${run.position} in queue` : "waiting";
}

/**
 * The workflow's server runs, newest first: status, when, who and where, its outputs, and
 * "Open this document": the exact document the run ran, back in the editor (unsaved, so saving
 * it makes it the newest version).
 */
export function RunsPanel({
  workflowId,
  onBatch,
  onClose,
  onError,
}: {
  /** Null until the workflow is first saved: no runs yet, but a batch may start (it saves). */
  workflowId: string | null;
  onBatch(): void;
  onClose(): void;
  onError(message: string): void;
}) {
  const [loaded, setRuns] = useState<ServerRun[] | null>(null);
  // A workflow never saved has no runs to load.
  const runs = workflowId ? loaded : [];
  const flow = useReactFlow();
  const signedIn = useSignedInName();

  // Bumped to load the list again: by Refresh, after a cancel, and every REFRESH_MS while any
  // run has not finished.
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    if (!workflowId) return;
    listServerRuns({ workflow: workflowId }, 50).then(
      (list) => live && setRuns(list),
      (err: Error) => live && onError(`Runs not loaded: ${err.message}`),
    );
    return () => {
      live = false;
    };
  }, [workflowId, tick, onError]);

  const going = runs?.some((r) => !isFinished(r.status)) ?? false;
  useEffect(() => {
    if (!going) return;
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh, going]);

  const reopen = async (run: ServerRun) => {
    try {
      const doc = await fetchRunDocument(run.id);
      const st = useEditor.getState();
      const dirty = st.revision !== st.savedRevision;
      if (dirty && !window.confirm("Replace your unsaved changes with this run's document?")) {
        return;
      }
      // Same workflow, edited on top of the version being edited: saving makes it the newest.
      st.load(doc, st.workflowId, { dirty: true, baseVersion: st.baseVersion });
      requestAnimationFrame(() => void flow.fitView({ padding: 0.2, maxZoom: 1 }));
      onClose();
    } catch (err) {
      onError(`Not opened: ${(err as Error).message}`);
    }
  };

  return (
    <Modal
      label="Server runs"
      className={`${styles.panel} ${css.wide}`}
      testId="runs-panel"
      onClose={onClose}
    >
      <div className={styles.row}>
        <h2>Runs on the server</h2>
        <span className={styles.muted}>{runs ? `${runs.length} shown` : "loading…"}</span>
        <span style={{ flex: 1 }} />
        <button type="button" className="primary" onClick={onBatch} data-testid="open-batch">
          Run as batch…
        </button>
        <button type="button" onClick={refresh}>
          Refresh
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {runs?.length === 0 && (
        <p className={styles.muted}>No server runs yet: use “Run on server” or “Run as batch”.</p>
      )}
      <div className={css.runs}>
        {runs?.map((run) => (
          <div key={run.id} className={css.run} data-testid="run-row" data-status={run.status}>
            <div className={styles.row}>
              <span className={`${css.status} ${css[run.status] ?? ""}`}>{run.status}</span>
              {run.status === "running" && <span>{Math.round(run.progress * 100)}%</span>}
              <span>{new Date(run.createdAt).toLocaleString()}</span>
              <span className={styles.muted}>{duration(run)}</span>
              <span className={styles.muted}>
                v{run.workflowVersion} · {signedIn ? `by ${signedIn}` : "local studio"} · on{" "}
                {run.worker ?? "—"}
                {run.batchId ? ` · batch ${run.batchId}` : ""}
                {run.attempts > 1 ? ` · ${run.attempts} attempts` : ""}
              </span>
              <span style={{ flex: 1 }} />
              {!isFinished(run.status) && (
                <button
                  type="button"
                  onClick={() =>
                    void cancelServerRun(run.id).then(refresh, (e: Error) => onError(e.message))
                  }
                >
                  Cancel
                </button>
              )}
              <button type="button" onClick={() => void reopen(run)} data-testid="run-reopen">
                Open this document
              </button>
            </div>
            {run.error && (
              <span className={styles.muted}>
                {run.error.nodeId ? `${run.error.nodeId}: ` : ""}
                {run.error.message}
              </span>
            )}
            {run.outputs.length > 0 && (
              <div className={css.outputs}>
                {run.outputs.map((o) =>
                  o.contentType.startsWith("image/") ? (
                    <a
                      key={o.url}
                      href={o.url}
                      target="_blank"
                      rel="noreferrer"
                      title={`${o.nodeId} · ${o.name}`}
                    >
                      {/* eslint-disable-next-line @next/next/no-img-element -- a run's output, streamed from the asset store */}
                      <img src={o.url} alt={`${o.nodeId} ${o.name}`} data-testid="run-output" />
                    </a>
                  ) : (
                    <a key={o.url} href={o.url} download={o.name}>
                      {o.nodeId} · {o.name}
                    </a>
                  ),
                )}
              </div>
            )}
          </div>
        ))}
      </div>
    </Modal>
  );
}
