import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../../nodes";
import type { WorkflowDocument } from "../../nodes/core/document";
import { isImage } from "../../nodes/core/image";
import { param } from "../../nodes/core/params";
import { defineNode, DeviceLostError, type NodeDefinition } from "../../nodes/core/types";
import { nodeCodec } from "../../workers/codec/node-codec";
import { createNodeHost } from "../../workers/node-host";
import type { RunEvent } from "../../workers/runtime/events";
import { executeWorkflow, type RuntimeHost } from "../../workers/runtime/execute";
import { UnknownTargetError } from "../../workers/runtime/targets";
import { imageFrom } from "../helpers/images";

async function pngAsset(): Promise<{ id: string; bytes: Uint8Array }> {
  const bytes = await nodeCodec.encodePng(imageFrom(40, 30, (x, y) => [x * 6, y * 8, 100, 255]));
  return { id: bytesToHex(sha256(bytes)), bytes };
}

function workflow(assetId: string, width = 20): WorkflowDocument {
  return {
    version: 2,
    name: "runtime test",
    meta: {},
    nodes: [
      { id: "load", type: "load-image", position: { x: 0, y: 0 }, params: { image: assetId } },
      {
        id: "small",
        type: "resize",
        position: { x: 0, y: 0 },
        params: { mode: "stretch", width, height: 10 },
      },
      { id: "view", type: "preview", position: { x: 0, y: 0 }, params: {} },
      {
        id: "crop",
        type: "crop",
        position: { x: 0, y: 0 },
        params: { x: 0, y: 0, width: 8, height: 8 },
      },
      { id: "leffa", type: "leffa-sampler", position: { x: 0, y: 0 }, params: {} },
      { id: "after", type: "preview", position: { x: 0, y: 0 }, params: {} },
      { id: "note", type: "note", position: { x: 0, y: 0 }, params: { text: "hi" } },
    ],
    edges: [
      { id: "e1", source: "load", sourceHandle: "image", target: "small", targetHandle: "image" },
      { id: "e2", source: "small", sourceHandle: "image", target: "view", targetHandle: "image" },
      { id: "e3", source: "load", sourceHandle: "image", target: "crop", targetHandle: "image" },
      { id: "e4", source: "load", sourceHandle: "image", target: "leffa", targetHandle: "person" },
      {
        id: "e5",
        source: "load",
        sourceHandle: "image",
        target: "leffa",
        targetHandle: "reference",
      },
      {
        id: "e6",
        source: "load",
        sourceHandle: "image",
        target: "leffa",
        targetHandle: "densepose",
      },
      { id: "e7", source: "leffa", sourceHandle: "image", target: "after", targetHandle: "image" },
    ],
  };
}

function statuses(events: RunEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.type === "node-status") out[e.nodeId] = e.status;
  return out;
}

