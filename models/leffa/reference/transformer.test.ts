import { describe, expect, it } from "vitest";
import { multiHeadAttention } from "./attention";
import { geglu } from "./feed-forward";
import { linear } from "./linear";
import { layerNorm } from "./norm";
import { randomWeights, seededNormal } from "./random-weights";
import { type F64Tensor, type Param, add, concatAxis1, fromArray, sliceAxis1 } from "./tensor";
import { AllFeaturesCaptured, type ReferenceMode, transformerBlock } from "./transformer";

const C = 4;
const HEADS = 2;

/** Live keys of one BasicTransformerBlock (attn2 is never read). */
const blockKeys = [
  ...["norm1", "norm2", "norm3"].flatMap((n) => [
    { key: `b.${n}.weight`, shape: [C], live: true },
    { key: `b.${n}.bias`, shape: [C], live: true },
  ]),
  ...["to_q", "to_k", "to_v", "to_out.0"].map((n) => ({
    key: `b.attn1.${n}.weight`,
    shape: [C, C],
    live: true,
  })),
  { key: "b.attn1.to_out.0.bias", shape: [C], live: true },
  { key: "b.ff.net.0.proj.weight", shape: [8 * C, C], live: true },
  { key: "b.ff.net.0.proj.bias", shape: [8 * C], live: true },
  { key: "b.ff.net.2.weight", shape: [C, 4 * C], live: true },
  { key: "b.ff.net.2.bias", shape: [C], live: true },
];

function tokens(shape: number[], seed: number): F64Tensor {
  const normal = seededNormal(seed);
  return fromArray(shape, Array.from({ length: shape[0] * shape[1] * shape[2] }, normal));
}

const zeroed = (p: Param): Param => ({ shape: p.shape, data: new Float64Array(p.data.length) });

describe("transformerBlock", () => {
  const w = randomWeights(blockKeys, 5);
  const h = tokens([2, 3, C], 1);
  const capture = (): ReferenceMode & { kind: "capture" } => ({
    kind: "capture",
    features: [],
    total: 10,
  });

  it("adds LayerNorm2(h) where the removed cross-attention was", () => {
    // Silence attn1 and the feed-forward: what is left is h + LN2(h).
    const silent = new Map(w);
    for (const key of ["b.attn1.to_out.0.weight", "b.attn1.to_out.0.bias", "b.ff.net.2.weight"])
      silent.set(key, zeroed(w.get(key) as Param));
    silent.set("b.ff.net.2.bias", zeroed(w.get("b.ff.net.2.bias") as Param));
    const out = transformerBlock(silent, "b", h, HEADS, capture());
    const expected = add(
      h,
      layerNorm(h, w.get("b.norm2.weight") as Param, w.get("b.norm2.bias") as Param, 1e-5),
    );
    out.data.forEach((v, i) => expect(v).toBeCloseTo(expected.data[i], 14));
  });

  it("captures LayerNorm1(h) before self-attention and stops after the last feature", () => {
    const mode = capture();
    transformerBlock(w, "b", h, HEADS, mode);
    const ln1 = layerNorm(
      h,
      w.get("b.norm1.weight") as Param,
      w.get("b.norm1.bias") as Param,
      1e-5,
    );
    expect(mode.features).toEqual([ln1]);
    const last: ReferenceMode = { kind: "capture", features: [], total: 1 };
    expect(() => transformerBlock(w, "b", h, HEADS, last)).toThrow(AllFeaturesCaptured);
    expect(last.features).toHaveLength(1);
  });

  it("equals Leffa's original form: attention over [own, ref] tokens, first N rows kept", () => {
    const ref = tokens([2, 5, C], 2);
    const mode: ReferenceMode = { kind: "inject", features: [ref], next: 0 };
    const out = transformerBlock(w, "b", h, HEADS, mode);
    expect(mode.next).toBe(1);

    // attention_gen.py, literally: Q, K, V all from the 2N+M tokens, then truncate.
    const p = (key: string) => w.get(`b.${key}`) as Param;
    const ln = (x: F64Tensor, n: string) => layerNorm(x, p(`${n}.weight`), p(`${n}.bias`), 1e-5);
    const joint = concatAxis1([ln(h, "norm1"), ref]);
    const attended = multiHeadAttention(
      linear(joint, p("attn1.to_q.weight"), null),
      linear(joint, p("attn1.to_k.weight"), null),
      linear(joint, p("attn1.to_v.weight"), null),
      HEADS,
    );
    const projected = linear(attended, p("attn1.to_out.0.weight"), p("attn1.to_out.0.bias"));
    let expected = add(sliceAxis1(projected, 0, 3), h);
    expected = add(expected, ln(expected, "norm2"));
    const hidden = linear(
      ln(expected, "norm3"),
      p("ff.net.0.proj.weight"),
      p("ff.net.0.proj.bias"),
    );
    expected = add(expected, linear(geglu(hidden), p("ff.net.2.weight"), p("ff.net.2.bias")));
    out.data.forEach((v, i) => expect(v).toBeCloseTo(expected.data[i], 12));
  });

  it("refuses a reference feature of the wrong width or a missing one", () => {
    const wrong: ReferenceMode = { kind: "inject", features: [tokens([2, 3, C + 1], 3)], next: 0 };
    expect(() => transformerBlock(w, "b", h, HEADS, wrong)).toThrow(/reference feature 0/);
    const none: ReferenceMode = { kind: "inject", features: [], next: 0 };
    expect(() => transformerBlock(w, "b", h, HEADS, none)).toThrow(/no reference feature 0/);
  });
});
