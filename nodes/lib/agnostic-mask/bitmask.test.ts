import { describe, expect, it } from "vitest";
import { andNot, inpaintMask, orInto } from "./bitmask";

describe("bitmask helpers", () => {
  it("orInto and andNot treat any nonzero value as set", () => {
    const t = Uint8Array.from([0, 1, 0, 0]);
    orInto(t, Uint8Array.from([0, 0, 255, 0]));
    expect(Array.from(t)).toEqual([0, 1, 1, 0]);
    expect(
      Array.from(andNot(Uint8Array.from([1, 255, 0, 1]), Uint8Array.from([1, 0, 1, 0]))),
    ).toEqual([0, 1, 0, 1]);
  });

  it("inpaintMask masks what is neither kept-changeable nor fixed", () => {
    // changeable, garment, fixed → masked?
    const changeable = Uint8Array.from([1, 1, 0, 0, 1]);
    const garment = Uint8Array.from([0, 1, 0, 1, 1]);
    const fixed = Uint8Array.from([0, 0, 0, 0, 1]);
    expect(Array.from(inpaintMask(changeable, garment, fixed))).toEqual([0, 255, 255, 255, 0]);
  });
});
