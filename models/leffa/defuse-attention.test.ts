import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import type { GraphBuilder } from "../onnx/builder";
import { ATTENTION_METADATA_KEY } from "./attention-chunks";
import { TINY_UNET, TINY_VAE } from "./config";
import { defuseAttention } from "./defuse-attention";
import { unetKeys, vaeKeys } from "./keys";
import { randomWeights } from "./random-weights";
import { buildGenUNet, flowKeyName, refName } from "./unet-graph";
import { buildVaeDecoder } from "./vae-graph";

const GEN = { ...TINY_UNET, in_channels: 12 };
const B = 2;
// An uneven chunk count (tokens 48 and 12 are not multiples of 5) exercises the chunk sizes.
const queryChunks = () => 5;

function tensor(shape: number[], seed: number): ort.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new ort.Tensor(
    "float32",
    new Float32Array(n).map((_, i) => Math.sin(i * 0.7 + seed)),
    shape,
  );
}

function genFeeds(h: number, w: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {
    noisy_latent: tensor([B, 4, h, w], 1),
    mask_latent: tensor([B, 1, h, w], 2),
    masked_latent: tensor([B, 4, h, w], 3),
    densepose_latent: tensor([B, 3, h, w], 4),
    timestep: new ort.Tensor("float32", Float32Array.from([981, 17]), [B]),
  };
  const tokens = [h * w, (h * w) / 4, h * w, h * w];
  const channels = [32, 64, 32, 32];
  tokens.forEach((t, k) => (feeds[refName(k)] = tensor([B, t, channels[k]], 10 + k)));
  return feeds;
}

async function runBytes(bytes: Uint8Array | string, feeds: Record<string, ort.Tensor>) {
  const session =
    typeof bytes === "string"
      ? await ort.InferenceSession.create(bytes)
      : await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

async function bytesOf(g: GraphBuilder): Promise<Uint8Array> {
  await g.materialize();
  return g.toBytes();
}

function describeModel(bytes: Uint8Array) {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const ops = (model.graph?.node ?? []).map((n) => n.opType);
  const meta = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key, p.value]));
  const domains = (model.opsetImport ?? []).map((o) => o.domain);
  return { ops, meta, domains };
}

describe("defuseAttention: a fused Leffa graph rewritten into its chunked equivalent", () => {
  it("gives the chunked graph's results, with no MultiHeadAttention left (generative UNet + flow)", async () => {
    const weights = randomWeights(unetKeys(GEN, "gen"), 4);
    const options = { queryChunks, flowLayers: [1, 3] };
    const fused = await bytesOf(buildGenUNet(GEN, weights, { ...options, attention: "fused" }));
    const chunked = await bytesOf(buildGenUNet(GEN, weights, { ...options, attention: "chunked" }));
    const defused = defuseAttention(fused);
    if (!defused) throw new Error("a fused graph was not recognised");

    const after = describeModel(defused);
    expect(describeModel(fused).ops.filter((op) => op === "MultiHeadAttention")).toHaveLength(4);
    expect(after.ops).not.toContain("MultiHeadAttention");
    expect(after.ops.filter((op) => op === "Softmax")).toEqual(
      describeModel(chunked).ops.filter((op) => op === "Softmax"),
    );
    expect(after.meta[ATTENTION_METADATA_KEY]).toBe("chunked");
    expect(after.domains).toEqual([""]);

    const feeds = genFeeds(8, 6);
    const expected = await runBytes(chunked, feeds);
    const got = await runBytes(defused, feeds);
    for (const name of ["noise_pred", flowKeyName(3)]) {
      const a = expected[name].data as Float32Array;
      const b = got[name].data as Float32Array;
      expect(b.length).toBe(a.length);
      const diff = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
      expect(diff, name).toBeLessThan(1e-6);
    }
  });

  it("handles fp16 and the VAE's single-head biased attention", async () => {
    const weights = randomWeights(vaeKeys(TINY_VAE), 7);
    const options = { dtype: "fp16" as const, queryChunks: 3 };
    const fused = await bytesOf(
      buildVaeDecoder(TINY_VAE, weights, { ...options, attention: "fused" }),
    );
    const chunked = await bytesOf(
      buildVaeDecoder(TINY_VAE, weights, { ...options, attention: "chunked" }),
    );
    const defused = defuseAttention(fused);
    if (!defused) throw new Error("a fused graph was not recognised");
    const latent = new ort.Tensor(
      "float16",
      new Uint16Array(4 * 8 * 6).map((_, i) => 0x3000 + (i % 200)),
      [1, 4, 8, 6],
    );
    const a = (await runBytes(chunked, { latent })).image.data as Float32Array;
    const b = (await runBytes(defused, { latent })).image.data as Float32Array;
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i])))).toBeLessThan(1e-6);
  });

  it("leaves external weights where they are: the defused .onnx loads beside the same data file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "defuse-"));
    try {
      const weights = randomWeights(unetKeys(GEN, "gen"), 5);
      const g = buildGenUNet(GEN, weights, { queryChunks, attention: "fused" });
      await g.materialize();
      const files = g.toFiles("model"); // the converter's threshold: weights external
      if (!files.data) throw new Error("expected external data");
      await writeFile(path.join(dir, files.data.name), Buffer.concat(files.data.bytes));
      const defused = defuseAttention(files.onnx);
      if (!defused) throw new Error("a fused graph was not recognised");
      await writeFile(path.join(dir, "defused.onnx"), defused);
      await writeFile(path.join(dir, "model.onnx"), files.onnx);
      const feeds = genFeeds(4, 4);
      const fusedOut = await runBytes(path.join(dir, "model.onnx"), feeds);
      const defusedOut = await runBytes(path.join(dir, "defused.onnx"), feeds);
      const a = fusedOut.noise_pred.data as Float32Array;
      const b = defusedOut.noise_pred.data as Float32Array;
      const scale = Math.max(...a.map(Math.abs));
      expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]))) / scale).toBeLessThan(1e-5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("returns undefined for a chunked graph", async () => {
    const g = buildVaeDecoder(TINY_VAE, randomWeights(vaeKeys(TINY_VAE), 7));
    expect(defuseAttention(await bytesOf(g))).toBeUndefined();
  });
});
