import { describe, expect, it } from "vitest";
import {
  boxIou,
  decodeYoloxPersons,
  nonMaximumSuppression,
  yoloxAnchorCount,
  type DetectionBox,
} from "./yolox";

const VALUES = 85;

/** Writes one anchor row: raw [x, y, log w, log h, objectness, class 0, class 1]. */
function setAnchor(output: Float32Array, anchor: number, raw: number[]): void {
  output.set(raw, anchor * VALUES);
}

function expectBox(actual: DetectionBox, expected: DetectionBox): void {
  for (const key of ["x1", "y1", "x2", "y2", "score"] as const) {
    expect(actual[key]).toBeCloseTo(expected[key], 4);
  }
}

describe("YOLOX anchors", () => {
  it("has 80² + 40² + 20² = 8400 anchors at 640", () => {
    expect(yoloxAnchorCount()).toBe(8400);
    expect(yoloxAnchorCount(320)).toBe(2100);
  });
});

describe("boxIou and NMS", () => {
  it("counts pixels inclusively, like the reference", () => {
    // 10 × 10 boxes (0..9) overlapping in columns 5..9: 50 / (100 + 100 − 50).
    const a = { x1: 0, y1: 0, x2: 9, y2: 9, score: 1 };
    const b = { x1: 5, y1: 0, x2: 14, y2: 9, score: 1 };
    expect(boxIou(a, b)).toBeCloseTo(1 / 3, 12);
    expect(boxIou(a, { x1: 20, y1: 20, x2: 30, y2: 30, score: 1 })).toBe(0);
  });

  it("suppresses overlaps above the threshold only, keeping the better box", () => {
    const best = { x1: 0, y1: 0, x2: 9, y2: 9, score: 0.9 };
    // IoU 1/3 with best: stays.
    const side = { x1: 5, y1: 0, x2: 14, y2: 9, score: 0.8 };
    // Overlap 60 of 100 inside best: IoU 60 / 100 = 0.6 > 0.45: dropped.
    const inner = { x1: 0, y1: 0, x2: 5, y2: 9, score: 0.95 };
    const kept = nonMaximumSuppression([best, side, inner], 0.45);
    // inner scores highest, so it is the one kept of the pair; best goes, side stays
    // (IoU(inner, side) = 10 / 150).
    expect(kept).toEqual([inner, side]);
    expect(nonMaximumSuppression([best, side], 0.3)).toEqual([best]);
  });
});

describe("decodeYoloxPersons", () => {
  function syntheticOutput(): Float32Array {
    const output = new Float32Array(8400 * VALUES);
    // Stride 8, cell (gx 10, gy 20) = anchor 20·80 + 10: centre ((0.5+10)·8, (0.25+20)·8) =
    // (84, 162), size (4·8, 8·8) = (32, 64), score 0.75 × 1.
    setAnchor(output, 1610, [0.5, 0.25, Math.log(4), Math.log(8), 0.75, 1, 0]);
    // Its neighbour predicts the same box at a lower score: NMS removes it (IoU 1).
    setAnchor(output, 1611, [-0.5, 0.25, Math.log(4), Math.log(8), 0.5, 1, 0]);
    // Stride 16, cell (3, 5) = anchor 6400 + 5·40 + 3: centre (48, 80), size 16, score 0.5.
    setAnchor(output, 6603, [0, 0, 0, 0, 1, 0.5, 0]);
    // Stride 32, last cell (19, 19) = anchor 8399: centre (624, 624), size 32, score 0.375.
    setAnchor(output, 8399, [0.5, 0.5, 0, 0, 0.75, 0.5, 0]);
    // Score 0.25: a candidate (> 0.1) but below the 0.3 keep threshold.
    setAnchor(output, 0, [0, 0, 0, 0, 0.5, 0.5, 0]);
    // A confident box of class 1 only: not a person.
    setAnchor(output, 100, [0, 0, 0, 0, 1, 0, 1]);
    return output;
  }

  it("decodes grids in stride order, scores obj × cls, runs NMS and divides by the ratio", () => {
    const boxes = decodeYoloxPersons(syntheticOutput(), 0.5);
    expect(boxes).toHaveLength(3);
    expectBox(boxes[0], { x1: 136, y1: 260, x2: 200, y2: 388, score: 0.75 });
    expectBox(boxes[1], { x1: 80, y1: 144, x2: 112, y2: 176, score: 0.5 });
    expectBox(boxes[2], { x1: 1216, y1: 1216, x2: 1280, y2: 1280, score: 0.375 });
  });

  it("takes the thresholds and the class as options", () => {
    const output = syntheticOutput();
    const low = decodeYoloxPersons(output, 1, { keepThreshold: 0.2 });
    expect(low.map((b) => b.score)).toEqual([0.75, 0.5, 0.375, 0.25]);
    // Cell (0, 0) of stride 8 with raw zeros: centre (0, 0), size exp(0)·8 = 8.
    expectBox(low[3], { x1: -4, y1: -4, x2: 4, y2: 4, score: 0.25 });
    expect(decodeYoloxPersons(output, 1, { candidateThreshold: 0.6 })).toHaveLength(1);
    // With NMS off (IoU threshold 1), the duplicate survives.
    expect(decodeYoloxPersons(output, 1, { iouThreshold: 1 })).toHaveLength(4);
    const other = decodeYoloxPersons(output, 2, { classId: 1 });
    expect(other).toHaveLength(1);
    // Anchor 100 = stride 8, cell (20, 1): centre (160, 8), size 8, halved by the ratio 2.
    expectBox(other[0], { x1: 78, y1: 2, x2: 82, y2: 6, score: 1 });
  });

  it("returns nothing for an empty output and refuses a wrong shape", () => {
    expect(decodeYoloxPersons(new Float32Array(8400 * VALUES), 1)).toEqual([]);
    expect(() => decodeYoloxPersons(new Float32Array(8400 * 84), 1)).toThrow(/8400 anchors/);
    expect(() => decodeYoloxPersons(new Float32Array(8400 * VALUES), 0)).toThrow(/ratio/);
  });
});
