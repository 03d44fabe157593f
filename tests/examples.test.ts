import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../nodes";
import { parseWorkflow } from "../nodes/core/document";
import { validateGraph } from "../nodes/core/graph";
import { compileWorkflow } from "../workers/runtime/compile";

const dir = new URL("../prisma/examples/", import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith(".json"));

describe("seeded examples", () => {
  it("include the three mission workflows", () => {
    const names = files.map(
      (f) => parseWorkflow(JSON.parse(readFileSync(new URL(f, dir), "utf8"))).name,
    );
    expect(names.sort()).toEqual(["Pose transfer", "Upscale a photo", "Virtual try-on"]);
  });

  for (const file of files) {
    it(`${file} is fully wired with valid params`, () => {
      const doc = parseWorkflow(JSON.parse(readFileSync(new URL(file, dir), "utf8")));
      expect(validateGraph(doc, getNodeDefinition)).toEqual([]);
      // Every node compiles without a problem of its own: no missing input, no bad param.
      for (const node of compileWorkflow(doc, getNodeDefinition).order)
        expect(node.error).toBeUndefined();
    });
  }
});
