import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import { SEGFORMER_SIZE, segformerInput, segformerLabels } from "./segformer";

describe("segformerInput", () => {
  it("resizes to 512² and normalises RGB with the ImageNet mean and std", () => {
    const image = createImage(6, 4);
    for (let i = 0; i < 24; i++) image.data.set([255, 128, 0, i % 2 ? 0 : 255], i * 4);
    const data = segformerInput(image);
    const plane = SEGFORMER_SIZE * SEGFORMER_SIZE;
    expect(data.length).toBe(3 * plane);
    // Transparent pixels keep their stored colour: the image is flat.
    for (const i of [0, 1000, plane - 1]) {
      expect(data[i]).toBeCloseTo((1 - 0.485) / 0.229, 4);
      expect(data[plane + i]).toBeCloseTo((128 / 255 - 0.456) / 0.224, 4);
      expect(data[2 * plane + i]).toBeCloseTo(-0.406 / 0.225, 4);
    }
  });
});

describe("segformerLabels", () => {
  it("upsamples the quarter-size logits with half-pixel centres, then takes the argmax", () => {
    // Channel 1 − channel 0 is [−1, 1] → at 4 columns [−1, −0.5, 0.5, 1]: labels 0, 0, 1, 1.
    const logits = Float32Array.from([0, 0, -1, 1]);
    expect(Array.from(segformerLabels(logits, [1, 2, 1, 2], 4, 2))).toEqual([
      0, 0, 1, 1, 0, 0, 1, 1,
    ]);
  });

  it("rejects a batch of more than one", () => {
    expect(() => segformerLabels(new Float32Array(8), [2, 2, 1, 2], 4, 2)).toThrow(/\[1, C/);
  });
});
