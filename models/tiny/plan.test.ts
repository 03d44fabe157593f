import { describe, expect, it } from "vitest";
import type { Contract } from "../manifest/schema";
import { concreteShapes, planTinyModel, spatialHint } from "./plan";

const contract = (inputs: Contract["inputs"], outputs: Contract["outputs"]): Contract => ({
  inputs,
  outputs,
  preprocess: "-",
  postprocess: "-",
});

describe("planTinyModel", () => {
  it("takes an upscaler's factor from its id when the dims don't say", () => {
    expect(spatialHint({ id: "realesrgan-x4plus", task: "upscale" })).toBe(4);
    expect(spatialHint({ id: "swin2sr-x2", task: "upscale" })).toBe(2);
    expect(spatialHint({ id: "schp-atr", task: "human-parsing" })).toBe(0.25);
    expect(spatialHint({ id: "isnet", task: "foreground" })).toBe(1);
    const plan = planTinyModel({
      id: "realesrgan-x4fast",
      task: "upscale",
      contract: contract(
        [{ name: "input", dtype: "float32", shape: [1, 3, "height", "width"] }],
        [{ name: "output", dtype: "float32", shape: [1, 3, "out_height", "out_width"] }],
      ),
    });
    expect(concreteShapes(plan).outputs).toEqual({ output: [1, 3, 128, 128] });
    expect(plan.primary).toBe(0);
  });

  it("sizes unrelated non-spatial output symbols 1 and follows the input's batch", () => {
    const plan = planTinyModel({
      id: "detector",
      task: "person-detection",
      contract: contract(
        [{ name: "images", dtype: "float32", shape: ["N", 3, 64, 64] }],
        [
          { name: "boxes", dtype: "float32", shape: ["M", "detections", 4] },
          { name: "heat", dtype: "float32", shape: ["M", 1, "a", "b"] },
        ],
      ),
    });
    expect(concreteShapes(plan).outputs).toEqual({ boxes: [2, 1, 4], heat: [2, 1, 64, 64] });
  });

  it("has no main input when no rank-4 input has fixed channels", () => {
    const plan = planTinyModel({
      id: "t",
      task: "pose",
      contract: contract(
        [{ name: "x", dtype: "float32", shape: [1, "c", 8, 8] }],
        [{ name: "y", dtype: "float32", shape: [1, 17, 2] }],
      ),
    });
    expect(plan.primary).toBeNull();
  });
});
