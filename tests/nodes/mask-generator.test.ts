import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Mask, RgbaImage } from "../../nodes/core/image";
import {
  CancelledError,
  ModelUnavailableError,
  NodeError,
  type Keypoints,
} from "../../nodes/core/types";
import { labelColour } from "../../nodes/lib/parsing/palette";
import { maskGeneratorNode } from "../../nodes/mask-generator";
import { fixtureCrop } from "../helpers/fixtures";
import { storeContext, tinyModelStore } from "../helpers/model-store";
import { useModelStore } from "../helpers/use-model-store";
import { runNode } from "../helpers/node-context";

const person = (width: number, height: number) =>
  fixtureCrop("person-upper-body.png", { left: 80, top: 40, width, height });

const PALETTE = new Set(Array.from({ length: 19 }, (_, l) => labelColour(l).join(",")));

function colours(image: RgbaImage): Set<string> {
  const found = new Set<string>();
  for (let i = 0; i < image.data.length; i += 4) {
    found.add(`${image.data[i]},${image.data[i + 1]},${image.data[i + 2]}`);
  }
  return found;
}

const sameMask = (a: Mask, b: Mask) =>
  a.width === b.width && a.height === b.height && a.data.every((v, i) => v === b.data[i]);

/** OpenPose-18 points in a 300×400 frame, all present; a second person to be ignored. */
const keypoints = (people: number): Keypoints => ({
  kind: "keypoints",
  width: 300,
  height: 400,
  people: Array.from({ length: people }, () =>
    Array.from({ length: 18 }, (_, i): [number, number, number] => [
      100 + (i % 4) * 30,
      60 + i * 15,
      0.9,
    ]),
  ),
});

describe("Mask Generator without models", () => {
  it("names the missing SCHP model", async () => {
    const image = await person(30, 40);
    const run = runNode(maskGeneratorNode, { image });
    await expect(run).rejects.toBeInstanceOf(ModelUnavailableError);
    await expect(run).rejects.toThrow(/needs model schp-atr/);
  });

  it("names the missing SegFormer model", async () => {
    const image = await person(30, 40);
    await expect(runNode(maskGeneratorNode, { image }, { parser: "segformer" })).rejects.toThrow(
      /needs model segformer-b2-clothes/,
    );
  });
});

