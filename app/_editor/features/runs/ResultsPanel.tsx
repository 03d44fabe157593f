"use client";
import { useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { getNodeDefinition } from "@/nodes";
import { useEditor } from "../canvas/editor-store";
import { useRun, type ShownImage } from "./run-store";

interface Entry {
  readonly nodeId: string;
  readonly title: string;
  readonly image: ShownImage;
}

/** The outputs of Preview and Save nodes from the latest run; an image opens large and downloads. */
export function ResultsPanel() {
  const outputNodes = useEditor(
    useShallow((s) =>
      s.nodes
        .filter((n) => getNodeDefinition(n.data.nodeType)?.category === "Output")
        .map((n) => `${n.id}\u0000${getNodeDefinition(n.data.nodeType)!.title}`),
    ),
  );
  const outputs = useRun((s) => s.outputs);
  const stats = useRun((s) => s.lastStats);
  const status = useRun((s) => s.lastStatus);
  const target = useRun((s) => s.target);
  const [open, setOpen] = useState<Entry | null>(null);
  const entries: Entry[] = outputNodes.flatMap((key) => {
    const [nodeId, title] = key.split("\u0000");
    return (outputs[nodeId]?.images ?? []).map((image) => ({ nodeId, title, image }));
  });
  return (
    <aside className="results" aria-label="Results">
      <h3>Results</h3>
      {stats && (
        <p className={`run-summary run-summary-${status}`} data-testid="run-summary">
          {status === "cancelled"
            ? "Cancelled"
            : status === "error"
              ? "Finished with errors"
              : "Done"}
          {target && ` (run to "${target.title}")`}: {stats.ran} ran, {stats.cached} cached
          {stats.failed ? `, ${stats.failed} failed` : ""}
          {stats.skipped ? `, ${stats.skipped} skipped` : ""} in {Math.round(stats.ms)} ms
        </p>
      )}
      {entries.length === 0 && (
        <p className="hint">Run the workflow: Preview and Save Image outputs appear here.</p>
      )}
      <div className="results-grid">
        {entries.map((e) => (
          <button
            key={e.image.url}
            type="button"
            className="result"
            onClick={() => setOpen(e)}
            data-testid="result-image"
          >
            {/* eslint-disable-next-line @next/next/no-img-element -- object URL of a run output */}
            <img src={e.image.url} alt={`${e.title} output`} />
            <span>
              {e.title} · {e.image.width}×{e.image.height}
            </span>
          </button>
        ))}
      </div>
      {open && (
        <div className="modal-backdrop" onMouseDown={() => setOpen(null)}>
          <div
            className="lightbox"
            role="dialog"
            aria-label="Result"
            onMouseDown={(ev) => ev.stopPropagation()}
          >
            {/* eslint-disable-next-line @next/next/no-img-element -- object URL of a run output */}
            <img src={open.image.url} alt={`${open.title} output, large`} />
            <div className="lightbox-bar">
              <span>
                {open.title} · {open.image.width}×{open.image.height}
              </span>
              <a
                className="button"
                href={open.image.url}
                download={`${open.title.toLowerCase().replace(/\s+/g, "-")}.png`}
              >
                Download PNG
              </a>
              <button type="button" onClick={() => setOpen(null)}>
                Close
              </button>
            </div>
          </div>
        </div>
      )}
    </aside>
  );
}
