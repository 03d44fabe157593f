import { describe, expect, it } from "vitest";
import { leffaLossFromText } from "./leffa-loss-text";

describe("leffaLossFromText", () => {
  it("reads the Flow Field node's loss", () => {
    expect(leffaLossFromText("… · Leffa loss (masked L2) 0.0123 over 4567 px · …")).toBe(0.0123);
  });

  it("is null without one", () => {
    expect(leffaLossFromText("Leffa loss: the mask is empty")).toBeNull();
    expect(leffaLossFromText(undefined)).toBeNull();
  });
});
