import type { Lookup } from "../../nodes/core/connection";
import type { WorkflowDocument } from "../../nodes/core/document";
import { flattenWorkflow } from "../../nodes/core/flatten";
import type { RgbaImage } from "../../nodes/core/image";
import { subgraphLookup } from "../../nodes/core/subgraph";
import {
  CancelledError,
  DeviceLostError,
  NodeError,
  type BackendInfo,
  type GeneratedGraph,
  type ImageCodec,
  type ModelSession,
  type NodeContext,
  type NodeResult,
  type PortValue,
} from "../../nodes/core/types";
import { CpuTensor } from "../models/cpu-tensor";
import type { ParamSpecs, ParamValues } from "../../nodes/core/params";
import { nodeCacheKey } from "./cache-key";
import { compileWorkflow } from "./compile";
import { upstreamClosure } from "./targets";
import type { NodeStatus, RunEvent, RunStats } from "./events";
import type { ResultCache } from "./result-cache";

/** What the machine provides: the browser worker, the Node CLI and the tests each build one. */
export interface RuntimeHost {
  readonly lookup: Lookup;
  readonly backend: BackendInfo;
  readonly codec: ImageCodec;
  readonly cache: ResultCache;
  asset(id: string): Promise<Uint8Array>;
  readonly models: ModelHost;
}

/** Models as the machine provides them: the browser cache and WebGPU, or the store and WASM. */
export interface ModelHost {
  /** Throws ModelUnavailableError (saying what to do) when the model cannot be used. */
  require(modelId: string): Promise<void>;
  load(
    modelId: string,
    onProgress: (loaded: number, total: number, message: string) => void,
  ): Promise<ModelSession>;
  /**
   * After a DeviceLostError: brings up a fresh device and drops the dead sessions. Resolves false
   * when no recovery is possible, so the node fails instead of being retried.
   */
  recover(): Promise<boolean>;
  /** A session for a graph built in code (GeneratedGraph), cached by its id. */
  loadGenerated(graph: GeneratedGraph): Promise<ModelSession>;
  /** One file of an installed model (NodeContext.modelFile); undefined when it has none. */
  file?(modelId: string, name: string): Promise<Uint8Array | undefined>;
  /**
   * A node is about to run: the sessions it loads stay loaded while it runs (SessionPool.beginNode);
   * hosts without a session budget need not implement it.
   */
  beginNode?(): void;
}

export interface RunOptions {
  readonly runId: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  /** Live previews a running node shows (a sampler's intermediate images); not cached. */
  readonly onPreview?: (nodeId: string, image: RgbaImage) => void;
  /**
   * "Run to here": run only these nodes and what they need (their upstream closure); the rest
   * are not scheduled, so they keep the status and results they had. Unknown ids throw
   * UnknownTargetError before the run starts. Absent: the whole workflow.
   */
  readonly targets?: readonly string[];
}

export interface RunOutcome {
  readonly status: "done" | "error" | "cancelled";
  readonly stats: RunStats;
  readonly results: ReadonlyMap<string, NodeResult>;
  readonly statuses: ReadonlyMap<string, { status: NodeStatus; message?: string }>;
}

/**
 * Lets queued messages (a cancel request, above all) reach the runtime. A macrotask, because
 * awaiting a resolved promise only drains microtasks; MessageChannel/setImmediate rather than
 * setTimeout, which browsers clamp to 4 ms.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === "function") {
      setImmediate(resolve);
      return;
    }
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Yield only after this much uninterrupted work, so trivial graphs pay nearly nothing. */
const YIELD_AFTER_MS = 8;

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Runs every executable node (or those `options.targets` need) in dependency order. A node is
 * served from the cache when its content key is known; a failing node marks its descendants
 * skipped while other branches go on; a muted node and what needs it are skipped and a bypassed
 * node passes its input on (compile.ts), neither counting as a failure; the abort signal stops
 * the run between nodes and is handed to the running node.
 */
