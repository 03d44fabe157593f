/// <reference lib="webworker" />
// First: before any module builds a Zod schema (see the module).
import "../nodes/core/zod-jitless";
import * as Comlink from "comlink";
import type { WorkflowDocument } from "../nodes/core/document";
import { isImage, isMask, type RgbaImage } from "../nodes/core/image";
import { maskToImage } from "../nodes/lib/mask";
import type { BackendInfo, NodeResult } from "../nodes/core/types";
import { getNodeDefinition } from "../nodes";
import { pickBackend, type BackendPreference } from "./backend";
import { createBrowserModelHost } from "./models/browser-models";
import * as modelCache from "./models/model-cache";
import { probeModel } from "./models/probe";
import type { ExecutionTarget, OrtModule } from "./models/session-pool";
import { throttleProgress } from "./models/verified-download";
import { browserCodec } from "./codec/browser-codec";
import { startOnnxRuntime } from "./ort-backend";
import type { UiFile, UiImage, WorkerApi, WorkerEvent } from "./protocol";
import { executeWorkflow, type RuntimeHost } from "./runtime/execute";
import { ResultCache } from "./runtime/result-cache";
import { withCancelFlag } from "./runtime/shared-abort";

const CACHE_BUDGET_BYTES = 1024 * 1024 * 1024;
/** Model bytes kept in loaded sessions; more evicts the least recently used. */
const SESSION_BUDGET_BYTES = 3 * 1024 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 50;
/** Live previews are images: at most a few a second per node. */
const PREVIEW_INTERVAL_MS = 250;

const assets = new Map<string, Uint8Array>();
const cache = new ResultCache(CACHE_BUDGET_BYTES);
const runs = new Map<string, AbortController>();
let preference: BackendPreference = "auto";
/** An explicit WASM thread count from the page (`?threads=N`); undefined: min(4, cores). */
let wasmThreads: number | undefined;
/** Set when the GPU device was lost; the next start says so. */
let lostReason: string | undefined;

/**
 * The compute backend, in two stages: the adapter (fast; image nodes need nothing more) and
 * onnxruntime-web proven on it (seconds: the WASM binary compiles; only model nodes wait for it).
 * Promises, so concurrent runs never start a second one.
 */
interface Backend {
  readonly adapter: Promise<BackendInfo>;
  readonly onnx: Promise<BackendInfo>;
  /** onnxruntime and the device its sessions use; rejects when onnxruntime did not start. */
  readonly runtime: Promise<{ ort: OrtModule; target: ExecutionTarget }>;
}
let backend: Backend | undefined;

function startBackend(): Backend {
  const picked = pickBackend(preference);
  let deviceLost = false;
  const adapter = picked.then(({ info, device }) => {
    device?.lost.then((lost) => {
      // The device is gone (driver reset, tab backgrounded too long…): start anew on the next run.
      deviceLost = true;
      if (backend?.adapter === adapter) backend = undefined;
      lostReason = lost.message || lost.reason;
    });
    const note = lostReason ? ` (recreated after the GPU device was lost: ${lostReason})` : "";
    lostReason = undefined;
    return { ...info, detail: info.detail + note };
  });
  const started = Promise.all([picked, adapter]).then(async ([{ device }, info]) => {
    const { ort, info: proven } = await startOnnxRuntime(info, device, wasmThreads);
    const target: ExecutionTarget = {
      info: proven,
      device: proven.name === "webgpu" ? device : undefined,
      deviceLost: () => deviceLost,
    };
    return { ort, target };
  });
  const onnx = Promise.all([started, adapter]).then(
    ([r]) => r.target.info,
    // Image nodes run without onnxruntime, so a failure to start it is reported, not fatal.
    async (err: Error) => {
      const info = await adapter;
      return { ...info, detail: `${info.detail} · onnxruntime-web did not start: ${err.message}` };
    },
  );
  return { adapter, onnx, runtime: started };
}

const models = createBrowserModelHost({
  budgetBytes: SESSION_BUDGET_BYTES,
  runtime: () => (backend ??= startBackend()).runtime,
  async recover() {
    // The lost device's handler has dropped the backend; bring up a new one (WASM at worst).
    backend ??= startBackend();
    await backend.runtime;
    return true;
  },
});

async function fetchAsset(id: string): Promise<Uint8Array> {
  const known = assets.get(id);
  if (known) return known;
  const res = await fetch(`/api/assets/${encodeURIComponent(id)}`);
  if (!res.ok)
    throw new Error(
      `image ${id.slice(0, 12)}… is not available (HTTP ${res.status}); choose the file again`,
    );
  const bytes = new Uint8Array(await res.arrayBuffer());
  assets.set(id, bytes);
  return bytes;
}

async function toUiImage(image: RgbaImage): Promise<UiImage> {
  const bitmap = await createImageBitmap(
    new ImageData(new Uint8ClampedArray(image.data), image.width, image.height),
  );
  return { bitmap, width: image.width, height: image.height };
}

