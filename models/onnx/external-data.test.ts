import { describe, expect, it } from "vitest";
import { layoutExternalData } from "./external-data";

describe("layoutExternalData", () => {
  it("places tensors at or over the threshold at aligned offsets, in order", () => {
    const layout = layoutExternalData([5000, 10, 4096, 0, 1], 1024, 4096);
    expect(layout.placements).toEqual([
      { offset: 0, length: 5000 },
      null,
      { offset: 8192, length: 4096 },
      null,
      null,
    ]);
    expect(layout.byteLength).toBe(12288);
  });

  it("packs with 64-byte alignment and keeps everything inline under a huge threshold", () => {
    expect(layoutExternalData([100, 100], 1, 64).placements).toEqual([
      { offset: 0, length: 100 },
      { offset: 128, length: 100 },
    ]);
    expect(layoutExternalData([100, 100], 1e9, 64)).toEqual({
      placements: [null, null],
      byteLength: 0,
    });
  });

  it("refuses a bad alignment", () => {
    expect(() => layoutExternalData([1], 0, 0)).toThrow(/alignment/);
  });
});
