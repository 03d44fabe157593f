import { describe, expect, it } from "vitest";
import { PARULA_CONTROL_RGB, linearColormap, parulaLut, parulaRgb } from "./parula";

/**
 * Ground truth: OpenCV 4.6.0 (Debian libopencv-imgproc406) `cv::applyColorMap` on a 1×256 CV_8UC1
 * ramp 0..255 with COLORMAP_PARULA, dumped as BGR hex (`bbggrr`), one entry per value, 12 a row.
 * Produced outside this code base by a tiny C++ program, so it checks the rebuilt table
 * independently of how this module computes it.
 */
const OPENCV_PARULA_BGR = [
  "872a35 8a2c33 8d2e32 8f2f30 92312f 95332d 98352c 9b372a 9e3828 a03a27 a33c25 a63e24",
  "a93f22 ac4121 af431f b1451d b4471c b7481a ba4a19 bd4c17 bf4e16 c25014 c55112 c85311",
  "cb550f ce570e d0580c d35a0b d65c09 d95e08 dc6006 df6104 e16303 e16404 e06504 e06605",
  "df6705 df6806 df6a06 de6b07 de6c07 dd6d08 dd6e08 dc6f09 dc7009 dc710a db720b db730b",
  "da740c da750c da760d d9770d d9780e d87a0e d87b0f d87c0f d77d10 d77e10 d67f11 d68011",
  "d68112 d58213 d58313 d48414 d48514 d38613 d38713 d38813 d28a12 d28b12 d18c11 d18d11",
  "d08e10 d08f10 d0900f cf910f cf920f ce930e ce940e cd950d cd960d cc970c cc980c cc9a0c",
  "cb9b0b cb9c0b ca9d0a ca9e0a c99f09 c9a009 c8a108 c8a208 c8a308 c7a407 c7a507 c6a606",
  "c6a707 c4a808 c3a80a c2a90b c1a90d bfaa0e beab10 bdab12 bbac13 baac15 b9ad16 b8ad18",
  "b6ae19 b5af1b b4af1d b3b01e b1b020 b0b121 afb123 aeb224 acb326 abb328 aab429 a9b42b",
  "a7b52c a6b52e a5b62f a4b631 a2b733 a1b834 a0b836 9fb937 9db939 9cb93c 9bb93f 99ba42",
  "98ba45 97ba48 95ba4a 94ba4d 93bb50 91bb53 90bb56 8ebb58 8dbb5b 8cbc5e 8abc61 89bc64",
  "88bc67 86bc69 85bc6c 84bd6f 82bd72 81bd75 80bd78 7ebd7a 7dbe7d 7cbe80 7abe83 79be86",
  "78be88 76bf8b 75bf8e 74bf91 72bf93 72bf96 71bf98 70be9a 6fbe9c 6ebe9f 6dbea1 6cbea3",
  "6bbea5 6abda7 69bdaa 68bdac 68bdae 67bdb0 66bdb3 65bdb5 64bcb7 63bcb9 62bcbb 61bcbe",
  "60bcc0 5fbcc2 5ebbc4 5ebbc7 5dbbc9 5cbbcb 5bbbcd 5abbd0 59bbd2 58bad4 57bad6 56bad8",
  "55bada 54bbdb 53bcdc 51bcdd 50bdde 4fbedf 4ebee0 4cbfe2 4bbfe3 4ac0e4 49c1e5 47c1e6",
  "46c2e7 45c3e8 43c3e9 42c4ea 41c5eb 40c5ec 3ec6ee 3dc6ef 3cc7f0 3bc8f1 39c8f2 38c9f3",
  "37caf4 36caf5 34cbf6 33cbf7 32ccf9 31cdfa 2fcdfb 2ecefc 2dcffc 2cd1fc 2bd2fc 2ad3fc",
  "29d5fc 28d6fb 27d8fb 26d9fb 25dbfb 24dcfb 23ddfb 22dffb 21e0fb 20e2fb 1fe3fb 1ee4fb",
  "1de6fa 1ce7fa 1be9fa 1aeafa 19ebfa 18edfa 17eefa 16f0fa 15f1fa 14f3fa 13f4f9 12f5f9",
  "11f7f9 10f8f9 0ffaf9 0efbf9",
]
  .join(" ")
  .split(" ");

