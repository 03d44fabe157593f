import { describe, expect, it } from "vitest";
import { defaultParams, param, resolveParams } from "./params";

const specs = {
  steps: param.int({ min: 1, max: 100, default: 30 }),
  mode: param.select({ options: ["fit", "fill"], default: "fit" }),
  seed: param.seed({ default: 42 }),
  color: param.color({ default: "#ffffff" }),
  image: param.image(),
};

describe("params", () => {
  it("fills defaults", () => {
    expect(resolveParams(specs, {})).toEqual({ ok: true, values: defaultParams(specs) });
  });

  it("names each invalid param", () => {
    const r = resolveParams(specs, {
      steps: 0.5,
      mode: "zoom",
      seed: -1,
      color: "red",
      image: "abc",
      extra: 1,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.param).sort()).toEqual([
      "color",
      "extra",
      "image",
      "mode",
      "seed",
      "steps",
    ]);
    expect(r.issues.find((i) => i.param === "mode")?.message).toBe("must be one of fit, fill");
  });
});
