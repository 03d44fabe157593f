import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import {
  CancelledError,
  NodeError,
  type ModelSession,
  type ModelTensor,
  type NodeContext,
} from "../../core/types";
import { parsePerson } from "./parse-person";
import { ATR_FACE, LIP_FACE, NECK } from "./refine";

/** A tensor holding plain values, as sessions return them on the CPU. */
function tensor(type: string, data: ArrayBufferView, dims: readonly number[]): ModelTensor {
  return { type, dims, location: "cpu", getData: async () => data, dispose: () => {} };
}

/** Constant logits of `channels` × 4 × 4 where `winner` (of the column in the 4-wide map) gets 1. */
function logits(channels: number, winner: (column: number) => number): ModelTensor {
  const data = new Float32Array(channels * 16);
  for (let i = 0; i < 16; i++) data[winner(i % 4) * 16 + i] = 1;
  return tensor("float32", data, [1, channels, 4, 4]);
}

/** A session returning `winner`'s logits under `outputName`. It records its feeds. */
function fakeSession(
  modelId: string,
  channels: number,
  winner: (column: number) => number,
  feeds: string[],
  outputName: string,
): ModelSession {
  return {
    modelId,
    timings: { filesMs: 0, createMs: 0 },
    backend: { name: "wasm", detail: "fake" },
    outputNames: [outputName],
    async run(inputs) {
      for (const [name, t] of Object.entries(inputs)) feeds.push(`${modelId}:${name}:${t.dims}`);
      return { [outputName]: logits(channels, winner) };
    },
  };
}

/**
 * An SCHP graph as exported: three outputs under names the export made up, in the order
 * parsing, fusion, edge. The fused logits (#1) hold `winner`; the parsing branch (#0) holds
 * background everywhere, so reading the wrong one shows. It records feeds and requested outputs.
 */
function schpSession(
  modelId: string,
  channels: number,
  winner: (column: number) => number,
  feeds: string[],
  names = ["1582", "1602", "1614"],
): ModelSession {
  const all: Record<string, () => ModelTensor> = {
    [names[0]]: () => logits(channels, () => 0),
    [names[1]]: () => logits(channels, winner),
    [names[2]]: () => logits(2, () => 1),
  };
  return {
    modelId,
    timings: { filesMs: 0, createMs: 0 },
    backend: { name: "wasm", detail: "fake" },
    outputNames: names,
    async run(inputs, options) {
      for (const [name, t] of Object.entries(inputs)) feeds.push(`${modelId}:${name}:${t.dims}`);
      const wanted = options?.outputs ?? names;
      feeds.push(`${modelId} fetches ${wanted.join(",")}`);
      return Object.fromEntries(wanted.flatMap((n) => (all[n] ? [[n, all[n]()]] : [])));
    },
  };
}

function context(sessions: Record<string, ModelSession>, signal = new AbortController().signal) {
  const progress: string[] = [];
  const ctx: NodeContext = {
    nodeId: "n",
    signal,
    backend: { name: "wasm", detail: "fake" },
    codec: {
      decode: () => Promise.reject(new Error("unused")),
      encodePng: () => Promise.reject(new Error("unused")),
    },
    workflow: { version: 1, nodes: [], edges: [] } as unknown as NodeContext["workflow"],
    asset: () => Promise.reject(new Error("unused")),
    requireModel: async () => {},
    loadModel: async (id) => sessions[id],
    tensor,
    progress: (_v, _m, message) => progress.push(message ?? ""),
  };
  return { ctx, progress };
}

const image = createImage(6, 8);

