import type * as Ort from "onnxruntime-web";
import type { InferenceSession, Tensor } from "onnxruntime-web";
import type { ModelEntry } from "../../models/manifest/schema";
import { contractProblems, graphOutputName } from "../../models/contract-check";
import {
  DeviceLostError,
  NodeError,
  type BackendInfo,
  type GeneratedGraph,
  type ModelRunOptions,
  type ModelSession,
  type ModelTensor,
} from "../../nodes/core/types";
import { ATTENTION_METADATA_KEY, type AttentionMode } from "../../models/leffa/attention-chunks";
import {
  ATTENTION_PROBE,
  ATTENTION_PROBE_TOLERANCE,
  attentionProbeError,
  attentionProbeFeeds,
  attentionProbeModel,
} from "../../models/leffa/attention-probe";
import { defuseAttention } from "../../models/leffa/defuse-attention";
import { readModelMetadata } from "../../models/onnx/metadata";
import { CpuTensor } from "./cpu-tensor";

export type OrtModule = typeof Ort;

/** The bytes of a model: its .onnx and any external-data files it names. */
export interface ModelBytes {
  readonly model: Uint8Array;
  readonly externalData: readonly { readonly path: string; readonly data: Uint8Array }[];
}

/**
 * A model on disk, for onnxruntime-node: it reads the .onnx and its external data itself, so a
 * model of several GB never passes through a JavaScript buffer (or the 4 GB WASM heap).
 */
export interface ModelFile {
  readonly file: string;
  /** Its files' total size, for the pool's budget. */
  readonly bytes: number;
}

export type LoadProgress = (loaded: number, total: number, message: string) => void;

/** Fetches a model's files (the browser cache, or the store on disk), reporting download progress. */
export type ModelLoader = (
  entry: ModelEntry,
  onProgress?: LoadProgress,
) => Promise<ModelBytes | ModelFile>;

/** Where sessions run now; read at each session's creation, since a lost device is replaced. */
export interface ExecutionTarget {
  readonly info: BackendInfo;
  /** The studio's own device, shared by every session and kernel. */
  readonly device?: GPUDevice;
  /** True once that device has been lost. */
  deviceLost(): boolean;
}

export interface SessionPoolOptions {
  readonly ort: OrtModule;
  readonly load: ModelLoader;
  readonly target: () => ExecutionTarget;
  /** Model bytes kept loaded at most; the least recently used sessions are released beyond it. */
  readonly budgetBytes: number;
  /**
   * The provider of sessions not on the browser's GPU device: onnxruntime-web's "wasm" (browser,
   * and Node by default), onnxruntime-node's native "cpu" (headless runs of models beyond the
   * WASM heap), or onnxruntime-node's native "webgpu" EP (headless on a machine with a hardware
   * adapter, native-gpu.ts; the CPU provider takes the nodes it has no kernel for).
   */
  readonly cpuProvider?: "wasm" | "cpu" | "webgpu";
}

interface Slot {
  readonly id: string;
  readonly ready: Promise<PooledSession>;
  bytes: number;
  lastUsed: number;
  busy: number;
}

let clock = 0;

/**
 * Model sessions for the runtime: loaded on first use, checked against their manifest contract,
 * kept in an LRU under a byte budget and shared by every node. A session on WebGPU that fails to
 * load or run falls back to WASM on its own, and says so in its backend detail.
 */
export class SessionPool {
  private readonly slots = new Map<string, Slot>();
  /** Sessions used after this clock value belong to the running node: never evicted. */
  private runningNodeSince = Infinity;
  /** The MultiHeadAttention check of the current GPU device (see attention-probe.ts). */
  private gpuAttention: { device: GPUDevice; problem: Promise<string | undefined> } | undefined;

  constructor(private readonly options: SessionPoolOptions) {}

  async get(entry: ModelEntry, onProgress?: LoadProgress): Promise<ModelSession> {
    return this.slotFor(entry.id, () =>
      this.open(entry, () => this.options.load(entry, onProgress)),
    );
  }

