import { describe, expect, it } from "vitest";
import { agnosticMaskHd } from "./hd";
import { LEFFA_LABELS as L } from "./labels";
import { at, body, H, pixelsOf, pose, W } from "./test-body";
import { firstDifference } from "./test-raster";

function masked(mask: Uint8Array, pts: [number, number][]): number {
  return pts.filter(([x, y]) => at(mask, x, y) !== 0).length;
}

/** The runs of masked rows of column x within [y0, y1), as [first, last, first, last, …]. */
function rowsMasked(mask: Uint8Array, x: number, y0: number, y1: number): number[] {
  const rows: number[] = [];
  for (let y = y0; y < y1; y++) if (at(mask, x, y) !== 0) rows.push(y);
  return runs(rows);
}

/** The runs of masked columns of row y within [x0, x1), as [first, last, first, last, …]. */
function columnsMasked(mask: Uint8Array, y: number, x0: number, x1: number): number[] {
  const cols: number[] = [];
  for (let x = x0; x < x1; x++) if (at(mask, x, y) !== 0) cols.push(x);
  return runs(cols);
}

function runs(values: number[]): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    if (i === 0 || values[i - 1] !== v - 1) out.push(v, v);
    else out[out.length - 1] = v;
  });
  return out;
}

describe("agnosticMaskHd, upper_body", () => {
  const parsing = body();
  const mask = agnosticMaskHd(parsing, W, H, pose(), "upper_body");

  it("is a 0/255 mask that never touches the image frame", () => {
    expect(new Set(mask)).toEqual(new Set([0, 255]));
    for (let x = 0; x < W; x++) expect(at(mask, x, 0) + at(mask, x, H - 1)).toBe(0);
    for (let y = 0; y < H; y++) expect(at(mask, 0, y) + at(mask, W - 1, y)).toBe(0);
  });

  it("covers the whole upper garment and the neck", () => {
    expect(masked(mask, pixelsOf(parsing, L.upperClothes))).toBe(
      pixelsOf(parsing, L.upperClothes).length,
    );
    expect(masked(mask, pixelsOf(parsing, L.neck))).toBe(pixelsOf(parsing, L.neck).length);
  });

  it("never covers the face; hair is not protected by the HD rule but lies outside the reach", () => {
    expect(masked(mask, pixelsOf(parsing, L.head))).toBe(0);
  });

  it("protects the lower garment except its outer 2-px rim (the fixed regions are eroded 5×5)", () => {
    const interior = pixelsOf(parsing, L.pants, [143, 303, 242, H - 1]);
    expect(masked(mask, interior)).toBe(0);
    // The rim next to the garment's dilation is masked: (141, 310) is 1 px inside the pants.
    expect(at(mask, 141, 310)).toBe(255);
  });

  it("fills Leffa's approximated outline, which cuts one pixel into the lower garment", () => {
    // cv2.findContours(…, CHAIN_APPROX_TC89_L1) keeps (141, 510) and (142, 301) but drops the
    // notch's corner (141, 301); drawContours draws each polygon edge as an 8-connected line
    // besides filling it, so the chord's upper half lands on x = 142 (rows 302–405), and the
    // top edge (142, 301) → (242, 302) lands on row 302 for its right half (x 193–241).
    expect(rowsMasked(mask, 142, 302, H - 1)).toEqual([302, 405]);
    expect(columnsMasked(mask, 302, 142, 242)).toEqual([142, 142, 193, 241]);
  });

  it("draws the arms along the keypoints 60 px wide, down to the wrist extended 1.2×", () => {
    // Right arm polyline: (114,140) → (114,210) → (114,282). Line covers x 85..144 (±30
    // from the centre), then dilation 5×5 ×4 adds 8 px: x 77..151, y down to 282 + 8.
    expect(at(mask, 80, 200)).toBe(255); // background, only reachable by the drawn arm
    expect(at(mask, 75, 200)).toBe(0);
    expect(at(mask, 90, 290)).toBe(255);
    expect(at(mask, 90, 291)).toBe(0);
  });

  it("keeps the hands: parsed arm below the drawn arm, eroded by 2 px", () => {
    const hands = pixelsOf(parsing, L.rightArm, [102, 292, 127, 298]);
    expect(hands.length).toBeGreaterThan(0);
    expect(masked(mask, hands)).toBe(0);
    // Except their right-hand column: the approximated outline's chord (128, 285) → (127, 298)
    // is drawn as a line whose lower half runs at x = 127.
    expect(rowsMasked(mask, 127, 292, 298)).toEqual([292, 297]);
  });

  it("does not reach the bag", () => {
    expect(masked(mask, pixelsOf(parsing, L.bag))).toBe(0);
  });
});

