import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../index";
import { parseWorkflow } from "./document";
import { nodeModels, workflowModels } from "./required-models";

const tryOn = parseWorkflow(
  JSON.parse(
    readFileSync(new URL("../../prisma/examples/virtual-try-on.json", import.meta.url), "utf8"),
  ),
);

describe("workflowModels", () => {
  it("lists the try-on template's models once each, with the sampler's current family", () => {
    const ids = workflowModels(tryOn, getNodeDefinition);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("leffa-vton-hd-gen-unet");
    expect(ids).toContain("densepose-r50-fpn");
    expect(ids.some((id) => id.startsWith("leffa-vton-dc"))).toBe(false);
  });

  it("follows a param change: the DressCode family replaces VITON-HD", () => {
    const dc = {
      nodes: tryOn.nodes.map((n) =>
        n.type === "leffa-sampler" ? { ...n, params: { ...n.params, model: "dress_code" } } : n,
      ),
    };
    const sampler = getNodeDefinition("leffa-sampler")!;
    const ids = workflowModels(dc, getNodeDefinition);
    const family = nodeModels(sampler, { model: "dress_code" });
    for (const id of family) expect(ids).toContain(id);
    expect(ids).not.toContain("leffa-vton-hd-gen-unet");
  });

  it("ignores node types it does not know", () => {
    expect(
      workflowModels({ nodes: [{ type: "nope", params: {} }] as never }, getNodeDefinition),
    ).toEqual([]);
  });
});
