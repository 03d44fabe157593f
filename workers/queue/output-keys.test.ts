import { describe, expect, it } from "vitest";
import { outputKey, runOutputPrefix } from "./output-keys";

describe("output keys", () => {
  it("derive from run, node and name only, so a retry lands on the same key", () => {
    expect(outputKey("run1", "save", "result.png")).toBe("runs/run1/save/result.png");
    expect(outputKey("run1", "save", "result.png")).toBe(outputKey("run1", "save", "result.png"));
    expect(outputKey("run1", "save", "result.png").startsWith(runOutputPrefix("run1"))).toBe(true);
  });

  it("keep every part inside its own segment", () => {
    expect(outputKey("r", "a/b", "../x.png")).toBe("runs/r/a%2Fb/..%2Fx.png");
    expect(outputKey("r", "a", "b/c")).not.toBe(outputKey("r", "a/b", "c"));
    expect(() => outputKey("r", "..", "x")).toThrow(/cannot name a part/);
    expect(() => outputKey("r", "n", "")).toThrow(/cannot name a part/);
  });
});
