/**
 * Node counts of the full-size Leffa graphs (SD1.5 try-on and SDXL pose transfer, fp16, default
 * flow layers) for both attention modes, built from the key layout alone (no weights):
 * `npx tsx tests/bench/leffa-nodes.ts`. Issue 15's target: generative UNet under 2,000 nodes.
 */
import { ATTENTION_MODES } from "../../models/leffa/attention-chunks";
import { SD15_UNET, SD15_VAE, SDXL_UNET, SDXL_VAE } from "../../models/leffa/config";
import { leffaGraphStats } from "../../models/leffa/graph-stats";

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
