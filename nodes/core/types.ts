import type { Mask, RgbaImage } from "./image";
import type { ParamSpecs, ParamValues } from "./params";
import type { PortType } from "./ports";
import type { WorkflowDocument } from "./document";
import type { Contract } from "../../models/manifest/schema";
import type { FlowField } from "./flow";

export type NodeCategory =
  "Input" | "Image" | "Mask" | "Pose" | "Generation" | "Output" | "Utility";

export interface PortSpec {
  readonly type: PortType;
  readonly label?: string;
  /** Optional inputs may stay unconnected; the node receives `undefined`. */
  readonly optional?: boolean;
}

export type PortSpecs = Record<string, PortSpec>;

/** A value travelling along a wire. Images and masks are typed arrays; the rest are plain data. */
export type PortValue =
  RgbaImage | Mask | number | string | Keypoints | FlowField | Record<string, unknown>;

export interface Keypoints {
  readonly kind: "keypoints";
  readonly width: number;
  readonly height: number;
  /** One entry per person: OpenPose-18 body points [x, y, confidence]; confidence 0 = missing. */
  readonly people: readonly (readonly (readonly [number, number, number])[])[];
}

/** Something a node shows or offers to the person: previews and downloadable files. */
export interface UiOutput {
  readonly images?: readonly RgbaImage[];
  readonly files?: readonly {
    readonly name: string;
    readonly mime: string;
    readonly bytes: Uint8Array;
  }[];
  readonly text?: string;
  /** A flow field for the editor's inspector (hover the result, see where it looked). */
  readonly flow?: FlowField;
}

export interface NodeResult {
  readonly outputs: Record<string, PortValue>;
  readonly ui?: UiOutput;
}

/** wasm32 addresses 4 GiB: every model a WASM session holds must fit in it, with the rest. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;

export interface BackendInfo {
  readonly name: "webgpu" | "wasm" | "cpu";
  /** Human-readable adapter description, or why WebGPU was not used. */
  readonly detail: string;
  /**
   * The most model bytes this backend can hold at once, where something smaller than the
   * device's memory bounds it: the 4 GB WebAssembly heap when a "cpu" host runs its models on
   * onnxruntime-web's WASM backend (a "wasm" backend always has it). Absent: no such bound.
   */
  readonly modelBytesLimit?: number;
  /** The GPU device's buffer limits, in bytes; absent off the GPU. Tile sizes are chosen from them. */
  readonly limits?: {
    readonly maxBufferSize: number;
    readonly maxStorageBufferBindingSize: number;
  };
}

export type TensorType = "float32" | "float16" | "int64" | "int32" | "uint8" | "bool";

/**
 * A tensor handed to or returned by a model session. It may live on the GPU (`location:
 * "gpu-buffer"`): feed it to the next session as it is, and read it back only when needed.
 * onnxruntime's Tensor has exactly this shape, so nodes never import onnxruntime.
 */
export interface ModelTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly location: string;
  /** Downloads the data (from the GPU if needed). */
  getData(): Promise<unknown>;
  /** Frees the data (GPU memory included); the tensor is unusable afterwards. */
  dispose(): void;
}

export interface ModelRunOptions {
  /** Outputs to compute; default: the manifest contract's outputs. */
  readonly outputs?: readonly string[];
  /** Keep outputs on the GPU for the next session instead of reading them back. */
  readonly keepOnGpu?: boolean;
}

/** A loaded model, checked against its manifest contract. Shared; never released by nodes. */
export interface ModelSession {
  readonly modelId: string;
  /** How its loading went: getting the files (download or cache), then creating the session. */
  readonly timings: { readonly filesMs: number; readonly createMs: number };
  /** Where it runs, and why it is not on the GPU when it is not. */
  readonly backend: BackendInfo;
  /**
   * How a Leffa graph computes attention ("fused": com.microsoft MultiHeadAttention; "chunked":
   * standard ops), and why a fused graph fell back to chunked. Absent for other models, and
   * where the host cannot tell (a model read from disk by onnxruntime-node).
   */
  readonly attention?: { readonly mode: "fused" | "chunked"; readonly fallback?: string };
  /**
   * The element type of each input the loaded model takes ("float16", "float32", …). A contract
   * tensor may allow more than one dtype (`alsoAccepts`): feed what the model has. Absent where
   * the host cannot tell (test fakes); callers then assume the contract's `dtype`.
   */
  readonly inputTypes?: Readonly<Record<string, string>>;
  /**
   * Every output the loaded graph has, the contract's and any optional ones (e.g. the generative
   * UNet's flow-field outputs). Absent where the host cannot tell.
   */
  readonly outputNames?: readonly string[];
  run(
    feeds: Readonly<Record<string, ModelTensor>>,
    options?: ModelRunOptions,
  ): Promise<Record<string, ModelTensor>>;
}