/** The images a node shows on the canvas: what it asked to show, else its image-like outputs. */
function displayedImages(result: NodeResult): RgbaImage[] {
  if (result.ui?.images?.length) return [...result.ui.images];
  const shown: RgbaImage[] = [];
  for (const value of Object.values(result.outputs)) {
    if (isImage(value)) shown.push(value);
    else if (isMask(value)) shown.push(maskToImage(value));
  }
  return shown;
}

const api: WorkerApi = {
  async init(choice: BackendPreference, threads?: number) {
    preference = choice;
    wasmThreads = threads;
    backend = startBackend();
    return backend.adapter;
  },

  async runtimeReady() {
    backend ??= startBackend();
    return backend.onnx;
  },

  async putAsset(id, bytes) {
    assets.set(id, new Uint8Array(bytes));
  },

  async run(doc: WorkflowDocument, runId, onEvent, cancelFlag, targets) {
    backend ??= startBackend();
    // The fullest description known now: onnxruntime's if it has started, else the adapter's.
    const info = await Promise.race([backend.onnx, backend.adapter]);
    const controller = new AbortController();
    runs.set(runId, controller);
    const host: RuntimeHost = {
      lookup: getNodeDefinition,
      backend: info,
      codec: browserCodec,
      cache,
      asset: fetchAsset,
      models,
    };
    const lastProgress = new Map<string, number>();
    const lastPreview = new Map<string, number>();
    const pending: Promise<void>[] = [];
    try {
      await executeWorkflow(doc, host, {
        runId,
        targets,
        signal: cancelFlag ? withCancelFlag(controller.signal, cancelFlag) : controller.signal,
        onEvent: (event) => {
          if (event.type === "node-progress") {
            // Throttled: a sampler may report hundreds of times a second.
            const now = performance.now();
            const last = lastProgress.get(event.nodeId) ?? 0;
            if (now - last < PROGRESS_INTERVAL_MS && event.progress.value < event.progress.max)
              return;
            lastProgress.set(event.nodeId, now);
            onEvent(event);
          } else if (event.type === "node-result") {
            pending.push(sendResult(runId, event.nodeId, event.result, event.cached, onEvent));
          } else if (event.type === "run-end") {
            // Results are converted asynchronously; the end must arrive after all of them.
            pending.push(Promise.all(pending.slice()).then(() => onEvent(event)));
          } else {
            onEvent(event);
          }
        },
        onPreview: (nodeId, image) => {
          const now = performance.now();
          if (now - (lastPreview.get(nodeId) ?? -Infinity) < PREVIEW_INTERVAL_MS) return;
          lastPreview.set(nodeId, now);
          pending.push(sendPreview(runId, nodeId, image, onEvent));
        },
      });
      await Promise.all(pending);
    } finally {
      runs.delete(runId);
    }
  },

  async cancel(runId) {
    runs.get(runId)?.abort();
  },

  async clearCache() {
    cache.clear();
  },

  // Model files: thin delegation to the cache (workers/models/model-cache.ts). Progress crosses
  // the worker boundary as messages, so it is throttled here.
  cacheModelFile: (modelId, file, onProgress, downloadId) =>
    modelCache.cacheModelFile(
      modelId,
      file,
      onProgress && throttleProgress(onProgress),
      downloadId,
    ),
  cancelModelDownload: async (downloadId) => modelCache.cancelModelDownload(downloadId),
  listCachedModels: () => modelCache.listCachedModels(),
  clearModelCache: (modelId) => modelCache.clearModelCache(modelId),
  importModelFile: (modelId, name, bytes, expected) =>
    modelCache.importModelFile(modelId, name, new Uint8Array(bytes), expected),
  probeModel: (modelId) => probeModel(models, modelId),
};

async function sendPreview(
  runId: string,
  nodeId: string,
  image: RgbaImage,
  onEvent: (e: WorkerEvent) => void,
): Promise<void> {
  const shown = await toUiImage(image);
  const event: WorkerEvent = { type: "node-preview", runId, nodeId, image: shown };
  onEvent(Comlink.transfer(event, [shown.bitmap]) as WorkerEvent);
}

async function sendResult(
  runId: string,
  nodeId: string,
  result: NodeResult,
  cached: boolean,
  onEvent: (e: WorkerEvent) => void,
): Promise<void> {
  const images = await Promise.all(displayedImages(result).map(toUiImage));
  const files: UiFile[] = (result.ui?.files ?? []).map((f) => ({
    name: f.name,
    mime: f.mime,
    bytes: f.bytes.slice().buffer as ArrayBuffer,
  }));
  const event: WorkerEvent = {
    type: "node-output",
    runId,
    nodeId,
    cached,
    images,
    files,
    text: result.ui?.text,
    flow: result.ui?.flow,
  };
  onEvent(
    Comlink.transfer(event, [
      ...images.map((i) => i.bitmap),
      ...files.map((f) => f.bytes),
    ]) as WorkerEvent,
  );
}

Comlink.expose(api);
