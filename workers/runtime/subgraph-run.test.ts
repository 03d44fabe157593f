import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { flatPrep, withPrep } from "../../nodes/core/subgraph-fixtures";
import { parseWorkflow, type WorkflowDocument } from "../../nodes/core/document";
import { extractWorkflowFromPng } from "../../nodes/lib/png-workflow";
import { imageFrom } from "../../tests/helpers/images";
import { nodeCodec } from "../codec/node-codec";
import { createNodeHost } from "../node-host";
import type { RunEvent } from "./events";
import { executeWorkflow } from "./execute";

async function withAsset(doc: WorkflowDocument) {
  const bytes = await nodeCodec.encodePng(imageFrom(40, 30, (x, y) => [x * 6, y * 8, 90, 255]));
  const id = bytesToHex(sha256(bytes));
  const set = (d: WorkflowDocument): WorkflowDocument => ({
    ...d,
    nodes: d.nodes.map((n) => (n.type === "load-image" ? { ...n, params: { image: id } } : n)),
  });
  return { doc: set(doc), set, assets: new Map([[id, bytes]]) };
}

describe("running a workflow with a subgraph", () => {
  it("runs the inner nodes under namespaced ids, with the cache keys of the same flat graph", async () => {
    const { doc, set, assets } = await withAsset(withPrep({ size: 16 }));
    const host = createNodeHost({ assets });
    const flat = await executeWorkflow(set(flatPrep(16)), host, { runId: "flat" });
    expect(flat.status).toBe("done");
    expect(flat.stats.ran).toBe(4);

    // Same nodes, same params, same wiring once flattened: every key is one the flat run cached.
    const events: RunEvent[] = [];
    const sub = await executeWorkflow(doc, host, { runId: "sub", onEvent: (e) => events.push(e) });
    expect(sub.status).toBe("done");
    expect(sub.stats).toMatchObject({ ran: 0, cached: 4 });
    expect([...sub.statuses.keys()]).toEqual(["load", "prep/a", "prep/b", "view"]);
    expect(sub.statuses.get("prep/a")).toEqual({ status: "cached", message: "Resize inside Prep" });
    const start = events.find((e) => e.type === "run-start");
    expect(start?.type === "run-start" && start.nodeIds).toEqual([
      "load",
      "prep/a",
      "prep/b",
      "view",
    ]);

    // Another value on the exposed param is another key for the inner node and what follows it.
    const other = await executeWorkflow(set(withPrep({ size: 17 })), host, { runId: "other" });
    expect(other.stats).toMatchObject({ ran: 3, cached: 1 });
    const image = other.results.get("prep/a")?.outputs.image as { width: number };
    expect(image.width).toBe(17);
  });

  it("names the inner node in its error: which node, inside which subgraph", async () => {
    const { doc, assets } = await withAsset(withPrep());
    doc.subgraphs!.prep.nodes[1].params = { x: 0, y: 0, width: 0, height: 4 };
    const outcome = await executeWorkflow(doc, createNodeHost({ assets }), { runId: "bad" });
    expect(outcome.status).toBe("error");
    expect(outcome.statuses.get("prep/b")?.status).toBe("error");
    expect(outcome.statuses.get("prep/b")?.message).toMatch(/^Crop inside Prep: width/);
    expect(outcome.statuses.get("view")?.status).toBe("skipped");
  });

  it("embeds the subgraphs, and the component version used, in a saved PNG", async () => {
    const { doc, assets } = await withAsset(withPrep({ size: 12 }));
    doc.subgraphs!.prep.component = { id: "comp1", version: 3 };
    doc.nodes.push({ id: "save", type: "save-image", position: { x: 0, y: 0 }, params: {} });
    doc.edges.push({
      id: "toSave",
      source: "prep",
      sourceHandle: "result",
      target: "save",
      targetHandle: "image",
    });
    const outcome = await executeWorkflow(doc, createNodeHost({ assets }), { runId: "png" });
    expect(outcome.status).toBe("done");
    const file = outcome.results.get("save")?.ui?.files?.[0];
    const read = parseWorkflow(extractWorkflowFromPng(file!.bytes));
    expect(read.subgraphs).toEqual(doc.subgraphs);
    expect(read.nodes.find((n) => n.id === "prep")).toMatchObject({ params: { size: 12 } });
  });

  it("passes a bypassed subgraph's input on and mutes what a muted one holds", async () => {
    const { doc, assets } = await withAsset(withPrep());
    const host = createNodeHost({ assets });
    doc.nodes[1] = { ...doc.nodes[1], mode: "bypass" };
    const bypassed = await executeWorkflow(doc, host, { runId: "bypass" });
    expect(bypassed.status).toBe("done");
    expect(bypassed.statuses.get("prep")?.status).toBe("bypassed");
    const shown = bypassed.results.get("view")?.ui?.images?.[0];
    expect(shown?.width).toBe(40);
    doc.nodes[1] = { ...doc.nodes[1], mode: "mute" };
    const muted = await executeWorkflow(doc, host, { runId: "mute" });
    expect(muted.statuses.get("prep/a")?.status).toBe("skipped");
    expect(muted.statuses.get("view")?.status).toBe("skipped");
  });

  it("runs to a subgraph node: all it holds and what it needs, nothing downstream", async () => {
    const { doc, assets } = await withAsset(withPrep());
    const outcome = await executeWorkflow(doc, createNodeHost({ assets }), {
      runId: "to",
      targets: ["prep"],
    });
    expect([...outcome.statuses.keys()].sort()).toEqual(["load", "prep/a", "prep/b"]);
    expect(outcome.status).toBe("done");
  });
});
