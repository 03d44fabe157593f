import { describe, expect, it } from "vitest";
import {
  DENSEPOSE_PART_LABELS,
  intBox,
  pasteBox,
  renderDressCode,
  renderPoseTransferIuv,
  renderVitonHd,
  vitonHdColor,
  vitonHdLevel,
  vitonHdPalette,
} from "./encodings";

/**
 * [I, floor(I × 255/24), RGB] for every body part. The RGB column is OpenCV 4.6.0's own
 * `cv::applyColorMap(level, COLORMAP_PARULA)` output (BGR, reversed here), dumped by a small C++
 * program outside this code base: the colours Leffa's VITON-HD model sees.
 */
const VITON_HD_EXPECTED: readonly [number, number, [number, number, number]][] = [
  [1, 10, [37, 60, 163]],
  [2, 21, [20, 80, 194]],
  [3, 31, [4, 97, 223]],
  [4, 42, [8, 110, 221]],
  [5, 53, [14, 122, 216]],
  [6, 63, [20, 132, 212]],
  [7, 74, [15, 144, 208]],
  [8, 85, [11, 156, 203]],
  [9, 95, [6, 166, 198]],
  [10, 106, [22, 173, 185]],
  [11, 116, [38, 179, 172]],
  [12, 127, [55, 185, 159]],
  [13, 138, [86, 187, 144]],
  [14, 148, [114, 189, 130]],
  [15, 159, [145, 191, 116]],
  [16, 170, [170, 189, 105]],
  [17, 180, [192, 188, 96]],
  [18, 191, [216, 186, 86]],
  [19, 201, [228, 192, 74]],
  [20, 212, [240, 199, 60]],
  [21, 223, [252, 206, 46]],
  [22, 233, [251, 220, 36]],
  [23, 244, [250, 235, 25]],
  [24, 255, [249, 251, 14]],
];

function pixel(data: Uint8ClampedArray, width: number, x: number, y: number): number[] {
  const o = (y * width + x) * 4;
  return [...data.subarray(o, o + 4)];
}

describe("vitonHdLevel", () => {
  it("truncates I × 10.625 like numpy's astype(uint8)", () => {
    expect(vitonHdLevel(0)).toBe(0);
    expect(vitonHdLevel(1)).toBe(10); // 10.625
    expect(vitonHdLevel(2)).toBe(21); // 21.25
    expect(vitonHdLevel(3)).toBe(31); // 31.875: rounding would give 32
    expect(vitonHdLevel(8)).toBe(85); // exact
    expect(vitonHdLevel(23)).toBe(244); // 244.375
    expect(vitonHdLevel(24)).toBe(255); // exact
    for (const [part, level] of VITON_HD_EXPECTED) expect(vitonHdLevel(part)).toBe(level);
  });

  it("rejects indices outside 0..24", () => {
    expect(() => vitonHdLevel(25)).toThrow(RangeError);
    expect(() => vitonHdLevel(-1)).toThrow(RangeError);
  });
});

describe("renderVitonHd", () => {
  it("colours every part with OpenCV's PARULA entry and keeps the background black", () => {
    const width = 5;
    const height = 5;
    const parts = new Uint8Array(25);
    for (let p = 0; p < 25; p++) parts[p] = p; // pixel p holds part p: 0 … 24
    const image = renderVitonHd(parts, width, height);
    expect(image.width).toBe(5);
    expect(pixel(image.data, width, 0, 0)).toEqual([0, 0, 0, 255]);
    for (const [part, , rgb] of VITON_HD_EXPECTED) {
      expect([part, ...pixel(image.data, width, part % width, Math.floor(part / width))]).toEqual([
        part,
        ...rgb,
        255,
      ]);
    }
  });

  it("agrees with vitonHdColor and the exported palette", () => {
    const palette = vitonHdPalette();
    expect(palette).toHaveLength(25 * 3);
    for (let part = 0; part <= DENSEPOSE_PART_LABELS; part++) {
      expect([...palette.subarray(part * 3, part * 3 + 3)]).toEqual([...vitonHdColor(part)]);
    }
  });

  it("gives 25 distinct colours, none of them black except the background", () => {
    const seen = new Set<string>();
    for (let part = 0; part <= DENSEPOSE_PART_LABELS; part++) seen.add(vitonHdColor(part).join());
    expect(seen.size).toBe(25);
  });

  it("rejects part indices above 24 and a map of the wrong size", () => {
    expect(() => renderVitonHd(new Uint8Array([25]), 1, 1)).toThrow(RangeError);
    expect(() => renderVitonHd(new Uint8Array(3), 2, 2)).toThrow();
  });
});

