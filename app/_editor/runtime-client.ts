import * as Comlink from "comlink";
import type { WorkflowDocument } from "../../nodes/core/document";
import type { BackendInfo } from "../../nodes/core/types";
import type { BackendPreference } from "../../workers/backend";
import type { WorkerApi, WorkerEvent } from "../../workers/protocol";

/**
 * The editor's handle on the runtime worker: one dedicated module worker per tab, started on
 * first use. The backend can be forced with `?backend=wasm|webgpu` (tests run both).
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
    worker = new Worker(new URL("../../workers/studio.worker.ts", import.meta.url), {
      type: "module",
      name: "leffa-runtime",
    });
    api = Comlink.wrap<WorkerApi>(worker);
    ready = api.init(backendPreference());
  }
  return ready;
}

async function remote(): Promise<Comlink.Remote<WorkerApi>> {
  await startRuntime();
  return api!;
}

export async function runWorkflow(
  doc: WorkflowDocument,
  runId: string,
  onEvent: (e: WorkerEvent) => void,
): Promise<void> {
  await (await remote()).run(doc, runId, Comlink.proxy(onEvent));
}

export async function cancelRun(runId: string): Promise<void> {
  await (await remote()).cancel(runId);
}

/** Gives the worker an uploaded image's bytes (transferred, so `bytes` is emptied here). */
export async function shareAsset(id: string, bytes: ArrayBuffer): Promise<void> {
  await (await remote()).putAsset(id, Comlink.transfer(bytes, [bytes]));
}
