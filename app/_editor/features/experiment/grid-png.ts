import { embedWorkflowInPng } from "@/nodes/lib/png-workflow";
import { withSweep } from "./sweep-document";
import type { GridAxis, GridCell } from "./sweep-store";
import type { WorkflowDocument } from "@/nodes/core/document";
import type { SweepSpec } from "@/workers/runtime/sweep";

const LABEL = 28;
const PAD = 6;
const MAX_CELL = 256;

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("a cell's image could not be read"));
    img.src = url;
  });
}

/**
 * The grid as one PNG: axis titles and value labels around the cells (each scaled to fit the
 * largest cell, at most 256 px), with the workflow and the sweep embedded in a tEXt chunk, so
 * opening the PNG in the studio brings back the graph and meta.sweep says how it was swept.
 */
export async function gridPng(
  doc: WorkflowDocument,
  spec: SweepSpec,
  axes: readonly GridAxis[],
  cells: readonly GridCell[],
): Promise<Uint8Array> {
  const [ax, ay] = axes;
  const cols = ax.values.length;
  const rows = ay?.values.length ?? 1;
  const images = await Promise.all(cells.map((c) => (c.image ? loadImage(c.image.url) : null)));
  const widest = Math.max(1, ...images.map((i) => i?.naturalWidth ?? 0));
  const tallest = Math.max(1, ...images.map((i) => i?.naturalHeight ?? 0));
  const fit = Math.min(1, MAX_CELL / Math.max(widest, tallest));
  const cw = Math.round(widest * fit);
  const ch = Math.round(tallest * fit);
  const left = ay ? LABEL * 2 + 60 : PAD;
  const top = LABEL * 2;
  const canvas = document.createElement("canvas");
  canvas.width = left + cols * (cw + PAD) + PAD;
  canvas.height = top + rows * (ch + PAD + LABEL) + PAD;
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = "#16171d";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#e6e6e6";
  ctx.font = "bold 14px sans-serif";
  ctx.textBaseline = "middle";
  ctx.fillText(`X: ${ax.label}`, left, LABEL / 2);
  if (ay) ctx.fillText(`Y: ${ay.label}`, PAD, LABEL * 1.5);
  ctx.font = "12px sans-serif";
  ax.values.forEach((v, i) => ctx.fillText(v, left + i * (cw + PAD), LABEL * 1.5, cw));
  for (let j = 0; j < rows; j++) {
    const y0 = top + j * (ch + PAD + LABEL);
    if (ay) ctx.fillText(ay.values[j], PAD, y0 + ch / 2, left - PAD * 2);
    for (let i = 0; i < cols; i++) {
      const index = j * cols + i;
      const x0 = left + i * (cw + PAD);
      const img = images[index];
      if (img) {
        const s = Math.min(cw / img.naturalWidth, ch / img.naturalHeight);
        ctx.drawImage(img, x0, y0, img.naturalWidth * s, img.naturalHeight * s);
      } else {
        ctx.strokeStyle = "#555";
        ctx.strokeRect(x0 + 0.5, y0 + 0.5, cw - 1, ch - 1);
      }
      const cell = cells[index];
      const note = cell?.ms !== undefined ? `${Math.round(cell.ms)} ms` : (cell?.status ?? "");
      ctx.fillText(note, x0, y0 + ch + LABEL / 2, cw);
    }
  }
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error("the grid could not be drawn"))),
      "image/png",
    ),
  );
  return embedWorkflowInPng(new Uint8Array(await blob.arrayBuffer()), withSweep(doc, spec));
}
