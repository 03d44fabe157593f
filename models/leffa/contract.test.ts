import onnxProto from "onnx-proto";
import { describe, expect, it } from "vitest";
import { contractProblems, type ValueMeta } from "../contract-check";
import { findModel } from "../manifest";
import type { GraphBuilder } from "../onnx/builder";
import { SD15_UNET, SD15_VAE, SDXL_UNET, SDXL_VAE } from "./config";
import { unetKeys, vaeKeys } from "./keys";
import { defaultFlowLayers } from "./features";
import { buildGenUNet, buildRefUNet } from "./unet-graph";
import { buildVaeDecoder, buildVaeEncoder } from "./vae-graph";
import type { WeightSource } from "./weights";

const { onnx } = onnxProto;

/** Shapes only: building a graph never reads values, so full-size SD1.5 graphs build in memory. */
function shapesOnly(keys: { key: string; shape: number[] }[]): WeightSource {
  const shapes = new Map(keys.map((k) => [k.key, k.shape]));
  return {
    shape: (key) => {
      const shape = shapes.get(key);
      if (!shape) throw new Error(`no key ${key}`);
      return shape;
    },
    read: (key) => {
      throw new Error(`${key} was read while only the graph's structure was needed`);
    },
  };
}

const TYPE_NAMES: Record<number, string> = {
  [onnx.TensorProto.DataType.FLOAT]: "float32",
  [onnx.TensorProto.DataType.FLOAT16]: "float16",
  [onnx.TensorProto.DataType.INT64]: "int64",
};

/** Input/output metadata of a built graph, as onnxruntime reports it, without its weights. */
function metadata(g: GraphBuilder): { inputs: ValueMeta[]; outputs: ValueMeta[] } {
  // Every (lazy) initializer goes to the never-read data file: only the graph is encoded.
  const { onnx: bytes } = g.toStreamingFiles("model", { externalThreshold: 0 });
  const graph = onnx.ModelProto.decode(bytes).graph as onnxProto.onnx.GraphProto;
  const meta = (values: onnxProto.onnx.IValueInfoProto[]): ValueMeta[] =>
    values.map((v) => {
      const tensor = v.type?.tensorType;
      return {
        name: v.name as string,
        isTensor: true,
        type: TYPE_NAMES[tensor?.elemType ?? 0],
        shape: (tensor?.shape?.dim ?? []).map((d) =>
          d.dimParam ? d.dimParam : Number(d.dimValue),
        ),
      };
    });
  return { inputs: meta(graph.input), outputs: meta(graph.output) };
}

function contractOf(id: string) {
  const entry = findModel(id);
  if (!entry?.contract) throw new Error(`no manifest contract for ${id}`);
  return entry.contract;
}

describe("full-size SD1.5 Leffa graphs honour the manifest contracts (fp16)", () => {
  const gen = { ...SD15_UNET, in_channels: 12 };
  it("ref and gen UNets", () => {
    const ref = buildRefUNet(SD15_UNET, shapesOnly(unetKeys(SD15_UNET, "ref")), { dtype: "fp16" });
    // As convertLeffa builds it: with the default flow outputs.
    const flowLayers = defaultFlowLayers(gen);
    const genGraph = buildGenUNet(gen, shapesOnly(unetKeys(gen, "gen")), {
      dtype: "fp16",
      flowLayers,
    });
    expect(contractProblems(contractOf("leffa-vton-hd-ref-unet"), metadata(ref))).toEqual([]);
    expect(contractProblems(contractOf("leffa-vton-hd-gen-unet"), metadata(genGraph))).toEqual([]);
    expect(metadata(genGraph).inputs.map((v) => v.name)).toHaveLength(5 + 16);
    // The manifest's optional flow outputs are exactly the ones the converter adds by default.
    expect(flowLayers).toEqual([13, 14, 15]);
    const optional = contractOf("leffa-vton-hd-gen-unet").outputs.filter((o) => o.optional);
    expect(optional.map((o) => o.name)).toEqual(
      metadata(genGraph)
        .outputs.map((o) => o.name)
        .filter((name) => name.startsWith("flow_")),
    );
  });

  it("the gen UNet's optional flow outputs are checked when present", () => {
    // A present optional output is held to its dtype like any other.
    const g = buildGenUNet(gen, shapesOnly(unetKeys(gen, "gen")), {
      dtype: "fp16",
      flowLayers: [13],
    });
    const meta = metadata(g);
    const contract = contractOf("leffa-vton-hd-gen-unet");
    const broken = {
      ...meta,
      outputs: meta.outputs.map((o) => (o.name === "flow_q_13" ? { ...o, type: "int64" } : o)),
    };
    expect(contractProblems(contract, broken)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^output "flow_q_13": expected float16/)]),
    );
  });

  it("VAE encoder and decoder", () => {
    const weights = shapesOnly(vaeKeys(SD15_VAE));
    const encoder = buildVaeEncoder(SD15_VAE, weights, { dtype: "fp16" });
    const decoder = buildVaeDecoder(SD15_VAE, weights, { dtype: "fp16" });
    expect(contractProblems(contractOf("leffa-vton-hd-vae-encoder"), metadata(encoder))).toEqual(
      [],
    );
    expect(contractProblems(contractOf("leffa-vton-dc-vae-decoder"), metadata(decoder))).toEqual(
      [],
    );
  });
});

describe("full-size SDXL Leffa graphs (pose transfer) honour the leffa-pose contracts", () => {
  const gen = { ...SDXL_UNET, in_channels: 12 };
  it("ref and gen UNets (fp16): 70 reference features, flow layers 65, 67, 69", () => {
    const ref = buildRefUNet(SDXL_UNET, shapesOnly(unetKeys(SDXL_UNET, "ref")), {
      dtype: "fp16",
    });
    const flowLayers = defaultFlowLayers(gen);
    expect(flowLayers).toEqual([65, 67, 69]);
    const genGraph = buildGenUNet(gen, shapesOnly(unetKeys(gen, "gen")), {
      dtype: "fp16",
      flowLayers,
    });
    expect(contractProblems(contractOf("leffa-pose-ref-unet"), metadata(ref))).toEqual([]);
    expect(contractProblems(contractOf("leffa-pose-gen-unet"), metadata(genGraph))).toEqual([]);
    expect(metadata(ref).outputs).toHaveLength(70);
    expect(metadata(genGraph).inputs).toHaveLength(5 + 70);
    // The SD1.5 contract does not fit: 16 features and other token counts.
    expect(contractProblems(contractOf("leffa-vton-hd-gen-unet"), metadata(genGraph))).not.toEqual(
      [],
    );
  });

  it("VAE encoder and decoder in fp32, with the SDXL latent scale", () => {
    const weights = shapesOnly(vaeKeys(SDXL_VAE));
    const encoder = buildVaeEncoder(SDXL_VAE, weights, { dtype: "fp32" });
    const decoder = buildVaeDecoder(SDXL_VAE, weights, { dtype: "fp32" });
    expect(contractProblems(contractOf("leffa-pose-vae-encoder"), metadata(encoder))).toEqual([]);
    expect(contractProblems(contractOf("leffa-pose-vae-decoder"), metadata(decoder))).toEqual([]);
    // An fp16 SDXL VAE would overflow: the contract refuses it.
    const fp16 = buildVaeEncoder(SDXL_VAE, weights, { dtype: "fp16" });
    expect(contractProblems(contractOf("leffa-pose-vae-encoder"), metadata(fp16))).not.toEqual([]);
  });
});
