import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { WorkflowDocument } from "../../nodes/core/document";
import { NodeError } from "../../nodes/core/types";
import type { RuntimeHost } from "../runtime/execute";
import { executeWorkflow } from "../runtime/execute";
import type { RunEvent } from "../runtime/events";
import type {
  AssetStore,
  NodeRunState,
  RunFinish,
  RunOutput,
  RunRecords,
  RunSpec,
} from "./contract";
import { describeError, InfrastructureError } from "./errors";
import { outputKey } from "./output-keys";
import { Throttle } from "./throttle";

export interface ExecutorOptions {
  readonly records: RunRecords;
  readonly assets: AssetStore;
  /** The machine's runtime host, kept across runs so loaded models and cached results stay. */
  readonly host: RuntimeHost;
  /** Names this process in the run record ("hostname:pid"). */
  readonly worker: string;
  /** Least time between two progress writes (default 250 ms: four a second). */
  readonly progressIntervalMs?: number;
  /** How often the run's cancel flag is read from the records (default 250 ms). */
  readonly cancelPollMs?: number;
}

/** What became of one execution: the run was finished, or it was not this job's to run. */
export type ExecuteResult =
  | { readonly status: "skipped"; readonly reason: string }
  | (RunFinish & { readonly skipped?: undefined });

/** Why the run's AbortSignal fired. */
type StopReason = "cancelled" | "timeout" | "shutdown";

/**
 * Executes queued runs: the same for the embedded queue and for BullMQ workers. A node's own
 * error is final (the run finishes "error" naming the node); a failure of the database or the
 * asset store throws InfrastructureError so the queue can retry the run with backoff.
 */
export class RunExecutor {
  constructor(private readonly options: ExecutorOptions) {}

  /**
   * `signal` stops the run from outside: its reason "cancelled" (a cancel that reached this
   * process directly) finishes the run cancelled; any other reason (the worker shutting down)
   * throws InfrastructureError, leaving the run for the queue to hand to another worker.
   */
  async execute(runId: string, signal?: AbortSignal): Promise<ExecuteResult> {
    const { records, worker } = this.options;
    const spec = await infra("load the run", () => records.load(runId));
    if (!spec) return { status: "skipped", reason: "no such run" };
    if (!(await infra("mark the run running", () => records.markRunning(runId, worker)))) {
      return { status: "skipped", reason: `the run is ${spec.status}, not queued` };
    }
    return this.run(spec, signal);
  }

  private async run(spec: RunSpec, outer?: AbortSignal): Promise<RunFinish> {
    const { records } = this.options;
    const started = performance.now();
    const document = prepareDocument(spec);
    if ("error" in document) {
      const result: RunFinish = {
        status: "error",
        outputs: [],
        error: document.error,
        timings: { totalMs: 0, nodes: {} },
      };
      await infra("record the run's end", () => records.finish(spec.id, result));
      return result;
    }

    const abort = new AbortController();
    let stopReason: StopReason | undefined;
    const stop = (reason: StopReason) => {
      if (abort.signal.aborted) return;
      stopReason = reason;
      abort.abort(reason);
    };
    const onOuterAbort = () => stop(outer?.reason === "cancelled" ? "cancelled" : "shutdown");
    if (outer?.aborted) onOuterAbort();
    outer?.addEventListener("abort", onOuterAbort);
    const timeout = setTimeout(() => stop("timeout"), spec.timeoutMs);
    const cancelPoll = setInterval(() => {
      records.cancelRequested(spec.id).then(
        (yes) => yes && stop("cancelled"),
        () => {}, // a failed read is tried again at the next tick
      );
    }, this.options.cancelPollMs ?? 250);

    const nodes: Record<string, NodeRunState> = {};
    let order: readonly string[] = [];
    let running: string | undefined;
    const progress = new Throttle(this.options.progressIntervalMs ?? 250, () =>
      records
        .progress(spec.id, overallProgress(order, nodes), { ...nodes })
        // Progress is a courtesy: a lost write is made good by the next one or by finish.
        .catch((err: unknown) =>
          console.warn(`run ${spec.id}: progress not recorded: ${describeError(err)}`),
        ),
    );
    const onEvent = (event: RunEvent) => {
      if (event.type === "run-start") order = event.nodeIds;
      else if (event.type === "node-status") {
        if (event.status === "running") running = event.nodeId;
        // A cancelled node keeps its last progress ("step 12 of 30"): where it stopped.
        const kept = event.status === "cancelled" ? nodes[event.nodeId] : undefined;
        nodes[event.nodeId] = {
          ...(kept?.progress !== undefined ? { progress: kept.progress } : {}),
          ...(kept?.message !== undefined ? { message: kept.message } : {}),
          status: event.status,
          ...(event.message !== undefined ? { message: event.message } : {}),
          ...(event.elapsedMs !== undefined ? { elapsedMs: event.elapsedMs } : {}),
        };
      } else if (event.type === "node-progress") {
        const { value, max, message } = event.progress;
        nodes[event.nodeId] = {
          ...nodes[event.nodeId],
          progress: max > 0 ? value / max : 0,
          ...(message !== undefined ? { message } : {}),
        };
      } else return;
      progress.poke();
    };

    // Inputs are read before the run: the store failing is the machinery's fault (thrown, so the
    // queue retries), an input that is not there is the run's (it ends in error naming the node).
    const inputs = await this.readInputs(spec, document.doc);
    if ("error" in inputs) {
      const result: RunFinish = {
        status: "error",
        outputs: [],
        error: inputs.error,
        timings: { totalMs: performance.now() - started, nodes: {} },
      };
      await infra("record the run's end", () => records.finish(spec.id, result));
      return result;
    }
    const host: RuntimeHost = {
      ...this.options.host,
      asset: async (id) => {
        const bytes = inputs.byId.get(id);
        if (!bytes) throw new NodeError(`image ${id.slice(0, 12)}… is not among the run's inputs`);
        return bytes;
      },
    };

    try {
      const outcome = await executeWorkflow(document.doc, host, {
        runId: spec.id,
        signal: abort.signal,
        onEvent,
      });
      if (stopReason === "shutdown") {
        throw new InfrastructureError("the worker shut down before the run finished");
      }
      const outputs = await this.writeOutputs(spec.id, outcome.results, host);
      const timings = {
        totalMs: performance.now() - started,
        nodes: Object.fromEntries(
          Object.entries(nodes)
            .filter(([, s]) => s.elapsedMs !== undefined)
            .map(([id, s]) => [id, s.elapsedMs!]),
        ),
      };
      const failed = order.find((id) => nodes[id]?.status === "error");
      const result: RunFinish =
        stopReason === "timeout"
          ? {
              status: "error",
              outputs,
              error: {
                message: `timed out after ${(spec.timeoutMs / 1000).toFixed(1)} s`,
                ...(running ? { nodeId: running } : {}),
              },
              timings,
            }
          : outcome.status === "error" && failed
            ? {
                status: "error",
                outputs,
                error: { message: nodes[failed].message ?? "failed", nodeId: failed },
                timings,
              }
            : { status: outcome.status, outputs, timings };
      await progress.flush();
      await infra("record the run's end", () => records.finish(spec.id, result));
      return result;
    } finally {
      clearTimeout(timeout);
      clearInterval(cancelPoll);
      outer?.removeEventListener("abort", onOuterAbort);
      await progress.stop();
    }
  }

