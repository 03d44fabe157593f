import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { openCheckpoint, type Checkpoint } from "../checkpoints";
import { findModel } from "../manifest";
import type { GraphBuilder } from "../onnx/builder";
import { writeModelFiles } from "../onnx/write-files";
import { LEFFA_CHECKPOINTS, type LeffaVariant } from "../manifest/entries";
import {
  SD15_UNET,
  SD15_VAE,
  SDXL_UNET,
  SDXL_VAE,
  type UNetConfig,
  type VaeConfig,
} from "./config";
import type { AttentionMode } from "./attention-chunks";
import { consumedKeys } from "./graph-ops";
import { unetKeys, vaeKeys, type KeySpec } from "./keys";
import { commitConverted, ConversionError, freshStaging } from "../install/converted";
import { defaultFlowLayers } from "./features";
import { buildGenUNet, buildRefUNet, checkFlowLayers } from "./unet-graph";
import { buildVaeDecoder, buildVaeEncoder } from "./vae-graph";
import {
  LEFFA_BASE_SCHEDULERS,
  SCHEDULER_CONFIG_FILE,
  schedulerConfigFromText,
  UnsupportedSchedulerError,
} from "../../nodes/lib/leffa-sampler/scheduler-config";
import { weightsFromCheckpoint, type WeightSource } from "./weights";

/**
 * Converts a Leffa checkpoint into its four store entries `<prefix>-{vae-encoder,vae-decoder,
 * ref-unet,gen-unet}` (leffa-keys.md §7): the try-on checkpoints (`virtual_tryon.pth` → hd,
 * `virtual_tryon_dc.pth` → dc, SD1.5) and pose transfer (`pose_transfer.pth` → pose, SDXL, 70
 * reference features). The checkpoint is read tensor by tensor while each model file is written,
 * so memory stays near one tensor plus the graph, whatever the checkpoint's size.
 */
export interface ConvertLeffaOptions {
  from: string;
  variant: LeffaVariant;
  /** The UNets' precision (fp16 by default). The SDXL VAE is always fp32 (it overflows in fp16). */
  dtype?: "fp16" | "fp32";
  onProgress?: (done: number, total: number, message: string) => void;
  /** The configs to convert with; detected from the checkpoint's shapes when absent (tests). */
  config?: { unet: UNetConfig; vae: VaeConfig };
  /**
   * Generative-UNet self-attention layers (reference-feature indices) that also output their
   * queries and keys for the flow visualiser; default defaultFlowLayers (13, 14, 15 in SD1.5,
   * 65, 67, 69 in SDXL), [] for none.
   */
  flowLayers?: readonly number[];
  /**
   * The base folder's `scheduler/scheduler_config.json` to store beside the generative UNet
   * (`--scheduler-config`); Leffa's own base config (scheduler-config.ts) when absent. Checked
   * here: a file the sampler could not follow is refused before anything is converted.
   */
  schedulerConfig?: string;
  /**
   * How every graph computes attention (`--attention`): "fused" (default: one com.microsoft
   * MultiHeadAttention per attention, 1,664 nodes instead of 4,797 in the SD1.5 generative UNet)
   * or "chunked" (standard ops only). Recorded in each graph's metadata; the runtime rewrites a
   * fused graph to chunked where the backend's kernel fails or fails its check at load
   * (workers/models/session-pool.ts).
   */
  attention?: AttentionMode;
}

/**
 * The CLI's `--flow-layers` value: "none", or comma-separated whole numbers ("13,14,15").
 * Whether the indices exist is checked against the UNet's config (checkFlowLayers).
 */
export function parseFlowLayers(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === "none") return [];
  const parts = trimmed.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new ConversionError(
      `--flow-layers takes "none" or comma-separated layer indices such as 13,14,15, got "${text}"`,
    );
  }
  return parts.map(Number);
}

export interface ConvertLeffaResult {
  models: string[];
  ms: number;
  bytes: number;
}

const PREFIXES = { vae: "vae.", ref: "unet_encoder.", gen: "unet." } as const;

/** Every key the checkpoint must hold, with its shape and whether the graphs read it. */
export function expectedLeffaKeys(unet: UNetConfig, vae: VaeConfig): KeySpec[] {
  const withPrefix = (prefix: string) => (k: KeySpec) => ({ ...k, key: prefix + k.key });
  return [
    ...vaeKeys(vae).map(withPrefix(PREFIXES.vae)),
    ...unetKeys({ ...unet, in_channels: 4 }, "ref").map(withPrefix(PREFIXES.ref)),
    ...unetKeys({ ...unet, in_channels: 12 }, "gen").map(withPrefix(PREFIXES.gen)),
  ];
}

const shapeText = (shape: readonly number[]) => `[${shape.join(", ")}]`;

function listed(title: string, items: string[]): string {
  if (items.length === 0) return "";
  const shown = items.slice(0, 20).map((s) => `  ${s}`);
  if (items.length > 20) shown.push(`  … and ${items.length - 20} more`);
  return `${title} (${items.length}):\n${shown.join("\n")}\n`;
}

