import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMask, type RgbaImage } from "../../nodes/core/image";
import { flowFieldNode } from "../../nodes/flow-field";
import { leffaSamplerNode } from "../../nodes/leffa-sampler";
import { coordinateGrid } from "../../nodes/lib/flow/coordinate-grid";
import type { FlowField } from "../../nodes/core/flow";
import { LEFFA_HD_IDS, storeContext, tinyModelStore } from "../helpers/model-store";
import { useModelStore } from "../helpers/use-model-store";
import { imageFrom } from "../helpers/images";
import { makeTestContext, runNode } from "../helpers/node-context";

/**
 * The flow field end to end under Node: the Leffa Sampler on the tiny contract models (whose
 * generative UNet has the flow outputs, filled with random values) collects it through the flow
 * graph, and the Flow Field node draws it. The maths is tested exactly in nodes/lib/flow and
 * nodes/lib/flow-display; here a hand-made field checks the drawing itself.
 */

const PERSON = imageFrom(48, 64, (x, y) => [200 - y * 2, 120 + x, 90, 255]);
const GARMENT = imageFrom(60, 60, (x, y) => [30 + x * 3, 40, 180 - y, 255]);
const DENSEPOSE = imageFrom(48, 64, () => [60, 120, 200, 255]);
const MASK = createMask(48, 64, new Float32Array(48 * 64).fill(1));
const INPUTS = { person: PERSON, reference: GARMENT, mask: MASK, densepose: DENSEPOSE };

let store: string;
beforeAll(() => {
  store = tinyModelStore(LEFFA_HD_IDS);
});
afterAll(() => rm(store, { recursive: true, force: true }));

describe("flow field on tiny contract models", { timeout: 180_000 }, () => {
  useModelStore(() => store);
  it("is collected at t < 500 through the flow graph and drawn by the Flow Field node", async () => {
    const ctx = storeContext();
    // Three steps visit t = 667, 334, 1: the last two are collected.
    const sampled = await runNode(
      leffaSamplerNode,
      INPUTS,
      { resolution: "512x384", steps: 3 },
      ctx,
    );
    const flow = sampled.outputs.flow as FlowField;
    expect(flow.layers.map((l) => [l.name, l.gridWidth, l.gridHeight])).toEqual([
      ["up_blocks.3.attentions.0", 48, 64],
      ["up_blocks.3.attentions.1", 48, 64],
      ["up_blocks.3.attentions.2", 48, 64],
    ]);
    for (const layer of flow.layers) {
      expect(layer.steps.map((s) => s.timestep)).toEqual([334, 1]);
      for (const step of layer.steps) {
        expect(step.flow.every((v) => v >= -1 - 1e-5 && v <= 1 + 1e-5)).toBe(true);
        expect(step.confidence.every((v) => v >= 0 && v <= 1)).toBe(true);
        expect(step.topIndices.every((i) => i >= 0 && i < 48 * 64)).toBe(true);
      }
    }
    expect([flow.reference?.width, flow.result?.height, flow.mask?.width]).toEqual([384, 512, 384]);

    const drawn = await runNode(flowFieldNode, { flow }, {}, makeTestContext());
    for (const key of ["flow", "warped", "confidence"]) {
      const image = drawn.outputs[key] as RgbaImage;
      expect([image.width, image.height]).toEqual([384, 512]);
    }
    expect(drawn.ui?.text).toMatch(/^Leffa loss \(masked L2\) \d\.\d{4} over 196608 px · mean of/);
  });

  it("with the flow off, emits an empty field, and the Flow Field node says how to get one", async () => {
    const ctx = storeContext();
    const sampled = await runNode(
      leffaSamplerNode,
      INPUTS,
      { resolution: "512x384", steps: 1, flow: "off" },
      ctx,
    );
    expect((sampled.outputs.flow as FlowField).layers).toEqual([]);
    await expect(runNode(flowFieldNode, { flow: sampled.outputs.flow })).rejects.toThrow(
      /computed no flow field: set its "flow field" param/,
    );
  });
});

describe("Flow Field node drawing", () => {
  /** A 4×4-token field whose every token looks at the mirrored garment position. */
  function mirroredField(): FlowField {
    const grid = coordinateGrid(4, 4);
    const flow = new Float32Array(grid.length);
    for (let i = 0; i < 16; i++) {
      flow[2 * i] = -grid[2 * i];
      flow[2 * i + 1] = grid[2 * i + 1];
    }
    const reference = imageFrom(8, 8, (x) => (x < 4 ? [255, 0, 0, 255] : [0, 0, 255, 255]));
    const result = imageFrom(8, 8, (x) => (x < 4 ? [0, 0, 255, 255] : [255, 0, 0, 255]));
    return {
      kind: "flow",
      width: 8,
      height: 8,
      referenceWidth: 8,
      referenceHeight: 8,
      reference,
      result,
      mask: createMask(8, 8, new Float32Array(64).fill(1)),
      layers: [
        {
          name: "up_blocks.3.attentions.0",
          index: 13,
          gridWidth: 4,
          gridHeight: 4,
          topK: 1,
          temperature: 1,
          steps: [
            {
              timestep: 1,
              flow,
              confidence: new Float32Array(16).fill(0.5),
              topIndices: new Int32Array(16),
              topWeights: new Float32Array(16).fill(1),
            },
          ],
        },
      ],
    };
  }

  it("warps the garment by the flow: a mirrored flow over a mirrored result scores near zero", async () => {
    const drawn = await runNode(flowFieldNode, { flow: mirroredField() }, { opacity: 1 });
    const warped = drawn.outputs.warped as RgbaImage;
    // Left half of the result looked at the garment's right half (blue), and the reverse.
    expect(Array.from(warped.data.subarray(0, 4))).toEqual([0, 0, 255, 255]);
    expect(Array.from(warped.data.subarray(7 * 4, 8 * 4))).toEqual([255, 0, 0, 255]);
    const loss = /Leffa loss \(masked L2\) (\d\.\d+)/.exec(drawn.ui?.text ?? "");
    expect(Number(loss?.[1])).toBeLessThan(0.1);
  });

  it("names the layers it has when asked for one it lacks", async () => {
    await expect(
      runNode(flowFieldNode, { flow: mirroredField() }, { layer: "up_blocks.2.attentions.0" }),
    ).rejects.toThrow(/was not collected; the flow has up_blocks\.3\.attentions\.0/);
  });
});
