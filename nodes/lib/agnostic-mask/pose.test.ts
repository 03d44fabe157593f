import { describe, expect, it } from "vitest";
import { extendWrist, isMissing } from "./pose";

describe("isMissing", () => {
  it("follows Leffa's x <= 1 and y <= 1 test", () => {
    expect(isMissing([0, 0])).toBe(true);
    expect(isMissing([1, 1])).toBe(true);
    expect(isMissing([0.5, 200])).toBe(false);
    expect(isMissing([200, 0])).toBe(false);
  });
});

describe("extendWrist", () => {
  it("moves the wrist 1.2× as far from the elbow", () => {
    expect(extendWrist([114, 270], [114, 210])).toEqual([114, 282]);
    expect(extendWrist([10, 10], [20, 20])).toEqual([8, 8]);
  });
});
