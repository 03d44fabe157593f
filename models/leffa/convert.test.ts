import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toFloat16Bits } from "../onnx/float16";
import { writeTorchZip, type TorchEntry } from "../../tests/helpers/checkpoint-writers";
import { TINY_UNET, TINY_VAE } from "./config";
import { convertLeffa, expectedLeffaKeys, parseFlowLayers, schedulerConfigText } from "./convert";
import {
  SD15_INPAINTING_SCHEDULER_JSON,
  SDXL_INPAINTING_SCHEDULER_JSON,
} from "../../nodes/lib/leffa-sampler/scheduler-config";
import { randomWeightMap } from "./random-weights";

const config = { unet: TINY_UNET, vae: TINY_VAE };
const savedModelsDir = process.env.MODELS_DIR;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "leffa-convert-"));
  process.env.MODELS_DIR = path.join(dir, "store");
});

afterEach(async () => {
  if (savedModelsDir === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = savedModelsDir;
  await rm(dir, { recursive: true, force: true });
});

/** A tiny Leffa-shaped .pth (fp16 storages, like a `.half()` save) with every expected key. */
async function writeTinyCheckpoint(
  edit: (tensors: Record<string, TorchEntry>) => void = () => undefined,
): Promise<string> {
  const specs = expectedLeffaKeys(TINY_UNET, TINY_VAE);
  const values = randomWeightMap(specs, 11);
  const tensors: Record<string, TorchEntry> = {};
  for (const { key, shape } of specs) {
    const data = values.get(key)?.data as Float32Array;
    tensors[key] = { dtype: "float16", shape, data: toFloat16Bits(data) };
  }
  edit(tensors);
  const file = path.join(dir, "virtual_tryon.pth");
  await writeTorchZip(file, tensors);
  return file;
}

describe("convertLeffa", () => {
  it("writes the four store entries, and the UNets run from their external data", async () => {
    const from = await writeTinyCheckpoint();
    const progress: number[] = [];
    const result = await convertLeffa({
      from,
      variant: "hd",
      config,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(result.models).toEqual([
      "leffa-vton-hd-vae-encoder",
      "leffa-vton-hd-vae-decoder",
      "leffa-vton-hd-ref-unet",
      "leffa-vton-hd-gen-unet",
    ]);
    expect(progress.at(-1)).toBe(1);
    const store = path.join(dir, "store");
    expect((await readdir(store)).sort()).toEqual([...result.models].sort());
    expect((await readdir(path.join(store, "leffa-vton-hd-vae-encoder"))).sort()).toEqual([
      "installed.json",
      "model.onnx",
    ]);
    const genDir = path.join(store, "leffa-vton-hd-gen-unet");
    expect((await readdir(genDir)).sort()).toEqual([
      "installed.json",
      "model.onnx",
      "model.onnx_data",
      "scheduler_config.json",
    ]);
    const record = JSON.parse(await readFile(path.join(genDir, "installed.json"), "utf8"));
    expect(record.source).toBe("convert:virtual_tryon.pth");
    expect(record.files.map((f: { name: string }) => f.name)).toEqual([
      "model.onnx",
      "model.onnx_data",
      "scheduler_config.json",
    ]);
    // Without --scheduler-config: the SD1.5 inpainting base folder's file as Leffa's repo has it.
    const stored = await readFile(path.join(genDir, "scheduler_config.json"), "utf8");
    expect(JSON.parse(stored)).toEqual(SD15_INPAINTING_SCHEDULER_JSON);

    const h = 4;
    const half = (shape: number[], v: number) =>
      new ort.Tensor(
        "float16",
        toFloat16Bits(new Float32Array(shape.reduce((a, b) => a * b)).fill(v)),
        shape,
      );
    const ref = await ort.InferenceSession.create(
      path.join(store, "leffa-vton-hd-ref-unet", "model.onnx"),
    );
    const timestep = new ort.Tensor("float32", new Float32Array([500]), [1]);
    const refs = await ref.run({ ref_latent: half([1, 4, h, h], 0.3), timestep });
    const gen = await ort.InferenceSession.create(path.join(genDir, "model.onnx"));
    // Flow outputs by default for the last up block's layers (the tiny UNet's 2 and 3).
    expect(gen.outputNames).toEqual([
      "noise_pred",
      "flow_q_02",
      "flow_k_02",
      "flow_q_03",
      "flow_k_03",
    ]);
    const { noise_pred } = await gen.run({
      ...refs,
      noisy_latent: half([1, 4, h, h], 0.1),
      mask_latent: half([1, 1, h, h], 1),
      masked_latent: half([1, 4, h, h], -0.2),
      densepose_latent: half([1, 3, h, h], 0.5),
      timestep,
    });
    expect(noise_pred.dims).toEqual([1, 4, h, h]);
    expect(noise_pred.type).toBe("float16");
    await ref.release();
    await gen.release();
  });

  it("stores the --scheduler-config file as given, after checking the sampler can follow it", async () => {
    const given = path.join(dir, "scheduler_config.json");
    const text = '{ "clip_sample": true, "timestep_spacing": "trailing", "steps_offset": 0 }\n';
    await writeFile(given, text);
    expect(await schedulerConfigText("SD1.5", given)).toBe(text);
    expect(JSON.parse(await schedulerConfigText("SDXL", undefined))).toEqual(
      SDXL_INPAINTING_SCHEDULER_JSON,
    );
    await writeFile(given, '{ "thresholding": true }');
    await expect(schedulerConfigText("SD1.5", given)).rejects.toThrow(
      /--scheduler-config .*scheduler_config.json: thresholding: true .*not implemented/,
    );
    await expect(schedulerConfigText("SD1.5", path.join(dir, "absent.json"))).rejects.toThrow(
      /--scheduler-config .*absent.json: ENOENT/,
    );
    // Refused before the checkpoint is even opened: nothing is installed.
    const before = await readdir(path.join(dir, "store")).catch(() => []);
    await expect(
      convertLeffa({ from: path.join(dir, "missing.pth"), variant: "hd", schedulerConfig: given }),
    ).rejects.toThrow(/thresholding/);
    expect(await readdir(path.join(dir, "store")).catch(() => [])).toEqual(before);
  });

  it("parses --flow-layers and refuses layers the UNet does not have, installing nothing", async () => {
    expect(parseFlowLayers("13,14,15")).toEqual([13, 14, 15]);
    expect(parseFlowLayers(" 10, 11 ")).toEqual([10, 11]);
    expect(parseFlowLayers("none")).toEqual([]);
    for (const bad of ["", "13,", "a", "-1", "1.5", "13;14"]) {
      expect(() => parseFlowLayers(bad), bad).toThrow(/--flow-layers takes "none" or comma/);
    }
    const from = await writeTinyCheckpoint();
    // The tiny UNet has 4 self-attention layers, so SD1.5's 13 does not exist.
    await expect(convertLeffa({ from, variant: "hd", config, flowLayers: [13] })).rejects.toThrow(
      /flow layer 13 does not exist: the generative UNet has 4/,
    );
    await expect(readdir(path.join(dir, "store"))).rejects.toThrow();
  });

  it("lists missing, unknown and mis-shaped keys, and installs nothing", async () => {
    const from = await writeTinyCheckpoint((t) => {
      delete t["unet.conv_out.bias"];
      t["unet.extra.weight"] = { dtype: "float16", shape: [2], data: new Uint16Array(2) };
      t["vae.quant_conv.bias"] = { dtype: "float16", shape: [9], data: new Uint16Array(9) };
    });
    const error = await convertLeffa({ from, variant: "dc", config }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/missing keys \(1\):\n {2}unet\.conv_out\.bias/);
    expect(message).toMatch(/unknown keys \(1\):\n {2}unet\.extra\.weight/);
    expect(message).toMatch(/vae\.quant_conv\.bias: \[9\], expected \[8\]/);
    await expect(readdir(path.join(dir, "store"))).rejects.toThrow();
  });

  it("refuses a checkpoint that is not SD1.5 Leffa try-on when no config is given", async () => {
    const from = await writeTinyCheckpoint();
    await expect(convertLeffa({ from, variant: "hd" })).rejects.toThrow(
      /unet\.conv_in\.weight is \[32, 12, 3, 3\] \(expected \[320, 12, 3, 3\]\)/,
    );
  });

  it("names the right command when a try-on and the pose-transfer checkpoint are swapped", async () => {
    // Only the tensors the detection reads (leffa-keys.md §7.3), with the real conv_in shape.
    const tensor = (shape: number[]): TorchEntry => ({
      dtype: "float16",
      shape,
      data: new Uint16Array(shape.reduce((a, b) => a * b, 1)),
    });
    const pose = path.join(dir, "pose_transfer.pth");
    await writeTorchZip(pose, {
      "unet.conv_in.weight": tensor([320, 12, 3, 3]),
      "unet.add_embedding.linear_1.weight": tensor([4, 8]),
      "unet.down_blocks.1.attentions.0.proj_in.weight": tensor([4, 4]),
    });
    await expect(convertLeffa({ from: pose, variant: "hd" })).rejects.toThrow(
      /is Leffa's SDXL pose-transfer checkpoint, not virtual_tryon\.pth; convert it with: npm run models -- convert leffa-pose/,
    );
    const tryOn = path.join(dir, "virtual_tryon.pth");
    await writeTorchZip(tryOn, {
      "unet.conv_in.weight": tensor([320, 12, 3, 3]),
      "unet.down_blocks.0.attentions.0.proj_in.weight": tensor([4, 4, 1, 1]),
    });
    await expect(convertLeffa({ from: tryOn, variant: "pose" })).rejects.toThrow(
      /is Leffa's SD1\.5 try-on checkpoint, not pose_transfer\.pth; convert it with: npm run models -- convert leffa-vton/,
    );
    // Past the detection, the key check lists what an incomplete SDXL file lacks.
    await expect(convertLeffa({ from: pose, variant: "pose" })).rejects.toThrow(
      /missing keys \(3605\)/,
    );
    await expect(readdir(path.join(dir, "store"))).rejects.toThrow();
  });
});
