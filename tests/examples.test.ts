import { readdirSync, readFileSync } from "node:fs";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { getNodeDefinition } from "../nodes";
import { nodeMode, parseWorkflow, type WorkflowDocument } from "../nodes/core/document";
import { embedWorkflowInPng, extractWorkflowFromPng } from "../nodes/lib/png-workflow";
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

  describe("version 1 to 2", () => {
    for (const file of files) {
      const raw = JSON.parse(readFileSync(new URL(file, dir), "utf8")) as {
        version: number;
        nodes: { id: string; params?: unknown }[];
        edges: unknown[];
      };

      it(`${file} (version 1 on disk) upgrades with every node and wire kept`, () => {
        expect(raw.version).toBe(1);
        const doc = parseWorkflow(raw);
        expect(doc.version).toBe(2);
        expect(doc.nodes.map((n) => n.id)).toEqual(raw.nodes.map((n) => n.id));
        expect(doc.nodes.map(nodeMode).every((m) => m === "normal")).toBe(true);
        expect(doc.edges).toEqual(raw.edges);
        // Nothing is switched off: every node of the plan runs as it did in version 1.
        const plan = compileWorkflow(doc, getNodeDefinition).order;
        expect(plan.length).toBeGreaterThan(0);
        expect(plan.map((n) => [n.id, n.mode, n.error])).toEqual(
          plan.map((n) => [n.id, "normal", undefined]),
        );
      });

      it(`${file} saved in a studio PNG by version 1 opens as version 2`, async () => {
        const { data: image } = await sharp({
          create: { width: 4, height: 3, channels: 3, background: { r: 9, g: 9, b: 9 } },
        })
          .png()
          .toUint8Array();
        // Version 1 embedded the document's JSON as it was, version 1 and all.
        const png = embedWorkflowInPng(image, raw as unknown as WorkflowDocument);
        const extracted = extractWorkflowFromPng(png) as { version: number };
        expect(extracted.version).toBe(1);
        expect(parseWorkflow(extracted)).toEqual(parseWorkflow(raw));
      });
    }
  });
});
