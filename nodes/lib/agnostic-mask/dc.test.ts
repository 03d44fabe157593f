import { describe, expect, it } from "vitest";
import { agnosticMaskDc, cutNeck, fitLine } from "./dc";
import { LEFFA_LABELS as L } from "./labels";
import { at, body, H, pixelsOf, pose, W } from "./test-body";
import { firstDifference } from "./test-raster";

function masked(mask: Uint8Array, pts: [number, number][]): number {
  return pts.filter(([x, y]) => at(mask, x, y) !== 0).length;
}

describe("fitLine (numpy lstsq through the two shoulders)", () => {
  it("is the line through two points with different x", () => {
    expect(fitLine(0, 1, 2, 5)).toEqual({ m: 2, c: 1 });
  });

  it("gives numpy's minimum-norm answer when both x are equal (e.g. both shoulders missing)", () => {
    expect(fitLine(0, 0, 0, 0)).toEqual({ m: 0, c: 0 });
    // [x 1; x 1]·[m c]ᵀ = ȳ with minimal |[m c]|: [m c] = ȳ/(x²+1)·[x 1].
    expect(fitLine(3, 10, 3, 30)).toEqual({ m: 6, c: 2 });
  });
});

describe("cutNeck", () => {
  const width = 4;
  const height = 10;
  const all = new Uint8Array(width * height).fill(1);
  const rowsKept = (kept: Uint8Array, x: number) =>
    Array.from({ length: height }, (_, y) => kept[y * width + x]).join("");

  function keypointsWithShoulders(r: [number, number], l: [number, number]) {
    const kp: [number, number][] = Array.from({ length: 18 }, () => [0, 0]);
    kp[2] = r;
    kp[5] = l;
    return kp;
  }

  it("drops the head labels from 20 px (at 512 px height) above the shoulder line down", () => {
    const kept = cutNeck(all, width, height, keypointsWithShoulders([0, 26], [3, 29]), 1);
    // Line y = x + 26: column x is cleared from row x + 6.
    expect([0, 1, 2, 3].map((x) => rowsKept(kept, x))).toEqual([
      "1111110000",
      "1111111000",
      "1111111100",
      "1111111110",
    ]);
  });

  it("follows Python slicing: int() truncates and a negative start counts from the bottom", () => {
    // y - 20 = -3.5 → int → -3 → rows [height-3, height) are cleared.
    const kept = cutNeck(all, width, height, keypointsWithShoulders([0, 16.5], [3, 16.5]), 1);
    expect(rowsKept(kept, 0)).toBe("1111111000");
    // y - 20 = -0.5 → int → 0 → everything is cleared.
    const none = cutNeck(all, width, height, keypointsWithShoulders([0, 19.5], [3, 19.5]), 1);
    expect(rowsKept(none, 0)).toBe("0000000000");
  });
});

describe("agnosticMaskDc, upper_body", () => {
  const parsing = body();
  const mask = agnosticMaskDc(parsing, W, H, pose(), "upper_body");

  it("is a 0/255 mask that never touches the image frame", () => {
    expect(new Set(mask)).toEqual(new Set([0, 255]));
    for (let x = 0; x < W; x++) expect(at(mask, x, 0) + at(mask, x, H - 1)).toBe(0);
  });

  it("covers the upper garment and protects the face, hair, bag and pants (not eroded)", () => {
    expect(masked(mask, pixelsOf(parsing, L.upperClothes))).toBe(
      pixelsOf(parsing, L.upperClothes).length,
    );
    expect(masked(mask, pixelsOf(parsing, L.head))).toBe(0);
    expect(masked(mask, pixelsOf(parsing, L.hair))).toBe(0);
    expect(masked(mask, pixelsOf(parsing, L.bag))).toBe(0);
    expect(masked(mask, pixelsOf(parsing, L.pants, [140, 300, 244, H - 1]))).toBe(0);
  });

  it("cuts the neck 20 px above the shoulder line (y = 140 → from row 120)", () => {
    expect(masked(mask, pixelsOf(parsing, L.neck, [180, 110, 204, 120]))).toBe(0);
    expect(masked(mask, pixelsOf(parsing, L.neck, [180, 120, 204, 130]))).toBe(240);
  });

  it("draws one 30-px arm line through the keypoints, dilated 5×5 ×5 and then with the garment", () => {
    // Vertical segment at x = 114: the 30-px line spans x 100..129 (Pillow: -14/+15), its own
    // dilation adds 10 px (90..139), the garment's 10×10 ×5 dilation 20 more to the left.
    expect(at(mask, 70, 200)).toBe(255);
    expect(at(mask, 69, 200)).toBe(0);
  });

  it("protects the hands (parsed arm beyond the dilated line) unless the mask encloses them", () => {
    // Here the hands are boxed in by the mask, so Leffa's hole filling takes them.
    expect(masked(mask, pixelsOf(parsing, L.rightArm, [100, 290, 130, 300]))).toBe(300);
    // Arms hanging off the bottom edge are not enclosed: everything below 280 stays.
    const hanging = body();
    for (let y = 300; y < H; y++) hanging.fill(L.rightArm, y * W + 100, y * W + 130);
    const m = agnosticMaskDc(hanging, W, H, pose(), "upper_body");
    expect(masked(m, pixelsOf(hanging, L.rightArm, [100, 281, 130, H - 1]))).toBe(0);
    expect(at(m, 114, 280)).toBe(255);
  });
});

describe("agnosticMaskDc, missing keypoints", () => {
  it("drops a missing wrist from the polyline (its hand stays a parsed, protected arm)", () => {
    const parsing = body();
    const mask = agnosticMaskDc(parsing, W, H, pose({ 4: [0, 0] }), "upper_body");
    // Chain is wl, el, sl, sr, er: the right forearm (elbow y 210 → wrist) is not drawn, so
    // the parsed right arm below the elbow's reach is protected as a hand.
    expect(at(mask, 114, 260)).toBe(0);
    expect(at(mask, 270, 260)).toBe(255);
  });

  it("without keypoints uses the parsed arms and keeps the whole neck", () => {
    const parsing = body();
    const mask = agnosticMaskDc(parsing, W, H, undefined, "upper_body");
    expect(masked(mask, pixelsOf(parsing, L.neck))).toBe(0);
    expect(at(mask, 114, 295)).toBe(255); // hands are part of the parsed arms
  });
});

describe("agnosticMaskDc, lower_body and dresses", () => {
  it("lower_body covers pants and legs, protects the upper garment, and ignores the pose", () => {
    const parsing = body();
    const mask = agnosticMaskDc(parsing, W, H, pose(), "lower_body");
    expect(masked(mask, pixelsOf(parsing, L.pants, [140, 300, 244, H - 1]))).toBe(
      pixelsOf(parsing, L.pants, [140, 300, 244, H - 1]).length,
    );
    expect(masked(mask, pixelsOf(parsing, L.upperClothes))).toBe(0);
    expect(masked(mask, pixelsOf(parsing, L.head))).toBe(0);
    expect(firstDifference(mask, agnosticMaskDc(parsing, W, H, undefined, "lower_body"))).toBe(-1);
  });

  it("dresses covers the dress and the legs", () => {
    const parsing = body({ upper: L.dress, pants: L.rightLeg });
    const mask = agnosticMaskDc(parsing, W, H, pose(), "dresses");
    const garment = [
      ...pixelsOf(parsing, L.dress),
      ...pixelsOf(parsing, L.rightLeg, [140, 300, 244, H - 1]),
    ];
    expect(masked(mask, garment)).toBe(garment.length);
    expect(masked(mask, pixelsOf(parsing, L.head))).toBe(0);
  });
});
