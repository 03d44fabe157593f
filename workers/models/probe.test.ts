import { describe, expect, it } from "vitest";
import { getModel } from "../../models/manifest";
import { probeInputs, probeModel } from "./probe";
import { createStoreModelHost } from "./store-models";

describe("model probe", () => {
  it("fills every contract input deterministically inside its range", () => {
    const entry = getModel("realesrgan-x4fast");
    const a = probeInputs(entry);
    const b = probeInputs(entry);
    expect(Object.keys(a)).toEqual(entry.contract.inputs.map((i) => i.name));
    expect(a.input.dims).toEqual([1, 3, 32, 32]);
    const data = a.input.data as Float32Array;
    expect(data).toEqual(b.input.data);
    expect(Math.min(...data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...data)).toBeLessThanOrEqual(1);
  });

  it("runs the installed Real-ESRGAN and reports backend, time and output", async () => {
    const result = await probeModel(createStoreModelHost(), "realesrgan-x4fast");
    expect(result.backend.name).toBe("wasm");
    expect(result.output.dims).toEqual([1, 3, 128, 128]);
    expect(result.output.samples).toHaveLength(64);
    // A ×4 super-resolution of a [0.1, 0.9] pattern stays near that pattern's mean.
    expect(result.output.mean).toBeGreaterThan(0.3);
    expect(result.output.mean).toBeLessThan(0.7);
    expect(result.ms).toBeGreaterThan(0);
  });

  it("refuses a model that is not installed, saying how to install it", async () => {
    await expect(probeModel(createStoreModelHost(), "schp-atr")).rejects.toThrow(
      /npm run models -- install schp-atr/,
    );
  });
});
