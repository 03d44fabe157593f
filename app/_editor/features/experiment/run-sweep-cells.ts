import { getNodeDefinition } from "@/nodes";
import type { WorkflowDocument } from "@/nodes/core/document";
import { expandSweep, type SweepSpec } from "@/workers/runtime/sweep";
import type { WorkerEvent } from "@/workers/protocol";
import { newId } from "../canvas/editor-store";
import { cancelRun, runWorkflow } from "../../shared/runtime-client";
import { useSweep, type GridCell } from "./sweep-store";

let current: { runId: string | null; cancelled: boolean } | null = null;

async function bitmapUrl(bitmap: ImageBitmap): Promise<string> {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  canvas.getContext("bitmaprenderer")!.transferFromImageBitmap(bitmap);
  return URL.createObjectURL(await canvas.convertToBlob({ type: "image/png" }));
}

/**
 * Runs a sweep in the studio's worker, one cell after another, each a run to the output node of
 * the cell's copy of the document. The worker keeps one result cache, so what every cell shares
 * runs in the first cell only. The grid (sweep-store) fills as cells finish. Throws a
 * SweepError before anything runs when the sweep is refused (too many cells, a bad value…).
 */
export async function runSweepCells(doc: WorkflowDocument, spec: SweepSpec): Promise<void> {
  const plan = expandSweep(doc, spec, getNodeDefinition);
  const store = useSweep.getState();
  store.begin(
    doc,
    spec,
    plan.axes.map((a) => ({ label: a.label, values: a.valueLabels })),
    plan.cells.length,
  );
  const me = { runId: null as string | null, cancelled: false };
  current = me;
  try {
    for (const [index, cell] of plan.cells.entries()) {
      if (me.cancelled) break;
      const runId = newId("sweep");
      me.runId = runId;
      store.update(index, { status: "running" });
      let image: GridCell["image"];
      let text: string | undefined;
      let message: string | undefined;
      let ran = 0;
      let loss: string | undefined;
      const pending: Promise<void>[] = [];
      const started = performance.now();
      await runWorkflow(
        cell.doc,
        runId,
        (event: WorkerEvent) => {
          if (event.type === "node-status" && event.status === "done") ran++;
          if (event.type === "node-status" && event.nodeId === plan.output && event.message) {
            message = event.message;
          }
          if (event.type === "node-output") {
            loss = event.text?.split("\n").find((line) => line.startsWith("Leffa loss")) ?? loss;
          }
          if (event.type === "node-output" && event.nodeId === plan.output) {
            text = event.text;
            const [first, ...rest] = event.images;
            for (const r of rest) r.bitmap.close();
            if (first) {
              pending.push(
                bitmapUrl(first.bitmap).then((url) => {
                  image = { url, width: first.width, height: first.height };
                }),
              );
            }
          }
        },
        [plan.output],
      );
      await Promise.all(pending);
      const ms = performance.now() - started;
      store.update(
        index,
        image
          ? {
              status: "done",
              image,
              ms,
              ran,
              ...(text ? { message: text } : {}),
              ...(loss ? { loss } : {}),
            }
          : {
              status: me.cancelled ? "cancelled" : "error",
              ms,
              ran,
              message: message ?? "no image",
            },
      );
    }
  } finally {
    if (current === me) current = null;
    useSweep.getState().finish();
  }
}

/** Stops the sweep: the running cell is cancelled and no other starts. */
export function cancelSweep(): void {
  if (!current) return;
  current.cancelled = true;
  if (current.runId) void cancelRun(current.runId);
}
