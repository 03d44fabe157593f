import { existsSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getModel } from "../../models/manifest";
import { createStoreModelHost } from "../../workers/models/store-models";
import { CpuTensor } from "../../workers/models/cpu-tensor";
import { fixture } from "../helpers/fixtures";

/**
 * The real ISNet (fp16 weights) as shipped in @imgly/background-removal-data, installed by the
 * test command into a store of its own (tests/run-all.sh): the installer's npm + chunk-assembly
 * path, the session's contract check, and a foreground mask of a real photograph.
 */

const STORE = path.resolve(process.env.OPTIONAL_MODELS_DIR ?? "models/test-store");
const SIZE = 1024;
let previous: string | undefined;

beforeAll(() => {
  if (!existsSync(path.join(STORE, "isnet-fp16", "installed.json"))) {
    throw new Error(
      `isnet-fp16 is not installed in ${STORE}: npm test installs it (MODELS_DIR=${STORE} npm run models -- install isnet-fp16)`,
    );
  }
  previous = process.env.MODELS_DIR;
  process.env.MODELS_DIR = STORE;
});

afterAll(() => {
  if (previous === undefined) delete process.env.MODELS_DIR;
  else process.env.MODELS_DIR = previous;
});

/** The contract's pre-processing: bilinear to 1024², RGB, (x − 128) / 256, planar. */
async function isnetInput(file: string): Promise<Float32Array> {
  const rgb = await sharp(file)
    .resize(SIZE, SIZE, { fit: "fill", kernel: "linear" })
    .removeAlpha()
    .raw()
    .toBuffer();
  const plane = SIZE * SIZE;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (rgb[i * 3 + c] - 128) / 256;
  }
  return out;
}

/** Mean of the alpha map over a rectangle given in fractions of the image. */
function meanAlpha(alpha: Float32Array, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(y0 * SIZE); y < y1 * SIZE; y++) {
    for (let x = Math.floor(x0 * SIZE); x < x1 * SIZE; x++, n++) sum += alpha[y * SIZE + x];
  }
  return sum / n;
}

describe("ISNet (real model, onnxruntime-web WASM under Node)", () => {
  it("passes its contract check and separates the person from the background", async () => {
    const session = await createStoreModelHost().load("isnet-fp16", () => {});
    const input = new CpuTensor("float32", await isnetInput(fixture("person-upper-body.png")), [
      1,
      3,
      SIZE,
      SIZE,
    ]);
    const { output } = await session.run({ input });
    expect(output.dims).toEqual(getModel("isnet-fp16").contract.outputs[0].shape);
    const alpha = (await output.getData()) as Float32Array;
    expect(Math.min(...alpha.subarray(0, 4096))).toBeGreaterThanOrEqual(0);
    // The chest (centre of the photo) is foreground; the wall in the top corners is not.
    expect(meanAlpha(alpha, 0.4, 0.45, 0.6, 0.6)).toBeGreaterThan(0.9);
    expect(meanAlpha(alpha, 0, 0, 0.15, 0.15)).toBeLessThan(0.1);
    expect(meanAlpha(alpha, 0.85, 0, 1, 0.15)).toBeLessThan(0.1);
  }, 120_000);
});
