import { describe, expect, it } from "vitest";
import { parseContentRange } from "./download";

describe("parseContentRange", () => {
  it("reads a satisfied range with its total", () => {
    expect(parseContentRange("bytes 100-199/1000")).toEqual({ start: 100, end: 199, total: 1000 });
    expect(parseContentRange("bytes 0-9/*")).toEqual({ start: 0, end: 9, total: null });
  });
  it("reads the total of an unsatisfiable range (416)", () => {
    expect(parseContentRange("bytes */5000")).toEqual({ start: 0, end: null, total: 5000 });
  });
  it("rejects what it cannot trust", () => {
    expect(parseContentRange(null)).toBeUndefined();
    expect(parseContentRange("items 0-9/10")).toBeUndefined();
    expect(parseContentRange("bytes 5-/10")).toBeUndefined();
  });
});
