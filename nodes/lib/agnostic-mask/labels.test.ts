import { describe, expect, it } from "vitest";
import { LEFFA_LABEL_COUNT, LEFFA_LABELS, labelMask } from "./labels";

describe("LEFFA_LABELS", () => {
  it("is Leffa's 19-label map (leffa_utils/utils.py label_map)", () => {
    expect(Object.values(LEFFA_LABELS)).toEqual([...Array(LEFFA_LABEL_COUNT).keys()]);
    expect(LEFFA_LABELS.upperClothes).toBe(4);
    expect(LEFFA_LABELS.head).toBe(11);
    expect(LEFFA_LABELS.leftArm).toBe(14);
    expect(LEFFA_LABELS.neck).toBe(18);
  });
});

describe("labelMask", () => {
  it("selects the listed labels", () => {
    expect(Array.from(labelMask(Uint8Array.from([0, 4, 7, 4, 18, 2]), [4, 18]))).toEqual([
      0, 1, 0, 1, 1, 0,
    ]);
  });
});
