import * as Comlink from "comlink";
import type { WorkflowDocument } from "@/nodes/core/document";
import type { BackendInfo } from "@/nodes/core/types";
import type { BackendPreference } from "@/workers/backend";
import type { CachedModelFile, ModelFileRef } from "@/workers/models/model-cache";
import type { ProbeResult } from "@/workers/models/probe";
import type { WorkerApi, WorkerEvent } from "@/workers/protocol";
import { createCancelFlag, raiseCancelFlag } from "@/workers/runtime/shared-abort";
import { threadsOverrideFromQuery } from "@/workers/wasm-threads";

/**
 * The editor's handle on the runtime worker: one dedicated module worker per tab, started on
 * first use. The backend can be forced with `?backend=wasm|webgpu` (tests run both), and the WASM
 * thread count with `?threads=N` (benches compare counts; the default is min(4, cores)).
 */
let worker: Worker | null = null;
let api: Comlink.Remote<WorkerApi> | null = null;
let ready: Promise<BackendInfo> | null = null;

export function backendPreference(): BackendPreference {
  const value = new URLSearchParams(window.location.search).get("backend");
  return value === "wasm" || value === "webgpu" ? value : "auto";
}

export function startRuntime(): Promise<BackendInfo> {
  if (!ready) {
    worker = new Worker(new URL("../../../workers/studio.worker.ts", import.meta.url), {
      type: "module",
      name: "leffa-runtime",
    });
    api = Comlink.wrap<WorkerApi>(worker);
    ready = api.init(backendPreference(), threadsOverrideFromQuery(window.location.search));
  }
  return ready;
}

/** Resolves once onnxruntime-web is proven on the backend (seconds after `startRuntime`). */
export async function runtimeReady(): Promise<BackendInfo> {
  await startRuntime();
  return api!.runtimeReady();
}

async function remote(): Promise<Comlink.Remote<WorkerApi>> {
  await startRuntime();
  return api!;
}

const cancelFlags = new Map<string, Int32Array>();

/** Runs the document, or with `targets` only those nodes and what they need ("run to here"). */
export async function runWorkflow(
  doc: WorkflowDocument,
  runId: string,
  onEvent: (e: WorkerEvent) => void,
  targets?: readonly string[],
): Promise<void> {
  const flag = createCancelFlag();
  if (flag) cancelFlags.set(runId, flag);
  try {
    await (await remote()).run(doc, runId, Comlink.proxy(onEvent), flag, targets);
  } finally {
    cancelFlags.delete(runId);
  }
}

/** Raises the shared flag (seen at once by a busy node), then tells the worker's event loop. */
export async function cancelRun(runId: string): Promise<void> {
  const flag = cancelFlags.get(runId);
  if (flag) raiseCancelFlag(flag);
  await (await remote()).cancel(runId);
}

/** Gives the worker an uploaded image's bytes (transferred, so `bytes` is emptied here). */
export async function shareAsset(id: string, bytes: ArrayBuffer): Promise<void> {
  await (await remote()).putAsset(id, Comlink.transfer(bytes, [bytes]));
}

// ---------------------------------------------------------------------------------------------
// The browser's model cache, kept by the worker (workers/models/model-cache.ts)

/** Downloads (or finds cached) one model file in the worker's cache, with per-file progress. */
export async function cacheModelFile(
  modelId: string,
  file: ModelFileRef,
  onProgress: (loaded: number, total: number | null) => void,
  downloadId?: string,
): Promise<{ bytes: number; fromCache: boolean }> {
  return (await remote()).cacheModelFile(modelId, file, Comlink.proxy(onProgress), downloadId);
}

export async function cancelModelDownload(downloadId: string): Promise<void> {
  await (await remote()).cancelModelDownload(downloadId);
}

export async function listCachedModels(): Promise<CachedModelFile[]> {
  return (await remote()).listCachedModels();
}

export async function clearModelCache(modelId?: string): Promise<number> {
  return (await remote()).clearModelCache(modelId);
}

/** Hands a picked file to the worker, which checks and caches it (the bytes are transferred). */
export async function importModelFile(
  modelId: string,
  name: string,
  file: Blob,
  expected?: { bytes: number | null; sha256: string | null },
): Promise<CachedModelFile> {
  const bytes = await file.arrayBuffer();
  return (await remote()).importModelFile(
    modelId,
    name,
    Comlink.transfer(bytes, [bytes]),
    expected,
  );
}

/** Runs a model once on this device: its backend, speed and a sample of its output. */
export async function probeModel(modelId: string): Promise<ProbeResult> {
  return (await remote()).probeModel(modelId);
}
