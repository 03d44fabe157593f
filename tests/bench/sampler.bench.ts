/**
 * `npm run bench:sampler`:
 *  1. one Leffa sampling step on the tiny contract models (512×384, WASM), split into the two
 *     UNets' time and everything else (target: the rest under 3 % of a step), for try-on (16
 *     reference features) and pose transfer (SDXL's 70);
 *  2. converting a synthetic full-size (1.8 B-parameter, fp16) try-on checkpoint: wall time and
 *     peak memory (target: peak under 4 GB). Needs about 7 GB of free disk in the temp folder.
 */
import { statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import { benchLeffaConvert } from "./leffa-convert";
import { benchSamplerSteps } from "./sampler-steps";
import { LEFFA_FAMILIES } from "../../nodes/lib/leffa-sampler/family";

function line(label: string, value: string): void {
  console.log(`${label.padEnd(52)} ${value}`);
}

for (const family of [LEFFA_FAMILIES.viton_hd, LEFFA_FAMILIES.pose_transfer]) {
  console.log(
    `Sampling step, ${family.task} (${family.refNames.length} reference features), tiny contract models, 512×384, WASM (median)`,
  );
  const step = await benchSamplerSteps(family);
  const baseline = await benchSamplerSteps(family, { stepGraph: true });
  line("  whole step", `${step.stepMs.toFixed(1)} ms`);
  line("  both UNets", `${step.unetMs.toFixed(1)} ms`);
  line(
    "  everything else (guidance, DDPM step, feeds)",
    `${step.restMs.toFixed(2)} ms = ${(step.restShare * 100).toFixed(2)} % of the step ` +
      `(target < 3 %: ${step.restShare < 0.03 ? "met" : "NOT met"})`,
  );
  line(
    "  baseline: the step graph beside the WASM UNets",
    `${baseline.restMs.toFixed(2)} ms = ${(baseline.restShare * 100).toFixed(2)} % ` +
      `(the rest is ${(baseline.restMs / step.restMs).toFixed(1)}× smaller without it)`,
  );
}

console.log("\nConverting a synthetic full-size try-on checkpoint (1.8 B parameters, fp16)");
const disk = await statfs(tmpdir());
const freeGb = (disk.bavail * disk.bsize) / 1024 ** 3;
if (freeGb < 7) {
  line("  skipped", `only ${freeGb.toFixed(1)} GB free in ${tmpdir()}; it needs about 7 GB`);
} else {
  const convert = await benchLeffaConvert();
  line("  parameters", `${(convert.params / 1e9).toFixed(3)} B`);
  line("  conversion time", `${convert.seconds.toFixed(1)} s`);
  line(
    "  peak resident memory",
    `${convert.peakRssMB.toFixed(0)} MB (target < 4096 MB: ${convert.peakRssMB < 4096 ? "met" : "NOT met"})`,
  );
}
process.exit(0);
