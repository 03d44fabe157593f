/**
 * `npm run bench:install`: from an empty store to the four Leffa try-on graphs installed, as
 * `npm run models -- install --workflow "Virtual try-on"` installs them (plan, then run the plan:
 * download the checkpoint with its hub's redirect and declared sha256, verify, convert, commit,
 * delete the checkpoint), from a local fake Hugging Face hub serving the synthetic FULL-SIZE
 * try-on checkpoint (every key at its real shape, 1.8 B parameters as fp16, ≈3.6 GB; see
 * tests/bench/leffa-convert.ts). The hub runs in its own process so that the figures are the
 * installer's. Prints wall time per phase and in all, MB/s of checkpoint processed, and the peak
 * RSS (sampled every 50 ms, and the kernel's high-water mark), against the targets: peak RSS
 * < 2 GB, conversion ≥ 100 MB/s of checkpoint. Needs ≈11 GB free in the temp directory (the
 * served checkpoint, its downloaded copy, the output); everything is deleted afterwards.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { LEFFA_CHECKPOINTS } from "../../models/manifest/entries";
import { hubSettings } from "../../models/install/hf";
import { planInstall } from "../../models/install/plan";
import { runPlan } from "../../models/install/run-plan";
import { LEFFA_HD_IDS } from "../helpers/model-store";
import { writeSyntheticLeffaCheckpoint } from "./leffa-convert";

const MB = 1e6;
const dir = await mkdtemp(path.join(tmpdir(), "bench-install-"));
const savedModelsDir = process.env.MODELS_DIR;
const checkpointName = LEFFA_CHECKPOINTS.hd.checkpoint;
let hubProcess: ReturnType<typeof spawn> | undefined;
try {
  const served = path.join(dir, checkpointName);
  console.error(`writing the synthetic full-size ${checkpointName}…`);
  const { params } = await writeSyntheticLeffaCheckpoint(served, "hd");
  const bytes = (await stat(served)).size;

  console.error("starting the fake hub (it hashes the checkpoint first)…");
  hubProcess = spawn(
    path.join("node_modules", ".bin", "tsx"),
    ["tests/bench/fake-hub-serve.ts", `franciszzj/Leffa/${checkpointName}=${served}`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    hubProcess!.once("exit", (code) => reject(new Error(`the fake hub exited (${code})`)));
    createInterface({ input: hubProcess!.stdout! }).once("line", (line) =>
      resolve((JSON.parse(line) as { endpoint: string }).endpoint),
    );
  });

  process.env.MODELS_DIR = path.join(dir, "store");
  const hub = hubSettings({ HF_ENDPOINT: endpoint });
  const phases = new Map<string, { first: number; last: number }>();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const start = performance.now();
  try {
    const plan = await planInstall(LEFFA_HD_IDS, { hub });
    await runPlan(plan, {
      hub,
      onProgress: (p) => {
        const now = performance.now();
        const phase = phases.get(p.phase);
        if (phase) phase.last = now;
        else phases.set(p.phase, { first: now, last: now });
      },
    });
  } finally {
    clearInterval(timer);
  }
  const end = performance.now();
  const seconds = (end - start) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  const highWater = process.resourceUsage().maxRSS / 1024;
  const span = (phase: string) => {
    const p = phases.get(phase);
    return p ? (p.last - p.first) / 1000 : 0;
  };
  // From the verified checkpoint to the committed graphs: reading, writing, hashing the outputs.
  const verified = phases.get("verify")?.last ?? start;
  const convertSeconds = (end - verified) / 1000;
  const convertRate = bytes / MB / convertSeconds;
  const peakMB = Math.max(peak / 1024 / 1024, highWater);
  console.log(
    `bench:install: ${checkpointName} (synthetic, ${(params / 1e9).toFixed(3)} B params fp16, ` +
      `${(bytes / MB).toFixed(0)} MB) from the local hub to 4 installed graphs in ${seconds.toFixed(1)} s ` +
      `(${(bytes / MB / seconds).toFixed(0)} MB/s of checkpoint end to end)`,
  );
  console.log(
    `  phases: download ${span("download").toFixed(1)} s (${(bytes / MB / span("download")).toFixed(0)} MB/s), ` +
      `verify ${span("verify").toFixed(1)} s, convert and install ${convertSeconds.toFixed(1)} s ` +
      `(${convertRate.toFixed(0)} MB/s of checkpoint)`,
  );
  console.log(
    `  peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB sampled, process high-water ` +
      `${highWater.toFixed(0)} MB`,
  );
  console.log(
    `  targets: peak RSS < 2048 MB: ${peakMB < 2048 ? "met" : "NOT met"}; conversion ≥ 100 MB/s ` +
      `of checkpoint: ${convertRate >= 100 ? "met" : "NOT met"} (${convertRate.toFixed(0)} MB/s)`,
  );
} finally {
  hubProcess?.kill("SIGTERM");
  if (savedModelsDir === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = savedModelsDir;
  await rm(dir, { recursive: true, force: true });
}