describe("Mask Generator with tiny contract models (seeded random weights)", () => {
  let store = "";
  beforeAll(async () => {
    store = tinyModelStore(["schp-atr", "schp-lip", "segformer-b2-clothes"]);
  });
  afterAll(() => rm(store, { recursive: true, force: true }));
  useModelStore(() => store);

  it("parses with SCHP ATR + LIP and returns a mask and label map at the person's size", async () => {
    const image = await person(300, 400);
    const ctx = storeContext();
    const result = await runNode(maskGeneratorNode, { image, keypoints: keypoints(2) }, {}, ctx);
    const mask = result.outputs.mask as Mask;
    const parsing = result.outputs.parsing as RgbaImage;
    expect([mask.width, mask.height]).toEqual([300, 400]);
    expect([parsing.width, parsing.height]).toEqual([300, 400]);
    expect(mask.data.every((v) => v === 0 || v === 1)).toBe(true);
    expect(mask.data.some((v) => v === 1)).toBe(true);
    // Every colour of the label map is one of Leffa's 19 labels.
    const found = colours(parsing);
    expect([...found].every((c) => PALETTE.has(c))).toBe(true);
    expect(result.ui?.text).toMatch(/^schp-atr on wasm \+ schp-lip on wasm · viton_hd upper_body/);
    expect(result.ui?.text).toMatch(/the keypoints hold 2 people: the first one is used/);
    expect(result.ui?.text).not.toMatch(/stretched/);
    expect(ctx.progressCalls.at(-1)).toMatchObject({ value: 1, max: 1 });

    // The same input gives the same mask and labels.
    const again = await runNode(maskGeneratorNode, { image, keypoints: keypoints(2) }, {}, ctx);
    expect(sameMask(mask, again.outputs.mask as Mask)).toBe(true);
    const againParsing = (again.outputs.parsing as RgbaImage).data;
    expect(Buffer.from(parsing.data).equals(Buffer.from(againParsing))).toBe(true);
  }, 60_000);

  it("fits a wide image inside 384×512 and maps the results back to its size", async () => {
    const image = await person(240, 160);
    const result = await runNode(
      maskGeneratorNode,
      { image },
      { parser: "segformer", modelType: "dress_code", garment: "dresses" },
      storeContext(),
    );
    const mask = result.outputs.mask as Mask;
    expect([mask.width, mask.height]).toEqual([240, 160]);
    expect((result.outputs.parsing as RgbaImage).width).toBe(240);
    expect(result.ui?.text).toMatch(
      /^segformer-b2-clothes on wasm · dress_code dresses · fitted as 384×256 inside 384×512/,
    );
    // Without keypoints the mask rules say what they fall back to.
    expect(result.ui?.text).toMatch(/⚠ No keypoints/);
  }, 60_000);

  it("grows and feathers the mask", async () => {
    const image = await person(150, 200);
    const base = { parser: "segformer", garment: "lower_body" } as const;
    const ctx = storeContext();
    const plain = (await runNode(maskGeneratorNode, { image }, base, ctx)).outputs.mask as Mask;
    const grown = (await runNode(maskGeneratorNode, { image }, { ...base, grow: 6 }, ctx)).outputs
      .mask as Mask;
    const soft = (await runNode(maskGeneratorNode, { image }, { ...base, feather: 3 }, ctx)).outputs
      .mask as Mask;
    const area = (m: Mask) => m.data.reduce((s, v) => s + v, 0);
    const plainArea = area(plain);
    // The seeded random parser gives a partial mask: growing adds pixels, feathering softens.
    expect(plainArea).toBeGreaterThan(0);
    expect(plainArea).toBeLessThan(plain.data.length);
    expect(area(grown)).toBeGreaterThan(plainArea);
    expect(soft.data.some((v) => v > 0 && v < 1)).toBe(true);
    expect(grown.data.every((v) => v === 0 || v === 1)).toBe(true);
  }, 60_000);

  it("asks for the LIP model when only ATR is installed", async () => {
    const partial = tinyModelStore(["schp-atr"]);
    const previous = process.env.MODELS_DIR;
    process.env.MODELS_DIR = partial;
    try {
      const run = runNode(maskGeneratorNode, { image: await person(30, 40) }, {}, storeContext());
      await expect(run).rejects.toBeInstanceOf(ModelUnavailableError);
      await expect(run).rejects.toThrow(/needs model schp-lip/);
    } finally {
      process.env.MODELS_DIR = previous;
      await rm(partial, { recursive: true, force: true });
    }
  });

  it("refuses keypoints that are not OpenPose-18", async () => {
    const few: Keypoints = { kind: "keypoints", width: 10, height: 10, people: [[[1, 1, 1]]] };
    const run = runNode(
      maskGeneratorNode,
      { image: await person(30, 40), keypoints: few },
      { parser: "segformer" },
      storeContext(),
    );
    await expect(run).rejects.toBeInstanceOf(NodeError);
    await expect(run).rejects.toThrow(/OpenPose-18 body keypoints; the input has 1/);
  });

  it("says when the keypoints come from an image of another shape", async () => {
    const result = await runNode(
      maskGeneratorNode,
      { image: await person(40, 40), keypoints: keypoints(1) },
      { parser: "segformer" },
      storeContext(),
    );
    expect(result.ui?.text).toMatch(/found on a 300×400 image, not this 40×40 one/);
  });

  it("stops when cancelled", async () => {
    const ctx = storeContext();
    ctx.abort();
    await expect(
      runNode(maskGeneratorNode, { image: await person(30, 40) }, {}, ctx),
    ).rejects.toBeInstanceOf(CancelledError);
  });
});
