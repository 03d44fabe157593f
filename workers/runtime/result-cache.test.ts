import { describe, expect, it } from "vitest";
import { createImage } from "../../nodes/core/image";
import { ResultCache } from "./result-cache";

const result = (bytes: number) => ({ outputs: { image: createImage(bytes / 4, 1) } });

describe("ResultCache", () => {
  it("evicts the least recently used entry beyond the byte budget", () => {
    const cache = new ResultCache(1000);
    cache.set("a", result(400));
    cache.set("b", result(400));
    cache.get("a");
    cache.set("c", result(400));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    expect(cache.bytes).toBe(800);
  });

  it("keeps a single entry larger than the budget until the next one arrives", () => {
    const cache = new ResultCache(100);
    cache.set("big", result(400));
    expect(cache.size).toBe(1);
    cache.set("next", result(40));
    expect(cache.get("big")).toBeUndefined();
  });
});
