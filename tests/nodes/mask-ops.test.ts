import { describe, expect, it } from "vitest";
import type { Mask } from "../../nodes/core/image";
import { CancelledError, NodeError } from "../../nodes/core/types";
import { maskOpsNode } from "../../nodes/mask-ops";
import { maskAt, maskFrom, sum } from "../helpers/images";
import { makeTestContext, runNode } from "../helpers/node-context";

async function ops(
  inputs: { mask: Mask; other?: Mask },
  params: Parameters<typeof runNode<typeof maskOpsNode.params>>[2],
) {
  return (await runNode(maskOpsNode, inputs, params)).outputs.mask as Mask;
}

const dot = maskFrom(41, 41, (x, y) => (x === 20 && y === 20 ? 1 : 0));

describe("mask-ops", () => {
  it("passes a mask through unchanged with default params", async () => {
    const out = await ops({ mask: dot }, {});
    expect(out.data).toEqual(dot.data);
  });

  it("grows a single pixel into a disc of radius r", async () => {
    const out = await ops({ mask: dot }, { grow: 7 });
    for (let y = 0; y < 41; y++) {
      for (let x = 0; x < 41; x++) {
        expect(maskAt(out, x, y)).toBe((x - 20) ** 2 + (y - 20) ** 2 <= 49 ? 1 : 0);
      }
    }
    const back = await ops({ mask: out }, { grow: -7 });
    expect(sum(back.data)).toBe(1);
  });

  it("feathers with a blur that conserves mass", async () => {
    const square = maskFrom(64, 64, (x, y) => (x >= 16 && x < 48 && y >= 16 && y < 48 ? 1 : 0));
    const out = await ops({ mask: square }, { feather: 4 });
    expect(sum(out.data)).toBeCloseTo(32 * 32, 2);
    // 16 px = 4 sigma from every edge: still fully selected; on the edge, about half.
    expect(maskAt(out, 32, 32)).toBeGreaterThan(0.999);
    expect(maskAt(out, 16, 32)).toBeGreaterThan(0.5);
    expect(maskAt(out, 16, 32)).toBeLessThan(0.6);
    expect(maskAt(out, 15, 32)).toBeCloseTo(1 - maskAt(out, 16, 32), 4);
  });

  it("combines with the other mask, resizing it by nearest neighbour", async () => {
    const left = maskFrom(4, 2, (x) => (x < 2 ? 1 : 0));
    const topSmall = maskFrom(2, 1, () => 1); // covers everything once resized to 4×2
    const bottomLeft = maskFrom(4, 2, (x, y) => (x < 1 && y === 1 ? 1 : 0));
    expect(
      Array.from((await ops({ mask: left, other: topSmall }, { combine: "union" })).data),
    ).toEqual(new Array(8).fill(1));
    expect(
      Array.from((await ops({ mask: left, other: bottomLeft }, { combine: "intersect" })).data),
    ).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
    expect(
      Array.from((await ops({ mask: left, other: bottomLeft }, { combine: "subtract" })).data),
    ).toEqual([1, 1, 0, 0, 0, 1, 0, 0]);
  });

  it("applies combine → grow → feather → invert in that order", async () => {
    const a = maskFrom(21, 1, (x) => (x === 5 ? 1 : 0));
    const b = maskFrom(21, 1, (x) => (x === 15 ? 1 : 0));
    // Union then grow 2: two 5-px runs. Invert last: everything else is selected.
    const out = await ops({ mask: a, other: b }, { combine: "union", grow: 2, invert: true });
    const expected = Array.from({ length: 21 }, (_, x) =>
      Math.abs(x - 5) <= 2 || Math.abs(x - 15) <= 2 ? 0 : 1,
    );
    expect(Array.from(out.data)).toEqual(expected);
    // Grow happens before feather: a feathered-then-grown mask would be hard-edged again.
    const soft = await ops({ mask: a }, { grow: 2, feather: 1 });
    expect(maskAt(soft, 8, 0)).toBeGreaterThan(0);
    expect(maskAt(soft, 8, 0)).toBeLessThan(0.5);
  });

  it("asks for the other mask when a combine mode is chosen without one", async () => {
    await expect(ops({ mask: dot }, { combine: "union" })).rejects.toThrow(
      new NodeError('combine "union" needs the "other" mask connected'),
    );
  });

  it("reports progress and stops when cancelled", async () => {
    const ctx = makeTestContext();
    await runNode(maskOpsNode, { mask: dot }, { grow: 1 }, ctx);
    expect(ctx.progressCalls.map((c) => c.value)).toEqual([1, 2, 3]);
    const stopped = makeTestContext();
    stopped.abort();
    await expect(runNode(maskOpsNode, { mask: dot }, { grow: 3 }, stopped)).rejects.toThrow(
      CancelledError,
    );
  });
});
