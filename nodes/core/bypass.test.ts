import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "..";
import { bypassPlan } from "./bypass";

function plan(type: string) {
  const def = getNodeDefinition(type);
  if (!def) throw new Error(`no node type ${type}`);
  return bypassPlan(def);
}

describe("bypass type rule", () => {
  it("passes IMAGE to IMAGE and MASK to MASK by port type", () => {
    expect(plan("upscaler")).toEqual({ ok: true, routes: { image: "image" } });
    expect(plan("resize")).toEqual({ ok: true, routes: { image: "image", mask: "mask" } });
    expect(plan("mask-ops")).toEqual({ ok: true, routes: { mask: "mask" } });
  });

  it("pairs in declaration order and leaves an output without an input of its type empty", () => {
    // Composite: two IMAGE inputs, one IMAGE output: the first (base) goes through.
    expect(plan("composite")).toEqual({ ok: true, routes: { image: "base" } });
    // Mask Generator: its IMAGE output gets the person; its MASK output has no MASK input.
    expect(plan("mask-generator")).toEqual({ ok: true, routes: { parsing: "image" } });
    // Flow Field: three IMAGE outputs, no IMAGE input.
    expect(plan("flow-field").ok).toBe(false);
  });

  it("refuses nodes with no matching pair and says why", () => {
    expect(plan("mask-from-alpha")).toEqual({
      ok: false,
      reason:
        "Mask From Alpha cannot be bypassed: no input has the type of an output (outputs MASK; inputs IMAGE)",
    });
    expect(plan("load-image")).toMatchObject({ ok: false, reason: /no inputs\)$/ });
    expect(plan("preview")).toMatchObject({ ok: false, reason: /has no outputs/ });
    expect(plan("flow-field")).toMatchObject({ ok: false, reason: /outputs IMAGE; inputs FLOW/ });
  });

  it("pairs the k-th output of a type with the k-th input of it", () => {
    const def = {
      title: "Two-way",
      inputs: { a: { type: "IMAGE" as const }, b: { type: "IMAGE" as const } },
      outputs: {
        x: { type: "IMAGE" as const },
        y: { type: "IMAGE" as const },
        z: { type: "IMAGE" as const },
      },
    };
    expect(bypassPlan(def)).toEqual({ ok: true, routes: { x: "a", y: "b", z: "a" } });
  });
});