  /**
   * Each input's bytes from the asset store, set on its Load Image node by content hash (the
   * param Load Image takes, and what keys the result cache).
   */
  private async readInputs(
    spec: RunSpec,
    doc: WorkflowDocument,
  ): Promise<{ byId: Map<string, Uint8Array> } | { error: { message: string; nodeId: string } }> {
    const byId = new Map<string, Uint8Array>();
    for (const [nodeId, key] of Object.entries(spec.inputs)) {
      const found = await infra(`read input ${key} from the asset store`, () =>
        this.options.assets.get(key),
      );
      if (!found)
        return { error: { message: `input asset ${key} is not in the asset store`, nodeId } };
      const id = bytesToHex(sha256(found.bytes));
      byId.set(id, found.bytes);
      const node = doc.nodes.find((n) => n.id === nodeId)!;
      node.params = { ...node.params, image: id };
    }
    return { byId };
  }

  /** Every image, file and text the nodes show, under keys a retry writes over. */
  private async writeOutputs(
    runId: string,
    results: Awaited<ReturnType<typeof executeWorkflow>>["results"],
    host: RuntimeHost,
  ): Promise<RunOutput[]> {
    const outputs: RunOutput[] = [];
    const put = async (nodeId: string, name: string, bytes: Uint8Array, contentType: string) => {
      const key = outputKey(runId, nodeId, name);
      await infra("write an output", () => this.options.assets.put(key, bytes, contentType));
      outputs.push({ nodeId, name, key, contentType, bytes: bytes.byteLength });
    };
    for (const [nodeId, result] of results) {
      // What a node says (the Flow Field's Leffa loss, a sampler's step count) is part of its
      // result: batches read the loss back from it.
      const text = result.ui?.text;
      if (text) await put(nodeId, "text.txt", new TextEncoder().encode(text), "text/plain");
      const files = result.ui?.files ?? [];
      for (const f of files) await put(nodeId, f.name, f.bytes, f.mime);
      // A node that writes files (Save Image) shows the same picture: the file is its output.
      if (files.length > 0) continue;
      for (const [i, image] of (result.ui?.images ?? []).entries()) {
        await put(nodeId, `image-${i}.png`, await host.codec.encodePng(image), "image/png");
      }
    }
    return outputs;
  }
}

/** Runs `step`; any failure is the machinery's, so the queue retries the run. */
async function infra<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof InfrastructureError) throw err;
    throw new InfrastructureError(`could not ${what}: ${describeError(err)}`, { cause: err });
  }
}

/** The run's document with its overrides and inputs applied, or the node that cannot take them. */
function prepareDocument(
  spec: RunSpec,
): { doc: WorkflowDocument } | { error: { message: string; nodeId?: string } } {
  const doc = structuredClone(spec.document);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  for (const [nodeId, params] of Object.entries(spec.overrides)) {
    const node = byId.get(nodeId);
    if (!node) return { error: { message: `override for a node not in the workflow`, nodeId } };
    node.params = { ...node.params, ...params };
  }
  for (const nodeId of Object.keys(spec.inputs)) {
    const node = byId.get(nodeId);
    if (!node || node.type !== "load-image") {
      return { error: { message: `input for a node that is not a Load Image`, nodeId } };
    }
  }
  return { doc };
}

/** Finished nodes count whole, the running one by its own progress. */
function overallProgress(
  order: readonly string[],
  nodes: Readonly<Record<string, NodeRunState>>,
): number {
  if (order.length === 0) return 0;
  let sum = 0;
  for (const id of order) {
    const state = nodes[id];
    if (!state) continue;
    if (state.status === "running") sum += state.progress ?? 0;
    else if (state.status !== "queued") sum += 1;
  }
  return sum / order.length;
}
