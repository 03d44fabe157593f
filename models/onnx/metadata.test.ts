import { describe, expect, it } from "vitest";
import { GraphBuilder } from "./builder";
import { readModelMetadata } from "./metadata";

describe("readModelMetadata", () => {
  it("reads metadata entries past the graph and its inline weights", () => {
    const g = new GraphBuilder("meta");
    g.input("x", "float32", [4]);
    g.initializer("w", new Float32Array(100_000).fill(0.5), [100_000]);
    g.node("Add", ["x", "x"], {}, ["y"]);
    g.output("y", "float32", [4]);
    g.setMetadata("leffa.attention", "fused");
    g.setMetadata("note", "ünïcode ✓");
    expect(readModelMetadata(g.toBytes())).toEqual(
      new Map([
        ["leffa.attention", "fused"],
        ["note", "ünïcode ✓"],
      ]),
    );
  });

  it("is empty without metadata and refuses truncated bytes", () => {
    const g = new GraphBuilder("plain");
    g.input("x", "float32", [1]);
    g.node("Identity", ["x"], {}, ["y"]);
    g.output("y", "float32", [1]);
    const bytes = g.toBytes();
    expect(readModelMetadata(bytes).size).toBe(0);
    expect(() => readModelMetadata(bytes.subarray(0, bytes.length - 3))).toThrow(/truncated/);
  });
});
