import { describe, expect, it } from "vitest";
import { nodeCacheKey } from "./cache-key";

describe("nodeCacheKey", () => {
  const inputs = [
    { port: "b", sourceKey: "k2", sourceHandle: "image" },
    { port: "a", sourceKey: "k1", sourceHandle: "mask" },
  ];

  it("does not depend on param or input order", () => {
    expect(nodeCacheKey("t", 1, { x: 1, y: 2 }, inputs)).toBe(
      nodeCacheKey("t", 1, { y: 2, x: 1 }, [...inputs].reverse()),
    );
  });

  it("changes with type, version, any param and any upstream key", () => {
    const base = nodeCacheKey("t", 1, { x: 1 }, inputs);
    expect(nodeCacheKey("u", 1, { x: 1 }, inputs)).not.toBe(base);
    expect(nodeCacheKey("t", 2, { x: 1 }, inputs)).not.toBe(base);
    expect(nodeCacheKey("t", 1, { x: 2 }, inputs)).not.toBe(base);
    expect(nodeCacheKey("t", 1, { x: 1 }, [inputs[0], { ...inputs[1], sourceKey: "k9" }])).not.toBe(
      base,
    );
    expect(
      nodeCacheKey("t", 1, { x: 1 }, [inputs[0], { ...inputs[1], sourceHandle: "image" }]),
    ).not.toBe(base);
  });
});
