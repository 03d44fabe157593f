/**
 * Cost of the Leffa sampling loop around its UNets: the tiny contract models (real ONNX graphs
 * with the real tensor names and shapes, random weights, onnxruntime-web WASM under Node) run the
 * real loop at 512×384, and each step's time is split into the two UNets' runs and everything
 * else (feeds, fp16 conversions, guidance, the DDPM step). The tiny UNets are far cheaper than
 * the real ones, so the share measured here is an upper bound on the loop's overhead.
 *
 * `npx tsx tests/bench/sampler-steps.ts` prints one JSON line.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getModel } from "../../models/manifest";
import { makeTinyModel } from "../../models/tiny/make-tiny";
import type { TensorType } from "../../nodes/core/types";
import { runLeffaSampler, type SamplerSessions } from "../../nodes/lib/leffa-sampler/loop";
import type { Frame } from "../../nodes/lib/leffa-sampler/prepare";
import { CpuTensor } from "../../workers/models/cpu-tensor";
import { createStoreModelHost } from "../../workers/models/store-models";

export const LEFFA_HD_IDS = ["vae-encoder", "vae-decoder", "ref-unet", "gen-unet"].map(
  (g) => `leffa-vton-hd-${g}`,
);

/**
 * Installs tiny contract models for the four VITON-HD graphs into a store folder (as
 * `npm run models -- make-tiny` would make them), with the installed.json the store expects.
 */
export async function installTinyLeffa(dir: string): Promise<void> {
  for (const id of LEFFA_HD_IDS) {
    const entry = getModel(id);
    const folder = path.join(dir, id);
    await mkdir(folder, { recursive: true });
    const files: { name: string; bytes: number; sha256: string }[] = [];
    for (const file of entry.files) {
      // The tiny graph carries its weights inline; its external-data companion stays empty.
      const bytes = file.name === entry.onnx ? makeTinyModel(entry) : new Uint8Array(0);
      await writeFile(path.join(folder, file.name), bytes);
      files.push({
        name: file.name,
        bytes: bytes.length,
        sha256: createHash("sha256").update(bytes).digest("hex"),
      });
    }
    const record = { id, installedAt: new Date(0).toISOString(), source: "tiny", files };
    await writeFile(path.join(folder, "installed.json"), JSON.stringify(record));
  }
}

const FRAME: Frame = { width: 384, height: 512 };
const STEPS = 6;

function pattern(length: number, phase: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => Math.sin(i * 0.001 + phase) * 0.8);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function benchSamplerSteps(): Promise<{
  stepMs: number;
  unetMs: number;
  restMs: number;
  restShare: number;
}> {
  const store = await mkdtemp(path.join(tmpdir(), "leffa-bench-"));
  const previous = process.env.MODELS_DIR;
  try {
    await installTinyLeffa(store);
    process.env.MODELS_DIR = store;
    const host = createStoreModelHost();
    const [vaeEncoder, vaeDecoder, refUnet, genUnet] = await Promise.all(
      LEFFA_HD_IDS.map((id) => host.load(id, () => {})),
    );
    const sessions: SamplerSessions = { vaeEncoder, vaeDecoder, refUnet, genUnet };
    const pixels = FRAME.width * FRAME.height;
    const conditions = {
      frame: FRAME,
      maskedPerson: pattern(3 * pixels, 0),
      reference: pattern(3 * pixels, 1),
      mask: Float32Array.from({ length: pixels }, (_, i) => (i % FRAME.width > 100 ? 1 : 0)),
      densepose: pattern(3 * pixels, 2),
    };
    const run = () =>
      runLeffaSampler(
        sessions,
        conditions,
        { steps: STEPS, guidance: 2.5, seed: 42, refAcceleration: false },
        {
          signal: new AbortController().signal,
          tensor: (type: TensorType, data: ArrayBufferView, dims: readonly number[]) =>
            new CpuTensor(type, data, dims),
          progress: () => {},
        },
      );
    await run(); // warm-up: first runs of each session allocate their arenas, the JIT settles
    const steps = [...(await run()).steps, ...(await run()).steps];
    // Medians: a garbage collection of the previous step's 35 MB of reference features (copied
    // out of WASM by onnxruntime) lands in whichever stretch of JavaScript runs next, and would
    // otherwise be billed to the loop at random.
    const unetMs = median(steps.map((s) => s.unetMs));
    const restMs = median(steps.map((s) => s.restMs));
    return { stepMs: unetMs + restMs, unetMs, restMs, restShare: restMs / (unetMs + restMs) };
  } finally {
    if (previous === undefined) delete process.env.MODELS_DIR;
    else process.env.MODELS_DIR = previous;
    await rm(store, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchSamplerSteps().then(
    (figures) => console.log(JSON.stringify(figures)),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
