import { describe, expect, it } from "vitest";
import type { TensorInfo } from "../../checkpoints";
import { DensePoseKeyError, detectron2Tensors, planKeys } from "./keys";
import { testDensePoseTensors, type TestTensor } from "./test-checkpoint";

/** Shape-only tensors: planning never reads values. */
function infos(tensors: ReadonlyMap<string, TestTensor>): TensorInfo[] {
  return [...tensors].map(([name, t]) => ({
    name,
    dtype: "float32",
    shape: t.shape,
    byteLength: t.data.byteLength,
    readFloat32: () => Promise.resolve(t.data),
    readRaw: () => Promise.resolve(new Uint8Array(t.data.buffer)),
  }));
}

function problemsOf(tensors: TensorInfo[]): readonly string[] {
  try {
    planKeys(tensors);
  } catch (err) {
    if (err instanceof DensePoseKeyError) return err.problems;
    throw err;
  }
  throw new Error("planKeys accepted the checkpoint");
}

const tiny = testDensePoseTensors(3);

describe("planKeys", () => {
  it("uses every architecture key, drops the detector's and reads widths from shapes", () => {
    const plan = planKeys(infos(tiny));
    const dropped = [...tiny.keys()].filter((k) =>
      /^(proposal_generator\.|roi_heads\.box_|pixel_)/.test(k),
    );
    expect([...plan.dropped].sort()).toEqual(dropped.sort());
    expect(plan.used.length + plan.dropped.length).toBe(tiny.size);
    // stem + 16 blocks × 3 convs + 4 shortcuts, 8 FPN convs, 7 decoder convs + predictor,
    // 8 head convs, 4 deconvolutions.
    expect(plan.layers.size).toBe(1 + 48 + 4 + 8 + 8 + 8 + 4);
    expect(plan.layers.get("backbone.bottom_up.res3.0.shortcut")).toMatchObject({
      inChannels: 8,
      outChannels: 12,
    });
    expect(plan.layers.get("backbone.fpn_lateral5")).toMatchObject({
      inChannels: 20,
      outChannels: 6,
    });
    expect(plan.layers.get("roi_heads.densepose_head.body_conv_fcn1")).toMatchObject({
      inChannels: 7,
      outChannels: 6,
    });
    expect(plan.layers.get("roi_heads.densepose_predictor.u_lowres")).toMatchObject({
      kind: "deconv",
      inChannels: 6,
      outChannels: 25,
    });
  });

  it("reports an unknown key", () => {
    const extra = new Map(tiny);
    extra.set("roi_heads.mask_head.mask_fcn1.weight", { shape: [2], data: new Float32Array(2) });
    expect(problemsOf(infos(extra))).toEqual(["unknown key roi_heads.mask_head.mask_fcn1.weight"]);
  });

  it("reports every missing key at once", () => {
    const fewer = new Map(tiny);
    fewer.delete("backbone.bottom_up.res3.2.conv2.norm.running_var");
    fewer.delete("roi_heads.densepose_predictor.v_lowres.bias");
    expect(problemsOf(infos(fewer))).toEqual([
      "missing key backbone.bottom_up.res3.2.conv2.norm.running_var",
      "missing key roi_heads.densepose_predictor.v_lowres.bias",
    ]);
  });

  it("reports a wrong kernel, a broken channel chain and a wrong norm length", () => {
    const bad = new Map(tiny);
    const set = (name: string, shape: number[]) =>
      bad.set(name, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    set("backbone.bottom_up.res2.1.conv2.weight", [2, 2, 1, 1]);
    set("backbone.fpn_lateral3.weight", [6, 9, 1, 1]);
    set("backbone.bottom_up.res4.3.conv1.norm.running_mean", [5]);
    set("roi_heads.densepose_predictor.ann_index_lowres.weight", [6, 3, 4, 4]);
    expect(problemsOf(infos(bad))).toEqual([
      "wrong shape for backbone.bottom_up.res2.1.conv2.weight: [2, 2, 1, 1], expected [out, 2, 3, 3]",
      "wrong shape for backbone.bottom_up.res4.3.conv1.norm.running_mean: [5], expected [4]",
      "wrong shape for backbone.fpn_lateral3.weight: [6, 9, 1, 1], expected [6, 12, 1, 1]",
      "wrong shape for roi_heads.densepose_predictor.ann_index_lowres.weight: [6, 3, 4, 4], " +
        "expected [6, 2, 4, 4]",
    ]);
  });

  it("lists an unknown, a missing and a misshapen key together", () => {
    const mixed = new Map(tiny);
    mixed.delete("backbone.fpn_output4.bias");
    mixed.set("roi_heads.densepose_head.body_conv_fcn9.weight", {
      shape: [6, 6, 3, 3],
      data: new Float32Array(324),
    });
    mixed.set("roi_heads.decoder.predictor.bias", { shape: [3], data: new Float32Array(3) });
    const problems = problemsOf(infos(mixed));
    expect(problems).toHaveLength(3);
    expect(problems).toContain("missing key backbone.fpn_output4.bias");
    expect(problems).toContain("unknown key roi_heads.densepose_head.body_conv_fcn9.weight");
    expect(problems).toContain(
      "wrong shape for roi_heads.decoder.predictor.bias: [3], expected [7]",
    );
  });
});

describe("detectron2Tensors", () => {
  it("strips the model-zoo pickle's model. root, and only when every key has it", () => {
    const named = (...names: string[]) =>
      infos(new Map(names.map((n) => [n, tiny.get("pixel_mean")!])));
    expect(detectron2Tensors(named("model.a.weight", "model.b")).map((t) => t.name)).toEqual([
      "a.weight",
      "b",
    ]);
    expect(detectron2Tensors(named("model.a", "b")).map((t) => t.name)).toEqual(["model.a", "b"]);
  });
});