/** Throws one error listing every missing, unexpected and mis-shaped key. */
export function checkLeffaKeys(checkpoint: Checkpoint, expected: readonly KeySpec[], file: string) {
  const wanted = new Map(expected.map((k) => [k.key, k]));
  const missing = expected.filter((k) => !checkpoint.get(k.key)).map((k) => k.key);
  const unknown = checkpoint.tensors.filter((t) => !wanted.has(t.name)).map((t) => t.name);
  const misShaped: string[] = [];
  for (const t of checkpoint.tensors) {
    const spec = wanted.get(t.name);
    if (spec && shapeText(spec.shape) !== shapeText(t.shape)) {
      misShaped.push(`${t.name}: ${shapeText(t.shape)}, expected ${shapeText(spec.shape)}`);
    }
  }
  const report =
    listed("missing keys", missing) +
    listed("unknown keys", unknown) +
    listed("keys with the wrong shape", misShaped);
  if (report)
    throw new ConversionError(`${file} is not the Leffa checkpoint it should be:\n${report}`);
}

/** Which Leffa architecture a checkpoint holds, from its shapes (leffa-keys.md §7.3). */
export function detectLeffaConfig(
  checkpoint: Checkpoint,
  file: string,
): { base: "SD1.5" | "SDXL"; unet: UNetConfig; vae: VaeConfig } {
  const convIn = checkpoint.get("unet.conv_in.weight")?.shape;
  const sdxl = checkpoint.get("unet.add_embedding.linear_1.weight") !== undefined;
  // SD1.5 has attention at level 0 (a 1×1-conv proj_in); SDXL first at level 1 (Linear).
  const projKey = sdxl
    ? "unet.down_blocks.1.attentions.0.proj_in.weight"
    : "unet.down_blocks.0.attentions.0.proj_in.weight";
  const projIn = checkpoint.get(projKey)?.shape;
  const projRank = sdxl ? 2 : 4;
  if (!convIn || shapeText(convIn) !== "[320, 12, 3, 3]" || projIn?.length !== projRank) {
    throw new ConversionError(
      `${file} does not look like a Leffa checkpoint: unet.conv_in.weight is ` +
        `${convIn ? shapeText(convIn) : "missing"} (expected [320, 12, 3, 3]) and ` +
        `${projKey} is ${projIn ? shapeText(projIn) : "missing"} ` +
        `(expected ${sdxl ? "a Linear weight, SDXL" : "a 1×1 conv, SD1.5"})`,
    );
  }
  return sdxl
    ? { base: "SDXL", unet: SDXL_UNET, vae: SDXL_VAE }
    : { base: "SD1.5", unet: SD15_UNET, vae: SD15_VAE };
}

/** Refuses a try-on checkpoint given as pose transfer, or the reverse, naming the right command. */
function checkVariant(variant: LeffaVariant, base: "SD1.5" | "SDXL", file: string): void {
  const wanted = LEFFA_CHECKPOINTS[variant].base.name;
  if (wanted === base) return;
  const right = base === "SDXL" ? LEFFA_CHECKPOINTS.pose : LEFFA_CHECKPOINTS.hd;
  throw new ConversionError(
    `${file} is Leffa's ${base === "SDXL" ? "SDXL pose-transfer" : "SD1.5 try-on"} checkpoint, ` +
      `not ${LEFFA_CHECKPOINTS[variant].checkpoint}; convert it with: ${right.command}`,
  );
}

/** Counts tensors as they are read, for progress. */
function counting(source: WeightSource, onRead: (key: string) => void): WeightSource {
  return {
    shape: (key) => source.shape(key),
    read: (key) => {
      onRead(key);
      return source.read(key);
    },
    readAsync: source.readAsync
      ? (key) => {
          onRead(key);
          return (source.readAsync as (k: string) => Promise<Float32Array>)(key);
        }
      : undefined,
    readFloat16Bits: source.readFloat16Bits
      ? async (key) => {
          const bits = await (
            source.readFloat16Bits as (k: string) => Promise<Uint16Array | undefined>
          )(key);
          // A float16 hit is a read; a miss falls back to readAsync, which counts itself.
          if (bits) onRead(key);
          return bits;
        }
      : undefined,
  };
}

/**
 * The scheduler_config.json text to store: the given file, checked the way the sampler will read
 * it, or the base folder's as Leffa's repository holds it.
 */
export async function schedulerConfigText(
  base: "SD1.5" | "SDXL",
  file: string | undefined,
): Promise<string> {
  const leffa = LEFFA_BASE_SCHEDULERS[base];
  if (file === undefined) return `${JSON.stringify(leffa.file, null, 2)}\n`;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new ConversionError(`--scheduler-config ${file}: ${(err as Error).message}`);
  }
  try {
    schedulerConfigFromText(text, file, { rescaleBetasZeroSnr: leffa.rescaleBetasZeroSnr });
  } catch (err) {
    if (err instanceof UnsupportedSchedulerError) {
      throw new ConversionError(`--scheduler-config ${err.message}`);
    }
    throw err;
  }
  return text;
}

