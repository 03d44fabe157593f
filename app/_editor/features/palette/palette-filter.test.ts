import { describe, expect, it } from "vitest";
import { NODE_DEFINITIONS } from "@/nodes";
import { paletteGroups } from "./palette-filter";

describe("palette", () => {
  it("groups every node by category without a query", () => {
    const groups = paletteGroups(NODE_DEFINITIONS, "");
    expect(groups.flatMap((g) => g.defs)).toHaveLength(NODE_DEFINITIONS.length);
    expect(new Set(groups.map((g) => g.category)).size).toBe(groups.length);
  });

  it("searches titles and descriptions word by word", () => {
    const found = paletteGroups(NODE_DEFINITIONS, "leffa samp").flatMap((g) =>
      g.defs.map((d) => d.type),
    );
    // The Flow Field node's description names the sampler it reads from.
    expect(found).toEqual(["leffa-sampler", "flow-field"]);
    expect(
      paletteGroups(NODE_DEFINITIONS, "upscal").flatMap((g) => g.defs.map((d) => d.type)),
    ).toEqual(["upscaler"]);
  });

  it("offers only nodes that accept a MASK pulled from an output", () => {
    const types = paletteGroups(NODE_DEFINITIONS, "", {
      nodeId: "x",
      handleId: "mask",
      from: "source",
      portType: "MASK",
    }).flatMap((g) => g.defs.map((d) => d.type));
    expect(types).toContain("mask-ops");
    expect(types).toContain("leffa-sampler");
    expect(types).not.toContain("load-image");
    expect(types).not.toContain("preview");
  });

  it("offers only producers when the wire was pulled out of an input", () => {
    const types = paletteGroups(NODE_DEFINITIONS, "", {
      nodeId: "x",
      handleId: "keypoints",
      from: "target",
      portType: "KEYPOINTS",
    }).flatMap((g) => g.defs.map((d) => d.type));
    expect(types).toEqual(["pose-extractor"]);
  });
});