describe("agnosticMaskHd, missing wrist", () => {
  it("falls back to the parsed arm for that side, so the hand is masked and nothing is drawn", () => {
    const parsing = body();
    const mask = agnosticMaskHd(parsing, W, H, pose({ 4: [0, 0] }), "upper_body");
    // No drawn arm: background left of the parsed right arm (x < 100) is only reached by
    // the 5×5 ×4 dilation of the parsed arm (8 px) and the garment dilation.
    expect(at(mask, 80, 200)).toBe(0);
    expect(at(mask, 93, 200)).toBe(255);
    // The whole parsed right arm, hand included, is masked.
    expect(masked(mask, pixelsOf(parsing, L.rightArm, [101, 131, 129, 299]))).toBe(
      pixelsOf(parsing, L.rightArm, [101, 131, 129, 299]).length,
    );
    // The other side still keeps its hand.
    expect(at(mask, 270, 295)).toBe(0);
  });

  it("treats points with x <= 1 and y <= 1 as missing, like Leffa", () => {
    const a = agnosticMaskHd(body(), W, H, pose({ 4: [1, 1] }), "upper_body");
    const b = agnosticMaskHd(body(), W, H, pose({ 4: [0, 0] }), "upper_body");
    expect(firstDifference(a, b)).toBe(-1);
  });

  it("with no keypoints at all uses the parsed arms on both sides", () => {
    const a = agnosticMaskHd(body(), W, H, undefined, "upper_body");
    const b = agnosticMaskHd(body(), W, H, pose({ 4: [0, 0], 7: [0, 0] }), "upper_body");
    expect(firstDifference(a, b)).toBe(-1);
  });
});

describe("agnosticMaskHd, numpy uint16 cast of the arm polyline", () => {
  it("wraps a wrist extended past the left edge to x ≈ 65533, so the forearm crosses the image", () => {
    // Elbow (30, 210), wrist (2, 270): extended wrist x = 30 + 1.2·(2 - 30) = -3.6 → 65533.
    const quirk = agnosticMaskHd(body(), W, H, pose({ 3: [30, 210], 4: [2, 270] }), "upper_body");
    expect(at(quirk, 375, 190)).toBe(255);
    // Wrist (10, 270): extended x = 6, an ordinary forearm that stays on the left.
    const plain = agnosticMaskHd(body(), W, H, pose({ 3: [30, 210], 4: [10, 270] }), "upper_body");
    expect(at(plain, 375, 190)).toBe(0);
  });
});

describe("agnosticMaskHd, lower_body and dresses", () => {
  it("lower_body covers the pants and never the face", () => {
    const parsing = body();
    const mask = agnosticMaskHd(parsing, W, H, pose(), "lower_body");
    expect(masked(mask, pixelsOf(parsing, L.pants, [140, 300, 244, H - 1]))).toBe(
      pixelsOf(parsing, L.pants, [140, 300, 244, H - 1]).length,
    );
    expect(masked(mask, pixelsOf(parsing, L.head))).toBe(0);
  });

  it("lower_body: the eroded-away rim of the fixed upper body is masked, and hole filling takes what it encloses (Leffa's quirk)", () => {
    const parsing = body();
    const mask = agnosticMaskHd(parsing, W, H, pose(), "lower_body");
    // Rim pixel next to the background, far from the pants: not changeable, no longer fixed.
    expect(at(mask, 100, 200)).toBe(255);
    // The rim closes a ring around upper garment + arms, so their inside is filled too.
    expect(at(mask, 190, 200)).toBe(255);
    // Cut the ring by letting the arms run off the image edges: the inside is kept again.
    const open = body();
    for (let y = 130; y < 300; y++) {
      open.fill(L.rightArm, y * W, y * W + 130);
      open.fill(L.leftArm, y * W + 254, y * W + W);
    }
    for (let y = 0; y < 130; y++) {
      open.fill(L.rightArm, y * W, y * W + 20);
      open.fill(L.leftArm, y * W + W - 20, y * W + W);
    }
    const kept = agnosticMaskHd(open, W, H, pose(), "lower_body");
    expect(masked(kept, pixelsOf(open, L.upperClothes, [132, 132, 252, 270]))).toBe(0);
    expect(at(kept, 190, 200)).toBe(0);
  });

  it("lower_body ignores the keypoints", () => {
    const a = agnosticMaskHd(body(), W, H, pose(), "lower_body");
    const b = agnosticMaskHd(body(), W, H, undefined, "lower_body");
    expect(firstDifference(a, b)).toBe(-1);
  });

  it("dresses covers a dress together with the upper and lower garments", () => {
    const parsing = body({ pants: L.dress });
    const mask = agnosticMaskHd(parsing, W, H, pose(), "dresses");
    const garment = [
      ...pixelsOf(parsing, L.dress, [140, 300, 244, H - 1]),
      ...pixelsOf(parsing, L.upperClothes),
    ];
    expect(masked(mask, garment)).toBe(garment.length);
    expect(masked(mask, pixelsOf(parsing, L.head))).toBe(0);
  });
});

describe("agnosticMaskHd, shoes", () => {
  it("keeps eroded shoes that reach the image bottom even when the legs are masked", () => {
    const parsing = body({ pants: L.leftLeg });
    for (let y = 470; y < H; y++) parsing.fill(L.leftShoe, y * W + 140, y * W + 244);
    const mask = agnosticMaskHd(parsing, W, H, pose(), "lower_body");
    expect(masked(mask, pixelsOf(parsing, L.leftShoe, [143, 473, 242, H - 1]))).toBe(0);
    // The approximated outline's chords (141, 510) → (142, 471) → (242, 472), drawn as lines.
    expect(rowsMasked(mask, 142, 472, H - 1)).toEqual([472, 490]);
    expect(columnsMasked(mask, 472, 142, 242)).toEqual([142, 142, 193, 241]);
    expect(at(mask, 141, 480)).toBe(255); // eroded rim
    expect(at(mask, 190, 400)).toBe(255); // leg
  });
});
