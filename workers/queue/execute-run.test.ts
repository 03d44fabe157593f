import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { nodeCodec } from "../codec/node-codec";
import { createNodeHost } from "../node-host";
import { InfrastructureError } from "./errors";
import { RunExecutor } from "./execute-run";
import { outputKey } from "./output-keys";
import { MemoryAssetStore } from "./testing/memory-assets";
import { MemoryRunRecords } from "./testing/memory-records";
import { lookupWithWait } from "./testing/wait-node";
import { resizeWorkflow, waitWorkflow } from "./testing/workflows";
import { createImage } from "../../nodes/core/image";
import { WORKFLOW_VERSION } from "../../nodes/core/document";
import { defineNode, type NodeDefinition } from "../../nodes/core/types";

/** A node that only reports text, as the Flow Field reports its Leffa loss. */
const sayNode = defineNode({
  type: "test-say",
  version: 1,
  title: "Say (tests)",
  category: "Utility",
  description: "Reports a line of text.",
  inputs: {},
  outputs: {},
  params: {},
  run: async () => ({ outputs: {}, ui: { text: "Leffa loss (masked L2) 0.0123 over 42 px" } }),
}) as unknown as NodeDefinition;

async function setup(progressIntervalMs = 20) {
  const records = new MemoryRunRecords();
  const assets = new MemoryAssetStore();
  const host = { ...createNodeHost({ runtime: "native" }), lookup: lookupWithWait };
  const executor = new RunExecutor({
    records,
    assets,
    host,
    worker: "test-worker",
    progressIntervalMs,
    cancelPollMs: 10,
  });
  const photo = createImage(30, 20);
  photo.data.fill(200);
  await assets.put("uploads/photo.png", await nodeCodec.encodePng(photo), "image/png");
  return { records, assets, executor };
}

