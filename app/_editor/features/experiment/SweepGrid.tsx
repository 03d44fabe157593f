"use client";
import { useState } from "react";
import { Modal } from "../../shared/Modal";
import { CompareView } from "./CompareView";
import { gridPng } from "./grid-png";
import { cancelSweep } from "./run-sweep-cells";
import { useSweep, type GridCell } from "./sweep-store";

function CellView({
  cell,
  index,
  picked,
  onPick,
}: {
  cell: GridCell;
  index: number;
  picked: number;
  onPick(): void;
}) {
  return (
    <button
      type="button"
      className={`sweep-cell${picked >= 0 ? " picked" : ""}`}
      data-testid="sweep-cell"
      data-index={index}
      data-status={cell.status}
      data-ran={cell.ran}
      disabled={!cell.image}
      onClick={onPick}
      title={cell.message}
    >
      {cell.image ? (
        // eslint-disable-next-line @next/next/no-img-element -- object URL of a sweep cell
        <img
          src={cell.image.url}
          alt={`cell ${index + 1}`}
          width={cell.image.width}
          height={cell.image.height}
        />
      ) : (
        <span className="sweep-cell-status">{cell.status}</span>
      )}
      <span className="sweep-cell-note">
        {picked >= 0 && <b>{picked === 0 ? "A " : "B "}</b>}
        {cell.ms !== undefined ? `${Math.round(cell.ms)} ms` : ""}
        {cell.status === "error" && cell.message ? ` ${cell.message}` : ""}
      </span>
    </button>
  );
}

/**
 * The sweep's grid: X values across, Y values down, each cell filling as it finishes. Clicking
 * two cells opens the compare view; the grid saves as one PNG with the workflow and the sweep.
 */
export function SweepGrid({
  onClose,
  onError,
}: {
  onClose(): void;
  onError(message: string): void;
}) {
  const { axes, cells, running, picked, spec, doc } = useSweep();
  const [comparing, setComparing] = useState(false);
  const [ax, ay] = axes;
  if (!ax || !spec || !doc) return null;
  const cols = ax.values.length;
  const rows = ay?.values.length ?? 1;
  const labelOf = (index: number) =>
    [ax.values[index % cols], ay ? ay.values[Math.floor(index / cols)] : null]
      .filter((v) => v !== null)
      .join(" · ");
  const finished = cells.filter((c) => c.status === "done" || c.status === "error").length;

  const save = async () => {
    try {
      const bytes = await gridPng(doc, spec, axes, cells);
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: "image/png" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `${doc.name} sweep.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      onError(`Could not save the grid: ${(err as Error).message}`);
    }
  };

  const pick = (index: number) => {
    useSweep.getState().pick(index);
    if (useSweep.getState().picked.length === 2) setComparing(true);
  };

  return (
    <Modal label="Sweep grid" className="sweep-grid-panel" testId="sweep-grid" onClose={onClose}>
      <h2>
        Sweep: {ax.label}
        {ay ? ` × ${ay.label}` : ""}
      </h2>
      <p className="muted" role="status" data-testid="sweep-progress">
        {finished} of {cells.length} cells {running ? "— running" : "done"}. Click two cells to
        compare them.
      </p>
      {comparing && picked.length === 2 ? (
        <CompareView
          a={{ label: labelOf(picked[0]), cell: cells[picked[0]] }}
          b={{ label: labelOf(picked[1]), cell: cells[picked[1]] }}
          onClose={() => {
            setComparing(false);
            useSweep.getState().clearPicks();
          }}
        />
      ) : (
        <table className="sweep-table">
          <thead>
            <tr>
              <th />
              <th colSpan={cols} className="sweep-axis-title" data-testid="sweep-x-title">
                X: {ax.label}
              </th>
            </tr>
            <tr>
              <th className="sweep-axis-title" data-testid="sweep-y-title">
                {ay ? `Y: ${ay.label}` : ""}
              </th>
              {ax.values.map((v, i) => (
                <th key={i} data-testid="sweep-x-value">
                  {v}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: rows }, (_, j) => (
              <tr key={j}>
                <th data-testid="sweep-y-value">{ay?.values[j] ?? ""}</th>
                {Array.from({ length: cols }, (_, i) => {
                  const index = j * cols + i;
                  return (
                    <td key={i}>
                      <CellView
                        cell={cells[index]}
                        index={index}
                        picked={picked.indexOf(index)}
                        onPick={() => pick(index)}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="row">
        {running ? (
          <button type="button" onClick={cancelSweep}>
            Cancel sweep
          </button>
        ) : (
          <button type="button" onClick={() => void save()} disabled={finished === 0}>
            Save grid as PNG
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
