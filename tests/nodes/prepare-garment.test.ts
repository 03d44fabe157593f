import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createImage, type RgbaImage } from "../../nodes/core/image";
import { ModelUnavailableError, NodeError } from "../../nodes/core/types";
import { prepareGarmentNode } from "../../nodes/prepare-garment";
import { fixtureCrop } from "../helpers/fixtures";
import { storeContext, tinyModelStore } from "../helpers/model-store";
import { useModelStore } from "../helpers/use-model-store";
import { runNode } from "../helpers/node-context";

const pixel = (image: RgbaImage, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));

/** A transparent image with an opaque green block: a garment cut-out. */
function cutOut(): RgbaImage {
  const image = createImage(50, 40);
  for (let y = 10; y < 30; y++) {
    for (let x = 5; x < 45; x++) image.data.set([20, 160, 40, 255], (y * 50 + x) * 4);
  }
  return image;
}

describe("Prepare Garment without models", () => {
  it("centres a cut-out as Leffa does and reports the geometry", async () => {
    const result = await runNode(prepareGarmentNode, { image: cutOut() });
    const out = result.outputs.image as RgbaImage;
    expect([out.width, out.height]).toEqual([768, 1024]);
    // Box 40×20 at (5, 10) → square 40² at (5, 0): the garment fills rows 10..29 of 40, so
    // canvas rows 128 + 192 to 128 + 576, full width.
    expect(result.ui?.text).toMatch(/garment 40×20 at 5,10 → square 40² at 5,0 → 768² at y = 128/);
    expect(pixel(out, 384, 500)).toEqual([20, 160, 40, 255]);
    expect(pixel(out, 384, 200)).toEqual([255, 255, 255, 255]);
    expect(pixel(out, 0, 1023)).toEqual([255, 255, 255, 255]);
  });

  it("fits an image on white and says it has no transparency", async () => {
    const opaque = createImage(100, 100, new Uint8ClampedArray(100 * 100 * 4).fill(90));
    for (let i = 3; i < opaque.data.length; i += 4) opaque.data[i] = 255;
    const result = await runNode(prepareGarmentNode, { image: opaque }, { mode: "fit" });
    const out = result.outputs.image as RgbaImage;
    expect(result.ui?.text).toMatch(/fitted as 768×768 at 0,128 on white 768×1024/);
    expect(result.ui?.text).toMatch(/no transparency: its background is kept/);
    expect(pixel(out, 10, 100)).toEqual([255, 255, 255, 255]);
    expect(pixel(out, 10, 500)).toEqual([90, 90, 90, 255]);
  });

  it("warns that an opaque image is taken whole in centre mode", async () => {
    const photo = await fixtureCrop("person-upper-body.png", {
      left: 0,
      top: 0,
      width: 563,
      height: 855,
    });
    const result = await runNode(prepareGarmentNode, { image: photo });
    const out = result.outputs.image as RgbaImage;
    expect([out.width, out.height]).toEqual([768, 1024]);
    // 563×855 → a 855² square centred at x = 281 starts at −146, is pushed to 0, then back to
    // 563 − 855 = −292 by Leffa's right-edge check: the photo ends up on the right.
    expect(result.ui?.text).toMatch(/garment 563×855 at 0,0 → square 855² at -292,0/);
    expect(result.ui?.text).toMatch(/whole image was taken as the garment/);
    // The overhang (x < 292 / 855 · 768 ≈ 262) is white; the photo fills the rest.
    expect(pixel(out, 60, 500)).toEqual([255, 255, 255, 255]);
    expect(pixel(out, 384, 500)).not.toEqual([255, 255, 255, 255]);
  });

  it("fails clearly on a fully transparent image", async () => {
    const run = runNode(prepareGarmentNode, { image: createImage(8, 8) });
    await expect(run).rejects.toBeInstanceOf(NodeError);
    await expect(run).rejects.toThrow(/fully transparent/);
  });

  it("asks for the ISNet model when background removal is on and it is missing", async () => {
    const run = runNode(prepareGarmentNode, { image: cutOut() }, { background: "isnet" });
    await expect(run).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(run).rejects.toThrow(/needs model isnet/);
  });
});

describe("Prepare Garment with a tiny ISNet contract model", () => {
  let store = "";
  beforeAll(async () => {
    store = tinyModelStore(["isnet-fp16"]);
  });
  afterAll(() => rm(store, { recursive: true, force: true }));
  useModelStore(() => store);

  it("runs the model at 1024², keeps the output size and is deterministic", async () => {
    const photo = await fixtureCrop("person-upper-body.png", {
      left: 100,
      top: 100,
      width: 300,
      height: 400,
    });
    const params = { background: "isnet-fp16", mode: "fit" } as const;
    const a = await runNode(prepareGarmentNode, { image: photo }, params, storeContext());
    const b = await runNode(prepareGarmentNode, { image: photo }, params, storeContext());
    const out = a.outputs.image as RgbaImage;
    expect([out.width, out.height]).toEqual([768, 1024]);
    expect(a.ui?.text).toMatch(/background removed with isnet-fp16 on wasm/);
    expect(Buffer.from(out.data).equals(Buffer.from((b.outputs.image as RgbaImage).data))).toBe(
      true,
    );
    // Random weights give some partial alpha: the result differs from the plain fit.
    const plain = await runNode(prepareGarmentNode, { image: photo }, { mode: "fit" });
    const plainData = Buffer.from((plain.outputs.image as RgbaImage).data);
    expect(plainData.equals(Buffer.from(out.data))).toBe(false);
  }, 60_000);
});

const REAL_STORE = path.resolve(process.env.OPTIONAL_MODELS_DIR ?? "models/test-store");

describe("Prepare Garment with the real ISNet (fp16, from the test store)", () => {
  useModelStore(() => REAL_STORE);
  beforeAll(() => {
    if (!existsSync(path.join(REAL_STORE, "isnet-fp16", "installed.json"))) {
      throw new Error(
        `isnet-fp16 is not installed in ${REAL_STORE}: npm test installs it (MODELS_DIR=${REAL_STORE} npm run models -- install isnet-fp16)`,
      );
    }
  });

  it("cuts the person out of the photo and centres the cut-out on white", async () => {
    const photo = await fixtureCrop("person-upper-body.png", {
      left: 0,
      top: 0,
      width: 563,
      height: 855,
    });
    const result = await runNode(
      prepareGarmentNode,
      { image: photo },
      { background: "isnet-fp16" },
      storeContext(),
    );
    const out = result.outputs.image as RgbaImage;
    expect(result.ui?.text).toMatch(/background removed with isnet-fp16 on wasm/);
    // The cut-out is narrower than the photo: its box is no longer the whole image.
    const [, w] = /garment (\d+)×(\d+)/.exec(result.ui?.text ?? "") ?? [];
    expect(Number(w)).toBeLessThan(563);
    // The wall at the top corners of the photo became white; the chest did not.
    const corner = pixel(out, 200, 140);
    expect(Math.min(...corner.slice(0, 3))).toBeGreaterThan(240);
    expect(pixel(out, 384, 600)).not.toEqual([255, 255, 255, 255]);
  }, 120_000);
});
