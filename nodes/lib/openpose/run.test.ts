import { describe, expect, it } from "vitest";
import { createImage } from "../../core/image";
import type { ModelSession, ModelTensor } from "../../core/types";
import { LIMB_SEQ, MAP_IDX } from "./connections";
import { networkInput, runOpenPoseBody } from "./run";

const tensor = (type: string, data: Float32Array, dims: readonly number[]): ModelTensor => ({
  type,
  dims,
  location: "cpu",
  getData: () => Promise.resolve(data),
  dispose: () => {},
});

describe("networkInput", () => {
  it("scales 384×512 by 0.5 · 368 / 512 to 138×184, pads the width to 144 with 128, BGR planes", () => {
    const data = new Uint8Array(384 * 512 * 3);
    for (let i = 0; i < data.length; i += 3) data.set([200, 100, 50], i);
    const input = networkInput({ data, width: 384, height: 512, channels: 3 });
    expect([input.width, input.height, input.scaledWidth, input.scaledHeight]).toEqual([
      144, 184, 138, 184,
    ]);
    const plane = 144 * 184;
    // A flat colour stays flat through INTER_CUBIC; planes are B, G, R.
    expect([input.data[0], input.data[plane], input.data[2 * plane]]).toEqual([50, 100, 200]);
    expect(input.data[137]).toBe(50);
    expect(input.data[138]).toBe(128);
    expect(input.data[2 * plane + 183 * 144 + 143]).toBe(128);
  });
});

describe("runOpenPoseBody", () => {
  /**
   * A network stand-in: each part a single strong cell on the 18×23 grid, each limb's PAF the
   * unit direction between its ends over the whole map (one person, so no ambiguity).
   */
  const cells: [number, number][] = [
    [9, 2],
    [9, 4],
    [7, 4],
    [6, 7],
    [6, 10],
    [11, 4],
    [12, 7],
    [12, 10],
    [8, 11],
    [8, 15],
    [8, 19],
    [10, 11],
    [10, 15],
    [10, 19],
    [8, 1],
    [10, 1],
    [7, 2],
    [11, 2],
  ];
  function session(): ModelSession & { fed: readonly number[][] } {
    const fed: number[][] = [];
    const heat = new Float32Array(19 * 23 * 18);
    cells.forEach(([x, y], p) => (heat[p * 414 + y * 18 + x] = 1));
    const paf = new Float32Array(38 * 23 * 18);
    LIMB_SEQ.forEach(([a, b], k) => {
      const [ax, ay] = cells[a - 1];
      const [bx, by] = cells[b - 1];
      const n = Math.hypot(bx - ax, by - ay);
      const [cx, cy] = MAP_IDX[k].map((c) => c - 19);
      paf.fill((bx - ax) / n, cx * 414, (cx + 1) * 414);
      paf.fill((by - ay) / n, cy * 414, (cy + 1) * 414);
    });
    return {
      modelId: "openpose-body",
      timings: { filesMs: 0, createMs: 0 },
      backend: { name: "wasm", detail: "" },
      fed,
      run: (feeds: Readonly<Record<string, ModelTensor>>) => {
        fed.push([...feeds.image.dims]);
        return Promise.resolve({
          heatmaps: tensor("float32", heat, [1, 19, 23, 18]),
          paf: tensor("float32", paf, [1, 38, 23, 18]),
        });
      },
    } as unknown as ModelSession & { fed: readonly number[][] };
  }

  it("feeds 144×184 and maps each part's cell back to the 384×512 frame", async () => {
    const s = session();
    const image = createImage(768, 1024);
    const result = await runOpenPoseBody(image, s, { tensor });
    expect(s.fed).toEqual([[1, 3, 184, 144]]);
    expect(result.people).toBe(1);
    expect(result.parts).toBe(18);
    expect(result.keypoints.width).toBe(384);
    const [person] = result.keypoints.people;
    // Cell (x, y) covers input pixels 8x … 8x + 7 of the 138×184 image, × 384/138 and 512/184.
    cells.forEach(([x, y], p) => {
      expect(Math.abs(person[p][0] - (8 * x + 3.5) * (384 / 138))).toBeLessThan(6);
      expect(Math.abs(person[p][1] - (8 * y + 3.5) * (512 / 184))).toBeLessThan(6);
      expect(person[p][2]).toBeGreaterThan(0.5);
    });
  });

  it("gives nobody when the maps hold no one", async () => {
    const empty = {
      ...session(),
      run: () =>
        Promise.resolve({
          heatmaps: tensor("float32", new Float32Array(19 * 414), [1, 19, 23, 18]),
          paf: tensor("float32", new Float32Array(38 * 414), [1, 38, 23, 18]),
        }),
    } as unknown as ModelSession;
    const result = await runOpenPoseBody(createImage(384, 512), empty, { tensor });
    expect(result.keypoints.people).toEqual([]);
    expect(result.people).toBe(0);
  });

  it("names a wrongly shaped output", async () => {
    const wrong = {
      ...session(),
      run: () =>
        Promise.resolve({
          heatmaps: tensor("float32", new Float32Array(19), [1, 19, 1, 1]),
          paf: tensor("float32", new Float32Array(38), [1, 38, 1, 1]),
        }),
    } as unknown as ModelSession;
    await expect(runOpenPoseBody(createImage(384, 512), wrong, { tensor })).rejects.toThrow(
      /returned "heatmaps" as float32 \[1, 19, 1, 1\]; expected float32 \[1, 19, 23, 18\]/,
    );
  });
});
