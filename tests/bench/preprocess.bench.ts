/**
 * `npm run bench:preprocess`: the pose, mask and garment pre-processing that runs in TypeScript,
 * measured in a worker thread: Leffa's agnostic mask rules at 384×512 (target under 20 ms each),
 * human-parsing pre- and post-processing, the DensePose paste, the garment centring and the
 * OpenPose body estimation after its network (target under 50 ms). Medians
 * after a warm-up. Steps made OpenCV- or Pillow-exact also print the earlier approximation's time
 * from the same run, as a ratio.
 */
import { Worker } from "node:worker_threads";
import type { PreprocessTiming } from "./preprocess-work";

// A worker cannot start from a .ts file itself: a one-line bootstrap loads it through tsx.
const work = new URL("./preprocess-work.ts", import.meta.url).href;
const worker = new Worker(
  `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(work)}, ${JSON.stringify(import.meta.url)}))`,
  { eval: true },
);
const timings = await new Promise<PreprocessTiming[]>((resolve, reject) => {
  worker.once("message", resolve);
  worker.once("error", reject);
});
await worker.terminate();

console.log("Pre-processing in a worker thread (median)");
for (const t of timings) {
  const target =
    t.targetMs === undefined
      ? ""
      : `  (target < ${t.targetMs} ms: ${t.medianMs < t.targetMs ? "met" : "NOT met"})`;
  const before =
    t.beforeMs === undefined
      ? ""
      : `  (${t.beforeLabel ?? "before exactness"} ${t.beforeMs.toFixed(1)} ms: ×${(t.medianMs / t.beforeMs).toFixed(2)})`;
  console.log(`  ${t.label.padEnd(60)} ${t.medianMs.toFixed(1).padStart(7)} ms${target}${before}`);
}
