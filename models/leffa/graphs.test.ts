import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { fromFloat16Bits, toFloat16Bits } from "../onnx/float16";
import type { GraphBuilder } from "../onnx/builder";
import { TINY_UNET, TINY_VAE } from "./config";
import { consumedKeys } from "./graph-ops";
import { unetKeys, vaeKeys } from "./keys";
import { randomWeights } from "./random-weights";
import { buildGenUNet, buildRefUNet, flowKeyName, flowQueryName, refName } from "./unet-graph";
import { defaultFlowLayers } from "./features";
import { SD15_UNET } from "./config";
import { buildVaeDecoder, buildVaeEncoder } from "./vae-graph";

const GEN = { ...TINY_UNET, in_channels: 12 };
const B = 2;

async function session(g: GraphBuilder): Promise<ort.InferenceSession> {
  await g.materialize();
  return ort.InferenceSession.create(g.toBytes());
}

function values(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Float32Array(n).map((_, i) => Math.sin(i * 0.7 + seed) * 0.8);
}

function tensor(shape: number[], seed: number, fp16 = false): ort.Tensor {
  const v = values(shape, seed);
  return fp16
    ? new ort.Tensor("float16", toFloat16Bits(v), shape)
    : new ort.Tensor("float32", v, shape);
}

function asNumbers(t: ort.Tensor): number[] {
  if (t.type === "float16") return Array.from(fromFloat16Bits(t.data as Uint16Array));
  return Array.from(t.data as Float32Array);
}

const live = (keys: { key: string; status: string }[]) =>
  keys
    .filter((k) => k.status === "live")
    .map((k) => k.key)
    .sort();

const timestep = () => new ort.Tensor("float32", new Float32Array([999, 37]), [B]);

async function runUNets(
  h: number,
  w: number,
  options: { fp16?: boolean; chunks?: number; refSeed?: number } = {},
) {
  const dtype = options.fp16 ? "fp16" : "fp32";
  const queryChunks = () => options.chunks ?? 1;
  const ref = buildRefUNet(TINY_UNET, randomWeights(unetKeys(TINY_UNET, "ref"), 3), {
    dtype,
    queryChunks,
  });
  const gen = buildGenUNet(GEN, randomWeights(unetKeys(GEN, "gen"), 4), { dtype, queryChunks });
  const refSession = await session(ref);
  const refs = await refSession.run({
    ref_latent: tensor([B, 4, h, w], options.refSeed ?? 1, options.fp16),
    timestep: timestep(),
  });
  const genSession = await session(gen);
  const feeds: Record<string, ort.Tensor> = {
    noisy_latent: tensor([B, 4, h, w], 2, options.fp16),
    mask_latent: tensor([B, 1, h, w], 3, options.fp16),
    masked_latent: tensor([B, 4, h, w], 4, options.fp16),
    densepose_latent: tensor([B, 3, h, w], 5, options.fp16),
    timestep: timestep(),
  };
  for (const name of refSession.outputNames) feeds[name] = refs[name];
  const { noise_pred } = await genSession.run(feeds);
  const result = { ref, gen, refSession, genSession, refs, noisePred: noise_pred };
  await refSession.release();
  await genSession.release();
  return result;
}