  /** A session for a graph built in code; cached like a model, under "generated:<id>". */
  async getGenerated(graph: GeneratedGraph): Promise<ModelSession> {
    return this.slotFor(`generated:${graph.id}`, () =>
      this.open(graph, async () => ({ model: graph.build(), externalData: [] })),
    );
  }

  private async slotFor(key: string, open: () => Promise<PooledSession>): Promise<ModelSession> {
    let slot = this.slots.get(key);
    if (!slot) {
      const ready = open();
      const created: Slot = { id: key, ready, bytes: 0, lastUsed: ++clock, busy: 0 };
      slot = created;
      this.slots.set(key, created);
      ready.then(
        (session) => {
          created.bytes = session.bytes;
          this.evict();
        },
        () => {
          // A failed load is not cached: the next attempt (after an install) starts afresh.
          if (this.slots.get(key) === created) this.slots.delete(key);
        },
      );
    }
    slot.lastUsed = ++clock;
    const session = await slot.ready;
    return this.track(slot, session);
  }

  /**
   * A node starts: the sessions it gets or runs from now on stay loaded until the next node
   * starts, even beyond the budget. A node that needs several large models at once (Leffa's two
   * UNets and VAE, 3.4 GB in fp16) would otherwise lose the first while loading the last, and
   * fail on its next run with a released session.
   */
  beginNode(): void {
    this.runningNodeSince = clock;
  }

  /** Model ids loaded now, most recent first (for the UI and tests). */
  loaded(): string[] {
    return [...this.slots.values()].sort((a, b) => b.lastUsed - a.lastUsed).map((s) => s.id);
  }

  /** Releases every session (the device was lost, or memory is wanted back). */
  async clear(): Promise<void> {
    const slots = [...this.slots.values()];
    this.slots.clear();
    await Promise.all(
      slots.map((s) =>
        s.ready.then(
          (p) => p.release(),
          () => {},
        ),
      ),
    );
  }

  private track(slot: Slot, session: PooledSession): ModelSession {
    return {
      modelId: session.modelId,
      timings: session.timings,
      inputTypes: session.inputTypes,
      outputNames: session.outputNames,
      get backend() {
        return session.backend;
      },
      get attention() {
        return session.attention;
      },
      run: async (feeds, options) => {
        slot.busy++;
        slot.lastUsed = ++clock;
        try {
          return await session.run(feeds, options);
        } finally {
          slot.busy--;
          this.evict();
        }
      },
    };
  }

  private evict(): void {
    let total = [...this.slots.values()].reduce((sum, s) => sum + s.bytes, 0);
    const idle = [...this.slots.values()]
      .filter((s) => s.busy === 0 && s.bytes > 0 && s.lastUsed <= this.runningNodeSince)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    // The newest session always stays, even alone over budget: it is what the node asked for.
    const newest = Math.max(...[...this.slots.values()].map((s) => s.lastUsed));
    for (const slot of idle) {
      if (total <= this.options.budgetBytes) break;
      if (slot.lastUsed === newest) continue;
      this.slots.delete(slot.id);
      total -= slot.bytes;
      void slot.ready.then((s) => s.release());
    }
  }

  private async open(
    entry: SessionSubject,
    load: () => Promise<ModelBytes | ModelFile>,
  ): Promise<PooledSession> {
    const started = performance.now();
    const bytes = await load();
    const loaded = performance.now();
    const target = this.options.target();
    const cpu = this.options.cpuProvider ?? "wasm";
    const session = new PooledSession(this.options.ort, entry, bytes, target, cpu, () =>
      this.gpuAttentionProblem(target),
    );
    await session.start();
    session.timings = { filesMs: loaded - started, createMs: performance.now() - loaded };
    return session;
  }

