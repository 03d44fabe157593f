import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../../nodes";
import type { WorkflowDocument } from "../../nodes/core/document";
import { isImage } from "../../nodes/core/image";
import { imageFrom } from "../../tests/helpers/images";
import { nodeCodec } from "../codec/node-codec";
import { createNodeHost } from "../node-host";
import { runSweep } from "./run-sweep";
import { expandSweep, SWEEP_LIMITS, SweepError, valueCount } from "./sweep";

/** Load → Crop → Resize → Preview, plus an unrelated Load → Preview branch. */
function doc(image = "x"): WorkflowDocument {
  const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({
    id,
    type,
    position: { x: 0, y: 0 },
    params,
  });
  const wire = (source: string, target: string) => ({
    id: `${source}-${target}`,
    source,
    sourceHandle: "image",
    target,
    targetHandle: "image",
  });
  return {
    version: 2,
    name: "sweep",
    meta: {},
    nodes: [
      node("load", "load-image", { image }),
      node("crop", "crop", { x: 2, y: 2, width: 30, height: 20 }),
      node("size", "resize", { mode: "stretch", width: 10, height: 10 }),
      node("view", "preview"),
      node("other", "preview"),
    ],
    edges: [
      wire("load", "crop"),
      wire("crop", "size"),
      wire("size", "view"),
      wire("load", "other"),
    ],
  };
}

function error(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SweepError) return err.message;
    throw err;
  }
  throw new Error("expected a SweepError");
}

const axis = (param: string, values: unknown, nodeId = "size") => ({ nodeId, param, values });

describe("sweep expansion", () => {
  it("lists X × Y cells row by row, each a copy of the document with the values set", () => {
    const plan = expandSweep(
      doc(),
      {
        axes: [
          axis("width", { kind: "range", start: 8, stop: 12, step: 2 }),
          axis("mode", { kind: "list", values: ["stretch", "pad"] }),
        ],
        output: "view",
      },
      getNodeDefinition,
    );
    expect(plan.axes.map((a) => a.label)).toEqual(["Resize · width", "Resize · mode"]);
    expect(plan.axes[0].values).toEqual([8, 10, 12]);
    expect(plan.cells).toHaveLength(6);
    expect(plan.cells.map((c) => [c.x, c.y])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    const params = plan.cells.map((c) => c.doc.nodes.find((n) => n.id === "size")!.params);
    expect(params[4]).toEqual({ mode: "pad", width: 10, height: 10 });
    // Nothing else changes: the other nodes are the very objects of the document.
    const base = doc();
    const again = expandSweep(
      base,
      { axes: [axis("width", { kind: "list", values: [1, 2] })], output: "view" },
      getNodeDefinition,
    );
    expect(again.cells[1].doc.nodes.filter((n, i) => n === base.nodes[i]).length).toBe(4);
  });

  it("takes list entries typed as text, seeds, and ranges with decimal steps", () => {
    const d = doc();
    expect(
      expandSweep(
        d,
        { axes: [axis("width", { kind: "list", values: ["16", " 32"] })], output: "view" },
        getNodeDefinition,
      ).axes[0].values,
    ).toEqual([16, 32]);
    expect(valueCount({ kind: "range", start: 0, stop: 1, step: 0.1 })).toBe(11);
    expect(valueCount({ kind: "seeds", count: 5, from: 7 })).toBe(5);
  });

  it("refuses a sweep of 10,000 cells, naming the limit, before listing a value", () => {
    const huge = {
      axes: [
        axis("width", { kind: "range", start: 1, stop: 100, step: 1 }),
        axis("height", { kind: "range", start: 1, stop: 100, step: 1 }),
      ],
      output: "view",
    };
    expect(error(() => expandSweep(doc(), huge, getNodeDefinition))).toBe(
      `a sweep of 10,000 cells (100 × 100) is over the limit of ${SWEEP_LIMITS.cells} cells`,
    );
  });

  it("names what is wrong: unknown node or param, unsweepable param, bad value, same param twice", () => {
    const run = (axes: unknown[], output = "view") =>
      error(() => expandSweep(doc(), { axes, output }, getNodeDefinition));
    expect(run([axis("width", { kind: "list", values: [1] }, "nope")])).toBe(
      'the workflow has no node "nope"',
    );
    expect(run([axis("depth", { kind: "list", values: [1] })])).toBe('Resize has no param "depth"');
    expect(run([axis("image", { kind: "list", values: ["a"] }, "load")])).toMatch(
      /cannot be swept: only number, choice and seed params can$/,
    );
    expect(run([axis("width", { kind: "list", values: [0] })])).toMatch(/^Resize · width: 0 /);
    expect(run([axis("mode", { kind: "list", values: ["sideways"] })])).toMatch(
      /"sideways" must be one of/,
    );
    const w = axis("width", { kind: "list", values: [1] });
    expect(run([w, w])).toBe("X and Y sweep the same param: pick another one for Y");
    expect(run([w], "ghost")).toBe('the workflow has no node "ghost" to show in the cells');
    expect(run([])).toMatch(/needs at least one axis/);
    expect(run([w, w, w])).toMatch(/at most 2 axes/);
    expect(run([axis("width", { kind: "range", start: 5, stop: 1, step: 1 })])).toMatch(
      /no values/,
    );
  });
});

describe("running a sweep", () => {
  it("runs the shared upstream once and only what the output needs, cell by cell", async () => {
    const bytes = await nodeCodec.encodePng(imageFrom(40, 30, (x, y) => [x * 6, y * 8, 50, 255]));
    const id = bytesToHex(sha256(bytes));
    const host = createNodeHost({ assets: new Map([[id, bytes]]) });
    const plan = expandSweep(
      doc(id),
      {
        axes: [
          axis("width", { kind: "list", values: [8, 12, 16] }),
          axis("height", { kind: "list", values: [4, 6] }),
        ],
        output: "view",
      },
      getNodeDefinition,
    );
    const seen: string[] = [];
    const outcome = await runSweep(plan, host, { onCell: (c) => seen.push(`${c.x},${c.y}`) });
    expect(seen).toEqual(["0,0", "1,0", "2,0", "0,1", "1,1", "2,1"]);
    expect(Object.fromEntries(outcome.runs)).toEqual({ load: 1, crop: 1, size: 6, view: 6 });
    const sizes = outcome.cells.map((c) => {
      const img = c.result?.ui?.images?.[0];
      return img && isImage(img) ? `${img.width}x${img.height}` : c.status;
    });
    expect(sizes).toEqual(["8x4", "12x4", "16x4", "8x6", "12x6", "16x6"]);
    expect(outcome.cells.every((c) => c.ms >= 0 && c.status === "done")).toBe(true);

    // A second sweep over the same values is all cache hits.
    const again = await runSweep(plan, host);
    expect(again.runs.size).toBe(0);
  });

  it("stops before the next cell once cancelled", async () => {
    const host = createNodeHost();
    const plan = expandSweep(
      doc(),
      { axes: [axis("width", { kind: "list", values: [8, 12, 16] })], output: "view" },
      getNodeDefinition,
    );
    const abort = new AbortController();
    const outcome = await runSweep(plan, host, {
      signal: abort.signal,
      onCell: () => abort.abort(),
    });
    expect(outcome.cells).toHaveLength(1);
    // No image uploaded: the cell says why its output did not finish.
    expect(outcome.cells[0]).toMatchObject({ status: "error" });
  });
});