/**
 * A small graph the studio builds in code (no weights, nothing to download), run like a model on
 * the same device as the models: e.g. the flow-field graph. `id` names the graph with its options
 * (sessions are cached by it), `contract` is checked against the built graph like a manifest's.
 */
export interface GeneratedGraph {
  readonly id: string;
  readonly contract: Contract;
  build(): Uint8Array;
}

export interface ImageCodec {
  /** Decodes PNG/JPEG/WebP bytes, applying EXIF orientation. Throws on corrupt data. */
  decode(bytes: Uint8Array): Promise<RgbaImage>;
  encodePng(image: RgbaImage): Promise<Uint8Array>;
}

/**
 * Everything a node may use from the machine. Nodes never import the runtime; the browser worker,
 * the Node CLI and the tests each hand in their own context.
 */
export interface NodeContext {
  readonly nodeId: string;
  readonly signal: AbortSignal;
  readonly backend: BackendInfo;
  readonly codec: ImageCodec;
  /** The document being run (Save Image embeds it). */
  readonly workflow: WorkflowDocument;
  /** Bytes of an uploaded image by its content id; throws a readable error when absent. */
  asset(id: string): Promise<Uint8Array>;
  /** Model availability. Throws `ModelUnavailableError` when the model cannot be used. */
  requireModel(modelId: string): Promise<void>;
  /**
   * A session for a model, loaded on first use (download progress shows on the node) and kept in
   * a shared LRU.
   * Throws `ModelUnavailableError` when the model is not installed, or a NodeError naming the
   * tensor when the file does not honour the manifest contract.
   */
  loadModel(modelId: string): Promise<ModelSession>;
  /** A session for a generated graph, on the models' device. Absent where there is none. */
  loadGraph?(graph: GeneratedGraph): Promise<ModelSession>;
  /**
   * The bytes of one file an installed model has besides its graph (e.g. the Leffa generative
   * UNet's scheduler_config.json); undefined when the install has no such file. Absent where the
   * host cannot read model files: callers then fall back as for a missing file.
   */
  modelFile?(modelId: string, name: string): Promise<Uint8Array | undefined>;
  /** A CPU tensor a session can take. */
  tensor(type: TensorType, data: ArrayBufferView, dims: readonly number[]): ModelTensor;
  progress(value: number, max: number, message?: string): void;
  /**
   * Shows a live preview image on the node while it runs (e.g. a sampler's intermediate result).
   * Absent where nothing displays it; callers must not rely on it.
   */
  preview?(image: RgbaImage): void;
}

export interface NodeDefinition<P extends ParamSpecs = ParamSpecs> {
  readonly type: string;
  /** Bumped when a change alters results for the same params: it invalidates cached outputs. */
  readonly version: number;
  readonly title: string;
  readonly category: NodeCategory;
  readonly description: string;
  readonly inputs: PortSpecs;
  readonly outputs: PortSpecs;
  readonly params: P;
  /** Model ids the node may need, whatever its params. */
  readonly models?: readonly string[];
  /**
   * The ones a node with these (saved, maybe partial) params needs, shown in the editor; all of
   * `models` when absent. The Leffa Sampler needs one checkpoint's four graphs of its twelve.
   */
  readonly modelsFor?: (params: Readonly<Record<string, unknown>>) => readonly string[];
  /** Notes are drawn on the canvas but never executed. */
  readonly executable?: boolean;
  run(
    ctx: NodeContext,
    inputs: Record<string, PortValue | undefined>,
    params: ParamValues<P>,
  ): Promise<NodeResult>;
}

export class NodeError extends Error {
  override readonly name = "NodeError";
}

export class ModelUnavailableError extends NodeError {
  constructor(
    readonly modelId: string,
    detail: string,
  ) {
    super(`needs model ${modelId}: ${detail}`);
  }
}

/**
 * The GPU device was lost mid-node (driver reset, out of memory…). The runtime recreates the
 * device and retries the node once.
 */
export class DeviceLostError extends NodeError {
  constructor(readonly reason: string) {
    super(`the GPU device was lost: ${reason}`);
  }
}

export class CancelledError extends Error {
  override readonly name = "CancelledError";
  constructor() {
    super("cancelled");
  }
}

export function defineNode<P extends ParamSpecs>(def: NodeDefinition<P>): NodeDefinition<P> {
  return def;
}