describe("renderDressCode", () => {
  it("repeats the raw part index in R, G and B", () => {
    const image = renderDressCode(new Uint8Array([0, 1, 12, 24]), 2, 2);
    expect([...image.data]).toEqual([0, 0, 0, 255, 1, 1, 1, 255, 12, 12, 12, 255, 24, 24, 24, 255]);
  });

  it("rejects part indices above 24", () => {
    expect(() => renderDressCode(new Uint8Array([30]), 1, 1)).toThrow(RangeError);
  });
});

describe("renderPoseTransferIuv", () => {
  it("puts U′ in R, V′ in G and I in B inside the box, black elsewhere", () => {
    // 2 × 2 box at (1, 1) on a 4 × 3 canvas. The background pixel carries a stray U = 1.5 that
    // must be ignored (detectron2 leaves U/V = 0 where I = 0), so min = 0 and max = 1.
    const box = { x: 1, y: 1, width: 2, height: 2 };
    const i = new Uint8Array([0, 3, 24, 1]);
    const u = new Float32Array([1.5, 0.25, 0.5, 1]);
    const v = new Float32Array([0.7, 0.75, 0.1, 0.5]);
    const image = renderPoseTransferIuv(i, u, v, box, 4, 3);
    // U′ = trunc(u × 255): 0.25 → 63.75 → 63, 0.5 → 127.5 → 127, 1 → 255.
    // V′ = trunc(v × 255): 0.75 → 191.25 → 191, 0.1 → 25.5 → 25, 0.5 → 127.
    expect(pixel(image.data, 4, 1, 1)).toEqual([0, 0, 0, 255]);
    expect(pixel(image.data, 4, 2, 1)).toEqual([63, 191, 3, 255]);
    expect(pixel(image.data, 4, 1, 2)).toEqual([127, 25, 24, 255]);
    expect(pixel(image.data, 4, 2, 2)).toEqual([255, 127, 1, 255]);
    for (const [x, y] of [
      [0, 0],
      [3, 0],
      [0, 1],
      [3, 2],
      [1, 0],
    ]) {
      expect(pixel(image.data, 4, x, y)).toEqual([0, 0, 0, 255]);
    }
  });

  it("normalises U and V together with one min and one max", () => {
    // No background in the box: min = 0.2 (a U), max = 0.6 (a V), range 0.4.
    // U′: (0.2 − 0.2)/0.4 → 0; (0.4 − 0.2)/0.4 = 0.5 → 127. V′: 0.6 → 1 → 255; 0.3 → 0.25 → 63.
    // Per-channel normalisation would instead give U′ = 0, 255 and V′ = 255, 0.
    const image = renderPoseTransferIuv(
      new Uint8Array([5, 6]),
      [0.2, 0.4],
      [0.6, 0.3],
      { x: 0, y: 0, width: 2, height: 1 },
      2,
      1,
    );
    expect([...image.data]).toEqual([0, 255, 5, 255, 127, 63, 6, 255]);
  });

  it("writes U′ = V′ = 0 when U and V are constant (torch would divide 0 by 0)", () => {
    const image = renderPoseTransferIuv(
      new Uint8Array([7]),
      [0.5],
      [0.5],
      { x: 0, y: 0, width: 1, height: 1 },
      1,
      1,
    );
    expect([...image.data]).toEqual([0, 0, 7, 255]);
  });

  it("rejects a box outside the canvas or arrays of the wrong size", () => {
    const one = new Uint8Array([1]);
    expect(() =>
      renderPoseTransferIuv(one, [0], [0], { x: 1, y: 0, width: 1, height: 1 }, 1, 1),
    ).toThrow(RangeError);
    expect(() =>
      renderPoseTransferIuv(one, [0], [0], { x: 0, y: 0, width: 1.5, height: 1 }, 2, 2),
    ).toThrow(RangeError);
    expect(() =>
      renderPoseTransferIuv(one, [0, 1], [0], { x: 0, y: 0, width: 1, height: 1 }, 1, 1),
    ).toThrow();
  });
});

describe("boxes", () => {
  it("truncates each coordinate like make_int_box and keeps at least one pixel", () => {
    expect(intBox(10.9, 20.2, 100.7, 0.4)).toEqual({ x: 10, y: 20, width: 100, height: 1 });
  });

  it("pastes a box-sized label map onto a background canvas", () => {
    const parts = pasteBox(new Uint8Array([1, 2, 3, 4]), { x: 1, y: 1, width: 2, height: 2 }, 4, 3);
    expect([...parts]).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0]);
    expect(() => pasteBox(new Uint8Array(4), { x: 3, y: 0, width: 2, height: 2 }, 4, 3)).toThrow(
      RangeError,
    );
  });
});
