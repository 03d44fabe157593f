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

/**
 * A session returning constant logits of `channels` × 4 × 4 under `outputName`, where `winner`
 * (a function of the column in the 4-wide map) gets 1 and the rest 0. It records its feeds.
 */
function fakeSession(
  modelId: string,
  channels: number,
  winner: (column: number) => number,
  feeds: string[],
  outputName = "fusion",
): ModelSession {
  return {
    modelId,
    timings: { filesMs: 0, createMs: 0 },
    backend: { name: "wasm", detail: "fake" },
    async run(inputs) {
      for (const [name, t] of Object.entries(inputs)) feeds.push(`${modelId}:${name}:${t.dims}`);
      const logits = new Float32Array(channels * 16);
      for (let i = 0; i < 16; i++) logits[winner(i % 4) * 16 + i] = 1;
      return { [outputName]: tensor("float32", logits, [1, channels, 4, 4]) };
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
      "schp-atr": fakeSession("schp-atr", 18, () => ATR_FACE, feeds),
      "schp-lip": fakeSession("schp-lip", 20, (c) => (c < 2 ? LIP_FACE : 0), feeds),
    });
    const result = await parsePerson(ctx, image, "schp");
    expect(feeds).toEqual(["schp-atr:input.1:1,3,512,512", "schp-lip:input.1:1,3,473,473"]);
    expect(result.sessions).toEqual(["schp-atr on wasm", "schp-lip on wasm"]);
    expect(result.labels.length).toBe(48);
    // Column 0 of the image maps into the left of LIP's map: face; column 5, the right: neck.
    expect(result.labels[0]).toBe(ATR_FACE);
    expect(result.labels[5]).toBe(NECK);
    expect(new Set(result.labels)).toEqual(new Set([ATR_FACE, NECK]));
    expect(progress).toContain("parsing with schp-lip");
  });

  it("names a missing output", async () => {
    const { ctx } = context({
      "schp-atr": fakeSession("schp-atr", 18, () => 0, [], "output_0"),
      "schp-lip": fakeSession("schp-lip", 20, () => 0, []),
    });
    const run = parsePerson(ctx, image, "schp");
    await expect(run).rejects.toBeInstanceOf(NodeError);
    await expect(run).rejects.toThrow(/schp-atr returned no "fusion" output/);
  });

  it("stops before running when cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const feeds: string[] = [];
    const { ctx } = context(
      {
        "schp-atr": fakeSession("schp-atr", 18, () => 0, feeds),
        "schp-lip": fakeSession("schp-lip", 20, () => 0, feeds),
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
