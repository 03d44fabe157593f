import { describe, expect, it } from "vitest";
import { agnosticMaskDc } from "./dc";
import { agnosticMaskHd } from "./hd";
import { AGNOSTIC_HEIGHT, AGNOSTIC_WIDTH, agnosticMask, type AgnosticMaskInput } from "./index";
import { body, pose } from "./test-body";
import { firstDifference } from "./test-raster";

const base: AgnosticMaskInput = {
  parsing: body(),
  keypoints: pose(),
  modelType: "viton_hd",
  garment: "upper_body",
};

describe("agnosticMask", () => {
  it("dispatches to the HD and DC rules at 384×512", () => {
    expect(AGNOSTIC_WIDTH * AGNOSTIC_HEIGHT).toBe(base.parsing.length);
    const hd = agnosticMask(base);
    expect(hd.warnings).toEqual([]);
    const hdDirect = agnosticMaskHd(base.parsing, 384, 512, pose(), "upper_body");
    expect(firstDifference(hd.mask, hdDirect)).toBe(-1);
    const dc = agnosticMask({ ...base, modelType: "dress_code", garment: "dresses" });
    const dcDirect = agnosticMaskDc(base.parsing, 384, 512, pose(), "dresses");
    expect(firstDifference(dc.mask, dcDirect)).toBe(-1);
    expect(firstDifference(hd.mask, dc.mask)).not.toBe(-1);
  });

  it("warns when the keypoints are absent or partly missing, only where the arm rule needs them", () => {
    expect(agnosticMask({ ...base, keypoints: undefined }).warnings[0]).toMatch(/No keypoints/);
    expect(
      agnosticMask({ ...base, keypoints: undefined, modelType: "dress_code" }).warnings[0],
    ).toMatch(/neck is not cut/);
    expect(agnosticMask({ ...base, keypoints: pose({ 7: [0, 0] }) }).warnings).toEqual([
      "Missing keypoints (left wrist): Leffa's fallbacks apply.",
    ]);
    expect(agnosticMask({ ...base, keypoints: undefined, garment: "lower_body" }).warnings).toEqual(
      [],
    );
  });

  it("warns when nothing is masked", () => {
    const result = agnosticMask({
      ...base,
      parsing: new Uint8Array(384 * 512),
      garment: "lower_body",
    });
    expect(result.mask.every((v) => v === 0)).toBe(true);
    expect(result.warnings).toEqual(["The agnostic mask is empty: no garment region was found."]);
  });

  it("rejects malformed input with clear messages", () => {
    expect(() => agnosticMask({ ...base, parsing: new Uint8Array(10) })).toThrow(
      /384×512 = 196608 labels, got 10/,
    );
    const bad = body();
    bad[5 * 384 + 7] = 19;
    expect(() => agnosticMask({ ...base, parsing: bad })).toThrow(/label 19 at pixel \(7, 5\)/);
    expect(() => agnosticMask({ ...base, keypoints: pose().slice(0, 17) })).toThrow(
      /expected 18 OpenPose keypoints, got 17/,
    );
    expect(() => agnosticMask({ ...base, keypoints: pose({ 3: [Number.NaN, 2] }) })).toThrow(
      /keypoint 3 must be two finite numbers/,
    );
    expect(() =>
      agnosticMask({ ...base, modelType: "ootd" as AgnosticMaskInput["modelType"] }),
    ).toThrow(/modelType must be one of viton_hd, dress_code/);
    expect(() =>
      agnosticMask({ ...base, garment: "shoes" as AgnosticMaskInput["garment"] }),
    ).toThrow(/garment must be one of/);
  });

  it("copes with diagonal arms and keypoints far outside the image", () => {
    const diagonal = pose({ 3: [60, 190], 4: [30, 250], 6: [330, 190], 7: [360, 120] });
    const far = pose({ 2: [-5000, 140], 4: [1e6, -3e5], 6: [400, 700], 7: [9000, 9000] });
    for (const keypoints of [diagonal, far]) {
      for (const modelType of ["viton_hd", "dress_code"] as const) {
        const { mask } = agnosticMask({ ...base, keypoints, modelType });
        expect(mask.length).toBe(384 * 512);
        expect(mask.every((v) => v === 0 || v === 255)).toBe(true);
        // The face is never masked by either rule here.
        expect(mask[80 * 384 + 192]).toBe(0);
      }
    }
  });

  it("runs fast enough for interactive use (median printed, not asserted)", () => {
    const cases: AgnosticMaskInput[] = [
      base,
      { ...base, modelType: "dress_code" },
      { ...base, garment: "lower_body" },
    ];
    for (const input of cases) {
      for (let i = 0; i < 10; i++) agnosticMask(input); // warm-up (JIT)
      const times: number[] = [];
      for (let i = 0; i < 9; i++) {
        const t0 = performance.now();
        agnosticMask(input);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      // eslint-disable-next-line no-console -- the timing is reported, on purpose, in the test output
      console.log(
        `agnosticMask ${input.modelType}/${input.garment}: median ${times[4].toFixed(1)} ms (wall clock, shared machine)`,
      );
    }
  });
});
