"use client";
import { useMemo } from "react";
import { getNodeDefinition } from "@/nodes";
import { useEditor } from "../canvas/editor-store";
import { Modal } from "../../shared/Modal";
import { IMAGE_TYPES } from "../../shared/assets";
import styles from "../../shared/panels.module.css";
import grid from "./server-runs.module.css";
import { plannedRuns, resultImage, startBatch, useBatch, type BatchCellState } from "./batch-store";
import { batchZipUrl } from "./server-runs-api";

/**
 * "Run as batch": pick images for one Load Image node (or two, crossed: persons × garments),
 * then one server run per combination; the grid fills as they finish, and "Download all" is the
 * batch's ZIP with its CSV (GET /api/batches/:id/zip).
 */
export function BatchDialog({
  ensureSaved,
  onClose,
  onError,
}: {
  /** Saves the workflow if it has unsaved changes; the saved id, or null when not saved. */
  ensureSaved(): Promise<string | null>;
  onClose(): void;
  onError(message: string): void;
}) {
  const phase = useBatch((s) => s.phase);
  return (
    <Modal
      label="Run as batch"
      className={`${styles.panel} ${grid.wide}`}
      testId="batch-dialog"
      onClose={onClose}
    >
      <div className={styles.row}>
        <h2>Run as batch</h2>
        <BatchNote />
        <span style={{ flex: 1 }} />
        {phase !== "pick" && (
          <button type="button" onClick={() => useBatch.getState().reset()} data-testid="batch-new">
            New batch
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {phase === "pick" ? (
        <BatchPicker ensureSaved={ensureSaved} onError={onError} />
      ) : (
        <BatchGrid />
      )}
    </Modal>
  );
}

function BatchNote() {
  const note = useBatch((s) => s.note);
  return (
    <span className={styles.muted} data-testid="batch-note" aria-live="polite">
      {note}
    </span>
  );
}

function BatchPicker({
  ensureSaved,
  onError,
}: {
  ensureSaved(): Promise<string | null>;
  onError(message: string): void;
}) {
  const nodes = useEditor((s) => s.nodes);
  // Filtered outside the selector: a new array from a selector re-renders without end.
  const loadImages = useMemo(() => nodes.filter((n) => n.data.nodeType === "load-image"), [nodes]);
  const picks = useBatch((s) => s.picks);
  const planned = plannedRuns(picks);
  const start = async () => {
    const workflowId = await ensureSaved();
    if (!workflowId) return;
    try {
      await startBatch(workflowId);
    } catch (err) {
      onError(`Batch not started: ${(err as Error).message}`);
    }
  };
  if (loadImages.length === 0) {
    return <p className={styles.muted}>The workflow has no Load Image node to feed a batch.</p>;
  }
  return (
    <>
      <p className={styles.muted}>
        Pick images for one Load Image node, or for two to cross them (every person with every
        garment). Each combination runs on the server with the saved workflow.
      </p>
      {loadImages.map((node) => {
        const title = getNodeDefinition(node.data.nodeType)?.title ?? "Load Image";
        const list = picks[node.id] ?? [];
        return (
          <label key={node.id} className={styles.row} data-testid={`batch-pick-${node.id}`}>
            <span style={{ minWidth: 160 }}>
              {title} <code>{node.id}</code>
            </span>
            <input
              type="file"
              multiple
              accept={IMAGE_TYPES.join(",")}
              aria-label={`images for ${node.id}`}
              onChange={(e) => useBatch.getState().pick(node.id, [...(e.target.files ?? [])])}
            />
            <span className={styles.muted}>{list.length ? `${list.length} picked` : ""}</span>
          </label>
        );
      })}
      <div className={styles.row}>
        <span data-testid="batch-planned" className={styles.muted}>
          {typeof planned === "number" ? `${planned} run${planned === 1 ? "" : "s"}` : planned}
        </span>
        <span style={{ flex: 1 }} />
        <button
          type="button"
          className="primary"
          disabled={typeof planned !== "number"}
          onClick={() => void start()}
          data-testid="batch-start"
        >
          {typeof planned === "number" ? `Run ${planned} on server` : "Run batch"}
        </button>
      </div>
    </>
  );
}

function BatchGrid() {
  const cells = useBatch((s) => s.cells);
  const axes = useBatch((s) => s.axes);
  const batchId = useBatch((s) => s.batchId);
  const phase = useBatch((s) => s.phase);
  return (
    <>
      <div className={styles.row}>
        <span className={styles.muted}>
          batch <code data-testid="batch-id">{batchId}</code>
        </span>
        <span style={{ flex: 1 }} />
        {batchId && (phase === "running" || phase === "finished") && (
          <a className="button" href={batchZipUrl(batchId)} download data-testid="batch-zip">
            Download all (ZIP + CSV)
          </a>
        )}
      </div>
      <div className={grid.grid} data-testid="batch-grid">
        <div className={grid.head}>Each cell: {axes.join(", ")}, then the result</div>
        {cells.map((cell) => (
          <BatchCell key={cell.index} cell={cell} axes={axes} />
        ))}
      </div>
    </>
  );
}

function BatchCell({ cell, axes }: { cell: BatchCellState; axes: readonly string[] }) {
  const status = cell.error ? "error" : (cell.run?.status ?? (cell.runId ? "queued" : "pending"));
  const result = resultImage(cell.run);
  return (
    <div className={grid.cell} data-testid="batch-cell" data-status={status}>
      {axes.map((a) => {
        const input = cell.inputs[a];
        return (
          <figure key={a} className={grid.thumb}>
            {/* eslint-disable-next-line @next/next/no-img-element -- object URL of a picked file */}
            {input && <img src={input.url} alt={input.name} />}
            <figcaption title={input?.name}>{input?.name}</figcaption>
          </figure>
        );
      })}
      <figure className={grid.thumb}>
        {result ? (
          <a href={result} target="_blank" rel="noreferrer">
            {/* eslint-disable-next-line @next/next/no-img-element -- a run's output, streamed from the asset store */}
            <img src={result} alt={`result ${cell.index + 1}`} data-testid="batch-result" />
          </a>
        ) : (
          <div className={grid.placeholder}>
            {status === "running" ? `${Math.round((cell.run?.progress ?? 0) * 100)}%` : status}
          </div>
        )}
        <figcaption title={cell.error ?? cell.run?.error?.message ?? undefined}>
          <span className={`${grid.status} ${grid[status] ?? ""}`}>{status}</span>
          {cell.run?.timings ? ` ${(cell.run.timings.totalMs / 1000).toFixed(1)} s` : ""}
          {(cell.error ?? cell.run?.error?.message)
            ? ` · ${cell.error ?? cell.run?.error?.message}`
            : ""}
        </figcaption>
      </figure>
    </div>
  );
}