describe("executeWorkflow", () => {
  it("runs in order, isolates a failing branch and names the missing model", async () => {
    const { id, bytes } = await pngAsset();
    const host = createNodeHost({ assets: new Map([[id, bytes]]) });
    const events: RunEvent[] = [];
    const outcome = await executeWorkflow(workflow(id), host, {
      runId: "r1",
      onEvent: (e) => events.push(e),
    });
    expect(statuses(events)).toEqual({
      load: "done",
      small: "done",
      view: "done",
      crop: "done",
      leffa: "error",
      after: "skipped",
    });
    const leffaError = events.find(
      (e) => e.type === "node-status" && e.nodeId === "leffa" && e.status === "error",
    );
    expect(leffaError && "message" in leffaError && leffaError.message).toMatch(
      /^needs model leffa-vton-hd-vae-encoder: it is converted from virtual_tryon\.pth/,
    );
    expect(outcome.status).toBe("error");
    const shown = outcome.results.get("view")?.ui?.images?.[0];
    expect(shown && isImage(shown) && [shown.width, shown.height]).toEqual([20, 10]);
    expect(events[0].type).toBe("run-start");
    expect(events.at(-1)?.type).toBe("run-end");
  });

  it("serves unchanged nodes from the cache and reruns only what a param change touches", async () => {
    const { id, bytes } = await pngAsset();
    const host = createNodeHost({ assets: new Map([[id, bytes]]) });
    await executeWorkflow(workflow(id), host, { runId: "a" });

    const again: RunEvent[] = [];
    await executeWorkflow(workflow(id), host, { runId: "b", onEvent: (e) => again.push(e) });
    expect(statuses(again)).toMatchObject({
      load: "cached",
      small: "cached",
      view: "cached",
      crop: "cached",
    });

    const changed: RunEvent[] = [];
    await executeWorkflow(workflow(id, 24), host, { runId: "c", onEvent: (e) => changed.push(e) });
    expect(statuses(changed)).toMatchObject({
      load: "cached",
      small: "done",
      view: "done",
      crop: "cached",
    });
  });

  describe("run to here (targets)", () => {
    it("schedules only the target and its ancestors; the rest get no event at all", async () => {
      const { id, bytes } = await pngAsset();
      const host = createNodeHost({ assets: new Map([[id, bytes]]) });
      const events: RunEvent[] = [];
      const outcome = await executeWorkflow(workflow(id), host, {
        runId: "t1",
        targets: ["small"],
        onEvent: (e) => events.push(e),
      });
      const start = events[0];
      expect(start.type === "run-start" && start.nodeIds).toEqual(["load", "small"]);
      expect(start.type === "run-start" && start.targets).toEqual(["small"]);
      expect(statuses(events)).toEqual({ load: "done", small: "done" });
      const touched = new Set(events.flatMap((e) => ("nodeId" in e ? [e.nodeId] : [])));
      expect([...touched].sort()).toEqual(["load", "small"]);
      expect(outcome.status).toBe("done");
      expect(outcome.stats).toMatchObject({ ran: 2, cached: 0, failed: 0, skipped: 0 });
      expect([...outcome.results.keys()].sort()).toEqual(["load", "small"]);
    });

    it("serves a cached upstream node from the cache and reruns only the changed target", async () => {
      const { id, bytes } = await pngAsset();
      const host = createNodeHost({ assets: new Map([[id, bytes]]) });
      await executeWorkflow(workflow(id), host, { runId: "full" });
      const events: RunEvent[] = [];
      const outcome = await executeWorkflow(workflow(id, 24), host, {
        runId: "t2",
        targets: ["small"],
        onEvent: (e) => events.push(e),
      });
      expect(statuses(events)).toEqual({ load: "cached", small: "done" });
      expect(outcome.stats).toMatchObject({ ran: 1, cached: 1 });
      // The preview after it ("view") is downstream: it is neither run nor reset.
      expect(outcome.statuses.has("view")).toBe(false);
    });

    it("does not fail on an unrelated broken branch", async () => {
      const { id, bytes } = await pngAsset();
      const host = createNodeHost({ assets: new Map([[id, bytes]]) });
      // "leffa" fails for want of a model in the full run; running to "crop" never touches it.
      const outcome = await executeWorkflow(workflow(id), host, { runId: "t3", targets: ["crop"] });
      expect(outcome.status).toBe("done");
      expect([...outcome.statuses.keys()].sort()).toEqual(["crop", "load"]);
    });

    it("refuses an unknown target before the run starts", async () => {
      const { id, bytes } = await pngAsset();
      const host = createNodeHost({ assets: new Map([[id, bytes]]) });
      const events: RunEvent[] = [];
      await expect(
        executeWorkflow(workflow(id), host, {
          runId: "t4",
          targets: ["ghost"],
          onEvent: (e) => events.push(e),
        }),
      ).rejects.toThrow(UnknownTargetError);
      expect(events).toEqual([]);
    });
  });

  it("keys the cache by content, not node ids or layout", async () => {
    const { id, bytes } = await pngAsset();
    const host = createNodeHost({ assets: new Map([[id, bytes]]) });
    await executeWorkflow(workflow(id), host, { runId: "a" });
    const doc = workflow(id);
    const renamed: WorkflowDocument = {
      ...doc,
      nodes: doc.nodes.map((n) => ({ ...n, id: `x_${n.id}`, position: { x: 500, y: 900 } })),
      edges: doc.edges.map((e) => ({ ...e, source: `x_${e.source}`, target: `x_${e.target}` })),
    };
    const events: RunEvent[] = [];
    await executeWorkflow(renamed, host, { runId: "b", onEvent: (e) => events.push(e) });
    expect(statuses(events)).toMatchObject({
      x_load: "cached",
      x_small: "cached",
      x_view: "cached",
    });
  });

  it("reports a node with a missing required input or a bad param on that node", async () => {
    const host = createNodeHost();
    const doc: WorkflowDocument = {
      version: 2,
      name: "bad",
      meta: {},
      nodes: [
        { id: "lonely", type: "resize", position: { x: 0, y: 0 }, params: {} },
        {
          id: "wrong",
          type: "load-image",
          position: { x: 0, y: 0 },
          params: { image: "not-a-hash" },
        },
        { id: "ghost", type: "from-the-future", position: { x: 0, y: 0 }, params: {} },
      ],
      edges: [],
    };
    const outcome = await executeWorkflow(doc, host, { runId: "x" });
    expect(outcome.statuses.get("lonely")).toEqual({
      status: "error",
      message: 'input "image" is not connected',
    });
    expect(outcome.statuses.get("wrong")?.message).toMatch(/^image: /);
    expect(outcome.statuses.get("ghost")?.message).toBe('unknown node type "from-the-future"');
  });

  it("cancels: the running node sees the signal and later nodes never start", async () => {
    const slow = defineNode({
      type: "slow",
      version: 1,
      title: "Slow",
      category: "Utility",
      description: "waits until cancelled",
      inputs: {},
      outputs: { value: { type: "NUMBER" } },
      params: { n: param.int({ min: 0, max: 1, default: 0 }) },
      async run(ctx) {
        ctx.progress(0, 10);
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          else ctx.signal.addEventListener("abort", () => resolve());
        });
        throw new Error("aborted");
      },
    }) as unknown as NodeDefinition;
    const lookup = (t: string) => (t === "slow" ? slow : getNodeDefinition(t));
    const host: RuntimeHost = { ...createNodeHost(), lookup };
    const doc: WorkflowDocument = {
      version: 2,
      name: "cancel",
      meta: {},
      nodes: [
        { id: "s1", type: "slow", position: { x: 0, y: 0 }, params: {} },
        { id: "s2", type: "slow", position: { x: 0, y: 0 }, params: { n: 1 } },
      ],
      edges: [],
    };
    const controller = new AbortController();
    const events: RunEvent[] = [];
    const done = executeWorkflow(doc, host, {
      runId: "c",
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === "node-progress") controller.abort();
      },
    });
    const outcome = await done;
    expect(outcome.status).toBe("cancelled");
    expect(statuses(events)).toEqual({ s1: "cancelled", s2: "cancelled" });
    expect(
      events.some((e) => e.type === "node-status" && e.nodeId === "s2" && e.status === "running"),
    ).toBe(false);
  });

  describe("a lost GPU device", () => {
    /** A node that loses the device on its first `failures` attempts. */
    function flaky(failures: number) {
      let attempts = 0;
      const def = defineNode({
        type: "gpu-node",
        version: 1,
        title: "GPU node",
        category: "Utility",
        description: "loses the device",
        inputs: {},
        outputs: { value: { type: "NUMBER" } },
        params: {},
        async run() {
          attempts++;
          if (attempts <= failures) throw new DeviceLostError("the driver was reset");
          return { outputs: { value: attempts } };
        },
      }) as unknown as NodeDefinition;
      return { def, attempts: () => attempts };
    }

    async function runWith(failures: number, recovers: boolean) {
      const node = flaky(failures);
      let recoveries = 0;
      const base = createNodeHost();
      const host: RuntimeHost = {
        ...base,
        lookup: (t: string) => (t === "gpu-node" ? node.def : getNodeDefinition(t)),
        models: {
          ...base.models,
          recover: async () => {
            recoveries++;
            return recovers;
          },
        },
      };
      const doc: WorkflowDocument = {
        version: 2,
        name: "device",
        meta: {},
        nodes: [{ id: "g", type: "gpu-node", position: { x: 0, y: 0 }, params: {} }],
        edges: [],
      };
      const outcome = await executeWorkflow(doc, host, { runId: "d" });
      return { outcome, attempts: node.attempts(), recoveries };
    }

    it("recreates the device and retries the node once", async () => {
      const { outcome, attempts, recoveries } = await runWith(1, true);
      expect(outcome.statuses.get("g")?.status).toBe("done");
      expect(outcome.results.get("g")?.outputs.value).toBe(2);
      expect([attempts, recoveries]).toEqual([2, 1]);
    });

    it("fails clearly when the device is lost again", async () => {
      const { outcome, attempts } = await runWith(2, true);
      expect(attempts).toBe(2);
      expect(outcome.statuses.get("g")?.message).toMatch(
        /^the GPU device was lost: the driver was reset \(twice in a row; reload the page/,
      );
    });

    it("does not retry when no device can be had", async () => {
      const { outcome, attempts } = await runWith(1, false);
      expect(attempts).toBe(1);
      expect(outcome.statuses.get("g")?.message).toBe(
        "the GPU device was lost: the driver was reset",
      );
    });
  });
});
