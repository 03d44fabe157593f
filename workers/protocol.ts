import type { WorkflowDocument } from "../nodes/core/document";
import type { FlowField } from "../nodes/core/flow";
import type { BackendInfo } from "../nodes/core/types";
import type { BackendPreference } from "./backend";
import type { CachedModelFile, ModelFileRef, ProgressCallback } from "./models/model-cache";
import type { ProbeResult } from "./models/probe";
import type { RunEvent } from "./runtime/events";

/**
 * Messages between the editor and the runtime worker. Images cross as transferred ImageBitmaps
 * (display) and ArrayBuffers (files), never as JSON or data URLs.
 */
export interface UiImage {
  readonly bitmap: ImageBitmap;
  readonly width: number;
  readonly height: number;
}

export interface UiFile {
  readonly name: string;
  readonly mime: string;
  readonly bytes: ArrayBuffer;
}

/** What the editor shows of a node's result: display images and downloadable files. */
export interface NodeOutputEvent {
  readonly type: "node-output";
  readonly runId: string;
  readonly nodeId: string;
  readonly cached: boolean;
  /** Images the node shows: its UI images, else its IMAGE/MASK outputs. */
  readonly images: readonly UiImage[];
  readonly files: readonly UiFile[];
  readonly text?: string;
  /** The flow field a node offers the inspector (copied, not transferred: the cache keeps it). */
  readonly flow?: FlowField;
}

/** A running node's live preview (e.g. a sampler's current estimate); superseded by its output. */
export interface NodePreviewEvent {
  readonly type: "node-preview";
  readonly runId: string;
  readonly nodeId: string;
  readonly image: UiImage;
}

/** The runtime's events as the editor receives them: raw results become `node-output`. */
export type WorkerEvent =
  Exclude<RunEvent, { type: "node-result" }> | NodeOutputEvent | NodePreviewEvent;

export interface WorkerApi {
  /**
   * Starts the runtime; resolves with the backend it picked (and why) as soon as it is known.
   * `wasmThreads` overrides onnxruntime-web's WASM thread count (default min(4, cores)).
   */
  init(preference: BackendPreference, wasmThreads?: number): Promise<BackendInfo>;
  /** Resolves once onnxruntime-web has proven itself on that backend (what model nodes need). */
  runtimeReady(): Promise<BackendInfo>;
  /** Hands the worker an uploaded image's bytes so it need not fetch them (transferred). */
  putAsset(id: string, bytes: ArrayBuffer): Promise<void>;
  /**
   * Runs a workflow. `cancelFlag` (a SharedArrayBuffer view, when the page is cross-origin
   * isolated) lets Cancel reach a node that is busy in a synchronous loop. `targets` makes it a
   * "run to here": only those nodes and their upstream closure run (RunOptions.targets).
   */
  run(
    doc: WorkflowDocument,
    runId: string,
    onEvent: (event: WorkerEvent) => void,
    cancelFlag?: Int32Array,
    targets?: readonly string[],
  ): Promise<void>;
  cancel(runId: string): Promise<void>;
  clearCache(): Promise<void>;

  // The browser's cache of model files (workers/models/model-cache.ts), for the Models panel.
  /**
   * Downloads, verifies and caches one model file unless a verified copy is cached already; the
   * bytes stay in the worker. `downloadId` lets `cancelModelDownload` stop it.
   */
  cacheModelFile(
    modelId: string,
    file: ModelFileRef,
    onProgress?: ProgressCallback,
    downloadId?: string,
  ): Promise<{ bytes: number; fromCache: boolean }>;
  cancelModelDownload(downloadId: string): Promise<void>;
  listCachedModels(): Promise<CachedModelFile[]>;
  /** Removes one model's cached files, or all of them; resolves with how many were removed. */
  clearModelCache(modelId?: string): Promise<number>;
  /** Checks a file the user picked (transferred) against what is known of it, then caches it. */
  importModelFile(
    modelId: string,
    name: string,
    bytes: ArrayBuffer,
    expected?: { bytes: number | null; sha256: string | null },
  ): Promise<CachedModelFile>;
  /** Loads a model on this device and runs it once on a fixed input (the panel's "Test"). */
  probeModel(modelId: string): Promise<ProbeResult>;
}