export async function executeWorkflow(
  doc: WorkflowDocument,
  host: RuntimeHost,
  options: RunOptions,
): Promise<RunOutcome> {
  const started = performance.now();
  const { runId, signal, onEvent, onPreview, targets } = options;
  const emit = onEvent ?? (() => {});
  // Subgraph nodes run as their inner nodes, with namespaced ids (nodes/core/flatten.ts).
  const flat = flattenWorkflow(doc, host.lookup);
  const needed = targets
    ? upstreamClosure(
        flat.doc,
        targets.flatMap((id) => flat.members.get(id) ?? [id]),
      )
    : null;
  const compiled = compileWorkflow(flat.doc, subgraphLookup(flat.doc.subgraphs, host.lookup)).order;
  const plan = { order: needed ? compiled.filter((n) => needed.has(n.id)) : compiled };
  const keys = new Map<string, string>();
  const results = new Map<string, NodeResult>();
  const statuses = new Map<string, { status: NodeStatus; message?: string }>();
  const stats = { ran: 0, cached: 0, failed: 0, skipped: 0 };

  const setStatus = (nodeId: string, status: NodeStatus, said?: string, elapsedMs?: number) => {
    // An inner node of a subgraph is named with it: "Mask Generator inside Prep: …".
    const label = flat.origins.get(nodeId)?.label;
    const message = label === undefined ? said : said === undefined ? label : `${label}: ${said}`;
    statuses.set(nodeId, { status, message });
    emit({ type: "node-status", runId, nodeId, status, message, elapsedMs });
  };

  emit({
    type: "run-start",
    runId,
    backend: host.backend,
    nodeIds: plan.order.map((n) => n.id),
    ...(targets ? { targets } : {}),
  });
  for (const node of plan.order) statuses.set(node.id, { status: "queued" });

  let lastYield = performance.now();
  for (const node of plan.order) {
    if (performance.now() - lastYield > YIELD_AFTER_MS) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
    if (signal?.aborted) {
      setStatus(node.id, "cancelled");
      continue;
    }
    if (node.skip !== undefined) {
      stats.skipped++;
      setStatus(node.id, "skipped", node.skip);
      continue;
    }
    if (node.bypass && !node.error) {
      // Its readers were wired to what it passes on (compile.ts); it has nothing to run.
      const routes = Object.entries(node.bypass).map(([out, inp]) => `"${inp}" → "${out}"`);
      setStatus(node.id, "bypassed", `bypassed: passes ${routes.join(", ")}`);
      continue;
    }
    if (node.error || !node.def) {
      stats.failed++;
      setStatus(node.id, "error", node.error ?? `missing node type "${node.type}"`);
      continue;
    }
    const blocked = node.inputs.find(
      (i) =>
        statuses.get(i.source)?.status !== "done" && statuses.get(i.source)?.status !== "cached",
    );
    if (blocked) {
      stats.skipped++;
      setStatus(node.id, "skipped", `waiting on "${blocked.source}", which did not finish`);
      continue;
    }
    const def = node.def;
    const key = nodeCacheKey(
      def.type,
      def.version,
      node.params,
      node.inputs.map((i) => ({
        port: i.port,
        sourceKey: keys.get(i.source)!,
        sourceHandle: i.sourceHandle,
      })),
    );
    keys.set(node.id, key);

    const hit = host.cache.get(key);
    if (hit) {
      stats.cached++;
      results.set(node.id, hit);
      setStatus(node.id, "cached");
      emit({ type: "node-result", runId, nodeId: node.id, result: hit, cached: true });
      continue;
    }

    const inputs: Record<string, PortValue | undefined> = {};
    let missing: string | undefined;
    for (const input of node.inputs) {
      const value = results.get(input.source)?.outputs[input.sourceHandle];
      if (value === undefined && !def.inputs[input.port]?.optional) {
        missing = `input "${input.port}" got no value: "${input.source}" produced no "${input.sourceHandle}"`;
      }
      inputs[input.port] = value;
    }
    if (missing) {
      stats.failed++;
      setStatus(node.id, "error", missing);
      continue;
    }

    setStatus(node.id, "running");
    host.models.beginNode?.();
    const nodeStart = performance.now();
    const progress = (value: number, max: number, message?: string) =>
      emit({ type: "node-progress", runId, nodeId: node.id, progress: { value, max, message } });
    const ctx: NodeContext = {
      nodeId: node.id,
      signal: signal ?? new AbortController().signal,
      backend: host.backend,
      codec: host.codec,
      workflow: doc,
      asset: (id) => host.asset(id),
      requireModel: (id) => host.models.require(id),
      loadModel: (id) => host.models.load(id, progress),
      loadGraph: (graph) => host.models.loadGenerated(graph),
      ...(host.models.file ? { modelFile: host.models.file.bind(host.models) } : {}),
      tensor: (type, data, dims) => new CpuTensor(type, data, dims),
      progress,
      ...(onPreview ? { preview: (image: RgbaImage) => onPreview(node.id, image) } : {}),
    };
    const attempt = () => def.run(ctx, inputs, node.params as ParamValues<ParamSpecs>);
    try {
      // The params were resolved against this definition's specs in compileWorkflow.
      const result = await attempt().catch(async (err: unknown) => {
        // A lost GPU device is not the node's fault: on a fresh device it is tried once more.
        if (!(err instanceof DeviceLostError) || !(await host.models.recover())) throw err;
        progress(0, 1, `${err.message}; retrying on a new device`);
        return attempt().catch((again: unknown) => {
          if (!(again instanceof DeviceLostError)) throw again;
          throw new NodeError(
            `${again.message} (twice in a row; reload the page, or add ?backend=wasm to its address to run on the CPU)`,
          );
        });
      });
      if (signal?.aborted) throw new CancelledError();
      stats.ran++;
      results.set(node.id, result);
      host.cache.set(key, result);
      setStatus(node.id, "done", undefined, performance.now() - nodeStart);
      emit({ type: "node-result", runId, nodeId: node.id, result, cached: false });
    } catch (err) {
      if (signal?.aborted || err instanceof CancelledError) {
        setStatus(node.id, "cancelled");
        continue;
      }
      stats.failed++;
      setStatus(node.id, "error", errorMessage(err));
    }
  }

  const status = signal?.aborted ? "cancelled" : stats.failed > 0 ? "error" : "done";
  const finalStats: RunStats = { ...stats, ms: performance.now() - started };
  emit({ type: "run-end", runId, status, stats: finalStats });
  return { status, stats: finalStats, results, statuses };
}