describe("Leffa UNet graphs (tiny config)", () => {
  it("ref UNet emits the 4 norm1 features; gen UNet predicts noise of the latent's shape", async () => {
    const r = await runUNets(8, 6);
    expect(r.refSession.inputNames).toEqual(["ref_latent", "timestep"]);
    expect(r.refSession.outputNames).toEqual([0, 1, 2, 3].map(refName));
    // down level 0 (32 ch, 48 tokens), mid at level 1 (64 ch, 12 tokens), up level 0 ×2.
    expect(r.refs.ref_00.dims).toEqual([B, 48, 32]);
    expect(r.refs.ref_01.dims).toEqual([B, 12, 64]);
    expect(r.refs.ref_02.dims).toEqual([B, 48, 32]);
    expect(r.refs.ref_03.dims).toEqual([B, 48, 32]);
    expect(r.noisePred.dims).toEqual([B, 4, 8, 6]);
    for (const t of [...Object.values(r.refs), r.noisePred]) {
      expect(asNumbers(t).every(Number.isFinite)).toBe(true);
    }
    // LayerNorm outputs with unit-ish affine have unit-ish spread: a real normalisation ran.
    const f = asNumbers(r.refs.ref_00);
    const rms = Math.sqrt(f.reduce((s, v) => s + v * v, 0) / f.length);
    expect(rms).toBeGreaterThan(0.5);
    expect(rms).toBeLessThan(2);
  });

  it("reads exactly the live keys: attn2 and the ref tail are never touched", () => {
    const ref = buildRefUNet(TINY_UNET, randomWeights(unetKeys(TINY_UNET, "ref")));
    const gen = buildGenUNet(GEN, randomWeights(unetKeys(GEN, "gen")));
    expect([...consumedKeys(ref)].sort()).toEqual(live(unetKeys(TINY_UNET, "ref")));
    expect([...consumedKeys(gen)].sort()).toEqual(live(unetKeys(GEN, "gen")));
  });

  it("query chunking does not change the result, also for odd latent sizes", async () => {
    const whole = await runUNets(5, 7, { chunks: 1 });
    const chunked = await runUNets(5, 7, { chunks: 3 });
    expect(whole.noisePred.dims).toEqual([B, 4, 5, 7]);
    const a = asNumbers(whole.noisePred);
    const b = asNumbers(chunked.noisePred);
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5));
  });

  it("the generative UNet's output depends on the reference features", async () => {
    const a = asNumbers((await runUNets(4, 4, { refSeed: 1 })).noisePred);
    const b = asNumbers((await runUNets(4, 4, { refSeed: 9 })).noisePred);
    const diff = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(diff).toBeGreaterThan(1e-4);
  });

  it("fp16 graphs take and give float16 and stay close to fp32", async () => {
    const full = await runUNets(8, 8);
    const half = await runUNets(8, 8, { fp16: true, chunks: 4 });
    expect(half.noisePred.type).toBe("float16");
    expect(half.refs.ref_03.type).toBe("float16");
    const a = asNumbers(full.noisePred);
    const b = asNumbers(half.noisePred);
    const scale = Math.max(...a.map(Math.abs));
    const err = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(b.every(Number.isFinite)).toBe(true);
    expect(err / scale).toBeLessThan(0.02);
  });

  it("flow outputs: named, shaped [1, N, C] / [1, 2N, C] per level, declared after noise_pred", () => {
    const g = buildGenUNet(GEN, randomWeights(unetKeys(GEN, "gen")), { flowLayers: [3, 1] });
    const { onnx: bytes } = g.toStreamingFiles("model", { externalThreshold: 0 });
    const outputs = onnxProto.onnx.ModelProto.decode(bytes).graph?.output ?? [];
    const shapes = outputs.map((o) => [
      o.name,
      (o.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue)),
    ]);
    // Layer 1 is the mid block (level 1, h·w/4 tokens, 64 channels), layer 3 the last up layer.
    expect(shapes).toEqual([
      ["noise_pred", ["B", 4, "h", "w"]],
      [flowQueryName(1), [1, "h*w/4", 64]],
      [flowKeyName(1), [1, "2*h*w/4", 64]],
      [flowQueryName(3), [1, "h*w", 32]],
      [flowKeyName(3), [1, "2*h*w", 32]],
    ]);
  });

  it("flow layers: the last up block by default (13, 14, 15 in SD1.5), checked indices", () => {
    expect(defaultFlowLayers({ ...SD15_UNET, in_channels: 12 })).toEqual([13, 14, 15]);
    expect(defaultFlowLayers(GEN)).toEqual([2, 3]);
    const w = randomWeights(unetKeys(GEN, "gen"));
    expect(() => buildGenUNet(GEN, w, { flowLayers: [4] })).toThrow(
      "flow layer 4 does not exist: the generative UNet has 4 self-attention layers (reference features 0…3)",
    );
    expect(() => buildGenUNet(GEN, w, { flowLayers: [-1] })).toThrow(/flow layer -1 does not/);
    expect(() => buildGenUNet(GEN, w, { flowLayers: [1.5] })).toThrow(/flow layer 1.5 does not/);
    expect(() => buildGenUNet(GEN, w, { flowLayers: [2, 2] })).toThrow(/listed twice/);
    const refW = randomWeights(unetKeys(TINY_UNET, "ref"));
    expect(() => buildRefUNet(TINY_UNET, refW, { flowLayers: [2] })).toThrow(
      /belong to the generative UNet/,
    );
  });

  it("rejects a config whose conv_in does not match the role", () => {
    const w = randomWeights(unetKeys(GEN, "gen"));
    expect(() => buildRefUNet(GEN, w)).toThrow(/in_channels 4/);
    expect(() => buildGenUNet(TINY_UNET, w)).toThrow(/in_channels 12/);
  });
});

describe("Leffa VAE graphs (tiny config)", () => {
  it("encodes to a scaled latent and decodes to an image in [0, 1], fp32 and fp16", async () => {
    for (const fp16 of [false, true]) {
      const dtype = fp16 ? "fp16" : "fp32";
      const weights = randomWeights(vaeKeys(TINY_VAE), 7);
      const encoder = buildVaeEncoder(TINY_VAE, weights, { dtype, queryChunks: 3 });
      const decoder = buildVaeDecoder(TINY_VAE, weights, { dtype, queryChunks: 3 });
      expect([...consumedKeys(encoder), ...consumedKeys(decoder)].sort()).toEqual(
        live(vaeKeys(TINY_VAE)),
      );
      const enc = await session(encoder);
      const { latent } = await enc.run({ image: tensor([1, 3, 16, 12], 1, fp16) });
      expect(latent.dims).toEqual([1, 4, 8, 6]);
      expect(latent.type).toBe(fp16 ? "float16" : "float32");
      const dec = await session(decoder);
      const { image } = await dec.run({ latent });
      expect(image.dims).toEqual([1, 3, 16, 12]);
      expect(image.type).toBe("float32");
      const pixels = asNumbers(image);
      expect(pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(new Set(pixels).size).toBeGreaterThan(10);
      await enc.release();
      await dec.release();
    }
  });
});
