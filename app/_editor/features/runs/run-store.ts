import { create } from "zustand";
import type { FlowField } from "@/nodes/core/flow";
import type { BackendInfo } from "@/nodes/core/types";
import type { NodeProgress, NodeStatus, RunStats } from "@/workers/runtime/events";
import type { WorkerEvent } from "@/workers/protocol";

export interface ShownImage {
  /** Object URL of a PNG rendering, for <img>, the lightbox and downloads. */
  readonly url: string;
  readonly width: number;
  readonly height: number;
}

export interface ShownFile {
  readonly name: string;
  readonly url: string;
  readonly bytes: number;
}

export interface NodeRunState {
  readonly status: NodeStatus;
  readonly message?: string;
  readonly progress?: NodeProgress;
  readonly elapsedMs?: number;
  /** The latest live preview while the node runs (dropped when it finishes). */
  readonly preview?: ShownImage;
}

export interface NodeOutputs {
  readonly images: readonly ShownImage[];
  readonly files: readonly ShownFile[];
  readonly cached: boolean;
  /** What the node says about its result (e.g. which model and backend, or a fallback). */
  readonly text?: string;
  /** A flow field to inspect (the Flow Field node's). */
  readonly flow?: FlowField;
}

/** The node a "run to here" stops at, as the summary names it. */
export interface RunTarget {
  readonly nodeId: string;
  readonly title: string;
}

interface RunState {
  backend: BackendInfo | null;
  runId: string | null;
  running: boolean;
  lastStats: RunStats | null;
  lastStatus: "done" | "error" | "cancelled" | null;
  /** Set while and after a run to one node; null for a run of the whole workflow. */
  target: RunTarget | null;
  nodes: Record<string, NodeRunState>;
  outputs: Record<string, NodeOutputs>;
  setBackend(b: BackendInfo): void;
  begin(runId: string, target?: RunTarget): void;
  apply(event: WorkerEvent): Promise<void>;
  fail(message: string): void;
}

async function bitmapToUrl(bitmap: ImageBitmap): Promise<string> {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  canvas.getContext("bitmaprenderer")!.transferFromImageBitmap(bitmap);
  return URL.createObjectURL(await canvas.convertToBlob({ type: "image/png" }));
}

/** Frees a node's live preview unless the next state keeps it. */
function dropPreview(previous: NodeRunState | undefined, next: NodeRunState): NodeRunState {
  if (previous?.preview && previous.preview !== next.preview) {
    URL.revokeObjectURL(previous.preview.url);
  }
  return next;
}

function revoke(outputs: NodeOutputs | undefined): void {
  for (const i of outputs?.images ?? []) URL.revokeObjectURL(i.url);
  for (const f of outputs?.files ?? []) URL.revokeObjectURL(f.url);
}

export const useRun = create<RunState>()((set) => ({
  backend: null,
  runId: null,
  running: false,
  lastStats: null,
  lastStatus: null,
  target: null,
  nodes: {},
  outputs: {},

  setBackend(backend) {
    set({ backend });
  },

  begin(runId, target) {
    set({ runId, running: true, lastStatus: null, lastStats: null, target: target ?? null });
  },

  apply(event) {
    // Events are applied strictly in order: an output's image conversion is asynchronous, and
    // "run-end" must not overtake it (a save right after a run would miss the thumbnail).
    queue = queue.then(() => applyNow(event)).catch((err: Error) => console.error(err));
    return queue;
  },

  fail(message) {
    console.error(message);
    set({ running: false, lastStatus: "error" });
  },
}));

let queue: Promise<void> = Promise.resolve();

async function applyNow(event: WorkerEvent): Promise<void> {
  const get = useRun.getState;
  const set = useRun.setState;
  if (event.runId !== get().runId) return;
  switch (event.type) {
    case "run-start": {
      // A run to one node schedules only what it needs: every other node keeps its status.
      const nodes: Record<string, NodeRunState> = event.targets ? { ...get().nodes } : {};
      for (const id of event.nodeIds) nodes[id] = dropPreview(nodes[id], { status: "queued" });
      // Keep the badge's fuller description when the run reports the same backend in brief.
      const known = get().backend;
      const same =
        known?.name === event.backend.name && known.detail.startsWith(event.backend.detail);
      set({ backend: same ? known : event.backend, nodes });
      break;
    }
    case "node-status":
      set((s) => ({
        nodes: {
          ...s.nodes,
          [event.nodeId]: dropPreview(s.nodes[event.nodeId], {
            status: event.status,
            message: event.message,
            elapsedMs: event.elapsedMs,
          }),
        },
      }));
      break;
    case "node-preview": {
      // A preview converted after its node finished (or after another run began) is stale.
      if (get().nodes[event.nodeId]?.status !== "running") {
        event.image.bitmap.close();
        break;
      }
      const preview = {
        url: await bitmapToUrl(event.image.bitmap),
        width: event.image.width,
        height: event.image.height,
      };
      const current = get().nodes[event.nodeId];
      if (current?.status !== "running" || get().runId !== event.runId) {
        URL.revokeObjectURL(preview.url);
        break;
      }
      set((s) => ({
        nodes: {
          ...s.nodes,
          [event.nodeId]: dropPreview(current, { ...current, preview }),
        },
      }));
      break;
    }
    case "node-progress":
      set((s) => ({
        nodes: {
          ...s.nodes,
          [event.nodeId]: {
            ...s.nodes[event.nodeId],
            status: "running",
            progress: event.progress,
          },
        },
      }));
      break;
    case "node-output": {
      const images = await Promise.all(
        event.images.map(async (i) => ({
          url: await bitmapToUrl(i.bitmap),
          width: i.width,
          height: i.height,
        })),
      );
      const files = event.files.map((f) => ({
        name: f.name,
        bytes: f.bytes.byteLength,
        url: URL.createObjectURL(new Blob([f.bytes], { type: f.mime })),
      }));
      revoke(get().outputs[event.nodeId]);
      set((s) => ({
        outputs: {
          ...s.outputs,
          [event.nodeId]: {
            images,
            files,
            cached: event.cached,
            text: event.text,
            flow: event.flow,
          },
        },
      }));
      break;
    }
    case "run-end":
      set({ running: false, lastStats: event.stats, lastStatus: event.status });
      break;
  }
}
