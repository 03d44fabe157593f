import { describe, expect, it } from "vitest";
import { humanBytes, progressLine, progressStep } from "./format";

describe("humanBytes", () => {
  it("uses decimal units with about three significant digits", () => {
    expect(humanBytes(0)).toBe("0 B");
    expect(humanBytes(999)).toBe("999 B");
    expect(humanBytes(2_435_272)).toBe("2.44 MB");
    expect(humanBytes(88_188_479)).toBe("88.2 MB");
    expect(humanBytes(266_859_305)).toBe("267 MB");
    expect(humanBytes(7_210_000_000)).toBe("7.21 GB");
  });
  it("refuses nonsense", () => {
    expect(humanBytes(-1)).toBe("?");
    expect(humanBytes(Number.NaN)).toBe("?");
  });
});

describe("progressLine", () => {
  it("draws a bar proportional to the fraction done", () => {
    const line = progressLine("model.onnx", "download", 500_000, 1_000_000, 10);
    expect(line).toContain("[#####-----]");
    expect(line).toContain(" 50%");
    expect(line).toContain("500 kB / 1.00 MB");
  });
  it("shows only the byte count when the total is unknown", () => {
    const line = progressLine("a.bin", "extract", 1234, null);
    expect(line).not.toContain("[");
    expect(line).toContain("1.23 kB");
  });
  it("never overfills the bar", () => {
    expect(progressLine("f", "verify", 20, 10, 4)).toContain("[####] 100%");
  });
});

describe("progressStep", () => {
  it("changes every 10 %", () => {
    expect(progressStep(0, 100)).toBe(0);
    expect(progressStep(9, 100)).toBe(0);
    expect(progressStep(10, 100)).toBe(1);
    expect(progressStep(100, 100)).toBe(10);
    expect(progressStep(150, 100)).toBe(10);
  });
  it("counts 10 MB steps when the total is unknown", () => {
    expect(progressStep(25_000_000, null)).toBe(2);
  });
});
