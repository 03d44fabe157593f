/**
 * Node counts of the full-size Leffa graphs (SD1.5 try-on and SDXL pose transfer, fp16, default
 * flow layers) for both attention modes, built from the key layout alone (no weights):
 * `npx tsx tests/bench/leffa-nodes.ts`. Issue 15's target: generative UNet under 2,000 nodes.
 */
import { ATTENTION_MODES } from "../../models/leffa/attention-chunks";
import { SD15_UNET, SD15_VAE, SDXL_UNET, SDXL_VAE } from "../../models/leffa/config";
import onnxProto from "onnx-proto";
import { defuseAttention } from "../../models/leffa/defuse-attention";
import { defaultFlowLayers } from "../../models/leffa/features";
import { leffaGraphStats, shapeOnlyWeights } from "../../models/leffa/graph-stats";
import { unetKeys } from "../../models/leffa/keys";
import { buildGenUNet } from "../../models/leffa/unet-graph";

const BASES = [
  { name: "SD1.5 try-on", unet: SD15_UNET, vae: SD15_VAE },
  { name: "SDXL pose", unet: SDXL_UNET, vae: SDXL_VAE },
];

for (const base of BASES) {
  for (const attention of ATTENTION_MODES) {
    const started = performance.now();
    const stats = leffaGraphStats(base.unet, base.vae, attention);
    const ms = Math.round(performance.now() - started);
    for (const s of stats) {
      const softmax = s.ops.Softmax ?? 0;
      const mha = s.ops.MultiHeadAttention ?? 0;
      console.log(
        `${base.name.padEnd(13)} ${attention.padEnd(8)} ${s.graph.padEnd(12)} ` +
          `${String(s.nodes).padStart(5)} nodes  Softmax ${String(softmax).padStart(3)}  ` +
          `MultiHeadAttention ${String(mha).padStart(2)}`,
      );
    }
    console.log(`  (built in ${ms} ms)`);
  }
}

// The runtime's fallback: rewriting the full-size fused generative UNet's .onnx (weights in the
// data file) into the chunked graph, as a WebGPU session that cannot run it would.
{
  const genConfig = { ...SD15_UNET, in_channels: 12 };
  const g = buildGenUNet(genConfig, shapeOnlyWeights(unetKeys(genConfig, "gen")), {
    dtype: "fp16",
    attention: "fused",
    flowLayers: defaultFlowLayers(genConfig),
  });
  const { onnx } = g.toStreamingFiles("model", { externalThreshold: 0 });
  const started = performance.now();
  const defused = defuseAttention(onnx);
  const ms = Math.round(performance.now() - started);
  const nodes = onnxProto.onnx.ModelProto.decode(defused ?? new Uint8Array()).graph?.node ?? [];
  console.log(
    `SD1.5 gen-unet fused .onnx ${(onnx.byteLength / 1024).toFixed(0)} KiB → defused ` +
      `(${nodes.length} nodes) in ${ms} ms`,
  );
}