describe("RunExecutor", () => {
  it("runs a queued run: inputs from the store, overrides applied, outputs under derived keys", async () => {
    const { records, assets, executor } = await setup();
    const id = records.create({
      document: resizeWorkflow(),
      inputs: { photo: "uploads/photo.png" },
      overrides: { fit: { width: 40, height: 50 } },
    });
    const result = await executor.execute(id);
    expect(result.status).toBe("done");
    const row = records.row(id);
    expect(row.status).toBe("done");
    expect(row.worker).toBe("test-worker");
    expect(row.history).toEqual(["running on test-worker", "finished done"]);
    const saved = outputKey(id, "save", "fitted.png");
    expect(row.result?.outputs.map((o) => o.key)).toContain(saved);
    const meta = await sharp(Buffer.from(assets.entries.get(saved)!.bytes)).metadata();
    expect([meta.width, meta.height]).toEqual([40, 50]);
    expect(Object.keys(row.result!.timings.nodes).sort()).toEqual(["fit", "photo", "save"]);
    expect(row.progress).toBe(1);
  });

  it("keeps what a node says as its text output, for batches to read the Leffa loss from", async () => {
    const records = new MemoryRunRecords();
    const assets = new MemoryAssetStore();
    const base = createNodeHost({ runtime: "native" });
    const host = {
      ...base,
      lookup: (type: string) => (type === sayNode.type ? sayNode : base.lookup(type)),
    };
    const executor = new RunExecutor({ records, assets, host, worker: "w", cancelPollMs: 10 });
    const id = records.create({
      document: {
        version: WORKFLOW_VERSION,
        name: "say",
        meta: {},
        nodes: [{ id: "say", type: "test-say", position: { x: 0, y: 0 }, params: {} }],
        edges: [],
      },
      inputs: {},
      overrides: {},
    });
    expect((await executor.execute(id)).status).toBe("done");
    const key = outputKey(id, "say", "text.txt");
    expect(records.row(id).result?.outputs.map((o) => o.key)).toEqual([key]);
    expect(new TextDecoder().decode(assets.entries.get(key)!.bytes)).toContain("0.0123");
  });

  it("skips a run that is no longer queued, and one that does not exist", async () => {
    const { records, executor } = await setup();
    const id = records.create({ document: waitWorkflow(1) });
    await executor.execute(id);
    expect(await executor.execute(id)).toMatchObject({ status: "skipped" });
    expect(await executor.execute("nope")).toMatchObject({ status: "skipped" });
    expect(records.row(id).history).toEqual(["running on test-worker", "finished done"]);
  });

  it("a node's own error is final: the run ends in error naming the node, nothing is thrown", async () => {
    const { records, assets, executor } = await setup();
    await assets.put("uploads/bad.png", new TextEncoder().encode("not an image"), "image/png");
    const id = records.create({ document: resizeWorkflow(), inputs: { photo: "uploads/bad.png" } });
    const result = await executor.execute(id);
    expect(result).toMatchObject({
      status: "error",
      error: { nodeId: "photo", message: expect.stringMatching(/unsupported or corrupt image/) },
    });
    expect(records.row(id).status).toBe("error");
    expect(records.row(id).nodes.fit?.status).toBe("skipped");
    const missing = records.create({
      document: resizeWorkflow(),
      inputs: { photo: "uploads/gone.png" },
    });
    expect(await executor.execute(missing)).toMatchObject({
      status: "error",
      error: { nodeId: "photo", message: "input asset uploads/gone.png is not in the asset store" },
    });
  });

  it("an override or input for a node the workflow lacks ends the run in error naming it", async () => {
    const { records, executor } = await setup();
    const id = records.create({ document: resizeWorkflow(), overrides: { ghost: { width: 3 } } });
    expect(await executor.execute(id)).toMatchObject({
      status: "error",
      error: { nodeId: "ghost" },
    });
    const id2 = records.create({
      document: resizeWorkflow(),
      inputs: { fit: "uploads/photo.png" },
    });
    expect(await executor.execute(id2)).toMatchObject({
      status: "error",
      error: { nodeId: "fit" },
    });
  });

  it("a failing asset store is the machinery's fault: it throws for the queue to retry", async () => {
    const { records, assets, executor } = await setup();
    const id = records.create({
      document: resizeWorkflow(),
      inputs: { photo: "uploads/photo.png" },
    });
    assets.failing = new Error("connect ECONNREFUSED 127.0.0.1:9000");
    const err = await executor.execute(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureError);
    expect((err as Error).message).toMatch(
      /could not read input uploads\/photo.png from the asset store: connect ECONNREFUSED/,
    );
    // Left running: the queue requeues it before the retry.
    expect(records.row(id).status).toBe("running");
    await records.requeue(id, "retry");
    assets.failing = null;
    expect((await executor.execute(id)).status).toBe("done");
  });

  it("a retried run writes over its earlier outputs: one key per output, never two", async () => {
    const { records, assets, executor } = await setup();
    const id = records.create({
      document: resizeWorkflow(),
      inputs: { photo: "uploads/photo.png" },
    });
    await executor.execute(id);
    const first = assets.keys(`runs/${id}/`);
    // As if the worker died after writing its outputs but before recording the finish.
    records.row(id).status = "running";
    await records.requeue(id, "stalled");
    records.row(id).result = undefined;
    await executor.execute(id);
    expect(assets.keys(`runs/${id}/`)).toEqual(first);
    expect(first.every((k) => assets.writes.get(k) === 2)).toBe(true);
  });

  it("a cancel request stops the running node within one step and finishes the run cancelled", async () => {
    // Every progress event written at once, so the record says which step is under way.
    const { records, executor } = await setup(0);
    const id = records.create({ document: waitWorkflow(5_000, 100) });
    const running = executor.execute(id);
    let stepsAtCancel = 0;
    while (stepsAtCancel < 5) {
      await new Promise((r) => setTimeout(r, 20));
      stepsAtCancel = Math.round((records.row(id).nodes.wait?.progress ?? 0) * 100);
    }
    records.requestCancel(id);
    const requestedAt = performance.now();
    const result = await running;
    expect(result.status).toBe("cancelled");
    // Far sooner than the 4.7 s left (the exact step is checked below; time varies with load).
    expect(performance.now() - requestedAt).toBeLessThan(1000);
    expect(records.row(id).status).toBe("cancelled");
    // The node keeps where it stopped: the step under way when the cancel came, or the next.
    const stopped = records.row(id).nodes.wait!;
    expect(stopped.status).toBe("cancelled");
    expect(Math.round(stopped.progress! * 100) - stepsAtCancel).toBeLessThanOrEqual(1);
    expect(stopped.message).toMatch(/^step \d+\/100$/);
  });

  it("a run past its timeout ends in error naming the node that was running", async () => {
    const { records, executor } = await setup();
    const id = records.create({ document: waitWorkflow(5_000, 100), timeoutMs: 250 });
    const started = performance.now();
    const result = await executor.execute(id);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({
      status: "error",
      error: { nodeId: "wait", message: "timed out after 0.3 s" },
    });
  });

  it("reports progress a few times a second with per-node states", async () => {
    const { records, executor } = await setup();
    const id = records.create({ document: waitWorkflow(300, 30) });
    const seen: number[] = [];
    const progress = records.progress.bind(records);
    records.progress = async (runId, value, nodes) => {
      seen.push(value);
      expect(nodes.wait?.status).toMatch(/running|done/);
      return progress(runId, value, nodes);
    };
    const started = performance.now();
    await executor.execute(id);
    const elapsed = performance.now() - started;
    // 30 steps in ≥ 300 ms, at most one write per 20 ms (and the final flush): not one per step.
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.length).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 2);
    expect(seen.length).toBeLessThan(30);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it("a shutdown signal hands the run back: it throws instead of finishing", async () => {
    const { records, executor } = await setup();
    const id = records.create({ document: waitWorkflow(5_000, 100) });
    const shutdown = new AbortController();
    setTimeout(() => shutdown.abort("shutdown"), 50);
    const err = await executor.execute(id, shutdown.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfrastructureError);
    expect(records.row(id).status).toBe("running");
    const cancel = new AbortController();
    await records.requeue(id, "shutdown");
    setTimeout(() => cancel.abort("cancelled"), 50);
    expect((await executor.execute(id, cancel.signal)).status).toBe("cancelled");
  });
});