describe("parsePerson with SCHP", () => {
  it("feeds both models their square inputs and adds the neck where LIP sees no face", async () => {
    const feeds: string[] = [];
    // ATR: face everywhere. LIP: face in the left half of its map only (columns 0..1 of 4).
    const { ctx, progress } = context({
      "schp-atr": schpSession("schp-atr", 18, () => ATR_FACE, feeds),
      "schp-lip": schpSession("schp-lip", 20, (c) => (c < 2 ? LIP_FACE : 0), feeds),
    });
    const result = await parsePerson(ctx, image, "schp");
    // Only output #1 is fetched, by the graph's own name for it, as Leffa reads output[1].
    expect(feeds).toEqual([
      "schp-atr:input.1:1,3,512,512",
      "schp-atr fetches 1602",
      "schp-lip:input.1:1,3,473,473",
      "schp-lip fetches 1602",
    ]);
    expect(result.sessions).toEqual(["schp-atr on wasm", "schp-lip on wasm"]);
    expect(result.labels.length).toBe(48);
    // Column 0 of the image maps into the left of LIP's map: face; column 5, the right: neck.
    expect(result.labels[0]).toBe(ATR_FACE);
    expect(result.labels[5]).toBe(NECK);
    expect(new Set(result.labels)).toEqual(new Set([ATR_FACE, NECK]));
    expect(progress).toContain("parsing with schp-lip");
  });

  it("reads position 1 whatever the graph calls it, never the contract's label", async () => {
    const feeds: string[] = [];
    // A graph whose output #0 happens to be called "fusion": position wins over the name.
    const { ctx } = context({
      "schp-atr": schpSession("schp-atr", 18, () => ATR_FACE, feeds, ["fusion", "x", "y"]),
      "schp-lip": schpSession("schp-lip", 20, () => LIP_FACE, feeds, ["fusion", "x", "y"]),
    });
    const result = await parsePerson(ctx, image, "schp");
    expect(feeds.filter((f) => f.includes("fetches"))).toEqual([
      "schp-atr fetches x",
      "schp-lip fetches x",
    ]);
    expect(new Set(result.labels)).toEqual(new Set([ATR_FACE]));
  });

  it("names the outputs it has when the graph has no output #1", async () => {
    const { ctx } = context({
      "schp-atr": fakeSession("schp-atr", 18, () => 0, [], "output_0"),
      "schp-lip": schpSession("schp-lip", 20, () => 0, []),
    });
    const run = parsePerson(ctx, image, "schp");
    await expect(run).rejects.toBeInstanceOf(NodeError);
    await expect(run).rejects.toThrow(
      'schp-atr: cannot read output #1 ("fusion"): its outputs are "output_0"',
    );
  });

  it("names a missing output", async () => {
    const atr = schpSession("schp-atr", 18, () => 0, []);
    const { ctx } = context({
      "schp-atr": { ...atr, run: async () => ({}) },
      "schp-lip": schpSession("schp-lip", 20, () => 0, []),
    });
    await expect(parsePerson(ctx, image, "schp")).rejects.toThrow(
      /schp-atr returned no "1602" output/,
    );
  });

  it("stops before running when cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const feeds: string[] = [];
    const { ctx } = context(
      {
        "schp-atr": schpSession("schp-atr", 18, () => 0, feeds),
        "schp-lip": schpSession("schp-lip", 20, () => 0, feeds),
      },
      controller.signal,
    );
    await expect(parsePerson(ctx, image, "schp")).rejects.toBeInstanceOf(CancelledError);
    expect(feeds).toEqual([]);
  });
});

describe("parsePerson with SegFormer", () => {
  it("feeds 512² pixel values and returns ATR labels at the image size", async () => {
    const feeds: string[] = [];
    const { ctx } = context({
      "segformer-b2-clothes": fakeSession(
        "segformer-b2-clothes",
        18,
        (c) => c + 4,
        feeds,
        "logits",
      ),
    });
    const result = await parsePerson(ctx, image, "segformer");
    expect(feeds).toEqual(["segformer-b2-clothes:pixel_values:1,3,512,512"]);
    expect(result.sessions).toEqual(["segformer-b2-clothes on wasm"]);
    // Label 4 + column of a 4-wide map, upsampled to 6 columns with half-pixel centres: source
    // x = 0 (clamped), 0.5, 1.17, 1.83, 2.5, 3 (clamped); the halfway ties go to the lower label.
    expect(Array.from(result.labels.subarray(0, 6))).toEqual([4, 4, 5, 6, 6, 7]);
  });
});
