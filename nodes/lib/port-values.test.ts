import { describe, expect, it } from "vitest";
import { createImage, createMask } from "../core/image";
import { NodeError } from "../core/types";
import { optionalMask, requireImage, requireMask } from "./port-values";

describe("port values", () => {
  const image = createImage(1, 1);
  const mask = createMask(1, 1);

  it("returns values of the right kind", () => {
    expect(requireImage({ image }, "image")).toBe(image);
    expect(requireMask({ mask }, "mask")).toBe(mask);
    expect(optionalMask({ mask }, "mask")).toBe(mask);
    expect(optionalMask({}, "mask")).toBeUndefined();
  });

  it("names the input when it is missing or of the wrong kind", () => {
    expect(() => requireImage({}, "base")).toThrow(new NodeError('input "base" is not connected'));
    expect(() => requireImage({ base: mask }, "base")).toThrow(/"base" expects an image/);
    expect(() => optionalMask({ mask: image }, "mask")).toThrow(/"mask" expects a mask/);
  });
});
