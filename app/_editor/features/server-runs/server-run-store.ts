import { create } from "zustand";
import { useEditor } from "../canvas/editor-store";
import { useRun, type NodeOutputs, type ShownFile, type ShownImage } from "../runs/run-store";
import {
  cancelServerRun,
  followServerRun,
  startServerRun,
  type ServerRun,
  type ServerRunOutput,
} from "./server-runs-api";
import { runStats, toCanvasNodes } from "./server-run-state";

/**
 * "Run on server": the editor's run, executed by the server's queue instead of this tab. It
 * drives the same run store as a local run (features/runs/run-store.ts), so the canvas shows
 * its node statuses, progress bars and outputs the same way; this store keeps what is particular
 * to it (the server's run id, the place in the queue) and how to stop it.
 */

interface ServerRunState {
  /** The server run the canvas shows while it runs; null when none (or a local run). */
  readonly runId: string | null;
  /** 1-based place among waiting runs while queued. */
  readonly position: number | null;
  /** Closes the event stream. */
  stop: (() => void) | null;
}

export const useServerRun = create<ServerRunState>()(() => ({
  runId: null,
  position: null,
  stop: null,
}));

async function loadImage(output: ServerRunOutput): Promise<ShownImage> {
  const res = await fetch(output.url);
  if (!res.ok) throw new Error(`output ${output.nodeId}/${output.name}: HTTP ${res.status}`);
  const blob = await res.blob();
  const bitmap = await createImageBitmap(blob);
  const shown = { url: URL.createObjectURL(blob), width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return shown;
}

/** The run's outputs per node, as the canvas and the results panel show them. */
async function shownOutputs(run: ServerRun): Promise<Record<string, NodeOutputs>> {
  const byNode: Record<string, { images: ShownImage[]; files: ShownFile[] }> = {};
  for (const output of run.outputs) {
    const entry = (byNode[output.nodeId] ??= { images: [], files: [] });
    if (output.contentType.startsWith("image/")) entry.images.push(await loadImage(output));
    else entry.files.push({ name: output.name, url: output.url, bytes: output.bytes });
  }
  return Object.fromEntries(
    Object.entries(byNode).map(([id, o]) => [
      id,
      {
        images: o.images,
        files: o.files,
        cached: false,
        text: `ran on ${run.worker ?? "the server"}`,
      },
    ]),
  );
}

function nodeIds(): string[] {
  return useEditor.getState().nodes.map((n) => n.id);
}

/** Applies the finished run to the canvas and ends it in the run store. */
async function finish(runId: string, run: ServerRun): Promise<void> {
  const nodes = toCanvasNodes(nodeIds(), run.nodes);
  let outputs: Record<string, NodeOutputs> = {};
  try {
    outputs = await shownOutputs(run);
  } catch (err) {
    console.error(err);
  }
  if (useRun.getState().runId !== runId) return;
  useRun.setState((s) => ({
    nodes,
    outputs: { ...s.outputs, ...outputs },
    running: false,
    lastStatus: run.status === "done" ? "done" : run.status === "cancelled" ? "cancelled" : "error",
    lastStats: runStats(run.nodes, run.timings?.totalMs ?? 0),
  }));
  useServerRun.setState({ runId: null, position: null, stop: null });
}

/**
 * Queues a run of the saved workflow `workflowId` and shows it on the canvas until it ends.
 * Resolves once the run is queued, with its id; errors (refused, unreachable) are thrown.
 */
export async function runOnServer(workflowId: string): Promise<string> {
  if (useRun.getState().running) throw new Error("a run is already going");
  const serverId = await startServerRun(workflowId);
  const runId = `server:${serverId}`;
  useRun.getState().begin(runId);
  useRun.setState({ nodes: toCanvasNodes(nodeIds(), {}) });
  const stop = followServerRun(serverId, {
    queued: (position) => useServerRun.setState({ position }),
    progress: (update) => {
      if (useRun.getState().runId !== runId) return;
      useServerRun.setState({ position: null });
      useRun.setState({ nodes: toCanvasNodes(nodeIds(), update.nodes) });
    },
    done: (run) => void finish(runId, run),
    failed: (message) => {
      useServerRun.setState({ runId: null, position: null, stop: null });
      if (useRun.getState().runId === runId) useRun.getState().fail(message);
    },
  });
  useServerRun.setState({ runId: serverId, position: null, stop });
  return serverId;
}

/**
 * Cancels the server run the canvas follows; false when there is none (the caller then cancels
 * a local run). The event stream reports the cancelled end.
 */
export function cancelActiveServerRun(onError?: (message: string) => void): boolean {
  const id = useServerRun.getState().runId;
  if (!id) return false;
  cancelServerRun(id).catch((err: Error) => onError?.(`Cancel failed: ${err.message}`));
  return true;
}
