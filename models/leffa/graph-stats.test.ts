import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { ATTENTION_METADATA_KEY } from "./attention-chunks";
import { SD15_UNET, SD15_VAE, TINY_UNET, TINY_VAE } from "./config";
import { leffaGraphStats, shapeOnlyWeights } from "./graph-stats";
import { refFeatureCount, unetKeys } from "./keys";
import { buildGenUNet } from "./unet-graph";

const GEN = { ...TINY_UNET, in_channels: 12 };

describe("Leffa graph statistics (structure only)", () => {
  it("fused graphs have one MultiHeadAttention per attention and no Softmax; chunked the reverse", () => {
    const fused = leffaGraphStats(TINY_UNET, TINY_VAE, "fused");
    const chunked = leffaGraphStats(TINY_UNET, TINY_VAE, "chunked");
    const mha = (s: { ops: Record<string, number> }) => s.ops.MultiHeadAttention ?? 0;
    const softmax = (s: { ops: Record<string, number> }) => s.ops.Softmax ?? 0;
    // The reference UNet stops after capturing its last feature: one attention fewer.
    expect(fused.map(mha)).toEqual([1, 1, refFeatureCount(GEN) - 1, refFeatureCount(GEN)]);
    expect(fused.map(softmax)).toEqual([0, 0, 0, 0]);
    expect(chunked.map(mha)).toEqual([0, 0, 0, 0]);
    chunked.forEach((s) => expect(softmax(s)).toBeGreaterThan(0));
    fused.forEach((s, i) => expect(s.nodes).toBeLessThan(chunked[i].nodes));
  });

  it("the full-size SD1.5 generative UNet is under 2,000 nodes fused (issue 15)", () => {
    const gen = leffaGraphStats(SD15_UNET, SD15_VAE, "fused").find((s) => s.graph === "gen-unet");
    expect(gen?.nodes).toBeLessThan(2000);
  });

  it("records the attention mode in the model metadata and imports com.microsoft only when fused", () => {
    for (const attention of ["fused", "chunked"] as const) {
      const g = buildGenUNet(GEN, shapeOnlyWeights(unetKeys(GEN, "gen")), { attention });
      const { onnx } = g.toStreamingFiles("model", { externalThreshold: 0 });
      const model = onnxProto.onnx.ModelProto.decode(onnx);
      const meta = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key, p.value]));
      expect(meta[ATTENTION_METADATA_KEY]).toBe(attention);
      const domains = (model.opsetImport ?? []).map((o) => [o.domain, Number(o.version)]);
      expect(domains).toEqual(
        attention === "fused"
          ? [
              ["", 17],
              ["com.microsoft", 1],
            ]
          : [["", 17]],
      );
    }
  });

  it("shape-only weights refuse to be read", () => {
    const w = shapeOnlyWeights([{ key: "a", shape: [2] }]);
    expect(w.shape("a")).toEqual([2]);
    expect(() => w.read("a")).toThrow(/"a" has no values/);
    expect(() => w.shape("b")).toThrow(/"b" has no values/);
  });
});
