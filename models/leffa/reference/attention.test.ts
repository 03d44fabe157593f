import { describe, expect, it } from "vitest";
import { multiHeadAttention } from "./attention";
import { fromArray } from "./tensor";

describe("multiHeadAttention", () => {
  it("applies softmax(q·kᵀ/√d)·v per head over contiguous channel chunks", () => {
    // Two heads of dim 1. One query [1, 2]; two keys [0, 1] and [1, 0]; values [10, 100], [20, 200].
    const q = fromArray([1, 1, 2], [1, 2]);
    const k = fromArray([1, 2, 2], [0, 1, 1, 0]);
    const v = fromArray([1, 2, 2], [10, 100, 20, 200]);
    const y = multiHeadAttention(q, k, v, 2);
    // Head 0 (scale 1): scores [0, 1] → weights [1/(1+e), e/(1+e)].
    const e = Math.E;
    const head0 = (10 + 20 * e) / (1 + e);
    // Head 1: scores [2, 0] → weights [e²/(1+e²), 1/(1+e²)].
    const head1 = (100 * e * e + 200) / (1 + e * e);
    expect(y.data[0]).toBeCloseTo(head0, 12);
    expect(y.data[1]).toBeCloseTo(head1, 12);
  });

  it("scales scores by 1/√head_dim and lets keys outnumber queries", () => {
    // One head of dim 4: q·k = 4 for key 0 and 0 for key 1, scaled to 2 and 0.
    const q = fromArray([1, 1, 4], [1, 1, 1, 1]);
    const k = fromArray([1, 2, 4], [1, 1, 1, 1, 0, 0, 0, 0]);
    const v = fromArray([1, 2, 4], [1, 1, 1, 1, 0, 0, 0, 0]);
    const y = multiHeadAttention(q, k, v, 1);
    const expected = Math.exp(2) / (Math.exp(2) + 1);
    for (const value of y.data) expect(value).toBeCloseTo(expected, 14);
  });
});