function opencvRgb(value: number): [number, number, number] {
  const n = Number.parseInt(OPENCV_PARULA_BGR[value], 16);
  return [n & 255, (n >> 8) & 255, (n >> 16) & 255];
}

describe("parula", () => {
  it("has 256 entries", () => {
    expect(OPENCV_PARULA_BGR).toHaveLength(256);
    expect(parulaLut()).toHaveLength(256 * 3);
  });

  it("matches every entry of OpenCV's COLORMAP_PARULA (BGR flipped to RGB)", () => {
    for (let v = 0; v < 256; v++) expect([v, ...parulaRgb(v)]).toEqual([v, ...opencvRgb(v)]);
  });

  it("gives the documented end points", () => {
    // Control point 0 × 255 = (52.989, 41.9985, 134.997) → (53, 42, 135); OpenCV BGR (135, 42, 53).
    expect(parulaRgb(0)).toEqual([53, 42, 135]);
    // Control point 8 × 255 = (249.0075, 250.9965, 13.9995) → (249, 251, 14); BGR (14, 251, 249).
    expect(parulaRgb(255)).toEqual([249, 251, 14]);
    // v = 32: xi = 32/255 ≈ 0.12549 lies just past control point 1 (x = 0.125).
    // r = 0.0118 + (0.12549 − 0.125) · (0.0784 − 0.0118) / 0.125 ≈ 0.012061 → ·255 = 3.08 → 3
    // g = 0.3882 + 0.00049 · (0.5216 − 0.3882) / 0.125 ≈ 0.388723 → 99.12 → 99
    // b = 0.8824 + 0.00049 · (0.8314 − 0.8824) / 0.125 ≈ 0.882200 → 224.96 → 225
    expect(parulaRgb(32)).toEqual([3, 99, 225]);
  });

  it("moves by small steps between neighbours (no wrap or channel swap)", () => {
    const lut = parulaLut();
    for (let v = 1; v < 256; v++) {
      for (let c = 0; c < 3; c++) {
        expect(Math.abs(lut[v * 3 + c] - lut[(v - 1) * 3 + c])).toBeLessThanOrEqual(4);
      }
    }
  });

  it("is monotonic within each control segment", () => {
    const lut = parulaLut();
    // Samples v with 8·v/255 in [k, k+1) belong to segment k; inside it each channel moves in
    // the direction of (control[k+1] − control[k]).
    for (let v = 1; v < 256; v++) {
      const k = Math.min(7, Math.floor((8 * (v - 1)) / 255));
      if (Math.min(7, Math.floor((8 * v) / 255)) !== k) continue;
      for (let c = 0; c < 3; c++) {
        const direction = Math.sign(PARULA_CONTROL_RGB[k + 1][c] - PARULA_CONTROL_RGB[k][c]);
        expect(Math.sign(lut[v * 3 + c] - lut[(v - 1) * 3 + c]) * direction).toBeGreaterThanOrEqual(
          0,
        );
      }
    }
  });

  it("returns a copy, so callers cannot corrupt the shared table", () => {
    const copy = parulaLut();
    copy.fill(0);
    expect(parulaRgb(0)).toEqual([53, 42, 135]);
  });

  it("rejects indices outside 0..255", () => {
    expect(() => parulaRgb(256)).toThrow(RangeError);
    expect(() => parulaRgb(-1)).toThrow(RangeError);
    expect(() => parulaRgb(1.5)).toThrow(RangeError);
  });

  it("linearColormap interpolates two control points like OpenCV", () => {
    // Black → white over 256 samples: entry v = round(v/255 · 255) = v.
    const ramp = linearColormap(
      [
        [0, 0, 0],
        [1, 1, 1],
      ],
      256,
    );
    for (let v = 0; v < 256; v++) expect(ramp[v * 3]).toBe(v);
    // Three samples of 0 → 1: 0, 127.5 → 128, 255. cvRound rounds ties to even (checked against
    // OpenCV 4.6: convertTo(CV_8U, 255.) maps 0.5f → 128 and 2.5f/255 → 2), so 127.5 → 128.
    expect(
      [
        ...linearColormap(
          [
            [0, 0, 0],
            [1, 1, 1],
          ],
          3,
        ),
      ].filter((_, i) => i % 3 === 0),
    ).toEqual([0, 128, 255]);
    expect(() => linearColormap([[0, 0, 0]], 256)).toThrow();
  });
});
