import { describe, expect, it } from "vitest";
import type { ModelTensor } from "../../core/types";
import { ReferenceFeatureCache } from "./feature-cache";

function tracked(log: string[], name: string): ModelTensor {
  return {
    type: "float16",
    dims: [1],
    location: "gpu-buffer",
    getData: async () => new Uint16Array(1),
    dispose: () => log.push(name),
  };
}

describe("ReferenceFeatureCache", () => {
  it("keys by model, size and timestep", () => {
    expect(ReferenceFeatureCache.key("m", 384, 512, 958)).toBe("m|384x512|t958");
  });

  it("evicts the least recently used entry beyond its byte budget and disposes it", () => {
    const log: string[] = [];
    const cache = new ReferenceFeatureCache(100);
    cache.set("a", [tracked(log, "a")], 40);
    cache.set("b", [tracked(log, "b")], 40);
    expect(cache.get("a")).toBeDefined(); // a is now the most recent
    cache.set("c", [tracked(log, "c")], 40);
    expect(log).toEqual(["b"]);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.usedBytes).toBe(80);
    cache.set("a", [tracked(log, "a2")], 10); // replacing disposes the old tensors
    expect(log).toEqual(["b", "a"]);
    cache.set("huge", [tracked(log, "huge")], 1000);
    expect(log).toEqual(["b", "a", "huge"]);
    cache.clear();
    expect(log.slice(3).sort()).toEqual(["a2", "c"]);
    expect(cache.usedBytes).toBe(0);
  });
});