export async function convertLeffa(options: ConvertLeffaOptions): Promise<ConvertLeffaResult> {
  const started = Date.now();
  const dtype = options.dtype ?? "fp16";
  const { base, prefix: entryPrefix } = LEFFA_CHECKPOINTS[options.variant];
  // Before the checkpoint is opened: a bad scheduler file costs nothing.
  const scheduler = await schedulerConfigText(base.name, options.schedulerConfig);
  const vaeDtype = base.vae === "float32" ? "fp32" : dtype;
  const attention = options.attention ?? "fused";
  const file = options.from;
  const checkpoint = await openCheckpoint(file);
  try {
    let config = options.config;
    if (!config) {
      const detected = detectLeffaConfig(checkpoint, file);
      checkVariant(options.variant, detected.base, file);
      config = detected;
    }
    const { unet, vae } = config;
    const genConfig = { ...unet, in_channels: 12 };
    const flowLayers = options.flowLayers ?? defaultFlowLayers(genConfig);
    try {
      checkFlowLayers(genConfig, flowLayers);
    } catch (e) {
      throw new ConversionError(e instanceof Error ? e.message : String(e));
    }
    const expected = expectedLeffaKeys(unet, vae);
    checkLeffaKeys(checkpoint, expected, file);
    const total = expected.filter((k) => k.status === "live").length;
    let done = 0;
    const source = (prefix: string) =>
      counting(weightsFromCheckpoint(checkpoint, prefix), (key) => {
        done++;
        options.onProgress?.(done, total, `${prefix}${key}`);
      });

    const parts: { part: string; prefix: string; build: () => GraphBuilder }[] = [
      {
        part: "vae-encoder",
        prefix: PREFIXES.vae,
        build: () => buildVaeEncoder(vae, source(PREFIXES.vae), { dtype: vaeDtype, attention }),
      },
      {
        part: "vae-decoder",
        prefix: PREFIXES.vae,
        build: () => buildVaeDecoder(vae, source(PREFIXES.vae), { dtype: vaeDtype, attention }),
      },
      {
        part: "ref-unet",
        prefix: PREFIXES.ref,
        build: () =>
          buildRefUNet({ ...unet, in_channels: 4 }, source(PREFIXES.ref), { dtype, attention }),
      },
      {
        part: "gen-unet",
        prefix: PREFIXES.gen,
        build: () =>
          buildGenUNet(genConfig, source(PREFIXES.gen), { dtype, flowLayers, attention }),
      },
    ];

    // Build every graph first (shapes only, no weights read) and check that together they read
    // every live key: a checkpoint key that nothing consumes would be silently lost otherwise.
    const graphs = parts.map((p) => ({ ...p, graph: p.build() }));
    const read = new Set<string>();
    for (const { prefix, graph } of graphs) {
      for (const key of consumedKeys(graph)) read.add(prefix + key);
    }
    const unread = expected.filter((k) => k.status === "live" && !read.has(k.key));
    const deadRead = expected.filter((k) => k.status !== "live" && read.has(k.key));
    if (unread.length > 0 || deadRead.length > 0) {
      throw new Error(
        "internal: the graphs and the key layout disagree:\n" +
          listed(
            "live keys no graph reads",
            unread.map((k) => k.key),
          ) +
          listed(
            "dead keys a graph reads",
            deadRead.map((k) => k.key),
          ),
      );
    }

    const models: string[] = [];
    let bytes = 0;
    for (const { part, graph } of graphs) {
      const id = `${entryPrefix}-${part}`;
      const entry = findModel(id);
      if (!entry) throw new Error(`internal: the manifest has no entry ${id}`);
      const external = entry.files.some((f) => f.name === "model.onnx_data");
      const staging = await freshStaging(id);
      const written = await writeModelFiles(graph, staging, "model", {
        // Entries without a data file keep every weight inline in model.onnx.
        externalThreshold: external ? 1024 : Infinity,
      });
      const names = entry.files.map((f) => f.name);
      const produced = [path.basename(written.onnxPath)];
      if (written.dataPath) produced.push(path.basename(written.dataPath));
      if (part === "gen-unet") {
        await writeFile(path.join(staging, SCHEDULER_CONFIG_FILE), scheduler);
        produced.push(SCHEDULER_CONFIG_FILE);
      }
      if (produced.sort().join() !== [...names].sort().join()) {
        throw new Error(
          `internal: ${id} wrote ${produced.join(", ")}, the manifest lists ${names.join(", ")}`,
        );
      }
      await commitConverted(id, staging, names, `convert:${path.basename(file)}`);
      models.push(id);
      bytes += written.bytes;
    }
    return { models, ms: Date.now() - started, bytes };
  } finally {
    await checkpoint.close();
  }
}