  /** Why fused attention is not trusted on the target's GPU device, or undefined: checked once. */
  private gpuAttentionProblem(target: ExecutionTarget): Promise<string | undefined> {
    const device = target.device;
    if (!device) return Promise.resolve(undefined);
    if (this.gpuAttention?.device !== device) {
      this.gpuAttention = { device, problem: checkGpuAttention(this.options.ort, device) };
    }
    return this.gpuAttention.problem;
  }
}

/** Runs the MultiHeadAttention probe on the device; a wrong or failed result names the problem. */
async function checkGpuAttention(ort: OrtModule, device: GPUDevice): Promise<string | undefined> {
  const { queries, keys, heads, headDim } = ATTENTION_PROBE;
  const c = heads * headDim;
  const { q, k, v } = attentionProbeFeeds();
  try {
    const session = await ort.InferenceSession.create(attentionProbeModel(), {
      executionProviders: [{ name: "webgpu", device }],
    });
    try {
      const { out } = await session.run({
        q: new ort.Tensor("float32", q, [1, queries, c]),
        k: new ort.Tensor("float32", k, [1, keys, c]),
        v: new ort.Tensor("float32", v, [1, keys, c]),
      });
      const error = attentionProbeError((await out.getData()) as Float32Array);
      if (error > ATTENTION_PROBE_TOLERANCE) {
        return `WebGPU's MultiHeadAttention failed its check at load (max error ${error.toExponential(1)})`;
      }
      return undefined;
    } finally {
      await session.release();
    }
  } catch (err) {
    return `WebGPU's MultiHeadAttention failed its check at load (${errorText(err)})`;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** What a session is for: a manifest model, or a generated graph. */
type SessionSubject = Pick<ModelEntry, "id" | "contract">;

/** A Leffa graph's attention mode from its metadata; undefined for other models. */
function attentionOf(model: Uint8Array): AttentionMode | undefined {
  const mode = readModelMetadata(model).get(ATTENTION_METADATA_KEY);
  return mode === "fused" || mode === "chunked" ? mode : undefined;
}

/**
 * Graph optimisation level per provider, chosen with `npm run bench:sessions` (docs/performance.md;
 * full-size fp16 try-on graphs, fused attention, UNets run at a 16×12 latent, batch 2; a 2-core
 * machine under a load average of 12–24, so only ratios within the run count). "basic" creates
 * the four sessions far faster — onnxruntime-node CPU 10.1 s against 445 s for "all", WASM
 * 122 s against 228 s — but its UNet steps are slow: CPU reference UNet 11.4 s vs 1.1 s, generative
 * 35.7 s vs 2.4 s ("extended" is no better: 33.1 s); WASM 34.7 s vs 9.7 s and 43.2 s vs 18.4 s.
 * Over a run's 30 steps at a real size that costs far more than creation saves, so both CPU
 * providers keep "all". WebGPU keeps "all" too, unmeasured on a GPU yet (`npm run bench:gpu`
 * prints each session's creation there).
 */
const OPTIMIZATION_LEVEL: Record<
  "wasm" | "cpu" | "webgpu",
  NonNullable<InferenceSession.SessionOptions["graphOptimizationLevel"]>
> = { wasm: "all", cpu: "all", webgpu: "all" };

/**
 * One model's session, with its fallbacks: a fused Leffa graph whose MultiHeadAttention fails to
 * load or on its first run is rewritten into the chunked graph (defuseAttention) and retried
 * where it was; a session on WebGPU that still fails moves to WASM.
 */
class PooledSession {
  private session: InferenceSession | undefined;
  private onGpu = false;
  private provedOnGpu = false;
  /** A run has succeeded: later failures are the run's, not the graph's. */
  private ran = false;
  /** The .onnx bytes sessions are created from: as loaded, or their chunked rewrite. */
  private model: Uint8Array | undefined;
  attention: ModelSession["attention"];
  backend: BackendInfo;
  readonly bytes: number;
  timings = { filesMs: 0, createMs: 0 };
  /** Filled from the first session created; a WASM fallback loads the same model, same types. */
  inputTypes: Readonly<Record<string, string>> = {};
  outputNames: readonly string[] = [];

  constructor(
    private readonly ort: OrtModule,
    private readonly entry: SessionSubject,
    private readonly files: ModelBytes | ModelFile,
    private readonly target: ExecutionTarget,
    private readonly cpuProvider: "wasm" | "cpu" | "webgpu",
    /** Why fused attention is not trusted on the GPU (checked once per device), or undefined. */
    private readonly gpuAttentionProblem: () => Promise<string | undefined>,
  ) {
    this.backend = target.info;
    if (!("file" in files)) {
      this.model = files.model;
      const mode = attentionOf(files.model);
      this.attention = mode ? { mode } : undefined;
    }
    this.bytes =
      "file" in files
        ? files.bytes
        : files.model.byteLength + files.externalData.reduce((n, f) => n + f.data.byteLength, 0);
  }

  get modelId(): string {
    return this.entry.id;
  }

  async start(): Promise<void> {
    if (this.target.info.name === "webgpu" && this.target.device) {
      try {
        // A wrong fused kernel raises no error: the device's check decides before loading.
        const problem =
          this.attention?.mode === "fused" ? await this.gpuAttentionProblem() : undefined;
        if (problem) this.defuse(problem);
        this.session = await this.createOrDefuse(true);
        this.onGpu = true;
        this.backend = this.target.info;
        return;
      } catch (err) {
        if (err instanceof NodeError) throw err;
        this.fallBack(err, "failed to load");
      }
    }
    this.session = await this.createOrDefuse(false);
  }

  /** create(), retried once with the chunked rewrite when a fused graph fails to load. */
  private async createOrDefuse(gpu: boolean): Promise<InferenceSession> {
    try {
      return await this.create(gpu);
    } catch (err) {
      const where = gpu ? "WebGPU" : "WASM";
      const reason = `fused attention failed to load on ${where} (${errorText(err)})`;
      if (err instanceof NodeError || !this.defuse(reason)) throw err;
      return this.create(gpu);
    }
  }

  /** Switches a fused graph to its chunked rewrite, noting why; false when there is none. */
  private defuse(reason: string): boolean {
    if (this.attention?.mode !== "fused" || !this.model) return false;
    const chunked = defuseAttention(this.model);
    if (!chunked) return false;
    this.model = chunked;
    this.attention = { mode: "chunked", fallback: reason };
    return true;
  }

  async release(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await s?.release();
  }

  async run(
    feeds: Readonly<Record<string, ModelTensor>>,
    options: ModelRunOptions = {},
  ): Promise<Record<string, ModelTensor>> {
    // Optional outputs only when asked for: a graph may lack them, and nobody would free them.
    // Positioned outputs (SCHP's) go by the loaded graph's name at their position.
    const outputs =
      options.outputs ??
      this.entry.contract.outputs
        .filter((o) => !o.optional)
        .map((o) => graphOutputName(o, this.outputNames) ?? o.name);
    const runAndMark = async () => {
      const result = await this.runOnce(feeds, outputs);
      this.ran = true;
      if (this.onGpu) this.provedOnGpu = true;
      return options.keepOnGpu ? result : await this.toCpu(result);
    };
    try {
      return await runAndMark();
    } catch (err) {
      if (this.onGpu && this.target.deviceLost()) throw new DeviceLostError(errorText(err));
      let failure = err;
      // A fused attention kernel that fails (e.g. scores over a GPU buffer limit) shows on the
      // first run: the chunked rewrite is tried on the same backend before anything moves.
      const where = this.onGpu ? "WebGPU" : "WASM";
      const reason = `fused attention failed on its first run on ${where} (${errorText(err)})`;
      if (!this.ran && this.defuse(reason)) {
        try {
          await this.release();
          this.session = await this.create(this.onGpu);
          return await runAndMark();
        } catch (retryErr) {
          if (retryErr instanceof NodeError || !this.onGpu) throw retryErr;
          failure = retryErr;
        }
      }
      // A kernel that WebGPU cannot run shows on the first run; the model then moves to WASM.
      if (!this.onGpu || this.provedOnGpu) throw failure;
      this.fallBack(failure, "failed on its first run");
      await this.release();
      this.session = await this.create(false);
      const result = await this.runOnce(feeds, outputs);
      this.ran = true;
      return this.toCpu(result);
    }
  }

  private fallBack(err: unknown, what: string): void {
    this.onGpu = false;
    this.backend = {
      name: "wasm",
      detail: `${this.entry.id} ${what} on WebGPU (${errorText(err)}); it runs on WASM instead`,
    };
  }

  private async runOnce(
    feeds: Readonly<Record<string, ModelTensor>>,
    outputs: readonly string[],
  ): Promise<Record<string, ModelTensor>> {
    const session = this.session;
    if (!session) throw new Error(`${this.entry.id}: the session was released`);
    const prepared: Record<string, Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) prepared[name] = await this.toOrt(feed);
    return session.run(prepared, [...outputs]);
  }

  /** Feeds from nodes (CpuTensor) or from other sessions (onnxruntime Tensors, maybe on the GPU). */
  private async toOrt(feed: ModelTensor): Promise<Tensor> {
    const { Tensor } = this.ort;
    if (feed instanceof CpuTensor) {
      return new Tensor(feed.type, feed.data as never, [...feed.dims]);
    }
    if (feed instanceof Tensor) {
      // A GPU tensor can only feed a session on the same device; a WASM session gets its data.
      if (feed.location === "gpu-buffer" && !this.onGpu) {
        return new Tensor(feed.type, (await feed.getData()) as never, [...feed.dims]);
      }
      return feed;
    }
    throw new Error(`${this.entry.id}: a feed is neither ctx.tensor() nor a model output`);
  }

  private async toCpu(result: Record<string, ModelTensor>): Promise<Record<string, ModelTensor>> {
    const out: Record<string, ModelTensor> = {};
    for (const [name, tensor] of Object.entries(result)) {
      if (tensor.location === "cpu") {
        out[name] = tensor;
        continue;
      }
      const data = await tensor.getData();
      tensor.dispose();
      out[name] = new this.ort.Tensor(tensor.type as never, data as never, [...tensor.dims]);
    }
    return out;
  }

  private async create(gpu: boolean): Promise<InferenceSession> {
    const { ort, entry, files } = this;
    const options: InferenceSession.SessionOptions = {
      executionProviders: gpu
        ? [{ name: "webgpu", device: this.target.device }]
        : this.cpuProvider === "webgpu"
          ? ["webgpu", "cpu"]
          : [this.cpuProvider],
      graphOptimizationLevel: OPTIMIZATION_LEVEL[gpu ? "webgpu" : this.cpuProvider],
      ...("file" in files
        ? {}
        : { externalData: files.externalData.map((f) => ({ path: f.path, data: f.data })) }),
      ...(gpu ? { preferredOutputLocation: "gpu-buffer" as const } : {}),
    };
    const session =
      "file" in files
        ? await ort.InferenceSession.create(files.file, options)
        : await ort.InferenceSession.create(this.model ?? files.model, options);
    const problems = contractProblems(entry.contract, {
      inputs: session.inputMetadata,
      outputs: session.outputMetadata,
    });
    if (problems.length) {
      await session.release();
      throw new NodeError(
        `${entry.id} does not match its manifest contract: ${problems.join("; ")}`,
      );
    }
    this.inputTypes = Object.fromEntries(
      session.inputMetadata.flatMap((m) => (m.isTensor ? [[m.name, m.type]] : [])),
    );
    this.outputNames = [...session.outputNames];
    return session;
  }
}
