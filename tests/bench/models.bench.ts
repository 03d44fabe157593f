/**
 * `npm run bench:models`:
 *  1. Real-ESRGAN x4fast on a 256×256 tile with onnxruntime-web WASM (1, 2 and 4 threads) against
 *     onnxruntime-node's native CPU backend on as many threads, measured in the same run (target:
 *     WASM within 1.5×), and the count the studio's worker picks here (min(4, cores));
 *  2. model load in Chromium from the browser cache against the first download (production build,
 *     skipped with a reason when the build or Chromium is missing);
 *  3. checkpoint-reader throughput (MB/s) and peak memory on a ~1 GB torch.save file.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { benchCheckpointReader } from "./checkpoint-reader";
import { CACHE_BENCH_MODEL, measureModelCacheLoad } from "./model-cache-load";
import { chooseWasmThreads } from "../../workers/wasm-threads";
import { measureNative, measureWasmInChild, TILE } from "./upscaler-inference";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/lib/chromium/chromium";

function line(label: string, value: string): void {
  console.log(`${label.padEnd(52)} ${value}`);
}

const cores = availableParallelism();
console.log(`Real-ESRGAN x4fast, one ${TILE}×${TILE} tile (median of 3 after a warm-up)`);
// 4 threads is the studio's ceiling; on fewer cores it oversubscribes, which this shows.
const wasmByThreads = new Map<number, number>();
for (const threads of [1, 2, 4]) {
  // Native first, then WASM, with the same thread count: the ratio is the figure.
  const native = await measureNative(threads);
  const wasm = await measureWasmInChild(threads);
  wasmByThreads.set(threads, wasm.ms);
  line(`  ${native.runtime}, ${threads} thread(s)`, `${native.ms.toFixed(0)} ms`);
  line(
    `  ${wasm.runtime}, ${threads} thread(s)`,
    `${wasm.ms.toFixed(0)} ms  (${(wasm.ms / native.ms).toFixed(2)}× native; target ≤ 1.5×)`,
  );
}
const picked = chooseWasmThreads({ isolated: true, hardwareConcurrency: cores }).threads;
const fastest = [...wasmByThreads].reduce((a, b) => (b[1] < a[1] ? b : a))[0];
line(
  `  studio's WASM thread count on ${cores} core(s)`,
  `${picked} (min(4, cores)); fastest here: ${fastest} thread(s)`,
);

console.log(`\nModel load in Chromium (${CACHE_BENCH_MODEL.id}, WASM, production build)`);
if (!existsSync(".next/BUILD_ID")) {
  line("  skipped", "no production build: run npm run build");
} else if (!existsSync(CHROMIUM)) {
  line("  skipped", `no Chromium at ${CHROMIUM}`);
} else {
  const { first, cached } = await measureModelCacheLoad(CHROMIUM);
  line("  files, first time (download, sha256, cache write)", `${first.filesMs.toFixed(0)} ms`);
  line(
    "  files after a reload (from the browser cache)",
    `${cached.filesMs.toFixed(0)} ms  (${(first.filesMs / cached.filesMs).toFixed(1)}× faster)`,
  );
  line(
    "  whole load with the session, first / cached",
    `${first.loadMs.toFixed(0)} ms / ${cached.loadMs.toFixed(0)} ms`,
  );
}

console.log("\nCheckpoint reader (torch.save zip, fp32 tensors read one by one)");
const reader = await benchCheckpointReader();
line(
  `  throughput on a ${reader.fileMb.toFixed(0)} MB file`,
  `${reader.mbPerSecond.toFixed(0)} MB/s`,
);
line("  peak resident memory while reading", `${reader.peakRssMb.toFixed(0)} MB`);
process.exit(0);
