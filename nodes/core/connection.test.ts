import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../index";
import { validateConnection, type GraphEdgeRef } from "./connection";

const nodes = [
  { id: "load", type: "load-image" },
  { id: "resize", type: "resize" },
  { id: "crop", type: "crop" },
  { id: "ops", type: "mask-ops" },
  { id: "leffa", type: "leffa-sampler" },
  { id: "ghost", type: "not-a-node" },
];
const wire = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({
  source,
  sourceHandle,
  target,
  targetHandle,
});

describe("validateConnection", () => {
  it("accepts compatible ports", () => {
    expect(
      validateConnection(wire("load", "image", "resize", "image"), nodes, [], getNodeDefinition),
    ).toEqual({
      ok: true,
      replaces: [],
    });
  });

  it("refuses a type mismatch and names both types", () => {
    const v = validateConnection(
      wire("load", "image", "ops", "mask"),
      nodes,
      [],
      getNodeDefinition,
    );
    expect(v).toEqual({ ok: false, reason: "type mismatch: IMAGE cannot connect to MASK" });
  });

  it("lets an IMAGE feed a DENSEPOSE input (a DensePose image the user already has)", () => {
    expect(
      validateConnection(
        wire("resize", "image", "leffa", "densepose"),
        nodes,
        [],
        getNodeDefinition,
      ).ok,
    ).toBe(true);
  });

  it("refuses unknown ports, unknown types and self-loops", () => {
    expect(
      validateConnection(wire("load", "nope", "resize", "image"), nodes, [], getNodeDefinition),
    ).toMatchObject({ ok: false });
    expect(
      validateConnection(wire("ghost", "x", "resize", "image"), nodes, [], getNodeDefinition),
    ).toMatchObject({
      ok: false,
      reason: 'unknown node type "not-a-node"',
    });
    expect(
      validateConnection(wire("resize", "image", "resize", "image"), nodes, [], getNodeDefinition),
    ).toMatchObject({
      ok: false,
    });
  });

  it("refuses a wire that would close a cycle", () => {
    const edges: GraphEdgeRef[] = [{ id: "a", ...wire("resize", "image", "crop", "image") }];
    expect(
      validateConnection(wire("crop", "image", "resize", "image"), nodes, edges, getNodeDefinition),
    ).toEqual({
      ok: false,
      reason: "this wire would create a cycle",
    });
  });

  it("replaces the existing wire of a single input", () => {
    const edges: GraphEdgeRef[] = [{ id: "old", ...wire("load", "image", "crop", "image") }];
    expect(
      validateConnection(wire("resize", "image", "crop", "image"), nodes, edges, getNodeDefinition),
    ).toEqual({
      ok: true,
      replaces: ["old"],
    });
  });

  it("a replacement that removes the only path is not mistaken for a cycle", () => {
    // crop → resize exists through crop.image→resize.image; rewiring resize.image from load is fine.
    const edges: GraphEdgeRef[] = [{ id: "x", ...wire("crop", "image", "resize", "image") }];
    expect(
      validateConnection(wire("load", "image", "resize", "image"), nodes, edges, getNodeDefinition),
    ).toEqual({
      ok: true,
      replaces: ["x"],
    });
  });
});
